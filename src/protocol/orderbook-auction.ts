// The sealed orders' batch auction, pure: one clearing price per round for the orders revealed into it.
// The price is the one that trades the most; on a tie the one that leaves the least unmatched, then the
// lowest. Every buy with a limit at or above it and every sell at or below it takes part; they are paired
// best limit first, then earliest, until the volume is exhausted (the last ones in line may fill partly).
// Each fill is rounded down to the price's lot (the gateway refuses an inexact quote); a rest below the
// lot is left out.
import type { Hex } from "viem";
import { lotFor } from "./orderbook.js";
import type { BookFill } from "./orderbook-book.js";

export type AuctionOrder = { id: bigint; isBuy: boolean; price: bigint; amount: bigint; time: bigint };

export type AuctionClearing = { price: bigint; volume: bigint; fills: BookFill[] };

/** Clears one round; undefined when no buy's limit reaches any sell's. */
export function clearAuction(marketId: Hex, orders: readonly AuctionOrder[]): AuctionClearing | undefined {
  const prices = [...new Set(orders.map((order) => order.price))].sort(compare);
  let best: { price: bigint; volume: bigint; imbalance: bigint } | undefined;
  for (const price of prices) {
    const demand = sum(orders.filter((order) => order.isBuy && order.price >= price));
    const supply = sum(orders.filter((order) => !order.isBuy && order.price <= price));
    const volume = least(demand, supply);
    const imbalance = demand > supply ? demand - supply : supply - demand;
    if (volume === 0n) continue;
    if (!best || volume > best.volume || (volume === best.volume && imbalance < best.imbalance)) {
      best = { price, volume, imbalance };
    }
  }
  if (!best) return undefined;
  const { price, volume } = best;
  const buys = orders
    .filter((order) => order.isBuy && order.price >= price)
    .sort((a, b) => compare(b.price, a.price) || compare(a.time, b.time) || compare(a.id, b.id))
    .map((order) => ({ order, left: order.amount }));
  const sells = orders
    .filter((order) => !order.isBuy && order.price <= price)
    .sort((a, b) => compare(a.price, b.price) || compare(a.time, b.time) || compare(a.id, b.id))
    .map((order) => ({ order, left: order.amount }));
  const fills: BookFill[] = [];
  let remaining = volume;
  let i = 0;
  let j = 0;
  while (remaining > 0n && i < buys.length && j < sells.length) {
    const buy = buys[i] as (typeof buys)[number];
    const sell = sells[j] as (typeof sells)[number];
    const lot = lotFor(price);
    const most = least(least(buy.left, sell.left), remaining);
    const amount = most - (most % lot);
    if (amount === 0n) {
      if (remaining < lot) break;
      if (buy.left < lot) i++;
      else j++;
      continue;
    }
    fills.push({
      marketId,
      buy: buy.order.id,
      sell: sell.order.id,
      maker: sell.order.id,
      taker: buy.order.id,
      price,
      amount,
    });
    buy.left -= amount;
    sell.left -= amount;
    remaining -= amount;
    if (buy.left === 0n) i++;
    if (sell.left === 0n) j++;
  }
  return { price, volume, fills };
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function least(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function sum(orders: readonly AuctionOrder[]): bigint {
  return orders.reduce((total, order) => total + order.amount, 0n);
}
