// The ends of an order's life in the filler's store: its arrival (Open events read from a cursor per
// rollup, or an order offered off-chain) and its repayment (the origin escrow read `repaid`).
import type { Address, Hex } from "viem";
import { getOpenedOrders } from "../../chain/intent-events.js";
import type { Logger } from "../../log.js";
import { decodeOrder, type Order } from "../../protocol/intents.js";
import type { FillerStore, NewFillerOrder } from "../../store/filler-store.js";
import type { FillerKey } from "./filler-key.js";
import { escrowOf, payoutPending } from "./settlers.js";
import { routeOf } from "./verdicts.js";

export function newOrder(
  orderId: Hex,
  order: Order,
  originData: Hex,
  source: NewFillerOrder["source"],
): NewFillerOrder {
  return {
    orderId,
    originChainId: Number(order.originChainId),
    destinationChainId: Number(order.data.destinationChainId),
    originData,
    source,
    seenAt: Date.now(),
  };
}

/** Reads the Open events of `settlers` on the key's rollup up to `head` into the store, with the cursor. */
export async function scanOpened(
  key: FillerKey,
  settlers: readonly Address[],
  head: bigint,
  store: FillerStore,
  logger: Logger,
): Promise<void> {
  const cursorName = `open:${key.rollup.chainId}`;
  const from = ((await store.getCursor(cursorName)) ?? BigInt(key.rollup.deployBlock) - 1n) + 1n;
  if (from > head) return;
  const opened = await getOpenedOrders(key.client, settlers, from, head);
  const orders = opened.map((item) => newOrder(item.orderId, item.order, item.originData, "open"));
  await store.recordScan(cursorName, head, orders);
  for (const order of orders) {
    logger.debug("Filler#scan", "order opened", { orderId: order.orderId, route: routeOf(order) });
  }
}

/**
 * Marks repaid every filled order whose origin escrow says so and whose payout went out (a payout the
 * bridge refused stays pending until someone calls completePayout), logging how long the capital was
 * locked.
 */
export async function trackRepayments(
  keys: ReadonlyMap<number, FillerKey>,
  store: FillerStore,
  logger: Logger,
  /** Orders whose pending payout was logged already (kept by the caller: logged once each). */
  pendingLogged: Set<Hex>,
): Promise<void> {
  await Promise.all(
    (await store.ordersIn(["filled"])).map(async (order) => {
      const origin = keys.get(order.originChainId);
      if (!origin) return;
      const decoded = decodeOrder(order.originData);
      const escrow = await escrowOf(origin.client, decoded, order.orderId);
      if (escrow.state !== "repaid") return;
      if (await payoutPending(origin.client, decoded, order.orderId)) {
        if (!pendingLogged.has(order.orderId)) {
          pendingLogged.add(order.orderId);
          logger.warn("Filler#repaid", "fill proven, payout pending on the origin (completePayout)", {
            orderId: order.orderId,
            route: routeOf(order),
          });
        }
        return;
      }
      const at = Date.now();
      if (!(await store.markRepaid(order.orderId, at))) return;
      logger.info("Filler#repaid", "repaid", {
        orderId: order.orderId,
        route: routeOf(order),
        repaymentChainId: order.repaymentChainId,
        amount: escrow.inputAmount,
        capitalLockMs: order.filledAt === undefined ? undefined : at - order.filledAt,
      });
    }),
  );
}
