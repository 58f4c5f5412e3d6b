// The keeper in the shared sequencer's domain (250 ms superblocks; the devnet routes margin messages
// over the sequencer path): after a crash the keeper liquidates the unhealthy accounts at the hub, and
// each seizure of collateral on 902 is delivered by the sequencer in the superblock of its liquidation
// (the sequencer mines the hub, 901, first in every superblock and delivers its messages in the blocks of
// the rollups mined after it). Prints the time from the crash to every liquidation, and to every seizure paid.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEther } from "viem";
import { publicClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { inboxAbi } from "../../src/contracts/generated/index.js";
import { createKeeper, createPriceAgent } from "../../src/devnet/margin-agents.js";
import { silentLogger } from "../../src/log.js";
import { assetId, superblockOf } from "../../src/sdk/index.js";
import { waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { liquidatable, liquidationsSince, tradersWith } from "../helpers/keeper.js";
import { type MarginKit, marginKit } from "../helpers/margin.js";

const HUB = 901;
const B = 902;
const eth = (value: string) => parseEther(value);
const usd = (value: string) => parseEther(value);

describe("keeper over the shared sequencer", () => {
  let devnet: TestDevnet;
  let kit: MarginKit;

  before(async () => {
    devnet = await startTestDevnet({ sequencer: { superblockTimeMs: 250 } });
    kit = marginKit(devnet);
    await waitUntil(
      async () => devnet.sequencer?.deliveriesReady() ?? false,
      Boolean,
      "the sequencer's bond to reach every rollup",
    );
  });

  after(async () => {
    await devnet?.stop();
  });

  it("delivers each seizure on 902 in the superblock of its liquidation at the hub", async () => {
    const traders = await tradersWith(kit, [
      { chainId: B, deposit: usd("10548"), size: eth("10") },
      { chainId: B, deposit: usd("10316"), size: eth("10") },
      { chainId: B, deposit: usd("9000"), size: eth("10") },
      { chainId: HUB, deposit: usd("10548"), size: eth("10") },
      { chainId: B, deposit: usd("20000"), size: eth("10") },
    ]);
    kit.prices.set(assetId("ETH"), usd("2100"));
    const expected = await liquidatable(kit, traders);
    assert.equal(expected.size, 4);
    const keeper = createKeeper(devnet.manifest, devnet.dataDir, silentLogger, {
      settings: { intervalMs: 100 },
    });
    await keeper.start();
    try {
      const from = (await kit.hub.getBlockNumber()) + 1n;
      const crashedAt = Date.now();
      await createPriceAgent(devnet.manifest, silentLogger).crash("ETH", 30);
      const seen = await waitUntil(
        () => liquidationsSince(kit, from),
        (events) => [...expected].every((account) => events.has(account)),
        "every unhealthy account liquidated",
        60_000,
      );
      const liquidatedMs = Date.now() - crashedAt;
      const hub = rollupOf(kit.manifest, HUB);
      const b = rollupOf(kit.manifest, B);
      const gaps: number[] = [];
      for (const [event] of seen.values()) {
        if (!event || event.args.chainId !== BigInt(B)) continue;
        const [delivery] = await waitUntil(
          () =>
            publicClientFor(b).getContractEvents({
              address: b.contracts.inbox,
              abi: inboxAbi,
              eventName: "MessageDelivered",
              args: { id: event.args.messageId },
              fromBlock: 0n,
              strict: true,
            }),
          (deliveries) => deliveries.length > 0,
          "the seizure delivered on 902",
        );
        assert.ok(delivery);
        const liquidatedAt = await superblockOf(hub, event.blockNumber);
        const paidAt = await superblockOf(b, delivery.blockNumber);
        assert.ok(liquidatedAt !== null && paidAt !== null);
        gaps.push(paidAt - liquidatedAt);
      }
      const seizedMs = Date.now() - crashedAt;
      console.log(
        `crash -> ${expected.size} liquidated: ${liquidatedMs} ms; -> ${gaps.length} seizures paid on 902: ${seizedMs} ms; superblocks from liquidation to seizure: ${gaps.join(", ")}`,
      );
      assert.equal(gaps.length, 3);
      for (const gap of gaps) assert.equal(gap, 0, `seized ${gap} superblocks after the liquidation`);
      for (const [account, events] of await liquidationsSince(kit, from))
        assert.equal(events.length, 1, account);
    } finally {
      await keeper.stop();
    }
  });
});
