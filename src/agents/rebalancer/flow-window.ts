// A sliding window of volumes per route (origin → destination), in equal time buckets: what the
// rebalancer measures demand with. Pure: the time is given, never read.
import type { RouteFlow } from "./bands.js";

type Entry = { from: number; to: number; amount: bigint; at: number };

export class FlowWindow {
  readonly #entries: Entry[] = [];
  readonly #bucketMs: number;

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
  ) {
    this.#bucketMs = windowMs / buckets;
  }

  add(from: number, to: number, amount: bigint, at: number): void {
    this.#entries.push({ from, to, amount, at });
  }

  /** Every route seen in the window ending at `now`, its volume per bucket (oldest first). */
  routes(now: number): RouteFlow[] {
    this.#prune(now);
    const byRoute = new Map<string, { from: number; to: number; buckets: bigint[] }>();
    for (const entry of this.#entries) {
      const key = `${entry.from}:${entry.to}`;
      let route = byRoute.get(key);
      if (!route) {
        route = { from: entry.from, to: entry.to, buckets: Array.from({ length: this.buckets }, () => 0n) };
        byRoute.set(key, route);
      }
      const age = Math.max(0, now - entry.at);
      const index = Math.max(0, this.buckets - 1 - Math.floor(age / this.#bucketMs));
      route.buckets[index] = (route.buckets[index] ?? 0n) + entry.amount;
    }
    return [...byRoute.values()].sort((a, b) => a.from - b.from || a.to - b.to);
  }

  #prune(now: number): void {
    const oldest = now - this.windowMs;
    let drop = 0;
    while (drop < this.#entries.length && (this.#entries[drop]?.at ?? now) <= oldest) drop++;
    this.#entries.splice(0, drop);
  }
}

/** Per route, the volume over the whole window. */
export function routeTotals(routes: readonly RouteFlow[]): { from: number; to: number; volume: bigint }[] {
  return routes.map((route) => ({
    from: route.from,
    to: route.to,
    volume: route.buckets.reduce((sum, value) => sum + value, 0n),
  }));
}
