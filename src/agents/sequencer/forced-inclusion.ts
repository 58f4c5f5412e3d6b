// The sequencer's side of the L1 forced-inclusion queue (SuperblockLog.forceInclude): it reads what
// anyone queued, hands each transaction to the next superblock ahead of everything else on its rollup,
// and tells the poster how far the queue is handled, which the L1 checks against every deadline.
import type { Address } from "viem";
import type { JunctionPublicClient } from "../../chain/clients.js";
import { type ForcedTransaction, getForcedTransactions } from "../../chain/events.js";
import { superblockLogAbi } from "../../contracts/generated/index.js";

export class ForcedInclusionQueue {
  /** Queued and not yet handled, in queue order, starting at index `#handled`. */
  #waiting: ForcedTransaction[] = [];
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

  /** Reads transactions queued since the last poll. */
  async poll(): Promise<void> {
    const latest = await this.l1.client.getBlockNumber();
    if (latest <= this.#scannedTo) return;
    const queued = await getForcedTransactions(
      this.l1.client,
      this.l1.superblockLog,
      this.#scannedTo + 1n,
      latest,
    );
    const next = this.#handled + this.#waiting.length;
    this.#waiting.push(...queued.filter((entry) => entry.index >= next));
    this.#scannedTo = latest;
  }

  /** What the next superblock must carry: every waiting transaction, in queue order. */
  due(): readonly ForcedTransaction[] {
    return this.#waiting;
  }

  /** The superblock carrying `carried` was sealed: those count as handled (included, or refused by the node). */
  sealed(carried: readonly ForcedTransaction[]): void {
    const last = carried[carried.length - 1];
    if (!last) return;
    this.#handled = last.index + 1;
    this.#waiting = this.#waiting.filter((entry) => entry.index >= this.#handled);
  }

  /** How many queue entries the sealed superblocks have handled: the cursor the next post declares. */
  handled(): number {
    return this.#handled;
  }
}
