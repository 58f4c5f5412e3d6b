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

/** The outcome of `account`'s order in `marketId` among `logs`, if they hold one. */
export function outcomeIn(logs: Log[], account: Address, marketId: bigint): OrderOutcome | undefined {
  const mine = (args: { account: Address; marketId: bigint }) =>
    args.account.toLowerCase() === account.toLowerCase() && args.marketId === marketId;
  const events = parseEventLogs({ abi: engineAbi, logs, eventName: ["OrderExecuted", "OrderCancelled"] });
  for (const event of events) {
    if (!mine(event.args)) continue;
    const txHash = event.transactionHash as Hex;
    if (event.eventName === "OrderExecuted") {
      const { sizeDelta, price, round, executor } = event.args;
      return { status: "executed", txHash, size: sizeDelta, price, round, executor };
    }
    return { status: "cancelled", txHash, reason: cancelReasonName(event.args.reason), by: event.args.by };
  }
  return undefined;
}

/** The outcome of `account`'s order in `marketId` from the engine's events since `fromBlock`. */
export async function findOutcome(
  client: JunctionPublicClient,
  engine: Address,
  account: Address,
  marketId: bigint,
  fromBlock: bigint,
): Promise<OrderOutcome | undefined> {
  const logs = await client.getLogs({ address: engine, fromBlock, toBlock: "latest" });
  return outcomeIn(logs, account, marketId);
}
