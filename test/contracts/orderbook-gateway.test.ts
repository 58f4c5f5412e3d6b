// OrderGateway on a real 2-rollup devnet, driven by hand as the matcher: every refusal by name, a leg
// reserved until the counterparty's answer (cancelling while reserved: orderbook-review.test.ts), a cross-rollup
// fill paid on both rollups once the relayer delivers, a counterparty that refuses (cancelled, or a price
// outside its limit) releasing the reserved leg, a same-rollup fill, the owner's cancel refunding all, and
// a fill message that expires undelivered releasing its leg on the Inbox's expiry notice.
// The devnet starts without agents, so nothing is delivered until the test starts them.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, toFunctionSelector } from "viem";
import type { Agent } from "../../src/agents/agent.js";
import { increaseTime } from "../../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { getSentMessages } from "../../src/chain/events.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { inboxWithErrorsAbi } from "../../src/contracts/errors.js";
import { orderGatewayAbi } from "../../src/contracts/generated/index.js";
import { DEVNET_FILL_TTL } from "../../src/devnet/deploy-orderbook.js";
import { createAgents } from "../../src/devnet/devnet.js";
import { createLogger } from "../../src/log.js";
import { quoteFor } from "../../src/protocol/orderbook.js";
import { getOrder } from "../../src/sdk/orderGateway.js";
import { cancelOrder } from "../../src/sdk/placeOrder.js";
import { rejects, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import {
  amount,
  cancelNow,
  holdings,
  orderbookTrader,
  place,
  price,
  settleAs,
  type Trader,
} from "../helpers/orderbook.js";

describe("OrderGateway: the chain checks every fill", () => {
  let devnet: TestDevnet;
  let agents: Agent[] = [];
  let alice: Trader; // buys on 901
  let bob: Trader; // sells on 902
  let carol: Trader; // trades on both
  const next = new Map<number, bigint>([
    [901, 0n],
    [902, 0n],
  ]);
  const settle = async (chainId: number, fills: Parameters<typeof settleAs>[3]) => {
    const batch = next.get(chainId) as bigint;
    const events = await settleAs(devnet.manifest, chainId, batch, fills);
    next.set(chainId, batch + 1n);
    return events;
  };

  before(async () => {
    devnet = await startTestDevnet({ rollups: 2, agents: false });
    alice = await orderbookTrader(devnet.manifest, [901], { jusd: amount("40000") });
    bob = await orderbookTrader(devnet.manifest, [902]);
    carol = await orderbookTrader(devnet.manifest, [901, 902]);
  });

  after(async () => {
    await Promise.allSettled(agents.map((agent) => agent.stop()));
    await devnet?.stop();
  });

  it("refuses a batch from anyone but the matcher, out of order or outside a limit; skips a fill beyond what remains", async () => {
    const m = devnet.manifest;
    const sell = await place(m, bob, 902, "sell", price("2990"), amount("2"));
    const buy = await place(m, alice, 901, "buy", price("3000"), amount("3"));
    const fill = { order: sell, counter: buy, price: price("2995"), amount: amount("1") };
    await rejects(settleAs(m, 902, 0n, [fill], bob.key), "NotMatcher");
    await rejects(settleAs(m, 902, 1n, [fill]), "BatchOutOfOrder");
    await rejects(settleAs(m, 902, 0n, [{ ...fill, price: price("2989") }]), "LimitPriceViolated");
    await rejects(settleAs(m, 902, 0n, [{ ...fill, order: buy, counter: sell }]), "NotLocalOrder");
    await rejects(settleAs(m, 902, 0n, []), "BatchSize");
    const same = await place(m, carol, 902, "sell", price("2000"), amount("1"));
    await rejects(settleAs(m, 902, 0n, [{ ...fill, counter: same }]), "SameSide");
    // Not enough remaining is a refusal a trader can cause (a cancel): that fill is skipped, not the batch.
    const events = await settle(902, [{ ...fill, amount: amount("2.5") }]);
    const skipped = events.find((event) => event.eventName === "FillSkipped");
    assert.equal(
      (skipped?.args as { reason?: Hex } | undefined)?.reason,
      toFunctionSelector("QuantityExceedsRemaining(uint256,uint256,uint256)"),
    );
    assert.equal((await getOrder(m, { orderId: sell })).reserved, 0n);
  });

  it("reserves a cross-rollup leg until the answer: no replay; then pays both rollups", async () => {
    const m = devnet.manifest;
    const sell = await place(m, bob, 902, "sell", price("2990"), amount("2"));
    const buy = await place(m, alice, 901, "buy", price("3000"), amount("3"));
    const aliceBefore = {
      on901: await holdings(m, 901, alice.address),
      on902: await holdings(m, 902, alice.address),
    };
    const bobBefore = {
      on901: await holdings(m, 901, bob.address),
      on902: await holdings(m, 902, bob.address),
    };
    const fill = { order: sell, counter: buy, price: price("2995"), amount: amount("2") };
    const events = await settle(902, [fill]);
    assert.ok(events.some((event) => event.eventName === "FillReserved"));
    assert.equal((await getOrder(m, { orderId: sell })).reserved, amount("2"));
    await rejects(settleAs(m, 902, 0n, [fill]), "BatchOutOfOrder");
    await rejects(settleAs(m, 902, 1n, [fill]), "BatchOutOfOrder");
    // The leg is reserved: even the next batch cannot fill it again (skipped: nothing remains).
    const again = await settle(902, [{ ...fill, amount: amount("1") }]);
    assert.ok(again.some((event) => event.eventName === "FillSkipped"));
    assert.equal((await getOrder(m, { orderId: sell })).reserved, amount("2"));

    agents = createAgents(m, { dataDir: devnet.dataDir }, createLogger("silent"), { watchtower: false });
    for (const agent of agents) await agent.start();
    await waitUntil(
      () => getOrder(m, { orderId: sell }),
      (order) => order.filled === amount("2") && order.reserved === 0n,
      "the sell's leg paid on the confirm",
    );
    const bought = await getOrder(m, { orderId: buy });
    assert.equal(bought.filled, amount("2"));
    // Alice got 2 ETH on 902 (the counterparty's rollup) and paid 2 x 2995 JUSD on 901 to Bob.
    const aliceAfter = {
      on901: await holdings(m, 901, alice.address),
      on902: await holdings(m, 902, alice.address),
    };
    const bobAfter = {
      on901: await holdings(m, 901, bob.address),
      on902: await holdings(m, 902, bob.address),
    };
    assert.equal(aliceAfter.on902.eth - aliceBefore.on902.eth, amount("2"));
    assert.equal(bobAfter.on901.jusd - bobBefore.on901.jusd, quoteFor(amount("2"), price("2995")));
    assert.equal(aliceAfter.on901.jusd, aliceBefore.on901.jusd, "Alice's JUSD stays in escrow");
    assert.equal(bobAfter.on902.eth, bobBefore.on902.eth);
    // Alice's escrow holds the rest at her limit: 1 ETH x 3000, plus the 2 x 5 JUSD she saved.
    assert.equal(bought.escrow, price("3000") + price("10"));
  });

  it("a counterparty that refuses (cancelled, or outside its limit) releases the reserved leg by name", async () => {
    const m = devnet.manifest;
    const sell = await place(m, carol, 901, "sell", price("3000"), amount("1"));
    const buy = await place(m, bob, 902, "buy", price("3100"), amount("1"));
    // The counterparty checks its own limit: 2999 is below Carol's 3000 although Bob's gateway accepts it.
    const low = await settle(902, [{ order: buy, counter: sell, price: price("2999"), amount: amount("1") }]);
    assert.ok(low.some((event) => event.eventName === "FillReserved"));
    await waitUntil(
      () => getOrder(m, { orderId: buy }),
      (order) => order.reserved === 0n,
      "the refused leg released",
    );
    await cancelNow(m, [{ trader: carol, orderId: sell }]);
    await settle(902, [{ order: buy, counter: sell, price: price("3050"), amount: amount("1") }]);
    await waitUntil(
      () => getOrder(m, { orderId: buy }),
      (order) => order.reserved === 0n,
      "the second refused leg released",
    );
    const released = await publicClientFor(rollupOf(m, 902)).getContractEvents({
      address: m.orderbook?.gateway as Address,
      abi: orderGatewayAbi,
      eventName: "FillReleased",
      fromBlock: 0n,
    });
    const reasons = released.map((event) => event.args.reason);
    assert.ok(
      reasons.includes(toFunctionSelector("LimitPriceViolated(uint256,uint256,uint256)")),
      String(reasons),
    );
    assert.ok(reasons.includes(toFunctionSelector("OrderCancelled(uint256)")), String(reasons));
    const order = await getOrder(m, { orderId: buy });
    assert.equal(order.filled, 0n);
    assert.equal(order.cancelled, false);
  });

  it("settles a same-rollup fill at once, skips a cancelled order, and refunds a cancel in full", async () => {
    const m = devnet.manifest;
    const before901 = await holdings(m, 901, carol.address);
    const sell = await place(m, carol, 901, "sell", price("2500"), amount("1"));
    const buy = await place(m, alice, 901, "buy", price("2600"), amount("1"));
    const cancelled = await place(m, carol, 901, "sell", price("2400"), amount("1"));
    // A cancel request: the order takes no fill created after it (the escrow comes back after the delay).
    await cancelOrder(carol.wallet(901), m, { orderId: cancelled });
    const skipped = await settle(901, [
      { order: buy, counter: cancelled, price: price("2500"), amount: amount("1") },
    ]);
    assert.equal(
      (skipped.find((event) => event.eventName === "FillSkipped")?.args as { reason?: Hex } | undefined)
        ?.reason,
      toFunctionSelector("CancelPending(uint256,uint64)"),
    );
    await settle(901, [{ order: buy, counter: sell, price: price("2500"), amount: amount("1") }]);
    const after901 = await holdings(m, 901, carol.address);
    assert.equal(after901.jusd - before901.jusd, price("2500"));
    // 1 tETH sold, 1 still in the cancelled sell's escrow until its cancel completes.
    assert.equal(before901.eth - after901.eth, amount("2"));
    assert.equal((await getOrder(m, { orderId: buy })).escrow, 0n, "the 100 JUSD saved went back at once");
    await rejects(cancelOrder(alice.wallet(901), m, { orderId: buy }), "OrderComplete");
    await rejects(cancelOrder(alice.wallet(901), m, { orderId: sell }), "NotOrderOwner");
    const [refund] = await cancelNow(m, [{ trader: carol, orderId: cancelled }]);
    assert.equal(refund, amount("1"), "the cancelled sell's escrow back in full");
    assert.equal(
      before901.eth - (await holdings(m, 901, carol.address)).eth,
      amount("1"),
      "only the sold tETH",
    );
  });
  it("a fill message that expires undelivered releases the reserved leg on the Inbox's notice", async () => {
    const m = devnet.manifest;
    await Promise.allSettled(agents.map((agent) => agent.stop()));
    const sell = await place(m, bob, 902, "sell", price("2000"), amount("1"));
    const buy = await place(m, carol, 901, "buy", price("2000"), amount("1"));
    const events = await settle(902, [
      { order: sell, counter: buy, price: price("2000"), amount: amount("1") },
    ]);
    const reserved = events.find((event) => event.eventName === "FillReserved");
    assert.ok(reserved, "the fill is reserved");
    const fillId = (reserved.args as { fillId: Hex }).fillId;
    const source = rollupOf(m, 902);
    const client = publicClientFor(source);
    const [sent] = await getSentMessages(
      client,
      source.contracts.outbox,
      0n,
      await client.getBlockNumber(),
      fillId,
    );
    assert.ok(sent, "the fill message is in 902's Outbox");
    // Nobody delivers it within the gateway's fill TTL: anyone expires it on 901 once past its deadline.
    const destination = rollupOf(m, 901);
    await increaseTime(destination, DEVNET_FILL_TTL + 60);
    const expirer = walletClientFor(destination, carol.key);
    const hash = await expirer.writeContract({
      address: destination.contracts.inbox,
      abi: inboxWithErrorsAbi,
      functionName: "expire",
      args: [sent.message],
    });
    assert.equal((await publicClientFor(destination).waitForTransactionReceipt({ hash })).status, "success");
    agents = createAgents(m, { dataDir: devnet.dataDir }, createLogger("silent"), { watchtower: false });
    for (const agent of agents) await agent.start();
    await waitUntil(
      () => getOrder(m, { orderId: sell }),
      (order) => order.reserved === 0n,
      "the expiry notice releases the leg",
    );
    const [released] = await client.getContractEvents({
      address: m.orderbook?.gateway as Address,
      abi: orderGatewayAbi,
      eventName: "FillReleased",
      args: { fillId },
      fromBlock: 0n,
    });
    assert.equal(released?.args.reason, toFunctionSelector("MessageExpired(bytes32)"));
    assert.equal((await getOrder(m, { orderId: buy })).filled, 0n, "the buy never paid");
    const [refund] = await cancelNow(m, [{ trader: bob, orderId: sell }]);
    assert.equal(refund, amount("1"), "the seller's escrow is whole again");
  });
});
