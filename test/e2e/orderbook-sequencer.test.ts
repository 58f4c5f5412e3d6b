// The order book in the shared sequencer's domain (250 ms superblocks; the devnet routes the gateways'
// messages over the sequencer path): a buy on 902 crosses a sell on 901, the matcher settles it on 902's
// gateway, the sequencer delivers the fill to 901 and the answer back to 902. Asserts both legs are paid
// and prints how many superblocks each hop took (no assertion on time: that is the benchmark's).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "viem";
import type { Matcher } from "../../src/agents/matcher/matcher.js";
import { publicClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { orderGatewayAbi } from "../../src/contracts/generated/index.js";
import { createMatcher, type MatcherAgent } from "../../src/devnet/orderbook-agents.js";
import { createLogger } from "../../src/log.js";
import { quoteFor } from "../../src/protocol/orderbook.js";
import { superblockOf } from "../../src/sdk/getSuperblock.js";
import { getOrder } from "../../src/sdk/orderGateway.js";
import { waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { amount, holdings, orderbookTrader, place, price } from "../helpers/orderbook.js";

describe("Order book over the shared sequencer", () => {
  let devnet: TestDevnet;
  let agent: MatcherAgent;
  let matcher: Matcher;

  before(async () => {
    devnet = await startTestDevnet({ sequencer: { superblockTimeMs: 250 } });
    await waitUntil(
      async () => devnet.sequencer?.deliveriesReady() ?? false,
      Boolean,
      "the sequencer's bond to reach every rollup",
    );
    agent = createMatcher(devnet.manifest, devnet.dataDir, createLogger("silent"), {
      settings: { intervalMs: 100 },
      onStart: (running) => {
        matcher = running;
      },
    });
    await agent.start();
  });

  after(async () => {
    await agent?.stop();
    await devnet?.stop();
  });

  it("settles a cross-rollup fill with both messages delivered by the sequencer", async () => {
    const m = devnet.manifest;
    const seller = await orderbookTrader(m, [901]);
    const buyer = await orderbookTrader(m, [902]);
    const settled: number[] = [];
    matcher.onSettled((fill) => settled.push(fill.settledAt - fill.matchedAt));
    const sell = await place(m, seller, 901, "sell", price("3000"), amount("2"));
    await waitUntil(async () => matcher.book.get(sell) !== undefined, Boolean, "the matcher reads the sell");
    const sellerJusd = (await holdings(m, 902, seller.address)).jusd;
    const buy = await place(m, buyer, 902, "buy", price("3000"), amount("2"));
    for (const orderId of [buy, sell]) {
      await waitUntil(
        () => getOrder(m, { orderId }),
        (order) => order.filled === amount("2") && order.reserved === 0n,
        `order ${orderId} filled`,
        60_000,
      );
    }
    assert.equal((await holdings(m, 901, buyer.address)).eth, amount("2"));
    assert.equal(
      (await holdings(m, 902, seller.address)).jusd - sellerJusd,
      quoteFor(amount("2"), price("3000")),
    );

    const gateway = m.orderbook?.gateway as Address;
    const eventsOn = async (chainId: number, eventName: "FillReserved" | "OrderFilled") =>
      publicClientFor(rollupOf(m, chainId)).getContractEvents({
        address: gateway,
        abi: orderGatewayAbi,
        eventName,
        fromBlock: 0n,
      });
    const [reserved] = await eventsOn(902, "FillReserved");
    const [paidOn901] = await eventsOn(901, "OrderFilled");
    const [paidOn902] = await eventsOn(902, "OrderFilled");
    assert.ok(reserved && paidOn901 && paidOn902);
    const at = async (chainId: number, block: bigint | null) =>
      (await superblockOf(rollupOf(m, chainId), block as bigint)) as number;
    const reservedAt = await at(902, reserved.blockNumber);
    const hops = [
      (await at(901, paidOn901.blockNumber)) - reservedAt,
      (await at(902, paidOn902.blockNumber)) - reservedAt,
    ];
    console.log(
      `superblocks after the batch: fill paid on 901 +${hops[0]}, answer paid on 902 +${hops[1]}; matched -> settled ${settled.join(", ")} ms`,
    );
    assert.ok((hops[0] as number) >= 0 && (hops[1] as number) >= (hops[0] as number));
  });
});
