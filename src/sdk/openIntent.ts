// openIntent: opens an ERC-7683 order on the wallet's rollup (input escrowed by the path's settler),
// to be filled at once on the destination by whoever has the liquidity there.
import { type Address, erc20Abi, type Hex, zeroAddress } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import {
  encodeOrderData,
  type IntentPath,
  type JunctionOrder,
  ORDER_DATA_TYPEHASH,
  type Order,
} from "../protocol/intents.js";
import { openedOrder, settlerAbi, settlerOf } from "./intentSettler.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type IntentParameters = {
  destinationChainId: number | bigint;
  inputAmount: bigint;
  outputAmount: bigint;
  /** Default: the network's JUSD on the origin. */
  inputToken?: Address;
  /** Default: the network's JUSD on the destination. */
  outputToken?: Address;
  /** Default: the wallet's own address. */
  recipient?: Address;
  /** The trust path that proves the fill to the origin (default "canonical"). */
  path?: IntentPath;
  /** Seconds from now the order stays fillable (default 600). */
  fillWithinSeconds?: number;
  /** A filler that alone may fill for `exclusiveSeconds` (default none). */
  exclusiveFiller?: Address;
  exclusiveSeconds?: number;
};

export type OpenIntentReturnType = { orderId: Hex; order: Order; originData: Hex; txHash: Hex };

/** The order data and deadlines of an intent, with times counted from the origin's latest block. */
export async function intentTerms(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  params: IntentParameters,
): Promise<{ data: JunctionOrder; fillDeadline: number; now: number }> {
  const origin = rollupOf(network, wallet.chain.id);
  const destination = rollupOf(network, params.destinationChainId);
  const now = Number((await clientOf(origin).getBlock()).timestamp);
  const fillDeadline = now + (params.fillWithinSeconds ?? 600);
  return {
    now,
    fillDeadline,
    data: {
      inputToken: params.inputToken ?? origin.contracts.bridgedToken,
      inputAmount: params.inputAmount,
      destinationChainId: BigInt(params.destinationChainId),
      outputToken: params.outputToken ?? destination.contracts.bridgedToken,
      outputAmount: params.outputAmount,
      recipient: params.recipient ?? wallet.account.address,
      exclusiveFiller: params.exclusiveFiller ?? zeroAddress,
      exclusivityDeadline: params.exclusiveFiller ? now + (params.exclusiveSeconds ?? 30) : 0,
    },
  };
}

/** Approves `spender` for `amount` of `token` when the allowance is short, and waits for it. */
export async function ensureAllowance(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  token: Address,
  spender: Address,
  amount: bigint,
): Promise<void> {
  const client = clientOf(rollupOf(network, wallet.chain.id));
  const owner = wallet.account.address;
  const allowance = await client.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [owner, spender],
  });
  if (allowance >= amount) return;
  const hash = await wallet.writeContract({
    address: token,
    abi: erc20Abi,
    functionName: "approve",
    args: [spender, amount],
  });
  await client.waitForTransactionReceipt({ hash });
}

/**
 * Opens an order on the wallet's rollup: approves the settler if needed, escrows the input, and returns
 * the order id and the `originData` fillers fill with.
 *
 * @example
 * const { orderId } = await openIntent(wallet, network, {
 *   destinationChainId: 902, inputAmount: parseEther("100"), outputAmount: parseEther("99.9"),
 * });
 * await waitForFill(network, { orderId, destinationChainId: 902 });
 */
export async function openIntent(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  params: IntentParameters,
): Promise<OpenIntentReturnType> {
  const origin = rollupOf(network, wallet.chain.id);
  const settler = settlerOf(origin, params.path);
  const { data, fillDeadline } = await intentTerms(wallet, network, params);
  await ensureAllowance(wallet, network, data.inputToken, settler, data.inputAmount);
  const request = {
    address: settler,
    abi: settlerAbi,
    functionName: "open",
    args: [{ fillDeadline, orderDataType: ORDER_DATA_TYPEHASH, orderData: encodeOrderData(data) }],
  } as const;
  const client = clientOf(origin);
  // Headroom: a payout that empties the settler's balance first makes the escrow's transfer a fresh
  // (dearer) storage write than the estimate saw.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  return { ...openedOrder(receipt), txHash };
}
