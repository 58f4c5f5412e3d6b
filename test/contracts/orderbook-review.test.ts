// The fixes of the order book's security review (docs/orderbook-review.md), each against the review's
// proof-of-concept scenario on a real 2-rollup devnet, the test driving the matcher's key by hand:
// F1 an order with reserved fills can still be cancelled (everything unreserved back at once, the rest
// after the answer; a later CONFIRM still pays the counterparty exactly; tokens conserved); F5 no fill pays a
// seller below its limit through rounding (an inexact fill is refused by name, here and on a fill message).
// The devnet starts without agents: nothing is delivered until the test starts the relayer.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  type BaseError,
  decodeErrorResult,
  encodeDeployData,
  type Hex,
  parseEther,
  parseGwei,
  toFunctionSelector,
} from "viem";
import type { Agent } from "../../src/agents/agent.js";
import type { Matcher } from "../../src/agents/matcher/matcher.js";
import { increaseTime } from "../../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { type Manifest, rollupOf } from "../../src/chain/manifest.js";
import { inboxWithErrorsAbi } from "../../src/contracts/errors.js";
import { orderGatewayAbi, orderGatewayBytecode } from "../../src/contracts/generated/index.js";
import {
  DEVNET_CANCEL_DELAY,
  DEVNET_CLOCK_SKEW,
  DEVNET_FILL_TTL,
} from "../../src/devnet/deploy-orderbook.js";
import { createAgents } from "../../src/devnet/devnet.js";
import { createMatcher, type MatcherAgent } from "../../src/devnet/orderbook-agents.js";
import { createLogger } from "../../src/log.js";
import { gatewayOrderId, quoteFor } from "../../src/protocol/orderbook.js";
import { CancelNotEffectiveError, OrderOwnerIsContractError } from "../../src/sdk/errors.js";
import { gatewayAbi, getOrder } from "../../src/sdk/orderGateway.js";
import { cancelOrder, completeCancelOrder, placeOrder } from "../../src/sdk/placeOrder.js";
import { rejects, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import {
  advanceClocks,
  amount,
  cancelNow,
  holdings,
  orderbookTrader,
  place,
  price,
  settleAs,
  type Trader,
} from "../helpers/orderbook.js";

/** The gateway's own tETH and JUSD on `chainId`. */
async function gatewayHoldings(m: Manifest, chainId: number) {
  return holdings(m, chainId, m.orderbook?.gateway as Address);
}

describe("order book review fixes", () => {
  let devnet: TestDevnet;
  let agents: Agent[] = [];
  let alice: Trader; // 901
  let bob: Trader; // 902
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
  const startAgents = async () => {
    agents = createAgents(devnet.manifest, { dataDir: devnet.dataDir }, createLogger("silent"), {
      watchtower: false,
    });
    for (const agent of agents) await agent.start();
  };
  const stopAgents = async () => {
    await Promise.allSettled(agents.map((agent) => agent.stop()));
    agents = [];
  };

  before(async () => {
    devnet = await startTestDevnet({ rollups: 2, agents: false });
    alice = await orderbookTrader(devnet.manifest, [901]);
    bob = await orderbookTrader(devnet.manifest, [902]);
  });
  after(async () => {
    await stopAgents();
    await devnet?.stop();
  });

  it("F1: an order with reserved fills is cancelled; the reserved part follows its answer", async () => {
    const m = devnet.manifest;
    const start = {
      alice901: await holdings(m, 901, alice.address),
      alice902: await holdings(m, 902, alice.address),
      bob901: await holdings(m, 901, bob.address),
      bob902: await holdings(m, 902, bob.address),
      gateway901: await gatewayHoldings(m, 901),
      gateway902: await gatewayHoldings(m, 902),
    };
    const bogus = gatewayOrderId(902, 987_654_321n); // no such order on 902: its gateway will refuse
    // The review's freeze: a sell with 1 wei reserved against a counter that does not exist.
    const sell = await place(m, alice, 901, "sell", price("3000"), amount("5"));
    await settle(901, [{ order: sell, counter: bogus, price: price("3000"), amount: 1n }]);
    // A buy with a pending leg against the same bogus counter (3 JUSD kept for it).
    const buy = await place(m, alice, 901, "buy", price("3000"), amount("1"));
    await settle(901, [{ order: buy, counter: bogus, price: price("3000"), amount: amount("0.001") }]);
    // A buy with a real cross-rollup counterparty whose fill is still undelivered: the CONFIRM comes later.
    const bobSell = await place(m, bob, 902, "sell", price("2990"), amount("1"));
    const takerBuy = await place(m, alice, 901, "buy", price("3010"), amount("2"));
    await settle(901, [{ order: takerBuy, counter: bobSell, price: price("2990"), amount: amount("1") }]);

    // The cancels complete after the gateway's delay (F2) with the reserved legs still pending: a fake
    // for an answer still travelling when the delay ends — 901's clock alone moves past the delay (902's
    // stays, so the fill messages have not expired there); 902's follows once they are answered.
    const ids = [sell, buy, takerBuy];
    for (const orderId of ids) await cancelOrder(alice.wallet(901), m, { orderId });
    await increaseTime(rollupOf(m, 901), DEVNET_CANCEL_DELAY + 1);
    const refunds: bigint[] = [];
    for (const orderId of ids) {
      refunds.push((await completeCancelOrder(alice.wallet(901), m, { orderId })).refund);
    }
    const [sold, bought, taken] = refunds;
    assert.equal(sold, amount("5") - 1n, "all but the reserved wei back");
    assert.equal(bought, price("3000") - quoteFor(amount("0.001"), price("3000")));
    assert.equal(taken, price("6020") - price("2990"), "all but the pending leg's exact quote");
    const kept = await getOrder(m, { orderId: takerBuy });
    assert.equal(kept.cancelled, true);
    assert.equal(kept.escrow, price("2990"));
    // A cancelled order takes no new fill (skipped: see F4).
    const more = await settle(901, [
      { order: takerBuy, counter: bobSell, price: price("2990"), amount: amount("0.5") },
    ]);
    assert.ok(more.some((event) => event.eventName === "FillSkipped"));
    assert.equal((await getOrder(m, { orderId: takerBuy })).reserved, amount("1"));

    await startAgents();
    for (const id of [sell, buy, takerBuy]) {
      await waitUntil(
        () => getOrder(m, { orderId: id }),
        (order) => order.reserved === 0n && order.escrow === 0n,
        `order ${id}: answered, nothing left in escrow`,
      );
    }
    assert.equal((await getOrder(m, { orderId: takerBuy })).filled, amount("1"), "the CONFIRM still paid");
    assert.equal((await getOrder(m, { orderId: bobSell })).filled, amount("1"));
    await increaseTime(rollupOf(m, 902), DEVNET_CANCEL_DELAY + 1); // the clocks agree again
    const end = {
      alice901: await holdings(m, 901, alice.address),
      alice902: await holdings(m, 902, alice.address),
      bob901: await holdings(m, 901, bob.address),
      bob902: await holdings(m, 902, bob.address),
      gateway901: await gatewayHoldings(m, 901),
      gateway902: await gatewayHoldings(m, 902),
    };
    // Alice: every wei of the refused fills back; 2990 JUSD paid on 901 for 1 tETH received on 902.
    assert.equal(end.alice901.eth, start.alice901.eth);
    assert.equal(start.alice901.jusd - end.alice901.jusd, price("2990"));
    assert.equal(end.alice902.eth - start.alice902.eth, amount("1"));
    assert.equal(end.bob901.jusd - start.bob901.jusd, price("2990"), "the counterparty paid exactly");
    assert.equal(start.bob902.eth - end.bob902.eth, amount("1"));
    // Nothing stranded: both gateways hold what they held before.
    assert.deepEqual(end.gateway901, start.gateway901);
    assert.deepEqual(end.gateway902, start.gateway902);
    await stopAgents();
  });

  it("F2: a maker's cancel request cannot refuse a fill created before it (no last look); it completes after the delay", async () => {
    const m = devnet.manifest;
    const carol = await orderbookTrader(m, [902]);
    const snapshot = async () => ({
      alice901: await holdings(m, 901, alice.address),
      alice902: await holdings(m, 902, alice.address),
      bob901: await holdings(m, 901, bob.address),
      bob902: await holdings(m, 902, bob.address),
      carol902: await holdings(m, 902, carol.address),
      gateway901: await gatewayHoldings(m, 901),
      gateway902: await gatewayHoldings(m, 902),
    });
    const start = await snapshot();
    const bobSell = await place(m, bob, 902, "sell", price("3000"), amount("2"));
    const aliceBuy = await place(m, alice, 901, "buy", price("3000"), amount("1.5"));
    // The matcher settles on the taker's rollup: alice's leg is reserved, the fill message is in flight.
    await settle(901, [{ order: aliceBuy, counter: bobSell, price: price("3000"), amount: amount("1") }]);
    // The review's last look: the maker asks to cancel before the fill is delivered.
    const requested = await cancelOrder(bob.wallet(902), m, { orderId: bobSell });
    assert.equal(requested.effectiveAt, requested.requestedAt + BigInt(DEVNET_CANCEL_DELAY) + 1n);
    assert.equal(requested.refund, undefined, "nothing paid back at the request");
    assert.equal((await getOrder(m, { orderId: bobSell })).cancelRequestedAt, requested.requestedAt);
    // A new match against it on its own rollup is refused by name (the fill skipped).
    const carolBuy = await place(m, carol, 902, "buy", price("3000"), amount("0.1"));
    const skipped = await settle(902, [
      { order: carolBuy, counter: bobSell, price: price("3000"), amount: amount("0.1") },
    ]);
    assert.deepEqual(
      skipped
        .filter((event) => event.eventName === "FillSkipped")
        .map((event) => (event.args as { reason: Hex }).reason),
      [toFunctionSelector("CancelPending(uint256,uint64)")],
    );
    // The cancel cannot complete before the delay.
    await assert.rejects(completeCancelOrder(bob.wallet(902), m, { orderId: bobSell }), (error: unknown) => {
      assert.ok(error instanceof CancelNotEffectiveError, String(error));
      assert.equal(error.effectiveAt, requested.effectiveAt);
      return true;
    });
    // A cross-rollup fill created after the request (later than the clock skew allows) is rejected there.
    await advanceClocks(m, DEVNET_CLOCK_SKEW + 1);
    const late = await settle(901, [
      { order: aliceBuy, counter: bobSell, price: price("3000"), amount: amount("0.25") },
    ]);
    const reserved = late.find((event) => event.eventName === "FillReserved");
    assert.ok(reserved, "the late fill is reserved on 901 (its gateway knows nothing of the cancel)");
    const lateId = (reserved.args as { fillId: Hex }).fillId;
    await startAgents();
    // The fill from before the request is honoured: both legs settle; the late one is released.
    await waitUntil(
      () => getOrder(m, { orderId: aliceBuy }),
      (order) => order.reserved === 0n && order.filled === amount("1"),
      "the fill in flight confirmed, the late fill released",
    );
    await stopAgents();
    assert.equal((await getOrder(m, { orderId: bobSell })).filled, amount("1"));
    const [rejected] = await publicClientFor(rollupOf(m, 902)).getContractEvents({
      address: m.orderbook?.gateway as Address,
      abi: orderGatewayAbi,
      eventName: "FillRejected",
      args: { fillId: lateId },
      fromBlock: 0n,
    });
    assert.equal(rejected?.args.reason, toFunctionSelector("CancelPending(uint256,uint64)"));
    // After the delay the cancel completes, returning only the rest (2 - 1 tETH filled).
    await advanceClocks(m, DEVNET_CANCEL_DELAY);
    const { refund } = await completeCancelOrder(bob.wallet(902), m, { orderId: bobSell });
    assert.equal(refund, amount("1"));
    assert.equal((await getOrder(m, { orderId: bobSell })).escrow, 0n);
    const [aliceRest, carolRest] = await cancelNow(m, [
      { trader: alice, orderId: aliceBuy },
      { trader: carol, orderId: carolBuy },
    ]);
    assert.equal(aliceRest, price("4500") - price("3000"));
    assert.equal(carolRest, price("300"));
    // Conserved to the wei: 1 tETH for 3000 JUSD between bob and alice, nothing stranded or lost.
    const end = await snapshot();
    assert.equal(start.alice901.jusd - end.alice901.jusd, price("3000"));
    assert.equal(end.alice902.eth - start.alice902.eth, amount("1"));
    assert.equal(end.bob901.jusd - start.bob901.jusd, price("3000"));
    assert.equal(start.bob902.eth - end.bob902.eth, amount("1"));
    assert.equal(end.alice901.eth, start.alice901.eth);
    assert.equal(end.bob902.jusd, start.bob902.jusd);
    assert.equal(end.alice902.jusd, start.alice902.jusd);
    assert.equal(end.bob901.eth, start.bob901.eth);
    assert.deepEqual(end.carol902, start.carol902);
    assert.deepEqual(end.gateway901, start.gateway901);
    assert.deepEqual(end.gateway902, start.gateway902);
  });

  it("F2 (second review, L1): a fill created before the request counts even when its rollup's clock runs ahead", async () => {
    const m = devnet.manifest;
    const ahead = DEVNET_CLOCK_SKEW + 30;
    const bobSell = await place(m, bob, 902, "sell", price("3000"), amount("1"));
    const aliceBuy = await place(m, alice, 901, "buy", price("3000"), amount("1"));
    // 901's clock runs past 902's by more than the skew the gateways assume; the fill is created there …
    await increaseTime(rollupOf(m, 901), ahead);
    await settle(901, [{ order: aliceBuy, counter: bobSell, price: price("3000"), amount: amount("1") }]);
    // … and then the maker asks to cancel, before the fill is delivered. It was created first: it counts
    // (a fill delivered now was created no later than now, whatever the sender's clock said).
    await cancelOrder(bob.wallet(902), m, { orderId: bobSell });
    await startAgents();
    try {
      await waitUntil(
        () => getOrder(m, { orderId: aliceBuy }),
        (order) => order.reserved === 0n,
        "the fill answered",
      );
    } finally {
      await stopAgents();
      // The clocks agree again for the tests after this one.
      await increaseTime(rollupOf(m, 902), ahead);
    }
    assert.equal((await getOrder(m, { orderId: bobSell })).filled, amount("1"), "honoured, no last look");
    assert.equal((await getOrder(m, { orderId: aliceBuy })).filled, amount("1"));
  });

  it("F2 (second review, L2): an owner waiting on its cancel gets the refund when a stranger completed it first", async () => {
    const m = devnet.manifest;
    const carol = await orderbookTrader(m, [902]);
    const sell = await place(m, bob, 902, "sell", price("3000"), amount("0.5"));
    // Bob requests and waits, trying to complete every 5 s; his first try comes before the delay.
    const waiting = cancelOrder(bob.wallet(902), m, { orderId: sell, wait: true, pollMs: 5_000 });
    await waitUntil(
      () => getOrder(m, { orderId: sell }),
      (order) => order.cancelRequestedAt !== 0n,
      "the cancel requested",
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Meanwhile the delay passes and a stranger completes it (anyone may; bob is paid).
    await advanceClocks(m, DEVNET_CANCEL_DELAY + 1);
    const stranger = await completeCancelOrder(carol.wallet(902), m, { orderId: sell });
    assert.equal(stranger.refund, amount("0.5"));
    const waited = await waiting;
    assert.deepEqual([waited.refund, waited.completeTxHash], [amount("0.5"), stranger.txHash]);
  });

  it("F2: the cancel delay is derived from the fill TTL and the clock skew, bounded at deploy", async () => {
    const m = devnet.manifest;
    const rollup = rollupOf(m, 901);
    const client = publicClientFor(rollup);
    const at = { address: m.orderbook?.gateway as Address, abi: gatewayAbi } as const;
    assert.equal(
      await client.readContract({ ...at, functionName: "cancelDelay" }),
      BigInt(DEVNET_FILL_TTL + DEVNET_CLOCK_SKEW),
    );
    const deployer = walletClientFor(rollup, m.accounts.deployer.privateKey);
    const deploy = (fillTtl: bigint, clockSkew: bigint) =>
      deployer.deployContract({
        abi: orderGatewayAbi,
        bytecode: orderGatewayBytecode,
        args: [
          deployer.account.address,
          rollup.contracts.outbox,
          rollup.contracts.inbox,
          deployer.account.address,
          fillTtl,
          clockSkew,
          10n,
          5n,
        ],
        gas: 8_000_000n,
      });
    const month = 30n * 24n * 3600n;
    // A creation's revert has no function to decode it by: read its data and decode it with the ABI.
    const refusal = await client
      .call({
        account: deployer.account,
        data: encodeDeployData({
          abi: orderGatewayAbi,
          bytecode: orderGatewayBytecode,
          args: [
            deployer.account.address,
            rollup.contracts.outbox,
            rollup.contracts.inbox,
            deployer.account.address,
            month,
            1n,
            10n,
            5n,
          ],
        }),
      })
      .then(
        () => "deployed",
        (error: BaseError) => {
          const raw = error.walk((cause) => typeof (cause as { data?: unknown }).data === "string") as {
            data?: Hex;
          } | null;
          return raw?.data
            ? decodeErrorResult({ abi: orderGatewayAbi, data: raw.data }).errorName
            : String(error);
        },
      );
    assert.equal(refusal, "CancelDelayTooLong");
    const hash = await deploy(month - 60n, 60n);
    assert.equal(
      (await client.waitForTransactionReceipt({ hash })).status,
      "success",
      "exactly 30 days deploys",
    );
  });

  it("F5: a fill whose quote would round (a seller paid below its limit) is refused as InexactFill", async () => {
    const m = devnet.manifest;
    const carol = await orderbookTrader(m, [901]);
    const c0 = await holdings(m, 901, carol.address);
    // The review's scenario: 1 wei at 0.5 JUSD per tETH would pay the seller 0.
    const sell = await place(m, carol, 901, "sell", 5n * 10n ** 17n, 1n);
    const buy = await place(m, alice, 901, "buy", 5n * 10n ** 17n, 1n);
    await rejects(
      settleAs(m, 901, next.get(901) as bigint, [
        { order: buy, counter: sell, price: 5n * 10n ** 17n, amount: 1n },
      ]),
      "InexactFill",
    );
    // 1 wei at 3000.9 would pay 3000 (the 0.9 to the buyer); 10 wei pay exactly 30009.
    const sell2 = await place(m, carol, 901, "sell", price("3000.9"), 20n);
    const buy2 = await place(m, alice, 901, "buy", price("3000.9"), 20n);
    await rejects(
      settleAs(m, 901, next.get(901) as bigint, [
        { order: buy2, counter: sell2, price: price("3000.9"), amount: 1n },
      ]),
      "InexactFill",
    );
    await settle(901, [{ order: buy2, counter: sell2, price: price("3000.9"), amount: 10n }]);
    assert.equal((await holdings(m, 901, carol.address)).jusd - c0.jusd, 30_009n, "exactly 10 x 3000.9");
    // Across rollups the counterparty's gateway refuses it too (a fill message a matcher could not send
    // from an honest gateway, checked anyway): the reserving gateway already refuses it by name.
    const bobSell = await place(m, bob, 902, "sell", price("3000.9"), 5n);
    await rejects(
      settleAs(m, 901, next.get(901) as bigint, [
        { order: buy2, counter: bobSell, price: price("3000.9"), amount: 5n },
      ]),
      "InexactFill",
    );
    for (const [trader, id] of [
      [carol, sell],
      [alice, buy],
      [carol, sell2],
      [alice, buy2],
    ] as const) {
      await cancelOrder(trader.wallet(901), m, { orderId: id });
    }
    await cancelOrder(bob.wallet(902), m, { orderId: bobSell });
  });

  it("F4: a trader-caused refusal skips its fill (FillSkipped); the batch's other fills settle", async () => {
    const m = devnet.manifest;
    const carol = await orderbookTrader(m, [901]);
    const sell = await place(m, carol, 901, "sell", price("3000"), amount("1"));
    const buy = await place(m, alice, 901, "buy", price("3000"), amount("1"));
    const griefer = await place(m, carol, 901, "sell", price("2999"), amount("0.0001"));
    const buy2 = await place(m, alice, 901, "buy", price("3000"), amount("0.0002"));
    // Its cancel request lands just before the matcher's batch: the order takes no fill created later.
    await cancelOrder(carol.wallet(901), m, { orderId: griefer });
    const batch = next.get(901) as bigint;
    const unknown = gatewayOrderId(901, 999_999n);
    const events = await settle(901, [
      { order: buy, counter: sell, price: price("3000"), amount: amount("1") },
      { order: buy2, counter: griefer, price: price("2999"), amount: amount("0.0001") },
      { order: buy2, counter: unknown, price: price("2999"), amount: amount("0.0001") },
      { order: buy2, counter: sell, price: price("3000"), amount: amount("0.0001") },
    ]);
    const skipped = events.filter((event) => event.eventName === "FillSkipped");
    assert.deepEqual(
      skipped.map((event) => {
        const args = event.args as { batchId: bigint; index: bigint; order: bigint; reason: Hex };
        return [args.batchId, args.index, args.order, args.reason];
      }),
      [
        [batch, 1n, griefer, toFunctionSelector("CancelPending(uint256,uint64)")],
        [batch, 2n, unknown, toFunctionSelector("UnknownOrder(uint256)")],
        [batch, 3n, sell, toFunctionSelector("QuantityExceedsRemaining(uint256,uint256,uint256)")],
      ],
    );
    assert.equal((await getOrder(m, { orderId: buy })).filled, amount("1"), "the honest fill settled");
    assert.equal((await getOrder(m, { orderId: buy2 })).filled, 0n);
    // Matcher faults still refuse the whole batch by name.
    const sell3 = await place(m, carol, 901, "sell", price("3000"), amount("0.0002"));
    await rejects(
      settleAs(m, 901, next.get(901) as bigint, [
        { order: buy2, counter: sell3, price: price("3000"), amount: amount("0.0001") },
        { order: buy2, counter: sell3, price: price("2999"), amount: amount("0.0001") },
      ]),
      "LimitPriceViolated",
    );
    await rejects(
      settleAs(m, 901, next.get(901) as bigint, [
        { order: buy2, counter: sell3, price: price("3000"), amount: amount("0.0001") },
        { order: buy2, counter: buy, price: price("3000"), amount: amount("0.0001") },
      ]),
      "SameSide",
    );
    await cancelOrder(carol.wallet(901), m, { orderId: sell3 });
    await cancelOrder(alice.wallet(901), m, { orderId: buy2 });
  });

  it("F7: on the canonical devnet each gateway pins the canonical verifier for every peer (not the Inbox default)", async () => {
    const m = devnet.manifest;
    for (const rollup of m.rollups) {
      const client = publicClientFor(rollup);
      const chosen = await client.getContractEvents({
        address: rollup.contracts.inbox,
        abi: inboxWithErrorsAbi,
        eventName: "VerifierSet",
        args: { recipient: m.orderbook?.gateway as Address },
        fromBlock: 0n,
      });
      const peers = m.rollups
        .filter((peer) => peer.chainId !== rollup.chainId)
        .map((peer) => BigInt(peer.chainId));
      assert.deepEqual(
        chosen.map((event) => [event.args.sourceChainId, event.args.verifier]),
        peers.map((peer) => [peer, rollup.contracts.canonicalVerifier]),
        `chain ${rollup.chainId}`,
      );
    }
  });

  it("F3: placeOrder refuses an owner address with code on the order's rollup (typed), unless told", async () => {
    const m = devnet.manifest;
    const dave = await orderbookTrader(m, [901]);
    const client = publicClientFor(rollupOf(m, 901));
    const setCode = (code: Hex) =>
      client.request({ method: "anvil_setCode" as never, params: [dave.address, code] as never });
    const order = { side: "sell", price: price("3000"), amount: amount("0.1") } as const;
    await setCode("0x60006000fd"); // a contract wallet's address (any code)
    await assert.rejects(placeOrder(dave.wallet(901), m, order), (error: unknown) => {
      assert.ok(error instanceof OrderOwnerIsContractError, String(error));
      return true;
    });
    // An EIP-7702 delegated EOA (its key controls the address everywhere) is not refused.
    await setCode(`0xef0100${"11".repeat(20)}`);
    const { orderId } = await placeOrder(dave.wallet(901), m, order);
    await cancelOrder(dave.wallet(901), m, { orderId });
  });

  it("F6: the owner sets a minimum order size per market; smaller orders are refused by name", async () => {
    const m = devnet.manifest;
    const rollup = rollupOf(m, 901);
    const client = publicClientFor(rollup);
    const at = { address: m.orderbook?.gateway as Address, abi: gatewayAbi } as const;
    const marketId = m.orderbook?.marketId as Hex;
    const setMin = async (key: Hex, value: bigint) => {
      const hash = await walletClientFor(rollup, key).writeContract({
        ...at,
        functionName: "setMinAmount",
        args: [marketId, value],
      });
      assert.equal((await client.waitForTransactionReceipt({ hash })).status, "success");
    };
    await rejects(setMin(alice.key, amount("0.001")), "OwnableUnauthorizedAccount");
    await setMin(m.accounts.deployer.privateKey, amount("0.001"));
    try {
      assert.equal(
        await client.readContract({ ...at, functionName: "minAmount", args: [marketId] }),
        amount("0.001"),
      );
      await rejects(place(m, alice, 901, "sell", price("3000"), amount("0.0009")), "OrderTooSmall");
      const orderId = await place(m, alice, 901, "sell", price("3000"), amount("0.001"));
      await cancelOrder(alice.wallet(901), m, { orderId });
    } finally {
      await setMin(m.accounts.deployer.privateKey, 0n);
    }
  });
});

describe("order book review fixes: the matcher", () => {
  let devnet: TestDevnet;
  let agent: MatcherAgent | undefined;
  let matcher: Matcher;

  before(async () => {
    devnet = await startTestDevnet({ rollups: 2, agents: false });
  });
  after(async () => {
    await agent?.stop();
    await devnet?.stop();
  });

  it("F4: a counterparty cancelled in the block of the matcher's batch is skipped; the honest fill settles in it", async () => {
    const m = devnet.manifest;
    const alice = await orderbookTrader(m, [901], { jusd: parseEther("5000") });
    const carol = await orderbookTrader(m, [901], { jusd: 0n });
    await place(m, carol, 901, "sell", price("3000"), amount("1"));
    const griefer = await place(m, carol, 901, "sell", price("2999"), amount("0.0001"));
    const buy = await place(m, alice, 901, "buy", price("3000"), amount("1.0002"));
    const rollup = rollupOf(m, 901);
    const client = publicClientFor(rollup);
    // The griefer's cancel waits in 901's mempool (mining paused) with a high tip: it lands first in the
    // block that carries the matcher's batch.
    await client.request({ method: "evm_setAutomine" as never, params: [false] as never });
    try {
      await carol.wallet(901).writeContract({
        address: m.orderbook?.gateway as Address,
        abi: gatewayAbi,
        functionName: "requestCancel",
        args: [griefer],
        gas: 200_000n,
        maxPriorityFeePerGas: parseGwei("100"),
        maxFeePerGas: parseGwei("200"),
      });
      agent = createMatcher(m, devnet.dataDir, createLogger("silent"), {
        settings: { intervalMs: 100 },
        onStart: (running) => {
          matcher = running;
        },
      });
      await agent.start();
      await waitUntil(
        () => client.request({ method: "txpool_status" as never }) as Promise<{ pending: Hex }>,
        (pool) => BigInt(pool.pending) >= 2n,
        "the cancel and the matcher's batch wait in the mempool",
      );
      await client.request({ method: "evm_mine" as never });
    } finally {
      await client.request({ method: "evm_setAutomine" as never, params: [true] as never });
    }
    await waitUntil(
      () => getOrder(m, { orderId: buy }),
      (order) => order.filled === amount("1"),
      "the honest fill settled",
    );
    await waitUntil(
      async () => matcher.book.get(griefer),
      (order) => order === undefined,
      "the matcher drops the cancelled order",
    );
    const batches = await client.getContractEvents({
      address: m.orderbook?.gateway as Address,
      abi: orderGatewayAbi,
      eventName: "BatchSettled",
      fromBlock: 0n,
    });
    assert.deepEqual(
      batches.map((event) => [event.args.batchId, event.args.fills]),
      [[0n, 2n]],
      "one batch carried both fills",
    );
    const [skip] = await client.getContractEvents({
      address: m.orderbook?.gateway as Address,
      abi: orderGatewayAbi,
      eventName: "FillSkipped",
      fromBlock: 0n,
    });
    assert.equal(skip?.args.order, griefer);
    assert.equal(skip?.blockNumber, batches[0]?.blockNumber, "the cancel and the batch in one block");
    // The buy's skipped part is back on the matcher's book; nothing else is pending.
    await waitUntil(
      async () => matcher.book.get(buy)?.open,
      (open) => open === amount("0.0002"),
      "the buy's skipped amount is open again",
    );
    assert.equal(matcher.book.side(m.orderbook?.marketId as Hex, true)[0]?.id, buy);
    const status = await agent?.status();
    assert.equal(status?.fills.failed, 1, "the skipped fill is recorded as failed");
    assert.equal(status?.fills.batched ?? 0, 0);
    assert.equal(status?.nextBatch["901"], "1");
  });

  it("a batch another sender landed under the matcher's stored batch id is not taken for its own", async () => {
    const m = devnet.manifest;
    await agent?.stop();
    agent = undefined;
    const alice = await orderbookTrader(m, [901], { jusd: parseEther("5000") });
    const carol = await orderbookTrader(m, [901], { jusd: 0n });
    const sell = await place(m, carol, 901, "sell", price("2000"), amount("1"));
    const buy = await place(m, alice, 901, "buy", price("2000"), amount("1"));
    const rollup = rollupOf(m, 901);
    const client = publicClientFor(rollup);
    const key = m.accounts.matcher.privateKey;
    const batchId = await client.readContract({
      address: m.orderbook?.gateway as Address,
      abi: orderGatewayAbi,
      functionName: "nextBatchId",
    });
    const start = () => {
      agent = createMatcher(m, devnet.dataDir, createLogger("silent"), {
        settings: { intervalMs: 100 },
        onStart: (running) => {
          matcher = running;
        },
      });
      return agent.start();
    };
    // The matcher stores and sends its batch; before it lands, a second sender with the same key (a second
    // matcher instance) replaces it in the mempool with another batch of that id: half the amount.
    await client.request({ method: "evm_setAutomine" as never, params: [false] as never });
    try {
      await start();
      await waitUntil(
        () => client.request({ method: "txpool_status" as never }) as Promise<{ pending: Hex }>,
        (pool) => BigInt(pool.pending) >= 1n,
        "the matcher's batch waits in the mempool",
      );
      await (agent as MatcherAgent | undefined)?.stop();
      agent = undefined;
      const wallet = walletClientFor(rollup, key);
      await wallet.writeContract({
        address: m.orderbook?.gateway as Address,
        abi: gatewayAbi,
        functionName: "settle",
        args: [batchId, [{ order: buy, counter: sell, price: price("2000"), amount: amount("0.5") }]],
        nonce: await client.getTransactionCount({ address: wallet.account.address, blockTag: "latest" }),
        gas: 1_000_000n,
        maxPriorityFeePerGas: parseGwei("100"),
        maxFeePerGas: parseGwei("200"),
      });
      await client.request({ method: "evm_mine" as never });
    } finally {
      await client.request({ method: "evm_setAutomine" as never, params: [true] as never });
    }
    assert.equal((await getOrder(m, { orderId: buy })).filled, amount("0.5"), "the other batch landed");
    await start();
    // The stored batch is not marked landed: its fill goes back; matched again, the gateway skips it (the
    // buy has 0.5 left, not 1) and the matcher drops the buy. Nothing is counted settled that did not land.
    await waitUntil(
      async () =>
        ((await (agent as MatcherAgent | undefined)?.status())?.recent ?? []).filter(
          (fill) => fill.buy === buy,
        ),
      (fills) => fills.length >= 2 && fills.every((fill) => fill.state === "failed"),
      "the stored batch's fill given back and its re-match skipped",
    );
    assert.equal(matcher.book.get(buy), undefined);
    assert.equal(
      (await getOrder(m, { orderId: buy })).filled,
      amount("0.5"),
      "filled once, by the other batch",
    );
    assert.equal(
      (await (agent as MatcherAgent | undefined)?.status())?.nextBatch["901"],
      String(batchId + 2n),
    );
  });

  it("F2: the matcher drops an order at its cancel request and never proposes it (the next order fills instead)", async () => {
    const m = devnet.manifest;
    // The filler's JUSD on 901 funds the buyers: each test of this devnet takes only what it needs.
    const bob = await orderbookTrader(m, [901], { jusd: parseEther("1000") });
    const carol = await orderbookTrader(m, [901], { jusd: parseEther("1000") });
    const dave = await orderbookTrader(m, [901], { jusd: 0n });
    await agent?.stop();
    agent = createMatcher(m, devnet.dataDir, createLogger("silent"), {
      settings: { intervalMs: 100 },
      onStart: (running) => {
        matcher = running;
      },
    });
    await agent.start();
    const target = await place(m, bob, 901, "buy", price("1000"), amount("1"));
    await waitUntil(
      async () => matcher.book.get(target),
      (order) => order !== undefined,
      "the matcher reads the buy",
    );
    await cancelOrder(bob.wallet(901), m, { orderId: target });
    await waitUntil(
      async () => matcher.book.get(target),
      (order) => order === undefined,
      "the matcher drops it at the request",
    );
    // Same price, later: time priority would give the target the next sell if it were still matchable.
    const second = await place(m, carol, 901, "buy", price("1000"), amount("1"));
    const sell = await place(m, dave, 901, "sell", price("1000"), amount("1"));
    await waitUntil(
      () => getOrder(m, { orderId: second }),
      (order) => order.filled > 0n,
      "the later buy fills",
    );
    assert.equal((await getOrder(m, { orderId: target })).filled, 0n);
    assert.ok((await getOrder(m, { orderId: sell })).filled > 0n);
    const skips = await publicClientFor(rollupOf(m, 901)).getContractEvents({
      address: m.orderbook?.gateway as Address,
      abi: orderGatewayAbi,
      eventName: "FillSkipped",
      args: { order: target },
      fromBlock: 0n,
    });
    assert.deepEqual(skips, [], "no batch ever carried a fill of the order with a pending cancel");
  });
});
