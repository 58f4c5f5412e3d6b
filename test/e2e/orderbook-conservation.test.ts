// A seeded random sequence of limit orders and cancels from 5 traders over 3 rollups, settled by the
// matcher over the canonical path, against a reference model written here (naive price-time matching by
// scanning, independent of src/protocol/orderbook-book.ts). At the end: every fill the gateways paid is
// one the model made (same orders, price and amount), every order's filled amount and the matcher's open
// amount equal the model's, and on every rollup each token is conserved — what the traders hold plus the
// gateway's balance is what they started with, and the gateway holds exactly its orders' escrows.
// JUNCTION_ORDERBOOK_OPS sets the length (default 300, ~45 s; 500 measured 80 s), JUNCTION_ORDERBOOK_SEED the seed.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, erc20Abi, maxUint256, parseEther } from "viem";
import type { Matcher } from "../../src/agents/matcher/matcher.js";
import { publicClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { orderGatewayAbi } from "../../src/contracts/generated/index.js";
import { DEVNET_CANCEL_DELAY } from "../../src/devnet/deploy-orderbook.js";
import { createMatcher, type MatcherAgent } from "../../src/devnet/orderbook-agents.js";
import { createLogger } from "../../src/log.js";
import { seededRandom } from "../../src/protocol/prng.js";
import { getOrder } from "../../src/sdk/orderGateway.js";
import { cancelOrder, completeCancelOrder, placeOrder } from "../../src/sdk/placeOrder.js";
import { waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { advanceClocks, holdings, orderbookTrader, type Trader } from "../helpers/orderbook.js";

const OPS = Number(process.env.JUNCTION_ORDERBOOK_OPS ?? 300);
const SEED = Number(process.env.JUNCTION_ORDERBOOK_SEED ?? 15);
const CHAINS = [901, 902, 903] as const;
const TRADERS = 5;
const START_ETH = parseEther("100");
const START_JUSD = parseEther("15000");

/** The reference model: orders in arrival order, matched by scanning for the best crossing order. */
type ModelOrder = {
  id: bigint;
  isBuy: boolean;
  price: bigint;
  amount: bigint;
  open: bigint;
  seq: number;
  cancelled: boolean;
};
type ModelFill = { buy: bigint; sell: bigint; price: bigint; amount: bigint };

class ReferenceBook {
  readonly orders = new Map<bigint, ModelOrder>();
  readonly fills: ModelFill[] = [];
  #seq = 0;

  add(id: bigint, isBuy: boolean, price: bigint, amount: bigint): void {
    const incoming: ModelOrder = {
      id,
      isBuy,
      price,
      amount,
      open: amount,
      seq: this.#seq++,
      cancelled: false,
    };
    this.orders.set(id, incoming);
    for (;;) {
      const crossing = [...this.orders.values()].filter(
        (other) =>
          other.open > 0n && other.isBuy !== isBuy && (isBuy ? other.price <= price : other.price >= price),
      );
      if (incoming.open === 0n || crossing.length === 0) return;
      crossing.sort((a, b) =>
        a.price === b.price ? a.seq - b.seq : (isBuy ? a.price < b.price : a.price > b.price) ? -1 : 1,
      );
      const maker = crossing[0] as ModelOrder;
      const size = [maker.open, incoming.open].sort((a, b) => (a < b ? -1 : 1))[0] as bigint;
      maker.open -= size;
      incoming.open -= size;
      this.fills.push({
        buy: isBuy ? id : maker.id,
        sell: isBuy ? maker.id : id,
        price: maker.price,
        amount: size,
      });
    }
  }

  cancel(id: bigint): void {
    const order = this.orders.get(id);
    if (order) {
      order.open = 0n;
      order.cancelled = true;
    }
  }
}

const key = (fill: ModelFill) => `${fill.buy}/${fill.sell}/${fill.price}/${fill.amount}`;

describe(`Order book conservation: ${OPS} seeded orders and cancels over 3 rollups (seed ${SEED})`, () => {
  let devnet: TestDevnet;
  let agent: MatcherAgent;
  let matcher: Matcher;
  let traders: Trader[];

  before(async () => {
    devnet = await startTestDevnet({ rollups: 3 });
    const m = devnet.manifest;
    traders = [];
    for (let i = 0; i < TRADERS; i++) {
      const trader = await orderbookTrader(m, CHAINS, { eth: START_ETH, jusd: START_JUSD });
      for (const chainId of CHAINS) {
        const wallet = trader.wallet(chainId);
        const client = publicClientFor(rollupOf(m, chainId));
        for (const token of [m.margin.testAsset, rollupOf(m, chainId).contracts.bridgedToken]) {
          const hash = await wallet.writeContract({
            address: token,
            abi: erc20Abi,
            functionName: "approve",
            args: [m.orderbook?.gateway as Address, maxUint256],
          });
          await client.waitForTransactionReceipt({ hash });
        }
      }
      traders.push(trader);
    }
    agent = createMatcher(
      m,
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

  it("conserves every token, and the gateways' fills and the matcher's book match the reference model", async () => {
    const m = devnet.manifest;
    const gateway = m.orderbook?.gateway as Address;
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
    const model = new ReferenceBook();
    const owners = new Map<bigint, Trader>();
    const requested: bigint[] = [];

    for (let op = 0; op < OPS; op++) {
      const open = [...model.orders.values()].filter((order) => order.open > 0n);
      if (open.length > 0 && random() < 0.2) {
        const target = pick(open);
        // Cancel only an order none of whose fills is still settling, as a trader who waits for the
        // gateway to show no reservation and every match paid.
        const matched = target.amount - target.open;
        await waitUntil(
          () => getOrder(m, { orderId: target.id }),
          (order) => order.reserved === 0n && order.filled === matched,
          `order ${target.id} settled before its cancel`,
        );
        // The request takes it out of matching at once; the escrow comes back when the cancel completes,
        // after the gateway's delay (all of them at the end, after moving the clocks).
        await cancelOrder((owners.get(target.id) as Trader).wallet(Number(target.id >> 64n)), m, {
          orderId: target.id,
        });
        requested.push(target.id);
        model.cancel(target.id);
        await waitUntil(
          async () => matcher.book.get(target.id),
          (order) => order === undefined,
          "the matcher drops the cancelled order",
        );
        continue;
      }
      const trader = pick(traders);
      const chainId = pick(CHAINS);
      let isBuy = random() < 0.5;
      const price = parseEther(String(2_990 + Math.floor(random() * 21)));
      const amount = parseEther((0.1 * (1 + Math.floor(random() * 10))).toFixed(1));
      const _client = publicClientFor(rollupOf(m, chainId));
      // A trader whose JUSD there is all in escrow sells instead (ETH never runs out at these sizes).
      if (isBuy && (await holdings(m, chainId, trader.address)).jusd < (amount * price) / 10n ** 18n + 1n) {
        isBuy = false;
      }
      // Through the SDK, which sends with gas headroom: a plain estimate can run out of gas when a payout
      // empties the gateway's balance of the token before the order lands (seen once in a suite run).
      const { orderId: id } = await placeOrder(trader.wallet(chainId), m, {
        side: isBuy ? "buy" : "sell",
        price,
        amount,
      });
      owners.set(id, trader);
      model.add(id, isBuy, price, amount);
      await waitUntil(
        async () => matcher.book.get(id) !== undefined,
        (seen) => seen,
        `the matcher reads order ${id}`,
      );
    }

    // Everything the model matched is paid on both rollups.
    for (const order of model.orders.values()) {
      await waitUntil(
        () => getOrder(m, { orderId: order.id }),
        (onChain) =>
          onChain.reserved === 0n && (order.cancelled || onChain.filled === order.amount - order.open),
        `order ${order.id} settled`,
        60_000,
      );
    }

    // Every requested cancel completes once the delay has passed (anvil time travel on every rollup).
    await advanceClocks(m, DEVNET_CANCEL_DELAY + 1);
    for (const id of requested) {
      await completeCancelOrder((owners.get(id) as Trader).wallet(Number(id >> 64n)), m, { orderId: id });
    }

    const legs: ModelFill[] = [];
    for (const chainId of CHAINS) {
      const events = await publicClientFor(rollupOf(m, chainId)).getContractEvents({
        address: gateway,
        abi: orderGatewayAbi,
        eventName: "OrderFilled",
        fromBlock: 0n,
      });
      for (const event of events) {
        const args = event.args as Required<typeof event.args>;
        const order = model.orders.get(args.order);
        assert.ok(order, `a fill of an order the model never saw: ${args.order}`);
        // One leg per order and fill: the buy's leg names the fill once.
        if (order.isBuy)
          legs.push({ buy: args.order, sell: args.counter, price: args.price, amount: args.amount });
      }
    }
    assert.deepEqual(
      legs.map(key).sort(),
      model.fills.map(key).sort(),
      `the gateways paid exactly the model's fills (the matcher's fills by state: ${JSON.stringify((await agent.status())?.fills)})`,
    );
    assert.ok(model.fills.length > OPS / 10, `enough fills to mean something (${model.fills.length})`);

    for (const order of model.orders.values()) {
      const onChain = await getOrder(m, { orderId: order.id });
      const held = matcher.book.get(order.id);
      if (onChain.cancelled) {
        assert.equal(held, undefined);
        continue;
      }
      assert.equal(onChain.filled, order.amount - order.open, `order ${order.id} filled as in the model`);
      assert.equal(held?.open, order.open, `the matcher's open amount of ${order.id}`);
    }

    for (const chainId of CHAINS) {
      const rollup = rollupOf(m, chainId);
      const tokens = { eth: m.margin.testAsset, jusd: rollup.contracts.bridgedToken };
      const total = { eth: 0n, jusd: 0n };
      for (const trader of traders) {
        const held = await holdings(m, chainId, trader.address);
        total.eth += held.eth;
        total.jusd += held.jusd;
      }
      const escrow = { eth: 0n, jusd: 0n };
      for (const order of model.orders.values()) {
        if (Number(order.id >> 64n) !== chainId) continue;
        const onChain = await getOrder(m, { orderId: order.id });
        if (onChain.isBuy) escrow.jusd += onChain.escrow;
        else escrow.eth += onChain.escrow;
      }
      for (const asset of ["eth", "jusd"] as const) {
        const inGateway = await publicClientFor(rollup).readContract({
          address: tokens[asset],
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [gateway],
        });
        assert.equal(
          inGateway,
          escrow[asset],
          `chain ${chainId}: the gateway holds exactly its ${asset} escrows`,
        );
        const start = BigInt(TRADERS) * (asset === "eth" ? START_ETH : START_JUSD);
        assert.equal(total[asset] + inGateway, start, `chain ${chainId}: ${asset} conserved`);
      }
    }
  });
});
