// SolvencyPublisher: every epoch (a fixed interval), takes the newest superblock the sequencer posted to
// the L1, reads every liability source and every holder's reserves at its blocks, archives the epoch (the
// users' balances and salts, so it can hand each user their proof), and publishes the roots, totals and
// reserves to the SolvencyRegistry. An epoch with no new superblock is skipped.
import type { Hex } from "viem";
import { walletClientFor } from "../../chain/clients.js";
import type { RollupEntry } from "../../chain/manifest.js";
import type { Logger } from "../../log.js";
import { loadArchive } from "../../solvency/epoch.js";
import { type PublishEpochResult, publishEpoch, type SolvencyNetwork } from "../../solvency/publish.js";
import type { LiabilitySource } from "../../solvency/sources.js";
import { proveEpochRanges } from "../../solvency/zk-epoch.js";
import { PollingAgent } from "../agent.js";

export type SolvencyPublisherConfig = {
  network: SolvencyNetwork;
  /** The registry's publisher key. */
  privateKey: Hex;
  /** Salts every user's leaf; kept by the publisher only. */
  secret: Hex;
  /** Where the epoch archives go (DIR/solvency/). */
  dataDir: string;
  /** Milliseconds between epochs. */
  epochMs: number;
  logger: Logger;
  sources?: readonly LiabilitySource[];
  /** After each epoch, prove every covered tree in range with the zk circuits (batches folded into the root). */
  proveRanges?: boolean;
};

export type SolvencyPublisherStatus = {
  published: number;
  lastEpoch?: string;
  lastSuperblock?: string;
  lastUsers?: number;
  /** Assets whose trees were proven in range with the zk circuit, over all epochs. */
  rangesProven: number;
};

export class SolvencyPublisher extends PollingAgent {
  #published = 0;
  #rangesProven = 0;
  #last: Extract<PublishEpochResult, { published: true }> | undefined;
  #network: SolvencyNetwork;

  constructor(private readonly config: SolvencyPublisherConfig) {
    super("SolvencyPublisher", config.epochMs, config.logger);
    this.#network = config.network;
  }

  /**
   * Reports `rollup` from the first posted superblock that includes it (its tokens and holders must be
   * listed in the registry first, as `junction devnet add-rollup` does).
   */
  addRollup(rollup: RollupEntry): void {
    if (this.#network.rollups.some((entry) => entry.chainId === rollup.chainId)) return;
    this.#network = { ...this.#network, rollups: [...this.#network.rollups, rollup] };
  }

  async tick(): Promise<void> {
    const network = this.#network;
    const { privateKey, secret, dataDir, sources, logger } = this.config;
    const result = await publishEpoch(network, { publisherKey: privateKey, secret, dataDir, sources });
    if (!result.published) {
      logger.debug("SolvencyPublisher#tick", result.reason, {
        superblock: result.superblockHeight.toString(),
      });
      return;
    }
    this.#published += 1;
    this.#last = result;
    logger.info("SolvencyPublisher#tick", "published an epoch", {
      epoch: result.epoch.toString(),
      superblock: result.superblockHeight.toString(),
      users: result.users,
      gasUsed: result.gasUsed.toString(),
    });
    if (!this.config.proveRanges) return;
    const archive = loadArchive(dataDir, result.superblockHeight);
    const ranges = await proveEpochRanges(
      walletClientFor(network.l1, privateKey),
      network,
      archive,
      result.epoch,
    );
    this.#rangesProven += ranges.proven.length;
    logger.info("SolvencyPublisher#tick", "proved ranges", {
      epoch: result.epoch.toString(),
      proven: ranges.proven,
      skipped: ranges.skipped,
    });
  }

  async status(): Promise<SolvencyPublisherStatus> {
    return {
      published: this.#published,
      lastEpoch: this.#last?.epoch.toString(),
      lastSuperblock: this.#last?.superblockHeight.toString(),
      lastUsers: this.#last?.users,
      rangesProven: this.#rangesProven,
    };
  }
}
