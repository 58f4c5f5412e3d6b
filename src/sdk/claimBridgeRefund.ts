// claimBridgeRefund: pays back a bridge transfer whose message expired undelivered. The Inbox's expiry
// notice marks the transfer on its source; the refund itself needs the transfer as sent, which the
// source Outbox's MessageSent event holds.
import type { Hex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { getSentMessages } from "../chain/events.js";
import { junctionErrorsAbi } from "../contracts/errors.js";
import { tokenBridgeAbi } from "../contracts/generated/index.js";
import { MessageNotFoundError, RefundNotAvailableError } from "./errors.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";

export type ClaimBridgeRefundParameters = { messageId: Hex };
export type ClaimBridgeRefundReturnType = { txHash: Hex };
export type ClaimBridgeRefundErrorType = MessageNotFoundError | RefundNotAvailableError;

/** TokenBridge.RefundState, by value. */
const refundStates = ["none", "sent", "expired", "refunded"] as const;

/**
 * Refunds the transfer sent with `messageId` from the wallet's rollup to its sender (anyone may call it).
 *
 * @example
 * // after getMessageStatus(network, { id: messageId }).status === "expired" and the notice arrived:
 * await claimBridgeRefund(wallet, network, { messageId });
 */
export async function claimBridgeRefund(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { messageId }: ClaimBridgeRefundParameters,
): Promise<ClaimBridgeRefundReturnType> {
  const source = rollupOf(network, wallet.chain.id);
  const client = clientOf(source);
  const state =
    refundStates[
      await client.readContract({
        address: source.contracts.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "refundState",
        args: [messageId],
      })
    ];
  if (state !== "expired") {
    throw new RefundNotAvailableError(`transfer ${messageId} is not refundable: it is ${state}`, {
      details:
        state === "sent"
          ? "the message has not expired on its destination, or its expiry notice has not arrived yet"
          : undefined,
    });
  }
  const [sent] = await getSentMessages(
    client,
    source.contracts.outbox,
    BigInt(source.deployBlock),
    await client.getBlockNumber(),
    messageId,
  );
  if (!sent) throw new MessageNotFoundError(messageId);
  const txHash = await wallet.writeContract({
    address: source.contracts.tokenBridge,
    abi: [...tokenBridgeAbi, ...junctionErrorsAbi],
    functionName: "claimRefund",
    args: [messageId, sent.message.body],
  });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success")
    throw new RefundNotAvailableError(`refund transaction ${txHash} reverted`);
  return { txHash };
}
