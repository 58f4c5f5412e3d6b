// The unified order book end to end on a 3-rollup devnet (canonical path) with the matcher agent running:
// a buy on 901 and a sell on 902 cross and settle on both rollups; one sell on 903 partly filled by buys
// from 901 and 902; price-time priority across rollups; the escape hatch after the matcher stops; and a
// restarted matcher that continues every gateway's batch sequence with nothing lost or repeated.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "viem";
import type { Matcher } from "../../src/agents/matcher/matcher.js";
import { publicClientFor } from "../../src/chain/clients.js";
import { orderGatewayAbi } from "../../src/contracts/generated/index.js";
import { DEVNET_CANCEL_DELAY } from "../../src/devnet/deploy-orderbook.js";
import { createMatcher, type MatcherAgent } from "../../src/devnet/orderbook-agents.js";
import { createLogger } from "../../src/log.js";
import { quoteFor } from "../../src/protocol/orderbook.js";
import { getOrder } from "../../src/sdk/orderGateway.js";
import { cancelOrder } from "../../src/sdk/placeOrder.js";
import { waitUntil } from "../helpers/chain.js";
import { runCli } from "../helpers/cli.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import {
  advanceClocks,
  amount,
  holdings,
  orderbookTrader,
  place,
  price,
  type Trader,
} from "../helpers/orderbook.js";

describe("Order book: the matcher settles across rollups", () => {
  let devnet: TestDevnet;
  let agent: MatcherAgent | undefined;
  let matcher: Matcher;
  let traders: Trader[];
  /** The sell on 903 that the second test leaves 0.75 of on the book. */
  let resting: bigint;

  const startMatcher = async () => {
    agent = createMatcher(devnet.manifest, devnet.dataDir, createLogger("silent"), {
      onStart: (running) => {
        matcher = running;
      },
    });
    await agent.start();
  };
  const stopMatcher = async () => {
    await agent?.stop();
    agent = undefined;
  };
  const filled = async (orderId: bigint, expected: bigint) =>
    waitUntil(
      () => getOrder(devnet.manifest, { orderId }),
      (order) => order.filled === expected && order.reserved === 0n,
      `order ${orderId} filled ${expected}`,
    );
  const seen = (orderId: bigint) =>
    waitUntil(
      async () => matcher.book.get(orderId) !== undefined,
      (found) => found,
      `the matcher sees ${orderId}`,
    );

  before(async () => {
    devnet = await startTestDevnet({ rollups: 3 });
    traders = [];
    for (let i = 0; i < 4; i++) traders.push(await orderbookTrader(devnet.manifest, [901, 902, 903]));
    await startMatcher();
  });

  after(async () => {
    await stopMatcher();
    await devnet?.stop();
  });

  it("a buy on 901 and a sell on 902 cross and settle on both rollups", async () => {
    const m = devnet.manifest;
    const [alice, bob] = traders as [Trader, Trader];
    const start = {
      alice901: await holdings(m, 901, alice.address),
      alice902: await holdings(m, 902, alice.address),
      bob901: await holdings(m, 901, bob.address),
      bob902: await holdings(m, 902, bob.address),
    };
    const sell = await place(m, bob, 902, "sell", price("2990"), amount("1.5"));
    await seen(sell);
    const buy = await place(m, alice, 901, "buy", price("3000"), amount("1.5"));
    await filled(buy, amount("1.5"));
    await filled(sell, amount("1.5"));
    // The sell rested first: the fill is at its price. Alice receives ETH on 902, Bob JUSD on 901.
    const paid = quoteFor(amount("1.5"), price("2990"));
    assert.equal((await holdings(m, 902, alice.address)).eth - start.alice902.eth, amount("1.5"));
    assert.equal(start.alice901.jusd - (await holdings(m, 901, alice.address)).jusd, paid);
    assert.equal((await holdings(m, 901, bob.address)).jusd - start.bob901.jusd, paid);
    assert.equal(start.bob902.eth - (await holdings(m, 902, bob.address)).eth, amount("1.5"));
  });

  it("fills one sell on 903 partly from buys on 901 and 902, leaving the rest on the book", async () => {
    const m = devnet.manifest;
    const [alice, bob, carol] = traders as [Trader, Trader, Trader];
    const sell = await place(m, carol, 903, "sell", price("3000"), amount("3"));
    await seen(sell);
    const first = await place(m, alice, 901, "buy", price("3000"), amount("1"));
    const second = await place(m, bob, 902, "buy", price("3100"), amount("1.25"));
    await filled(first, amount("1"));
    await filled(second, amount("1.25"));
    await filled(sell, amount("2.25"));
    assert.equal(matcher.book.get(sell)?.open, amount("0.75"));
    resting = sell;
    // Bob's buy paid the sell's 3000, not his 3100: his escrow's 100 x 1.25 came back at once.
    assert.equal((await getOrder(m, { orderId: second })).escrow, 0n);
  });

  it("price-time priority across rollups: the better price first, then the earlier order", async () => {
    const m = devnet.manifest;
    const [alice, bob, carol, dave] = traders as [Trader, Trader, Trader, Trader];
    // Bob's sell on 902 is read first, then Alice's at the same price on 901: Bob's is first in line
    // although 901 sorts first among rollups.
    const firstInLine = await place(m, bob, 902, "sell", price("3200"), amount("1"));
    await seen(firstInLine);
    const secondInLine = await place(m, alice, 901, "sell", price("3200"), amount("1"));
    const worse = await place(m, carol, 903, "sell", price("3210"), amount("1"));
    for (const id of [secondInLine, worse]) await seen(id);
    // 2.25 at up to 3300: first the 0.75 resting at 3000, then 1 of the first in line at 3200, then 0.5.
    const buy = await place(m, dave, 901, "buy", price("3300"), amount("2.25"));
    await filled(buy, amount("2.25"));
    await filled(resting, amount("3"));
    await filled(firstInLine, amount("1"));
    await filled(secondInLine, amount("0.5"));
    assert.equal((await getOrder(m, { orderId: worse })).filled, 0n);
  });

  it("the CLI places, lists, cancels and reports fills (junction orders)", async () => {
    const m = devnet.manifest;
    const [alice] = traders as [Trader];
    const cli = async (args: string[]) => {
      const result = await runCli(["orders", ...args, "--data-dir", devnet.dataDir], 60_000);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    const placed = await cli([
      "place",
      "--chain",
      "903",
      "--side",
      "sell",
      "--price",
      "9000",
      "--amount",
      "0.5",
      "--private-key",
      alice.key,
    ]);
    const orderId = BigInt(placed.orderId);
    assert.equal(placed.escrow, amount("0.5").toString());
    const book = await cli(["book"]);
    assert.ok(
      book.asks.some(
        (level: { price: string; amount: string }) => level.price === "9000" && level.amount === "0.5",
      ),
      JSON.stringify(book.asks),
    );
    // Two steps: the request takes the order out of the book at once and says when the cancel is
    // effective; --complete (after the delay; the clocks moved by anvil time travel) pays the escrow back.
    const requested = await cli(["cancel", "--order", orderId.toString(), "--private-key", alice.key]);
    assert.equal(requested.action, "cancel-requested");
    assert.equal(
      BigInt(requested.effectiveAt),
      BigInt(requested.requestedAt) + BigInt(DEVNET_CANCEL_DELAY) + 1n,
    );
    assert.equal(requested.refund, undefined);
    assert.ok(
      !(await cli(["book"])).asks.some((level: { price: string }) => level.price === "9000"),
      "out of the book at the request",
    );
    await advanceClocks(m, DEVNET_CANCEL_DELAY + 1);
    const cancelled = await cli([
      "cancel",
      "--order",
      orderId.toString(),
      "--complete",
      "--private-key",
      alice.key,
    ]);
    assert.equal(cancelled.refund, amount("0.5").toString());
    assert.equal((await getOrder(m, { orderId })).cancelled, true);
    // --wait: requests, waits until the cancel is effective (the clocks moved meanwhile) and completes.
    const other = await place(m, alice, 903, "sell", price("9100"), amount("0.1"));
    const waiting = cli(["cancel", "--order", other.toString(), "--wait", "--private-key", alice.key]);
    await waitUntil(
      () => getOrder(m, { orderId: other }),
      (order) => order.cancelRequestedAt !== 0n,
      "the CLI requested the cancel",
    );
    await advanceClocks(m, DEVNET_CANCEL_DELAY + 1);
    const waited = await waiting;
    assert.equal(waited.action, "cancelled");
    assert.equal(waited.refund, amount("0.1").toString());
    const legs = await cli(["fills", "--order", resting.toString()]);
    assert.equal(legs.length, 3, "the 903 sell paid three legs: 1, 1.25 and 0.75 ETH");
  });

  it("the escape hatch: with the matcher stopped, an owner cancels alone and gets the whole escrow back", async () => {
    const m = devnet.manifest;
    const [alice] = traders as [Trader];
    await stopMatcher();
    const before902 = await holdings(m, 902, alice.address);
    const buy = await place(m, alice, 902, "buy", price("1000"), amount("2"));
    assert.equal(before902.jusd - (await holdings(m, 902, alice.address)).jusd, price("2000"));
    // The SDK waits for the cancel to be effective and completes it; the clocks move past the delay by
    // anvil time travel while it waits.
    const cancelling = cancelOrder(alice.wallet(902), m, { orderId: buy, wait: true, pollMs: 200 });
    await waitUntil(
      () => getOrder(m, { orderId: buy }),
      (order) => order.cancelRequestedAt !== 0n,
      "the cancel requested",
    );
    await advanceClocks(m, DEVNET_CANCEL_DELAY + 1);
    const { refund } = await cancelling;
    assert.equal(refund, price("2000"));
    assert.equal((await holdings(m, 902, alice.address)).jusd, before902.jusd);
  });

  it("a restarted matcher continues each gateway's batch sequence, nothing lost or repeated", async () => {
    const m = devnet.manifest;
    const [alice, bob, carol, dave] = traders as [Trader, Trader, Trader, Trader];
    // Placed while the matcher is down: it finds them from its cursors when it comes back.
    const sells = [
      await place(m, alice, 901, "sell", price("2800"), amount("1")),
      await place(m, bob, 902, "sell", price("2800"), amount("1")),
    ];
    const buys = [
      await place(m, carol, 903, "buy", price("2800"), amount("1")),
      await place(m, dave, 902, "buy", price("2800"), amount("1")),
    ];
    await startMatcher();
    for (const id of [...sells, ...buys]) await filled(id, amount("1"));
    for (const rollup of m.rollups) {
      const client = publicClientFor(rollup);
      const batches = await client.getContractEvents({
        address: m.orderbook?.gateway as Address,
        abi: orderGatewayAbi,
        eventName: "BatchSettled",
        fromBlock: 0n,
      });
      const ids = batches.map((event) => event.args.batchId);
      assert.deepEqual(
        ids,
        ids.map((_, i) => BigInt(i)),
        `chain ${rollup.chainId}: batch ids 0, 1, … without a gap`,
      );
      const next = await client.readContract({
        address: m.orderbook?.gateway as Address,
        abi: orderGatewayAbi,
        functionName: "nextBatchId",
      });
      assert.equal(next, BigInt(ids.length));
    }
    const status = await agent?.status();
    assert.equal(status?.fills.failed ?? 0, 0, "no batch was refused");
    assert.equal(status?.fills.batched ?? 0, 0);
  });
  it("a matcher stopped again and again at arbitrary points of its work still fills each order exactly once", async () => {
    const m = devnet.manifest;
    const [alice, bob, carol, dave] = traders as [Trader, Trader, Trader, Trader];
    await stopMatcher();
    const pairs: bigint[] = [];
    for (const [i, [seller, buyer]] of [
      [alice, bob],
      [carol, dave],
      [bob, carol],
    ].entries()) {
      const chain = 901 + i;
      pairs.push(await place(m, seller as Trader, chain, "sell", price("2700"), amount("0.5")));
      pairs.push(
        await place(m, buyer as Trader, chain === 903 ? 901 : chain + 1, "buy", price("2700"), amount("0.5")),
      );
    }
    // Stops at arbitrary points of its ticks: a stop aborts whatever it awaits (a receipt, a read).
    for (let round = 0; round < 6; round++) {
      await startMatcher();
      await new Promise((resolve) => setTimeout(resolve, 150 + 100 * round));
      await stopMatcher();
    }
    await startMatcher();
    for (const id of pairs) await filled(id, amount("0.5"));
    for (const rollup of m.rollups) {
      const batches = await publicClientFor(rollup).getContractEvents({
        address: m.orderbook?.gateway as Address,
        abi: orderGatewayAbi,
        eventName: "BatchSettled",
        fromBlock: 0n,
      });
      const ids = batches.map((event) => event.args.batchId);
      assert.deepEqual(
        ids,
        ids.map((_, i) => BigInt(i)),
        `chain ${rollup.chainId}: no gap, no repeat`,
      );
    }
    const status = await agent?.status();
    assert.equal(status?.fills.failed ?? 0, 0, "no batch was refused: none was sent twice or overfilled");
  });

  it("never sends a fill planned in the tick that read its maker's cancel request (review M1)", async () => {
    const m = devnet.manifest;
    const [alice, bob] = traders as [Trader, Trader];
    // Bob's sell rests on 902; the matcher has it in its book.
    const sell = await place(m, bob, 902, "sell", price("1500"), amount("1"));
    await seen(sell);
    // Between two of its polls (stopped here to fix the interleaving): Bob asks to cancel on 902, then
    // Alice's crossing buy lands on 901 — after the request. The next tick reads 901 first and matches
    // them, then reads the request on 902.
    await stopMatcher();
    await cancelOrder(bob.wallet(902), m, { orderId: sell });
    const buy = await place(m, alice, 901, "buy", price("1500"), amount("1"));
    await startMatcher();
    // The planned fill is dropped and Alice's buy is back on the book, whole.
    await waitUntil(
      async () => matcher.book.get(buy)?.open,
      (open) => open === amount("1"),
      "the buy back on the book after its planned fill was dropped",
    );
    assert.equal(matcher.book.get(sell), undefined);
    const [maker, taker] = [await getOrder(m, { orderId: sell }), await getOrder(m, { orderId: buy })];
    assert.deepEqual([maker.filled, maker.reserved, taker.filled, taker.reserved], [0n, 0n, 0n, 0n]);
    await cancelOrder(alice.wallet(901), m, { orderId: buy });
  });
});
