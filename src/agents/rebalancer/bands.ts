// The rebalancer's decision, pure (no I/O): from each pool's liquidity and the flows the pools served
// over the window, a target per pool, a band around it, and the moves that bring pools outside their
// band back to target. Opposite flows are netted before anything is measured, and the moves go from
// surpluses to deficits, so only the net imbalance ever travels.
//
//   position    = idle + outstanding (its fills' repayments come back to it) + transfers on their way to it
//   net inflow  = Σ over routes into the pool of (volume in − volume out), per bucket of the window
//   demand      = max(0, window net inflow + z · σ(bucket net inflow))
//                 + the outstanding beyond maxUtilisation of the position (locked liquidity to back)
//   target      = demand + base share × (total − Σ demand)        (Σ demand capped at maxDemandShare)
//   band        = target ± threshold × total

/** One pool as the rebalancer reads it, in the asset's smallest unit. */
export type PoolState = {
  chainId: number;
  idle: bigint;
  outstanding: bigint;
  /** Liquidity sent to this pool by a twin and not delivered yet. */
  incoming: bigint;
  /** What this pool owes each twin (sending there repays it first). */
  borrowedFrom: ReadonlyMap<number, bigint>;
};

/** Volume the pools paid out on one route (origin → destination), per bucket, oldest first. */
export type RouteFlow = { from: number; to: number; buckets: readonly bigint[] };

export type BandSettings = {
  /** Each pool's share of what demand leaves (chain id → weight); missing: equal. */
  baseShares?: ReadonlyMap<number, number>;
  /** Half-width of a band, as a share of the pools' total. */
  threshold: number;
  /** Standard deviations of the flow kept as a buffer. */
  volatilityZ: number;
  /** Most of the total the demand terms may claim. */
  maxDemandShare: number;
  /** Outstanding beyond this share of a pool's position is backed by fresh liquidity. */
  maxUtilisation: number;
  /** Smallest move worth a bridge transfer. */
  minMove: bigint;
  /** Net opposite flows (true); false measures every route's volume as if nothing cancelled. */
  netting: boolean;
};

export type PoolTarget = {
  chainId: number;
  position: bigint;
  idle: bigint;
  utilisation: number;
  /** Net inflow over the window (negative: the pool's chain is a net origin). */
  netInflow: bigint;
  volatility: bigint;
  demand: bigint;
  target: bigint;
  lower: bigint;
  upper: bigint;
  band: "below" | "within" | "above";
};

export type Move = { from: number; to: number; amount: bigint; repays: bigint };

export type Decision = {
  total: bigint;
  /** Volume paid out by the pools over the window, every route. */
  grossFlow: bigint;
  pools: PoolTarget[];
  moves: Move[];
  reason: string;
};

const SCALE = 1_000_000n;
const share = (numerator: bigint, denominator: bigint) =>
  denominator === 0n ? 0 : Number((numerator * SCALE) / denominator) / Number(SCALE);
const ofShare = (amount: bigint, fraction: number) => (amount * BigInt(Math.round(fraction * 1e6))) / SCALE;

/** Each pool's net inflow per bucket (with netting), or gross inflow (without). */
export function inflowBuckets(chainIds: readonly number[], flows: readonly RouteFlow[], netting: boolean) {
  const length = Math.max(0, ...flows.map((flow) => flow.buckets.length));
  const inflow = new Map(chainIds.map((chainId) => [chainId, Array.from({ length }, () => 0n)]));
  for (const flow of flows) {
    flow.buckets.forEach((volume, k) => {
      const into = inflow.get(flow.to);
      const outOf = inflow.get(flow.from);
      if (into) into[k] = (into[k] ?? 0n) + volume;
      if (outOf && netting) outOf[k] = (outOf[k] ?? 0n) - volume;
    });
  }
  return inflow;
}

/**
 * Population standard deviation of the flow per bucket: how far one bucket's flow strays from the
 * mean, the surprise a pool must absorb before the next moves arrive (a bucket is meant to be about
 * the time a move takes).
 */
export function bucketVolatility(buckets: readonly bigint[]): bigint {
  if (buckets.length < 2) return 0n;
  const values = buckets.map(Number);
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return BigInt(Math.round(Math.sqrt(variance)));
}

export function decide(
  pools: readonly PoolState[],
  flows: readonly RouteFlow[],
  settings: BandSettings,
): Decision {
  const chainIds = pools.map((pool) => pool.chainId);
  const positions = pools.map((pool) => pool.idle + pool.outstanding + pool.incoming);
  const total = positions.reduce((sum, value) => sum + value, 0n);
  const grossFlow = flows.reduce((sum, flow) => sum + flow.buckets.reduce((a, b) => a + b, 0n), 0n);
  const inflow = inflowBuckets(chainIds, flows, settings.netting);

  const measured = pools.map((pool, i) => {
    const buckets = inflow.get(pool.chainId) ?? [];
    const netInflow = buckets.reduce((sum, value) => sum + value, 0n);
    const volatility = bucketVolatility(buckets);
    const flowDemand = netInflow + ofShare(volatility, settings.volatilityZ);
    const position = positions[i] ?? 0n;
    const locked = pool.outstanding - ofShare(position, settings.maxUtilisation);
    const demand = (flowDemand > 0n ? flowDemand : 0n) + (locked > 0n ? locked : 0n);
    return { pool, position, netInflow, volatility, demand };
  });
  let demandTotal = measured.reduce((sum, item) => sum + item.demand, 0n);
  const demandCap = ofShare(total, settings.maxDemandShare);
  if (demandTotal > demandCap && demandTotal > 0n) {
    for (const item of measured) item.demand = (item.demand * demandCap) / demandTotal;
    demandTotal = measured.reduce((sum, item) => sum + item.demand, 0n);
  }
  // Weights as integers (millionths), so equal shares split the rest exactly.
  const weights = chainIds.map((chainId) =>
    BigInt(Math.round((settings.baseShares?.get(chainId) ?? 1) * 1e6)),
  );
  const weightTotal = weights.reduce((sum, weight) => sum + weight, 0n) || 1n;
  const halfBand = ofShare(total, settings.threshold);
  const targets: PoolTarget[] = measured.map((item, i) => {
    const target = item.demand + ((total - demandTotal) * (weights[i] ?? 0n)) / weightTotal;
    const lower = target > halfBand ? target - halfBand : 0n;
    const upper = target + halfBand;
    const band = item.position < lower ? "below" : item.position > upper ? "above" : "within";
    return {
      chainId: item.pool.chainId,
      position: item.position,
      idle: item.pool.idle,
      utilisation: share(item.pool.outstanding, item.position),
      netInflow: item.netInflow,
      volatility: item.volatility,
      demand: item.demand,
      target,
      lower,
      upper,
      band,
    };
  });
  const moves = planMoves(pools, targets, settings.minMove);
  return { total, grossFlow, pools: targets, moves, reason: reasonOf(targets, moves) };
}

/**
 * Moves from surpluses to deficits, triggered only by a pool outside its band. Pools below their band
 * are filled to target from pools above target; pools above their band are drained to target into
 * pools below target. A source sends only idle liquidity, and a sink is first paired with a source
 * that owes it (the transfer repays that debt before lending anything new).
 */
export function planMoves(
  pools: readonly PoolState[],
  targets: readonly PoolTarget[],
  minMove: bigint,
): Move[] {
  const anyBelow = targets.some((item) => item.band === "below");
  const anyAbove = targets.some((item) => item.band === "above");
  if (!anyBelow && !anyAbove) return [];
  const poolOf = new Map(pools.map((pool) => [pool.chainId, pool]));
  const sinks = targets
    .filter((item) => item.band === "below" || (anyAbove && item.position < item.target))
    .map((item) => ({ chainId: item.chainId, need: item.target - item.position }))
    .sort((a, b) => (b.need > a.need ? 1 : b.need < a.need ? -1 : a.chainId - b.chainId));
  const sources = targets
    .filter((item) => item.band === "above" || (anyBelow && item.position > item.target))
    .map((item) => {
      const excess = item.position - item.target;
      return { chainId: item.chainId, available: smaller(excess, item.idle) };
    });
  const moves: Move[] = [];
  for (const sink of sinks) {
    const owes = (source: { chainId: number }) =>
      poolOf.get(source.chainId)?.borrowedFrom.get(sink.chainId) ?? 0n;
    const ordered = [...sources].sort(
      (a, b) =>
        Number(owes(b) > 0n) - Number(owes(a) > 0n) ||
        (b.available > a.available ? 1 : b.available < a.available ? -1 : a.chainId - b.chainId),
    );
    for (const source of ordered) {
      if (sink.need < minMove) break;
      const amount = smaller(source.available, sink.need);
      if (amount < minMove) continue;
      const debt = owes(source);
      moves.push({ from: source.chainId, to: sink.chainId, amount, repays: smaller(debt, amount) });
      source.available -= amount;
      sink.need -= amount;
    }
  }
  return moves;
}

function reasonOf(targets: readonly PoolTarget[], moves: readonly Move[]): string {
  const outside = targets.filter((item) => item.band !== "within");
  if (outside.length === 0) return "every pool within its band";
  const described = outside
    .map((item) =>
      item.band === "below"
        ? `${item.chainId} below its band (${item.position} < ${item.lower})`
        : `${item.chainId} above its band (${item.position} > ${item.upper})`,
    )
    .join("; ");
  if (moves.length === 0) return `${described}; nothing to move (no idle surplus of at least minMove)`;
  const planned = moves.map((move) => `${move.amount} ${move.from}→${move.to}`).join(", ");
  return `${described}: move ${planned}`;
}

/** The smaller of two amounts (Math.min takes no bigints). */
function smaller(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}
