// The shape every agent shares: an explicit start/stop around a polling loop. A failing tick is logged
// and retried after a growing pause; the loop never overlaps itself. `stop` aborts the tick in flight:
// its requests and receipt waits end at once (chain/stop-signal.ts), so a stop takes a moment even when
// the nodes died, not viem's 180 s receipt timeout.

import type { RollupEntry } from "../chain/manifest.js";
import { withStopSignal } from "../chain/stop-signal.js";
import type { Logger } from "../log.js";

export interface Agent {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Takes a rollup added to the network while the agent runs (`junction devnet add-rollup`): from its
   * next tick on, the agent serves it as it serves the others. A rollup it already serves is ignored.
   * Agents without it know only the rollups they were started with.
   */
  addRollup?(rollup: RollupEntry): void;
}

export type LoopOptions = { name: string; intervalMs: number; logger: Logger; tick: () => Promise<void> };

export class PollingLoop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #failures = 0;
  #stopping = new AbortController();

  constructor(private readonly options: LoopOptions) {}

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#stopping = new AbortController();
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#stopping.abort();
    await this.#running;
  }

  /** Runs one tick now (used by tests and by `start`). */
  async runOnce(): Promise<void> {
    await this.options.tick();
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#iterate();
    }, delay);
  }

  async #iterate(): Promise<void> {
    const { signal } = this.#stopping;
    try {
      await withStopSignal(signal, () => this.options.tick());
      this.#failures = 0;
    } catch (error) {
      if (signal.aborted) return; // stopped mid-tick: not a failure
      this.#failures += 1;
      this.options.logger.warn(`${this.options.name}#tick`, "tick failed; will retry", {
        error: error instanceof Error ? error.message.split("\n")[0] : String(error),
        failures: this.#failures,
      });
    }
    const backoff = Math.min(this.options.intervalMs * 2 ** Math.min(this.#failures, 6), 30_000);
    this.#schedule(this.#failures === 0 ? this.options.intervalMs : backoff);
  }
}

/** An agent whose whole life is one polling loop around `tick`. */
export abstract class PollingAgent implements Agent {
  readonly #loop: PollingLoop;

  protected constructor(
    readonly name: string,
    intervalMs: number,
    logger: Logger,
  ) {
    this.#loop = new PollingLoop({ name, intervalMs, logger, tick: () => this.tick() });
  }

  /** One pass of the agent's work; a throw is logged and retried after a growing pause. */
  abstract tick(): Promise<void>;

  async start(): Promise<void> {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }
}
