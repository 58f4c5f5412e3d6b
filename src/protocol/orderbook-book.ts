// The matcher's book, pure and deterministic: one price-time-priority book per market over the orders of
// every rollup. Priority is price first (highest bid, lowest ask), then the order's time (the matcher uses
// the order it read the orders in), then its rollup's chain id, then its sequence there — so the same
// orders with the same times give the same book, whatever the order of the calls. Two orders cross when the best bid's limit reaches the best ask's; they trade at the
// limit of the one with priority in time (the maker), for the smaller open amount (partial fills) rounded
// down to the price's lot (`lotFor`: the gateway refuses a fill whose quote is not a whole number); an order
// whose rest is below the lot at that price leaves the book (its open amount kept: a cancel returns it).
import type { Address, Hex } from "viem";
import { chainOfOrder, lotFor, sequenceOfOrder } from "./orderbook.js";

export type BookOrder = {
  id: bigint;
  owner: Address;
  marketId: Hex;
  isBuy: boolean;
  /** Limit: quote per whole base x 1e18. */
  price: bigint;
  amount: bigint;
  /** What the book may still match (amount less what was matched; a released fill adds back). */
  open: bigint;
  /** Its place in time: smaller is earlier (the matcher numbers orders as it reads them). */
  time: bigint;
};

export type BookFill = {
  marketId: Hex;
  buy: bigint;
  sell: bigint;
  /** The order that rested first (its limit is the price) and the one that crossed it. */
  maker: bigint;
  taker: bigint;
  price: bigint;
  amount: bigint;
};

export type Level = { price: bigint; amount: bigint; orders: number };

/** True when `a` was placed before `b` (time, then chain id, then sequence). */
export function earlier(a: BookOrder, b: BookOrder): boolean {
  if (a.time !== b.time) return a.time < b.time;
  const chainA = chainOfOrder(a.id);
  const chainB = chainOfOrder(b.id);
  if (chainA !== chainB) return chainA < chainB;
  return sequenceOfOrder(a.id) < sequenceOfOrder(b.id);
}

/** True when `a` comes before `b` on its side of the book. */
function ahead(a: BookOrder, b: BookOrder): boolean {
  if (a.price !== b.price) return a.isBuy ? a.price > b.price : a.price < b.price;
  return earlier(a, b);
}

/** The smaller of two bigints (Math.min takes numbers only). */
function smaller(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

type Sides = { bids: BookOrder[]; asks: BookOrder[] };

export class OrderBook {
  readonly #orders = new Map<bigint, BookOrder>();
  readonly #markets = new Map<Hex, Sides>();
  /** Orders on a side of the book now (an order with an untradeable rest is open but not resting). */
  readonly #resting = new Set<bigint>();

  /** Adds an order (open = what is left of it) and returns the fills it crosses into. */
  add(order: BookOrder): BookFill[] {
    if (this.#orders.has(order.id)) return [];
    const entry = { ...order };
    this.#orders.set(entry.id, entry);
    if (entry.open > 0n) this.#insert(entry);
    return this.match(entry.marketId);
  }

  /** Removes an order (cancelled, or refused by its gateway); returns it as it was. */
  remove(id: bigint): BookOrder | undefined {
    const order = this.#orders.get(id);
    if (!order) return undefined;
    this.#orders.delete(id);
    this.#detach(order);
    return { ...order };
  }

  /** Gives back `amount` of a matched order (its fill was released unpaid) and matches again. */
  restore(id: bigint, amount: bigint): BookFill[] {
    return this.restoreAll([{ id, amount }]);
  }

  /**
   * Gives back every leg first, then matches once: both legs of a fill given back are in the book again
   * before either crosses anything (restoring one and matching at once would let it cross an order
   * behind the other leg in time).
   */
  restoreAll(legs: readonly { id: bigint; amount: bigint }[]): BookFill[] {
    const markets = new Set<Hex>();
    for (const { id, amount } of legs) {
      const order = this.#orders.get(id);
      if (!order || amount <= 0n) continue;
      order.open += amount;
      if (order.open > order.amount) order.open = order.amount;
      if (!this.#resting.has(id)) this.#insert(order);
      markets.add(order.marketId);
    }
    return [...markets].flatMap((marketId) => this.match(marketId));
  }

  /** Crosses the market's best bid and ask while they cross. */
  match(marketId: Hex): BookFill[] {
    const sides = this.#markets.get(marketId);
    if (!sides) return [];
    const fills: BookFill[] = [];
    for (;;) {
      const bid = sides.bids[0];
      const ask = sides.asks[0];
      if (!bid || !ask || bid.price < ask.price) break;
      const bidFirst = earlier(bid, ask);
      const maker = bidFirst ? bid : ask;
      const taker = bidFirst ? ask : bid;
      const lot = lotFor(maker.price);
      const least = smaller(bid.open, ask.open);
      const amount = least - (least % lot);
      if (amount === 0n) {
        // The smaller rest cannot trade exactly at this price: it leaves the book (not the other order).
        const dust = bid.open < ask.open ? bid : ask;
        (dust.isBuy ? sides.bids : sides.asks).shift();
        this.#resting.delete(dust.id);
        continue;
      }
      bid.open -= amount;
      ask.open -= amount;
      if (bid.open === 0n) {
        sides.bids.shift();
        this.#resting.delete(bid.id);
      }
      if (ask.open === 0n) {
        sides.asks.shift();
        this.#resting.delete(ask.id);
      }
      fills.push({
        marketId,
        buy: bid.id,
        sell: ask.id,
        maker: maker.id,
        taker: taker.id,
        price: maker.price,
        amount,
      });
    }
    return fills;
  }

  get(id: bigint): BookOrder | undefined {
    const order = this.#orders.get(id);
    return order && { ...order };
  }

  /** Every order the book knows (resting or matched out), in no particular order. */
  orders(): BookOrder[] {
    return [...this.#orders.values()].map((order) => ({ ...order }));
  }

  /** Resting orders of one side, best first. */
  side(marketId: Hex, isBuy: boolean): BookOrder[] {
    const sides = this.#markets.get(marketId);
    return (isBuy ? sides?.bids : sides?.asks)?.map((order) => ({ ...order })) ?? [];
  }

  /** Aggregated levels, best first. */
  depth(marketId: Hex): { bids: Level[]; asks: Level[] } {
    const levels = (orders: BookOrder[]) => {
      const out: Level[] = [];
      for (const order of orders) {
        const last = out[out.length - 1];
        if (last && last.price === order.price) {
          last.amount += order.open;
          last.orders += 1;
        } else {
          out.push({ price: order.price, amount: order.open, orders: 1 });
        }
      }
      return out;
    };
    return { bids: levels(this.side(marketId, true)), asks: levels(this.side(marketId, false)) };
  }

  #sides(marketId: Hex): Sides {
    let sides = this.#markets.get(marketId);
    if (!sides) {
      sides = { bids: [], asks: [] };
      this.#markets.set(marketId, sides);
    }
    return sides;
  }

  #insert(order: BookOrder): void {
    const list = order.isBuy ? this.#sides(order.marketId).bids : this.#sides(order.marketId).asks;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (ahead(list[mid] as BookOrder, order)) low = mid + 1;
      else high = mid;
    }
    list.splice(low, 0, order);
    this.#resting.add(order.id);
  }

  #detach(order: BookOrder): void {
    const sides = this.#markets.get(order.marketId);
    if (!sides) return;
    const list = order.isBuy ? sides.bids : sides.asks;
    const index = list.indexOf(order);
    if (index >= 0) list.splice(index, 1);
    this.#resting.delete(order.id);
  }
}
