// The price agent's arithmetic, with no I/O: one step of a geometric random walk (drawn from the shared
// seeded generator, protocol/prng.ts) kept within the oracle's bound on one update, and the updates a
// crash takes under that bound.
import { JunctionError } from "../../errors.js";

/** Uniform in [0, 1), reproducible from its seed (`seededRandom`). */
export type Rng = () => number;

/** The PriceOracle's largest move per update (`maxDeviationBps`): 50 %. */
export const ORACLE_MAX_MOVE_BPS = 5_000n;
const BPS = 10_000n;
/** Fixed-point scale of a step's factor. */
const SCALE = 1_000_000_000n;

/** A crash the oracle cannot show: 100 % or more, or nothing. */
export class InvalidCrashError extends JunctionError {
  override name = "InvalidCrashError" as const;
}

/** A standard normal draw (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log(0) is not a number
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * One step of a geometric random walk: `price × exp(volatility × z)`, z standard normal, the factor
 * clamped to the oracle's bound so an update is never refused. Never returns less than 1 wei.
 */
export function walkStep(
  price: bigint,
  volatility: number,
  rng: Rng,
  maxMoveBps = ORACLE_MAX_MOVE_BPS,
): bigint {
  const factor = Math.min(2, Math.exp(volatility * gaussian(rng)));
  const next = (price * BigInt(Math.round(factor * Number(SCALE)))) / SCALE;
  // Clamped in integers, as the oracle checks: |next - price| x BPS <= price x maxMoveBps.
  const limit = (price * maxMoveBps) / BPS;
  const clamped = next > price + limit ? price + limit : next < price - limit ? price - limit : next;
  return clamped > 0n ? clamped : 1n;
}

/** `pct` (e.g. 30 for 30 %) in basis points, refused unless 0 < pct < 100. */
export function crashBps(pct: number): bigint {
  if (!Number.isFinite(pct) || pct <= 0 || pct >= 100) {
    throw new InvalidCrashError(`a crash must be more than 0 % and less than 100 %, got ${pct} %`);
  }
  return BigInt(Math.round(pct * 100));
}

/** The price a crash of `pct` % from `price` ends at. */
export function crashTarget(price: bigint, pct: number): bigint {
  return (price * (BPS - crashBps(pct))) / BPS;
}

/** The next update of a crash from `current` towards `target`: the largest fall one update may make. */
export function crashStep(current: bigint, target: bigint, maxMoveBps = ORACLE_MAX_MOVE_BPS): bigint {
  const floor = current - (current * maxMoveBps) / BPS;
  if (floor === current && current > target) {
    throw new InvalidCrashError(`price ${current} wei is too small to crash`);
  }
  return floor > target ? floor : target;
}

/**
 * The prices a crash of `pct` % from `price` is pushed as: one update when the oracle's bound allows
 * it, else several, each the largest fall one update may make, the last landing on the target
 * (a 60 % crash is 3,000 → 1,500 → 1,200).
 */
export function crashSteps(price: bigint, pct: number, maxMoveBps = ORACLE_MAX_MOVE_BPS): bigint[] {
  const target = crashTarget(price, pct);
  const steps: bigint[] = [];
  for (let current = price; current > target; ) {
    current = crashStep(current, target, maxMoveBps);
    steps.push(current);
  }
  return steps;
}
