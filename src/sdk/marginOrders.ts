// Shared by the margin order SDK functions: reading an order's outcome (executed at a price, or cancelled
// with the engine's reason) from a receipt or from the engine's events since the request.
import { type Address, decodeErrorResult, type Hex, type Log, parseEventLogs } from "viem";
import type { JunctionPublicClient } from "../chain/clients.js";
import { engineAbi } from "./marginEngine.js";

/** What became of a margin order. */
export type OrderOutcome =
  | { status: "executed"; txHash: Hex; size: bigint; price: bigint; round: bigint; executor: Address }
  | { status: "cancelled"; txHash: Hex; reason: string; by: Address };

/** The name of the engine error an `OrderCancelled` event carries (its ABI-encoded reason). */
export function cancelReasonName(reason: Hex): string {
  try {
    return decodeErrorResult({ abi: engineAbi, data: reason }).errorName;
  } catch {
    return `unknown reason ${reason.slice(0, 10)}`;
  }
}

/** Where a request's event sits: an outcome at or before it belongs to an earlier order. */
export type LogPosition = { blockNumber: bigint; logIndex: number };

/** The outcome of `account`'s order in `marketId` among `logs` (only after `after`), if they hold one. */
export function outcomeIn(
  logs: Log[],
  account: Address,
  marketId: bigint,
  after?: LogPosition,
): OrderOutcome | undefined {
  const mine = (args: { account: Address; marketId: bigint }) =>
    args.account.toLowerCase() === account.toLowerCase() && args.marketId === marketId;
  const later = (log: Log) =>
    after === undefined ||
    (log.blockNumber !== null &&
      log.logIndex !== null &&
      (log.blockNumber > after.blockNumber ||
        (log.blockNumber === after.blockNumber && log.logIndex > after.logIndex)));
  const events = parseEventLogs({ abi: engineAbi, logs, eventName: ["OrderExecuted", "OrderCancelled"] });
  for (const event of events) {
    if (!mine(event.args) || !later(event)) continue;
    const txHash = event.transactionHash as Hex;
    if (event.eventName === "OrderExecuted") {
      const { sizeDelta, price, round, executor } = event.args;
      return { status: "executed", txHash, size: sizeDelta, price, round, executor };
    }
    return { status: "cancelled", txHash, reason: cancelReasonName(event.args.reason), by: event.args.by };
  }
  return undefined;
}

/**
 * The outcome of `account`'s order in `marketId` requested at `request`, from the engine's events after it
 * (an earlier order's outcome in the request's own block is not this one's).
 */
export async function findOutcome(
  client: JunctionPublicClient,
  engine: Address,
  account: Address,
  marketId: bigint,
  request: LogPosition,
): Promise<OrderOutcome | undefined> {
  const logs = await client.getLogs({ address: engine, fromBlock: request.blockNumber, toBlock: "latest" });
  return outcomeIn(logs, account, marketId, request);
}
