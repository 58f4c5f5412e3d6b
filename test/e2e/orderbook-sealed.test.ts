// Sealed orders on a 2-rollup devnet with the matcher running: four traders commit in one round, each
// depositing both tokens (so not even the side shows); before the reveal the matcher's whole database
// holds no price, side or amount of them (asserted on its SQLite file); a reveal outside the window or
// with another preimage is refused by name; after the reveal window the round clears at one price — every
// fill at it, the gateways record it, and it is the price the twin computes from the revealed orders.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { type Address, type Hex, parseEther } from "viem";
import type { Matcher } from "../../src/agents/matcher/matcher.js";
import { publicClientFor } from "../../src/chain/clients.js";
import { orderGatewayAbi } from "../../src/contracts/generated/index.js";
import { createMatcher, type MatcherAgent, matcherDatabase } from "../../src/devnet/orderbook-agents.js";
import { createLogger } from "../../src/log.js";
import { revealWindowOf } from "../../src/protocol/orderbook.js";
import { clearAuction } from "../../src/protocol/orderbook-auction.js";
import { gatewayAbi, getOrder } from "../../src/sdk/orderGateway.js";
import { commitSealedOrder, revealSealedOrder } from "../../src/sdk/sealedOrders.js";
import { rejects, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { orderbookTrader, type Trader } from "../helpers/orderbook.js";

const PERIOD = 10n;
const REVEAL = 5n;

describe("Sealed orders: commitments revealed into a one-price batch auction", () => {
  let devnet: TestDevnet;
  let agent: MatcherAgent;
  let matcher: Matcher;

  before(async () => {
    devnet = await startTestDevnet({ rollups: 2 });
    agent = createMatcher(
      devnet.manifest,
      devnet.dataDir,
      createLogger(process.env.JUNCTION_TEST_LOG === "1" ? "debug" : "silent"),
      {
        settings: { intervalMs: 100 },
        onStart: (running) => {
          matcher = running;
        },
      },
    );
    await agent.start();
  });

  after(async () => {
    await agent?.stop();
    await devnet?.stop();
  });

  it("hides side, price and amount from the matcher until the reveal, then clears at one price", async () => {
    const m = devnet.manifest;
    const gateway = m.orderbook?.gateway as Address;
    // The rollups mine on demand, each block at the current time: the wall clock is their clock.
    const clock = async () => BigInt(Math.floor(Date.now() / 1000));
    const orders = [
      { chainId: 901, side: "buy", price: parseEther("3010"), amount: parseEther("2") },
      { chainId: 902, side: "buy", price: parseEther("3000"), amount: parseEther("1") },
      { chainId: 902, side: "sell", price: parseEther("2990"), amount: parseEther("1.5") },
      { chainId: 901, side: "sell", price: parseEther("3005"), amount: parseEther("1") },
    ] as const;
    const traders: Trader[] = [];
    for (const order of orders) traders.push(await orderbookTrader(m, [order.chainId]));
    // Start at the beginning of a round, so all four commits land in it.
    await waitUntil(
      () => clock(),
      (now) => now % PERIOD <= 2n,
      "the start of a round",
      15_000,
    );
    const sealed: { sealedId: bigint; round: bigint; salt: Hex }[] = [];
    for (const [i, order] of orders.entries()) {
      sealed.push(
        await commitSealedOrder((traders[i] as Trader).wallet(order.chainId), m, {
          side: order.side,
          price: order.price,
          amount: order.amount,
          // The same deposits for everyone, enough for either side: they tell nothing.
          baseDeposit: parseEther("2.5"),
          quoteDeposit: parseEther("7000"),
        }),
      );
    }
    const round = sealed[0]?.round as bigint;
    assert.ok(
      sealed.every((entry) => entry.round === round),
      "one round",
    );
    await rejects(
      revealSealedOrder((traders[0] as Trader).wallet(901), m, {
        ...orders[0],
        sealedId: sealed[0]?.sealedId as bigint,
        salt: sealed[0]?.salt as Hex,
      }),
      "RevealWindowClosed",
    );

    // What the matcher holds before the reveal: the commitments' deposits and nothing else.
    await waitUntil(
      async () => {
        const db = new Database(matcherDatabase(devnet.dataDir), { readonly: true });
        try {
          return db.prepare("SELECT * FROM matcher_sealed").all() as Record<string, unknown>[];
        } finally {
          db.close();
        }
      },
      (rows) => rows.length === orders.length,
      "the matcher records the four commitments",
    );
    const db = new Database(matcherDatabase(devnet.dataDir), { readonly: true });
    try {
      const sealedRows = db.prepare("SELECT * FROM matcher_sealed").all() as Record<string, unknown>[];
      assert.deepEqual(Object.keys(sealedRows[0] ?? {}).sort(), [
        "base_deposit",
        "id",
        "market",
        "order_id",
        "owner",
        "quote_deposit",
        "round",
      ]);
      const secrets = orders.flatMap((order) => [order.price.toString(), order.amount.toString()]);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM ${name}`).all() as Record<string, unknown>[]) {
          for (const value of Object.values(row)) {
            assert.ok(!secrets.includes(String(value)), `${name} holds ${value} before the reveal`);
          }
        }
      }
      assert.equal(
        (db.prepare("SELECT COUNT(*) AS n FROM matcher_orders").get() as { n: number }).n,
        0,
        "no order of the round exists yet",
      );
    } finally {
      db.close();
    }

    const window = revealWindowOf(round, PERIOD, REVEAL);
    await waitUntil(
      () => clock(),
      (now) => now >= window.opens + 1n,
      "the reveal window",
      20_000,
    );
    await rejects(
      revealSealedOrder((traders[1] as Trader).wallet(902), m, {
        ...orders[1],
        price: parseEther("2000"),
        sealedId: sealed[1]?.sealedId as bigint,
        salt: sealed[1]?.salt as Hex,
      }),
      "CommitmentMismatch",
    );
    const orderIds: bigint[] = [];
    for (const [i, order] of orders.entries()) {
      const { orderId } = await revealSealedOrder((traders[i] as Trader).wallet(order.chainId), m, {
        ...order,
        sealedId: sealed[i]?.sealedId as bigint,
        salt: sealed[i]?.salt as Hex,
      });
      orderIds.push(orderId);
    }

    // 3005 trades 2 (the buy at 3010 against the sells at 2990 and 3005); 3010 trades as much with the
    // same imbalance, and the lower price wins the tie. The buy at 3000 stays out.
    const expected = clearAuction(
      m.orderbook?.marketId as Hex,
      orders.map((order, i) => ({
        id: orderIds[i] as bigint,
        isBuy: order.side === "buy",
        price: order.price,
        amount: order.amount,
        time: BigInt(i),
      })),
    );
    assert.equal(expected?.price, parseEther("3005"));
    const filledAs = [parseEther("2"), 0n, parseEther("1.5"), parseEther("0.5")];
    for (const [i, orderId] of orderIds.entries()) {
      await waitUntil(
        () => getOrder(m, { orderId }),
        (order) => order.filled === filledAs[i] && order.reserved === 0n,
        `sealed order ${i} filled ${filledAs[i]}`,
        40_000,
      );
    }
    for (const rollup of m.rollups) {
      const client = publicClientFor(rollup);
      const fills = await client.getContractEvents({
        address: gateway,
        abi: orderGatewayAbi,
        eventName: "OrderFilled",
        fromBlock: 0n,
      });
      assert.ok(fills.length > 0);
      assert.ok(
        fills.every((fill) => fill.args.price === parseEther("3005")),
        "one price",
      );
      const recorded = await client.readContract({
        address: gateway,
        abi: gatewayAbi,
        functionName: "clearingPrice",
        args: [m.orderbook?.marketId as Hex, round],
      });
      assert.equal(recorded, parseEther("3005"), `chain ${rollup.chainId} records the round's price`);
    }
    assert.equal(matcher.book.orders().length, 0, "sealed orders never enter the continuous book");
  });
});
