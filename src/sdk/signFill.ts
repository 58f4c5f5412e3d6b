// signFill: a fill transaction signed but not sent, so a filler can record its hash before anything
// reaches the network. A filler that crashes after recording can then look the fill up by hash, or send
// the very same bytes again (same nonce, same hash): it never sends a second, different fill.
import { type Address, encodeFunctionData, type Hex, keccak256 } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { JunctionError } from "../errors.js";
import { encodeFillerData, orderIdOf } from "../protocol/intents.js";
import { settlerAbi } from "./intentSettler.js";

export type FillCallParameters = {
  /** The order as opened: `fillInstructions[0].originData` of its Open event. */
  originData: Hex;
  /** The destination settler (the order's `settler`: one address on every rollup). */
  settler: Address;
  /** Where the input is repaid: omitted, to the caller on the origin. */
  repayment?: { chainId: bigint; address: Address; notify?: boolean };
};

/**
 * The `fill` call of an order, for estimating its gas or signing it.
 *
 * @example
 * const gas = await client.estimateContractGas({ ...fillCall({ originData, settler }), account });
 */
export function fillCall({ originData, settler, repayment }: FillCallParameters) {
  return {
    address: settler,
    abi: settlerAbi,
    functionName: "fill",
    args: [orderIdOf(originData), originData, repayment ? encodeFillerData(repayment) : "0x"],
  } as const;
}

export type SignFillParameters = FillCallParameters & {
  nonce: number;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
};

export type SignFillReturnType = { orderId: Hex; hash: Hex; serializedTransaction: Hex };

/**
 * Signs the fill of an order on the wallet's rollup with the nonce and fees given; nothing is sent.
 * Send it with `wallet.sendRawTransaction({ serializedTransaction })`.
 *
 * @example
 * const signed = await signFill(wallet, { originData, settler, nonce, gas, maxFeePerGas, maxPriorityFeePerGas });
 * store.markFilling(signed.orderId, signed.hash);
 * await wallet.sendRawTransaction({ serializedTransaction: signed.serializedTransaction });
 */
export async function signFill(
  wallet: JunctionWalletClient,
  { nonce, gas, maxFeePerGas, maxPriorityFeePerGas, ...call }: SignFillParameters,
): Promise<SignFillReturnType> {
  const serializedTransaction = await wallet.account.signTransaction?.({
    type: "eip1559",
    chainId: wallet.chain.id,
    to: call.settler,
    data: encodeFunctionData(fillCall(call)),
    nonce,
    gas,
    maxFeePerGas,
    maxPriorityFeePerGas,
  });
  if (!serializedTransaction) throw new SignFillError(wallet.account.address);
  return {
    orderId: orderIdOf(call.originData),
    hash: keccak256(serializedTransaction),
    serializedTransaction,
  };
}

/** The wallet's account cannot sign locally (a JSON-RPC account): a fill cannot be signed ahead. */
export class SignFillError extends JunctionError {
  override name = "SignFillError" as const;
  constructor(readonly account: Address) {
    super(`account ${account} cannot sign transactions locally`, {
      details: "give the filler a private key (a local account)",
    });
  }
}
