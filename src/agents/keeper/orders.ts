// The keeper's second job: executing the margin engine's delayed orders. Each tick it asks the engine,
// for every order its ledger holds as pending (from OrderRequested minus OrderExecuted/OrderCancelled
// events), whether a price published after the request exists, and executes those that are ready (or
// expired: the engine then cancels them). Not stored first: a second execution (after a restart, by
// another keeper or by the trader's own SDK) is refused `NoOrder` and changes nothing.
import { type Hex, parseEventLogs } from "viem";
import { revertName } from "../../chain/revert.js";
import type { Logger } from "../../log.js";
import { engineAbi } from "../../sdk/marginEngine.js";
import { cancelReasonName } from "../../sdk/marginOrders.js";
import { mapWithConcurrency } from "../concurrent.js";
import type { HubKey } from "./hub-key.js";
import type { PendingOrder } from "./ledger.js";

/** Refusals that mean the order is not (or no longer) there to execute: not an error. */
const QUIET_REFUSALS = new Set(["NoOrder", "PriceNotFresh"]);

export type OrderExecutionSettings = {
  maxPerTick: number;
  estimateConcurrency: number;
  receiptTimeoutMs: number;
};

/** Executes the ready ones among `pending`; returns how many it executed or had cancelled. */
export async function executeReadyOrders(
  key: HubKey,
  pending: readonly PendingOrder[],
  settings: OrderExecutionSettings,
  logger: Logger,
): Promise<number> {
  const statuses = await mapWithConcurrency(pending, settings.estimateConcurrency, (order) =>
    key.client.readContract({
      address: key.engine,
      abi: engineAbi,
      functionName: "orderStatus",
      args: [order.account, order.marketId],
    }),
  );
  const ready = pending
    .filter((_, i) => {
      const [isPending, isReady, expired] = statuses[i] ?? [false, false, false];
      return isPending && (isReady || expired);
    })
    .slice(0, settings.maxPerTick);
  // Sent one after another (the key counts nonces), then every receipt awaited at once.
  const sent: { order: PendingOrder; hash: Hex }[] = [];
  for (const order of ready) {
    try {
      sent.push({ order, hash: await key.executeOrder(order.account, order.marketId) });
    } catch (error) {
      const name = revertName(error);
      const level = name !== undefined && QUIET_REFUSALS.has(name) ? "debug" : "warn";
      logger[level]("Keeper#order", "order not executed", {
        account: order.account,
        marketId: order.marketId,
        reason: name ?? (error instanceof Error ? error.message.split("\n")[0] : String(error)),
      });
    }
  }
  const outcomes = await Promise.all(
    sent.map(({ order, hash }) => settled(key, order, hash, settings.receiptTimeoutMs, logger)),
  );
  const done = outcomes.filter(Boolean).length;
  return done;
}

/** Logs what became of one sent execution; whether it settled the order. */
async function settled(
  key: HubKey,
  order: PendingOrder,
  hash: Hex,
  timeout: number,
  logger: Logger,
): Promise<boolean> {
  try {
    const receipt = await key.client.waitForTransactionReceipt({ hash, timeout });
    const [event] = parseEventLogs({
      abi: engineAbi,
      logs: receipt.logs,
      eventName: ["OrderExecuted", "OrderCancelled"],
    });
    if (event?.eventName === "OrderExecuted") {
      logger.info("Keeper#order", "order executed", {
        account: order.account,
        marketId: order.marketId,
        size: event.args.sizeDelta,
        price: event.args.price,
        tx: hash,
      });
      return true;
    }
    if (event?.eventName === "OrderCancelled") {
      logger.info("Keeper#order", "order cancelled", {
        account: order.account,
        marketId: order.marketId,
        reason: cancelReasonName(event.args.reason),
        tx: hash,
      });
      return true;
    }
    // Reverted: another execution (a trader's own, another keeper's) landed first.
    logger.debug("Keeper#order", "order execution reverted (taken?)", { account: order.account, tx: hash });
    return false;
  } catch (error) {
    logger.warn("Keeper#order", "no receipt for an order execution", {
      tx: hash,
      error: error instanceof Error ? error.message.split("\n")[0] : String(error),
    });
    return false;
  }
}
