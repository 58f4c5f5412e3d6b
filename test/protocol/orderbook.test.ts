// The matcher's pure book against hand-worked examples: price before time, time across rollups (block
// time, then chain id, then sequence), the maker's price, partial fills, cancels, a released fill matched
// again; and the gateway twin's rounding.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "viem";
import {
  chainOfOrder,
  escrowFor,
  gatewayOrderId,
  isExactFill,
  lotFor,
  marketIdOf,
  quoteFor,
  sequenceOfOrder,
} from "../../src/protocol/orderbook.js";
import { clearAuction } from "../../src/protocol/orderbook-auction.js";
import { type BookOrder, OrderBook } from "../../src/protocol/orderbook-book.js";

const market = marketIdOf("tETH/JUSD");
const owner = "0x00000000000000000000000000000000000000aa" as Address;
const unit = 10n ** 18n;

function order(
  chainId: number,
  sequence: number,
  side: "buy" | "sell",
  price: number,
  amount: number,
  time: number,
) {
  const size = BigInt(amount * 100) * (unit / 100n);
  return {
    id: gatewayOrderId(chainId, BigInt(sequence)),
    owner,
    marketId: market,
    isBuy: side === "buy",
    price: BigInt(price) * unit,
    amount: size,
    open: size,
    time: BigInt(time),
  } satisfies BookOrder;
}

const brief = (fills: ReturnType<OrderBook["match"]>) =>
  fills.map((fill) => [
    `${chainOfOrder(fill.buy)}:${sequenceOfOrder(fill.buy)}`,
    `${chainOfOrder(fill.sell)}:${sequenceOfOrder(fill.sell)}`,
    Number(fill.price / unit),
    Number((fill.amount * 100n) / unit) / 100,
  ]);

describe("OrderBook (price-time priority over every rollup)", () => {
  it("fills a buy against the cheapest asks first, earliest first at one price, at each maker's price", () => {
    const book = new OrderBook();
    assert.deepEqual(book.add(order(901, 1, "sell", 101, 1, 10)), []);
    assert.deepEqual(book.add(order(902, 1, "sell", 100, 1, 12)), []);
    assert.deepEqual(book.add(order(903, 1, "sell", 100, 1, 11)), []);
    assert.deepEqual(book.add(order(901, 2, "sell", 102, 1, 9)), []);
    // A buy of 2.5 at 101: 903's ask (100, t11), 902's (100, t12), then half of 901's at 101.
    const fills = book.add(order(902, 2, "buy", 101, 2.5, 20));
    assert.deepEqual(brief(fills), [
      ["902:2", "903:1", 100, 1],
      ["902:2", "902:1", 100, 1],
      ["902:2", "901:1", 101, 0.5],
    ]);
    assert.ok(fills.every((fill) => fill.taker === gatewayOrderId(902, 2n)));
    const depth = book.depth(market);
    assert.deepEqual(
      depth.asks.map((level) => [Number(level.price / unit), Number((level.amount * 100n) / unit) / 100]),
      [
        [101, 0.5],
        [102, 1],
      ],
    );
    assert.deepEqual(depth.bids, []);
  });

  it("breaks a tie in block time by chain id, then by sequence", () => {
    const book = new OrderBook();
    book.add(order(903, 1, "buy", 50, 1, 5));
    book.add(order(901, 7, "buy", 50, 1, 5));
    book.add(order(901, 3, "buy", 50, 1, 5));
    book.add(order(902, 1, "buy", 50, 1, 4));
    const fills = book.add(order(902, 9, "sell", 40, 4, 6));
    assert.deepEqual(
      brief(fills).map((fill) => fill[0]),
      ["902:1", "901:3", "901:7", "903:1"],
    );
    assert.ok(fills.every((fill) => fill.price === 50n * unit));
  });

  it("rests what does not cross, trades partially and keeps the rest, at the older order's price", () => {
    const book = new OrderBook();
    assert.deepEqual(book.add(order(901, 1, "buy", 99, 3, 1)), []);
    assert.deepEqual(brief(book.add(order(902, 1, "sell", 98, 1, 2))), [["901:1", "902:1", 99, 1]]);
    assert.equal(book.get(gatewayOrderId(901, 1n))?.open, 2n * unit);
    assert.deepEqual(book.add(order(902, 2, "sell", 100, 1, 3)), []);
    assert.equal(book.depth(market).bids[0]?.amount, 2n * unit);
    assert.equal(book.depth(market).asks[0]?.price, 100n * unit);
  });

  it("a cancelled order leaves the book; a released fill gives its amount back and matches again", () => {
    const book = new OrderBook();
    book.add(order(901, 1, "sell", 10, 1, 1));
    book.add(order(901, 2, "sell", 11, 1, 2));
    const removed = book.remove(gatewayOrderId(901, 1n));
    assert.equal(removed?.open, unit);
    assert.deepEqual(brief(book.add(order(902, 1, "buy", 12, 1, 3))), [["902:1", "901:2", 11, 1]]);
    // The fill comes back released (the sell's gateway refused it): the buy rests again for 1 and the
    // sell, given back, crosses it again.
    assert.deepEqual(book.restore(gatewayOrderId(902, 1n), unit), []);
    assert.equal(book.depth(market).bids[0]?.amount, unit);
    assert.deepEqual(brief(book.restore(gatewayOrderId(901, 2n), unit)), [["902:1", "901:2", 11, 1]]);
    assert.deepEqual(book.restore(gatewayOrderId(999, 1n), unit), [], "an unknown order is ignored");
  });

  it("a fill given back returns both legs before matching: the buy takes its own sell again, not a later one", () => {
    const book = new OrderBook();
    book.add(order(902, 1, "sell", 10, 1, 1));
    book.add(order(903, 1, "sell", 10, 1, 2));
    const [fill] = book.add(order(901, 1, "buy", 10, 1, 3));
    assert.deepEqual(brief(fill ? [fill] : []), [["901:1", "902:1", 10, 1]]);
    // Restoring the buy alone first would cross 903's later sell at the same price.
    const again = book.restoreAll([
      { id: gatewayOrderId(901, 1n), amount: unit },
      { id: gatewayOrderId(902, 1n), amount: unit },
    ]);
    assert.deepEqual(brief(again), [["901:1", "902:1", 10, 1]]);
    assert.equal(book.get(gatewayOrderId(903, 1n))?.open, unit);
  });

  it("the twin rounds as the gateway: escrow up, fills down", () => {
    assert.equal(escrowFor(true, 3n, unit / 2n), 2n);
    assert.equal(quoteFor(3n, unit / 2n), 1n);
    assert.equal(escrowFor(false, 3n, unit / 2n), 3n);
    assert.equal(chainOfOrder(gatewayOrderId(902, 5n)), 902);
  });
});

describe("exact fills (review F5: no seller paid below its limit through rounding)", () => {
  const id = (sequence: number) => gatewayOrderId(901, BigInt(sequence));
  const raw = (sequence: number, isBuy: boolean, price: bigint, amount: bigint, time: number): BookOrder => ({
    id: id(sequence),
    owner,
    marketId: market,
    isBuy,
    price,
    amount,
    open: amount,
    time: BigInt(time),
  });

  it("the lot of a price is the least amount whose quote is exact", () => {
    assert.equal(lotFor(3000n * unit), 1n);
    assert.equal(lotFor(3_000_900_000_000_000_000_000n), 10n);
    assert.equal(lotFor(5n * 10n ** 17n), 2n);
    assert.equal(lotFor(1n), unit);
    assert.ok(isExactFill(10n, 3_000_900_000_000_000_000_000n));
    assert.ok(!isExactFill(15n, 3_000_900_000_000_000_000_000n));
  });

  it("the book rounds each fill down to the maker price's lot and leaves an untradeable rest out", () => {
    const book = new OrderBook();
    const odd = 3_000_900_000_000_000_000_000n; // 3000.9: lot 10 wei
    assert.deepEqual(book.add(raw(1, false, odd, 25n, 0)), []);
    const fills = book.add(raw(2, true, odd, 100n, 1));
    assert.deepEqual(
      fills.map((fill) => fill.amount),
      [20n],
    );
    for (const fill of fills) assert.ok(isExactFill(fill.amount, fill.price));
    // The sell's 5 wei cannot trade exactly at 3000.9: out of the book (its owner cancels it), open kept.
    assert.equal(book.get(id(1))?.open, 5n);
    assert.deepEqual(book.side(market, false), []);
    // The buy rests with 80 and trades with the next sell.
    const next = book.add(raw(3, false, odd, 80n, 2));
    assert.deepEqual(
      next.map((fill) => [fill.buy, fill.sell, fill.amount]),
      [[id(2), id(3), 80n]],
    );
    // A released fill gives the dust order its amount back: it rests and trades again.
    assert.deepEqual(book.restore(id(1), 20n), []);
    assert.equal(book.side(market, false).length, 1);
  });

  it("an auction rounds its fills to the clearing price's lot", () => {
    const odd = 3_000_900_000_000_000_000_000n;
    const cleared = clearAuction(market, [
      { id: id(1), isBuy: true, price: odd, amount: 15n, time: 0n },
      { id: id(2), isBuy: false, price: odd, amount: 7n, time: 1n },
      { id: id(3), isBuy: false, price: odd, amount: 9n, time: 2n },
    ]);
    assert.ok(cleared);
    for (const fill of cleared.fills) assert.ok(isExactFill(fill.amount, fill.price), String(fill.amount));
    assert.ok(cleared.fills.every((fill) => fill.amount > 0n));
  });
});

describe("clearAuction (sealed orders: one price per round)", () => {
  const o = (n: number, side: "buy" | "sell", price: number, amount: number, time: number) => ({
    id: gatewayOrderId(901, BigInt(n)),
    isBuy: side === "buy",
    price: BigInt(price) * unit,
    amount: BigInt(amount) * unit,
    time: BigInt(time),
  });

  it("picks the price that trades the most and pairs best limits first, all at that one price", () => {
    // Demand/supply: 2980 180/60, 2990 180/60, 3000 150/120, 3010 100/120, 3020 0/160 -> 3000 trades 120.
    const orders = [
      o(1, "buy", 3010, 100, 1),
      o(2, "buy", 3000, 50, 2),
      o(3, "buy", 2990, 30, 3),
      o(4, "sell", 2980, 60, 4),
      o(5, "sell", 3000, 60, 5),
      o(6, "sell", 3020, 40, 6),
    ];
    const cleared = clearAuction(market, orders);
    assert.equal(cleared?.price, 3000n * unit);
    assert.equal(cleared?.volume, 120n * unit);
    assert.deepEqual(
      cleared?.fills.map((fill) => [
        Number(sequenceOfOrder(fill.buy)),
        Number(sequenceOfOrder(fill.sell)),
        Number(fill.amount / unit),
      ]),
      [
        [1, 4, 60],
        [1, 5, 40],
        [2, 5, 20],
      ],
    );
    assert.ok(cleared?.fills.every((fill) => fill.price === 3000n * unit));
  });

  it("does not clear when no buy reaches a sell", () => {
    assert.equal(clearAuction(market, [o(1, "buy", 10, 1, 1), o(2, "sell", 11, 1, 2)]), undefined);
  });
});
