// fillIntent / certifyUnfilled: the destination side of an ERC-7683 order. A filler pays the recipient
// from its own tokens and names where it wants the input repaid; after the fill deadline anyone may
// certify an unfilled order so its origin refunds the user.
import { type Address, type Hex, parseEventLogs } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { intentSettlerAbi } from "../contracts/generated/index.js";
import { decodeOrder, encodeFillerData, orderIdOf, pathName } from "../protocol/intents.js";
import { IntentNotOpenError, SendMessageError } from "./errors.js";
import { settlerAbi } from "./intentSettler.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";
import { ensureAllowance } from "./openIntent.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type FillIntentParameters = {
  /** The order as opened: `fillInstructions[0].originData` of its Open event. */
  originData: Hex;
  /** Where the input is repaid: the origin (default) or this chain, to this address (default: the wallet). */
  repayment?: { chainId: number | bigint; address?: Address; notify?: boolean };
  /**
   * Check first that the order's settler is one of the network's and that the order is open on its
   * origin (default true): a fill of an order never opened is never repaid.
   */
  checkOrigin?: boolean;
};

export type FillIntentReturnType = { orderId: Hex; txHash: Hex; messageId: Hex };

/**
 * Fills an order on the wallet's rollup (its destination): approves the settler for the output if
 * needed, pays the recipient, and sends the fill back to the origin.
 *
 * @example
 * const { messageId } = await fillIntent(fillerWallet, network, { originData });
 */
export async function fillIntent(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { originData, repayment, checkOrigin = true }: FillIntentParameters,
): Promise<FillIntentReturnType> {
  const destination = rollupOf(network, wallet.chain.id);
  const order = decodeOrder(originData);
  const orderId = orderIdOf(originData);
  if (checkOrigin) await assertOpenOnOrigin(network, originData);
  await ensureAllowance(wallet, network, order.data.outputToken, order.settler, order.data.outputAmount);
  const fillerData = repayment
    ? encodeFillerData({
        chainId: BigInt(repayment.chainId),
        address: repayment.address ?? wallet.account.address,
        notify: repayment.notify,
      })
    : "0x";
  const request = {
    address: order.settler,
    abi: settlerAbi,
    functionName: "fill",
    args: [orderId, originData, fillerData],
  } as const;
  const client = clientOf(destination);
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  const [filled] = parseEventLogs({ abi: intentSettlerAbi, logs: receipt.logs, eventName: "Filled" });
  if (receipt.status !== "success" || !filled) throw new SendMessageError(`fill ${txHash} emitted no Filled`);
  return { orderId, txHash, messageId: filled.args.messageId };
}

/** Throws IntentNotOpenError unless the order's settler is the network's and its escrow is open. */
export async function assertOpenOnOrigin(network: JunctionNetwork, originData: Hex): Promise<void> {
  const order = decodeOrder(originData);
  const orderId = orderIdOf(originData);
  const origin = rollupOf(network, order.originChainId);
  const path = pathName(order.terms.path);
  if (!path || origin.contracts.settlers[path].toLowerCase() !== order.settler.toLowerCase()) {
    throw new IntentNotOpenError(`order ${orderId} names settler ${order.settler}, not one of the network's`);
  }
  const escrow = await clientOf(origin).readContract({
    address: order.settler,
    abi: settlerAbi,
    functionName: "escrowOf",
    args: [orderId],
  });
  if (escrow.state !== 1) {
    throw new IntentNotOpenError(`order ${orderId} is not open on chain ${origin.chainId}`, {
      details: "a fill of an order that is not open on its origin would never be repaid",
    });
  }
}

export type CertifyUnfilledReturnType = { orderId: Hex; txHash: Hex; messageId: Hex };

/**
 * Certifies on the order's destination (the wallet's rollup), after its fill deadline, that it was not
 * filled: the origin refunds the user when the certificate arrives, and no fill is possible any more.
 *
 * @example
 * await certifyUnfilled(wallet, network, { originData });
 */
export async function certifyUnfilled(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { originData }: { originData: Hex },
): Promise<CertifyUnfilledReturnType> {
  const destination = rollupOf(network, wallet.chain.id);
  const order = decodeOrder(originData);
  const orderId = orderIdOf(originData);
  const request = {
    address: order.settler,
    abi: settlerAbi,
    functionName: "certifyUnfilled",
    args: [orderId, originData],
  } as const;
  const client = clientOf(destination);
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  const [event] = parseEventLogs({
    abi: intentSettlerAbi,
    logs: receipt.logs,
    eventName: "CertifiedUnfilled",
  });
  if (receipt.status !== "success" || !event) {
    throw new SendMessageError(`certificate ${txHash} emitted no CertifiedUnfilled`);
  }
  return { orderId, txHash, messageId: event.args.messageId };
}
