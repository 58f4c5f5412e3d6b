// The rebalancer on a three-rollup devnet: a skewed random flow of intents (seeded, mostly into 902),
// each filled by the destination's pool as last resort; the rebalancer, measuring that flow, moves
// liquidity between the pools. At the end every pool is within its band, and the total moved is less
// than moving each fill's amount back along its route (what a rebalancer without netting moves).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Hex, parseEther } from "viem";
import type { DecisionRecord } from "../../src/agents/rebalancer/rebalancer.js";
import { Rebalancer } from "../../src/agents/rebalancer/rebalancer.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { liquidityPoolAbi } from "../../src/contracts/generated/index.js";
import { createLogger, silentLogger } from "../../src/log.js";
import { seededRandom } from "../../src/protocol/prng.js";
import { fillFromPool, isOpenProven, openIntent, requestSlowFill } from "../../src/sdk/index.js";
import { fundedKey, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

const CHAINS = [901, 902, 903] as const;
/** Route weights of the flow: mostly into 902, some back. */
const ROUTES: [number, number, number][] = [
  [901, 902, 45],
  [903, 902, 25],
  [902, 901, 15],
  [902, 903, 5],
  [901, 903, 5],
  [903, 901, 5],
];
const INTENTS = 24;

function skewedFlow(seed: number): { from: number; to: number; output: bigint }[] {
  const random = seededRandom(seed);
  const total = ROUTES.reduce((sum, [, , weight]) => sum + weight, 0);
  const pickRoute = (point: number): [number, number] => {
    let below = 0;
    for (const [from, to, weight] of ROUTES) {
      below += weight;
      if (point < below) return [from, to];
    }
    return [901, 902];
  };
  return Array.from({ length: INTENTS }, () => {
    const [from, to] = pickRoute(random() * total);
    return { from, to, output: parseEther(String(1_000 + Math.floor(random() * 2_000))) };
  });
}

describe("rebalancer", () => {
  let devnet: TestDevnet;
  let rebalancer: Rebalancer | undefined;

  before(async () => {
    devnet = await startTestDevnet({ rollups: 3 });
  });

  after(async () => {
    await rebalancer?.stop();
    await devnet?.stop();
  });

  it("keeps every pool within its band under a skewed flow, moving less than without netting", async (t) => {
    const { manifest } = devnet;
    const rollup = (chainId: number) => rollupOf(manifest, chainId);
    const read = (chainId: number, functionName: "idle" | "outstanding") =>
      publicClientFor(rollup(chainId)).readContract({
        address: rollup(chainId).contracts.liquidityPool,
        abi: liquidityPoolAbi,
        functionName,
      });
    rebalancer = new Rebalancer({
      network: manifest,
      privateKey: manifest.accounts.rebalancer.privateKey,
      logger: process.env.JUNCTION_TEST_LOG === "1" ? createLogger("info") : silentLogger,
      settings: { intervalMs: 300, threshold: 0.01, buckets: 6, windowMs: 600_000 },
    });
    await rebalancer.start();

    // The user holds JUSD on 901 only; the filler's account (no filler runs here) opens from 902 and 903.
    const opener = (chainId: number) =>
      walletClientFor(
        rollup(chainId),
        chainId === 901 ? manifest.accounts.user.privateKey : manifest.accounts.filler.privateKey,
      );
    const keeper = (await fundedKey(manifest)).key;
    const flow = skewedFlow(7);
    const opened: { to: number; originData: Hex }[] = [];
    for (const { from, to, output } of flow) {
      const wallet = opener(from);
      const { originData } = await openIntent(wallet, manifest, {
        destinationChainId: to,
        outputAmount: output,
        inputAmount: (output * 1_002n) / 1_000n, // the pool's 0.1 % fee, and a little more
      });
      await requestSlowFill(wallet, manifest, { originData });
      opened.push({ to, originData });
    }
    // Each pool fills once its origin's proof that the order is open has arrived.
    for (const { to, originData } of opened) {
      await waitUntil(() => isOpenProven(manifest, { originData }), Boolean, "the open proven", 60_000);
      await fillFromPool(walletClientFor(rollup(to), keeper), manifest, { originData });
    }

    // Every repayment home and every move delivered; then a few more decisions.
    await waitUntil(
      async () =>
        (await Promise.all(CHAINS.map((chainId) => read(chainId, "outstanding")))).every((v) => v === 0n),
      Boolean,
      "every pool repaid",
      90_000,
    );
    await waitUntil(
      async () => rebalancer?.status().inFlight.length === 0,
      Boolean,
      "moves delivered",
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const status = rebalancer.status();
    const last = status.decisions[status.decisions.length - 1] as DecisionRecord;
    const gross = flow.reduce((sum, item) => sum + item.output, 0n);
    t.diagnostic(`moved ${status.totalMoved} in ${status.moves} moves; without netting: ${gross}`);
    t.diagnostic(`last decision: ${last.reason}`);
    assert.equal(status.poolFlowSeen, gross, "it saw every pool fill");
    assert.ok(status.moves > 0, "the skew made it move liquidity");
    assert.ok(status.totalMoved < gross, `${status.totalMoved} < ${gross}`);
    assert.ok(
      last.pools.every((pool) => pool.band === "within"),
      JSON.stringify(last.pools, (_key, value) => (typeof value === "bigint" ? value.toString() : value)),
    );
    // The decision saw the pools as they are.
    for (const pool of last.pools) assert.equal(pool.position, await read(pool.chainId, "idle"));
    const intoB = last.pools.find((pool) => pool.chainId === 902);
    assert.ok((intoB?.netInflow ?? 0n) > 0n, "902 is the flow's net destination");
    const executed = status.decisions.flatMap((decision) => decision.executed);
    assert.ok(
      executed.every((move) => move.error === undefined),
      JSON.stringify(executed.map((m) => m.error)),
    );
    assert.ok(
      executed.some((move) => move.to === 902),
      "liquidity moved into 902",
    );
  });
});
