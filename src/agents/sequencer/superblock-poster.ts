// Posts sealed superblocks to the L1 SuperblockLog, in order and in batches: the superblock cadence is
// faster than L1 blocks, so each L1 transaction carries every superblock sealed since the last one.
import type { Address } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../../chain/clients.js";
import { superblockLogAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import type { Superblock } from "./sealer.js";

/** At most this many superblocks per L1 transaction (calldata stays well under a block). */
const MAX_BATCH = 64;

/** How many post durations are kept (for the bench). */
const KEEP_POST_TIMES = 4096;

export class SuperblockPoster {
  #queue: Superblock[] = [];
  #posting: Promise<void> | undefined;
  /** Wall time of each L1 post (send to receipt), newest last; off the seal path, on the same cores. */
  readonly postMs: number[] = [];

  constructor(
    private readonly l1: {
      client: JunctionPublicClient;
      wallet: JunctionWalletClient;
      superblockLog: Address;
    },
    private readonly logger: Logger,
  ) {}

  /** Height the next sealed superblock gets: one above the newest posted. */
  async nextHeight(): Promise<number> {
    const latest = await this.l1.client.readContract({
      address: this.l1.superblockLog,
      abi: superblockLogAbi,
      functionName: "latestHeight",
    });
    return Number(latest) + 1;
  }

  /** Superblocks a transaction queued on the L1 may wait for inclusion (SuperblockLog.inclusionDelay). */
  async inclusionDelay(): Promise<bigint> {
    return this.l1.client.readContract({
      address: this.l1.superblockLog,
      abi: superblockLogAbi,
      functionName: "inclusionDelay",
    });
  }

  enqueue(superblock: Superblock): void {
    this.#queue.push(superblock);
  }

  pending(): number {
    return this.#queue.length;
  }

  /** Posts what is queued; one post at a time. */
  async flush(): Promise<void> {
    while (this.#posting) await this.#posting;
    this.#posting = this.#post().finally(() => {
      this.#posting = undefined;
    });
    await this.#posting;
  }

  async #post(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, MAX_BATCH);
      const first = batch[0] as Superblock;
      const started = performance.now();
      const hash = await this.l1.wallet.writeContract({
        address: this.l1.superblockLog,
        abi: superblockLogAbi,
        functionName: "postSuperblocks",
        args: [
          BigInt(first.height),
          batch.map((superblock) =>
            superblock.blocks.map((block) => ({
              chainId: BigInt(block.chainId),
              blockNumber: block.blockNumber,
              blockHash: block.blockHash,
              outboxCount: block.outboxCount,
              outboxRoot: block.outboxRoot,
            })),
          ),
          // The L1 refuses a post that reaches a queued transaction's deadline without handling it.
          BigInt((batch[batch.length - 1] as Superblock).forcedHandled),
        ],
      });
      const receipt = await this.l1.client.waitForTransactionReceipt({ hash });
      this.postMs.push(performance.now() - started);
      if (this.postMs.length > KEEP_POST_TIMES) this.postMs.shift();
      if (receipt.status !== "success") {
        this.logger.error("Sequencer#post", "posting superblocks reverted", { from: first.height, tx: hash });
        return;
      }
      this.#queue = this.#queue.slice(batch.length);
      this.logger.debug("Sequencer#post", "superblocks posted", {
        from: first.height,
        to: first.height + batch.length - 1,
        gasUsed: receipt.gasUsed,
      });
    }
  }
}
