// The matcher's side of sealed orders: it records each commitment as the gateway shows it (owner, round
// and deposits — no side, price or amount exist anywhere before the reveal), collects the orders revealed
// into each round, and clears a round once every rollup's clock has passed its reveal window (so every
// reveal is read): one clearing price per round and market (protocol/orderbook-auction.ts).
import type { Hex } from "viem";
import { clearAuction } from "../../protocol/orderbook-auction.js";
import type { BookFill } from "../../protocol/orderbook-book.js";
import type { MatcherSqliteStore, StoredOrder } from "../../store/sqlite/matcher-sqlite-store.js";

export type AuctionTiming = { period: bigint; reveal: bigint };

export type ClearedRound = { round: bigint; marketId: Hex; price: bigint | undefined; fills: BookFill[] };

export class AuctionDesk {
  readonly #rounds = new Map<bigint, StoredOrder[]>();
  readonly #cleared: Set<bigint>;

  constructor(
    readonly store: MatcherSqliteStore,
    orders: readonly StoredOrder[],
  ) {
    this.#cleared = store.clearedRounds();
    for (const order of orders) if (order.auction !== 0n) this.add(order);
  }

  /** A revealed order of round `order.auction - 1`. */
  add(order: StoredOrder): void {
    const round = order.auction - 1n;
    if (this.#cleared.has(round)) return;
    const orders = this.#rounds.get(round) ?? [];
    if (orders.some((entry) => entry.id === order.id)) return;
    orders.push(order);
    this.#rounds.set(round, orders);
  }

  cancel(orderId: bigint): void {
    for (const orders of this.#rounds.values()) {
      const index = orders.findIndex((order) => order.id === orderId);
      if (index >= 0) orders.splice(index, 1);
    }
  }

  /** Clears every pending round whose reveal window closed before `now` (the slowest rollup's clock). */
  due(now: bigint, timing: AuctionTiming): ClearedRound[] {
    const cleared: ClearedRound[] = [];
    for (const [round, orders] of [...this.#rounds].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (now < (round + 1n) * timing.period + timing.reveal) continue;
      for (const marketId of new Set(orders.map((order) => order.marketId))) {
        const market = orders.filter((order) => order.marketId === marketId && !order.cancelled);
        const result = clearAuction(marketId, market);
        cleared.push({ round, marketId, price: result?.price, fills: result?.fills ?? [] });
      }
      this.#rounds.delete(round);
      this.#cleared.add(round);
    }
    return cleared;
  }
}
