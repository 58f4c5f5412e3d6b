// Where the filler's verdicts go: skips are stored for good and logged; waits are stored with their
// reason, logged when they start or change (not at every look), and put off for `recheckMs`.
import type { Hex } from "viem";
import type { Logger } from "../../log.js";
import type { FillerOrder, FillerStore } from "../../store/filler-store.js";
import type { Verdict } from "./decide.js";

export type Skip = Extract<Verdict, { kind: "skip" }>;
export type Wait = Extract<Verdict, { kind: "wait" }>;

export class Verdicts {
  /** When a waiting order is due for another look (in memory: a restarted filler looks at once). */
  readonly #nextCheck = new Map<Hex, number>();
  readonly #lastWait = new Map<Hex, string>();

  constructor(
    private readonly store: FillerStore,
    private readonly logger: Logger,
    private readonly recheckMs: number,
  ) {}

  isDue(orderId: Hex, now: number): boolean {
    return (this.#nextCheck.get(orderId) ?? 0) <= now;
  }

  async record(order: FillerOrder, verdict: Verdict): Promise<void> {
    if (verdict.kind === "skip") await this.skip(order, verdict);
    else if (verdict.kind === "wait") await this.wait(order, verdict);
  }

  async skip(order: FillerOrder, verdict: Skip): Promise<void> {
    await this.store.markSkipped(order.orderId, verdict.reason);
    this.forget(order.orderId);
    this.logger.info("Filler#skip", "not filling", {
      orderId: order.orderId,
      route: routeOf(order),
      reason: verdict.reason,
      detail: verdict.detail,
    });
  }

  async wait(order: FillerOrder, verdict: Wait): Promise<void> {
    await this.store.markWaiting(order.orderId, verdict.reason);
    this.#nextCheck.set(order.orderId, Date.now() + this.recheckMs);
    if (this.#lastWait.get(order.orderId) === verdict.reason) return;
    this.#lastWait.set(order.orderId, verdict.reason);
    this.logger.info("Filler#wait", "not filling yet", {
      orderId: order.orderId,
      route: routeOf(order),
      reason: verdict.reason,
      detail: verdict.detail,
    });
  }

  forget(orderId: Hex): void {
    this.#nextCheck.delete(orderId);
    this.#lastWait.delete(orderId);
  }
}

export function routeOf(order: Pick<FillerOrder, "originChainId" | "destinationChainId">): string {
  return `${order.originChainId}→${order.destinationChainId}`;
}
