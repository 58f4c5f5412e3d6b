// The rebalancer's pure decision: targets from the net flow per route, its volatility and the pools'
// utilisation; bands around them; moves only of the net imbalance, from idle surpluses to deficits,
// repaying debts first; and the sliding window the flows are measured over.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type BandSettings,
  bucketVolatility,
  decide,
  inflowBuckets,
  type PoolState,
  type RouteFlow,
} from "../../src/agents/rebalancer/bands.js";
import { FlowWindow } from "../../src/agents/rebalancer/flow-window.js";

const K = 1_000n; // whole tokens as plain units keep the figures readable

const settings = (changes: Partial<BandSettings> = {}): BandSettings => ({
  threshold: 0.05,
  volatilityZ: 0,
  maxDemandShare: 0.5,
  maxUtilisation: 0.5,
  minMove: 1n,
  netting: true,
  ...changes,
});

const pool = (chainId: number, idle: bigint, changes: Partial<PoolState> = {}): PoolState => ({
  chainId,
  idle,
  outstanding: 0n,
  incoming: 0n,
  borrowedFrom: new Map(),
  ...changes,
});

const pools = (a = 100n * K, b = 100n * K, c = 100n * K) => [pool(901, a), pool(902, b), pool(903, c)];
const flow = (from: number, to: number, ...buckets: bigint[]): RouteFlow => ({ from, to, buckets });
const moved = (decision: ReturnType<typeof decide>) =>
  decision.moves.reduce((sum, move) => sum + move.amount, 0n);

describe("rebalancer bands", () => {
  it("moves nothing while every pool is within its band", () => {
    const decision = decide(pools(100n * K, 104n * K, 96n * K), [], settings());
    assert.deepEqual(decision.moves, []);
    assert.equal(decision.reason, "every pool within its band");
    assert.ok(decision.pools.every((item) => item.band === "within"));
  });

  it("raises the target of a pool its flows drain, and fills it from the others", () => {
    const decision = decide(
      pools(),
      [flow(901, 902, 20n * K, 10n * K), flow(903, 902, 10n * K, 0n)],
      settings(),
    );
    const [a, b, c] = decision.pools;
    assert.equal(b?.netInflow, 40n * K);
    assert.equal(a?.netInflow, -30n * K);
    assert.equal(b?.band, "below");
    // Target of B: its demand (40k) plus a third of the rest (260k).
    assert.equal(b?.target, 40n * K + (260n * K) / 3n);
    assert.equal(moved(decision), (b?.target ?? 0n) - 100n * K);
    assert.ok(decision.moves.every((move) => move.to === 902));
    // Sources stay at or above their targets.
    for (const source of [a, c]) {
      const out = decision.moves
        .filter((move) => move.from === source?.chainId)
        .reduce((s, m) => s + m.amount, 0n);
      assert.ok((source?.position ?? 0n) - out >= (source?.target ?? 0n));
    }
  });

  it("nets opposite flows: moves less than the same flows measured route by route", () => {
    const flows = [
      flow(901, 902, 30n * K, 20n * K),
      flow(902, 901, 25n * K, 15n * K),
      flow(903, 901, 5n * K, 5n * K),
    ];
    const netted = decide(pools(), flows, settings({ threshold: 0.02 }));
    const gross = decide(pools(), flows, settings({ threshold: 0.02, netting: false }));
    assert.equal(netted.pools[1]?.netInflow, 10n * K);
    assert.equal(gross.pools[1]?.netInflow, 50n * K);
    assert.ok(moved(netted) < moved(gross), `${moved(netted)} < ${moved(gross)}`);
    assert.equal(netted.grossFlow, 100n * K);
  });

  it("pairs a pool short of liquidity first with a twin that owes it", () => {
    const debtor = pool(903, 130n * K, { borrowedFrom: new Map([[902, 10n * K]]) });
    const decision = decide([pool(901, 130n * K), pool(902, 40n * K), debtor], [], settings());
    assert.equal(decision.moves[0]?.from, 903);
    assert.equal(decision.moves[0]?.repays, 10n * K);
    assert.equal(moved(decision), 60n * K);
  });

  it("sends only idle liquidity: outstanding fills count as the pool's but cannot leave", () => {
    const busy = pool(901, 25n * K, { outstanding: 125n * K });
    const decision = decide(
      [busy, pool(902, 50n * K), pool(903, 100n * K)],
      [],
      settings({ maxUtilisation: 1 }),
    );
    const fromBusy = decision.moves.filter((move) => move.from === 901).reduce((s, m) => s + m.amount, 0n);
    assert.ok(fromBusy <= 25n * K);
  });

  it("drains a pool above its band into the pools below their targets", () => {
    const decision = decide(pools(180n * K, 60n * K, 60n * K), [], settings());
    assert.deepEqual(
      decision.moves.map((move) => [move.from, move.to, move.amount]),
      [
        [901, 902, 40n * K],
        [901, 903, 40n * K],
      ],
    );
  });

  it("counts transfers in flight towards their destination, so nothing moves twice", () => {
    const arriving = pool(902, 60n * K, { incoming: 40n * K });
    const decision = decide([pool(901, 100n * K), arriving, pool(903, 100n * K)], [], settings());
    assert.deepEqual(decision.moves, []);
  });

  it("skips moves smaller than minMove", () => {
    const decision = decide(
      pools(100n * K, 90n * K, 110n * K),
      [],
      settings({ threshold: 0.01, minMove: 20n * K }),
    );
    assert.deepEqual(decision.moves, []);
    assert.match(decision.reason, /nothing to move/);
  });

  it("keeps a buffer for volatile flows and caps what demand may claim", () => {
    const steady = decide(
      pools(),
      [flow(901, 902, 10n * K, 10n * K, 10n * K, 10n * K)],
      settings({ volatilityZ: 1 }),
    );
    const bursty = decide(pools(), [flow(901, 902, 40n * K, 0n, 0n, 0n)], settings({ volatilityZ: 1 }));
    assert.equal(steady.pools[1]?.volatility, 0n);
    assert.ok((bursty.pools[1]?.demand ?? 0n) > (steady.pools[1]?.demand ?? 0n));
    const capped = decide(pools(), [flow(901, 902, 900n * K)], settings({ maxDemandShare: 0.2 }));
    assert.equal(capped.pools[1]?.demand, 60n * K);
    const targets = capped.pools.reduce((sum, item) => sum + item.target, 0n);
    assert.ok(capped.total - targets < 3n, "targets add up to the total (rounding aside)");
  });

  it("backs liquidity locked beyond maxUtilisation", () => {
    const busy = pool(902, 20n * K, { outstanding: 80n * K });
    const decision = decide(
      [pool(901, 100n * K), busy, pool(903, 100n * K)],
      [],
      settings({ maxUtilisation: 0.5 }),
    );
    assert.equal(decision.pools[1]?.utilisation, 0.8);
    assert.equal(decision.pools[1]?.demand, 30n * K);
    assert.equal(decision.pools[1]?.band, "below");
    assert.ok(decision.moves.every((move) => move.to === 902));
  });

  it("measures inflow per bucket, netted or not, and the window's volatility", () => {
    const inflow = inflowBuckets([901, 902], [flow(901, 902, 5n, 1n), flow(902, 901, 2n, 3n)], true);
    assert.deepEqual(inflow.get(902), [3n, -2n]);
    assert.deepEqual(inflow.get(901), [-3n, 2n]);
    assert.deepEqual(inflowBuckets([901, 902], [flow(901, 902, 5n, 1n)], false).get(901), [0n, 0n]);
    assert.equal(bucketVolatility([4n, 4n, 4n]), 0n);
    assert.equal(bucketVolatility([0n, 8n]), 4n);
  });
});

describe("flow window", () => {
  it("puts volumes in buckets by age and forgets what left the window", () => {
    const window = new FlowWindow(10_000, 5);
    window.add(901, 902, 7n, 1_000);
    window.add(901, 902, 3n, 9_500);
    window.add(902, 901, 4n, 9_900);
    assert.deepEqual(window.routes(10_000), [
      { from: 901, to: 902, buckets: [7n, 0n, 0n, 0n, 3n] },
      { from: 902, to: 901, buckets: [0n, 0n, 0n, 0n, 4n] },
    ]);
    assert.deepEqual(window.routes(11_500), [
      { from: 901, to: 902, buckets: [0n, 0n, 0n, 3n, 0n] },
      { from: 902, to: 901, buckets: [0n, 0n, 0n, 0n, 4n] },
    ]);
    assert.deepEqual(window.routes(30_000), []);
  });
});
