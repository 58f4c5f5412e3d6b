// Polling for the benchmarks: when a condition read from the chains was first seen to hold.

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type SeenAtOptions = {
  /** Milliseconds between reads (default 10; the clients themselves poll every 100). */
  everyMs?: number;
  timeoutMs?: number;
  /** What "when" is measured on (default `performance.now()`). */
  clock?: () => number;
};

/** Polls `read` until it holds and returns the clock's reading then; throws naming `what` on timeout. */
export async function seenAt(
  read: () => Promise<boolean>,
  what: string,
  { everyMs = 10, timeoutMs = 120_000, clock = () => performance.now() }: SeenAtOptions = {},
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await read()) return clock();
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}
