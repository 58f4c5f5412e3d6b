// waitForDelivery: polls a message's status until it is delivered, or gives up with the last status.
import type { Hex } from "viem";
import { DeliveryTimeoutError } from "./errors.js";
import { type GetMessageStatusReturnType, getMessageStatus } from "./getMessageStatus.js";
import type { JunctionNetwork } from "./network.js";

export type WaitForDeliveryParameters = {
  id: Hex;
  sourceChainId?: number | bigint;
  timeoutMs?: number;
  pollIntervalMs?: number;
  /** Resolve at the first failed handler attempt instead of waiting for a successful retry. */
  stopOnFailure?: boolean;
};

export type WaitForDeliveryReturnType = GetMessageStatusReturnType;
export type WaitForDeliveryErrorType = DeliveryTimeoutError;

/**
 * Resolves once the message is delivered on its destination (or can never be: expired).
 *
 * @example
 * const delivered = await waitForDelivery(network, { id, timeoutMs: 60_000 });
 * console.log(delivered.delivery?.tx);
 */
export async function waitForDelivery(
  network: JunctionNetwork,
  {
    id,
    sourceChainId,
    timeoutMs = 120_000,
    pollIntervalMs = 100,
    stopOnFailure = false,
  }: WaitForDeliveryParameters,
): Promise<WaitForDeliveryReturnType> {
  const deadline = Date.now() + timeoutMs;
  let last: GetMessageStatusReturnType | undefined;
  while (Date.now() < deadline) {
    last = await getMessageStatus(network, { id, sourceChainId });
    if (last.status === "delivered" || last.status === "expired") return last;
    if (stopOnFailure && last.status === "failed") return last;
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
  throw new DeliveryTimeoutError(`message ${id} was not delivered within ${timeoutMs} ms`, {
    details: `last status: ${last?.status ?? "unknown"}; is the relayer running?`,
  });
}
