// Where a seal's time goes, phase by phase: the sealer adds each phase's wall time to its
// superblock's timings, and `npm run bench` reports them.

/**
 * Milliseconds of one seal by phase, summed over its rollups and attempts: `queue` reading the L1
 * forced-inclusion queue (set by the sequencer), `snapshots` taking and reverting snapshots around
 * bundles, `sign` signing deliveries (with the nonce read), `assemble` emptying and refilling a pool and
 * mining, `read` reading back a block, its receipts and sent messages, `plan` planning deliveries,
 * `bundleCheck` looking for a failed bundle leg; `total` is the wall time of the whole seal.
 */
export type SealTimings = {
  queue: number;
  snapshots: number;
  sign: number;
  assemble: number;
  read: number;
  plan: number;
  bundleCheck: number;
  total: number;
  attempts: number;
};

export type SealPhase = Exclude<keyof SealTimings, "total" | "attempts">;

export function noTimings(): SealTimings {
  return {
    queue: 0,
    snapshots: 0,
    sign: 0,
    assemble: 0,
    read: 0,
    plan: 0,
    bundleCheck: 0,
    total: 0,
    attempts: 0,
  };
}

/** Runs `work`, adding its wall time to `phase`. */
export async function timed<T>(timings: SealTimings, phase: SealPhase, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[phase] += performance.now() - started;
  }
}
