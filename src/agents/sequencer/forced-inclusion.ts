// The sequencer's side of the L1 forced-inclusion queue (SuperblockLog.forceInclude): it reads what
// anyone queued, hands each transaction to the next superblock ahead of everything else on its rollup,
// and tells the poster how far the queue is handled, which the L1 checks against every deadline.
// A queued transaction is handled once it is in a block or its rollup's node refused it; one that was
// accepted but not mined (a nonce gap, a full block) is tried again, and dropped after a few tries.
import type { Address } from "viem";
import type { JunctionPublicClient } from "../../chain/clients.js";
import { type ForcedTransaction, getForcedTransactions } from "../../chain/events.js";
import { superblockLogAbi } from "../../contracts/generated/index.js";
import { JunctionError } from "../../errors.js";

/** Most queued transactions one superblock carries, so a flood of them cannot stall a seal. */
export const MAX_FORCED_PER_SUPERBLOCK = 64;
/** Superblocks a queued transaction is offered in before it counts as handled without being mined. */
export const MAX_FORCED_ATTEMPTS = 3;

/** The queue read from the L1 has a hole: sealing must wait rather than declare a cursor the L1 refuses. */
export class ForcedQueueGapError extends JunctionError {
  override name = "ForcedQueueGapError" as const;
}

export class ForcedInclusionQueue {
  /** Queued and not yet handled, in queue order, starting at index `#handled`. */
  #waiting: (ForcedTransaction & { attempts: number; settled: boolean })[] = [];
  #handled = 0;
  #scannedTo = -1n;

  constructor(
    private readonly l1: { client: JunctionPublicClient; superblockLog: Address; deployBlock: bigint },
  ) {}

  /** Starts from what the posted superblocks handled (a restart re-reads what sealed but unposted ones did). */
  async start(): Promise<void> {
    const handled = await this.l1.client.readContract({
      address: this.l1.superblockLog,
      abi: superblockLogAbi,
      functionName: "forcedHandled",
    });
    this.#handled = Number(handled);
    this.#waiting = [];
    this.#scannedTo = this.l1.deployBlock - 1n;
    await this.poll();
  }

  /** Reads transactions queued since the last poll; throws on a hole in the queue. */
  async poll(): Promise<void> {
    const latest = await this.l1.client.getBlockNumber();
    if (latest <= this.#scannedTo) return;
    const queued = await getForcedTransactions(
      this.l1.client,
      this.l1.superblockLog,
      this.#scannedTo + 1n,
      latest,
    );
    let next = this.#handled + this.#waiting.length;
    for (const entry of queued) {
      if (entry.index < next) continue;
      if (entry.index > next) {
        throw new ForcedQueueGapError(`the L1 queue skips from entry ${next} to ${entry.index}`);
      }
      this.#waiting.push({ ...entry, attempts: 0, settled: false });
      next += 1;
    }
    this.#scannedTo = latest;
  }

  /** What the next superblock must carry: the oldest waiting transactions, in queue order. */
  due(): readonly ForcedTransaction[] {
    return this.#waiting.filter((entry) => !entry.settled).slice(0, MAX_FORCED_PER_SUPERBLOCK);
  }

  /**
   * The superblock that carried `offered` was sealed; `settled` are the queue indexes it mined or its
   * nodes refused. The rest are offered again, up to MAX_FORCED_ATTEMPTS times. Returns the entries
   * given up on (handled without being mined).
   */
  sealed(offered: readonly ForcedTransaction[], settled: ReadonlySet<number>): ForcedTransaction[] {
    const given: ForcedTransaction[] = [];
    const offeredIndexes = new Set(offered.map((entry) => entry.index));
    for (const entry of this.#waiting) {
      if (entry.settled || !offeredIndexes.has(entry.index)) continue;
      entry.attempts += 1;
      if (settled.has(entry.index)) entry.settled = true;
      else if (entry.attempts >= MAX_FORCED_ATTEMPTS) {
        entry.settled = true;
        given.push(entry);
      }
    }
    // The cursor moves over the handled prefix only; an entry handled early waits for those before it.
    while (this.#waiting[0]?.settled) {
      this.#waiting.shift();
      this.#handled += 1;
    }
    return given;
  }

  /** How many queue entries the sealed superblocks have handled: the cursor the next post declares. */
  handled(): number {
    return this.#handled;
  }
}
