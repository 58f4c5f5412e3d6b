// Proposer: posts each rollup's Outbox checkpoint (count, root) to the L1 RollupHub whenever the
// Outbox has grown, reading the rollup `confirmations` blocks behind its head.
import type { Hex } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import { outboxAbi, rollupHubAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import { PollingAgent } from "../agent.js";

export type ProposerConfig = {
  network: Pick<Manifest, "l1" | "rollups">;
  privateKey: Hex;
  intervalMs?: number;
  /** Rollup blocks to wait before a checkpoint counts as final enough to post. */
  confirmations?: number;
  logger: Logger;
};

export class Proposer extends PollingAgent {
  readonly #l1: JunctionPublicClient;
  readonly #wallet: JunctionWalletClient;
  readonly #rollups: { chainId: bigint; outbox: Hex; client: JunctionPublicClient }[] = [];

  constructor(private readonly config: ProposerConfig) {
    super("Proposer", config.intervalMs ?? 250, config.logger);
    const { l1, rollups } = config.network;
    this.#l1 = publicClientFor(l1);
    this.#wallet = walletClientFor(l1, config.privateKey);
    for (const rollup of rollups) this.addRollup(rollup);
  }

  addRollup(rollup: RollupEntry): void {
    if (this.#rollups.some((known) => known.chainId === BigInt(rollup.chainId))) return;
    this.#rollups.push({
      chainId: BigInt(rollup.chainId),
      outbox: rollup.contracts.outbox,
      client: publicClientFor(rollup),
    });
  }

  /** Posts a checkpoint for every rollup whose Outbox grew since the hub's latest one. */
  async tick(): Promise<void> {
    for (const rollup of this.#rollups) await this.#proposeFor(rollup);
  }

  async #proposeFor(rollup: { chainId: bigint; outbox: Hex; client: JunctionPublicClient }): Promise<void> {
    const hub = this.config.network.l1.contracts.rollupHub;
    const head = await rollup.client.getBlockNumber();
    const blockNumber = head - BigInt(Math.min(Number(head), this.config.confirmations ?? 0));
    const count = await rollup.client.readContract({
      address: rollup.outbox,
      abi: outboxAbi,
      functionName: "count",
      blockNumber,
    });
    const [posted] = await this.#l1.readContract({
      address: hub,
      abi: rollupHubAbi,
      functionName: "latestCheckpoint",
      args: [rollup.chainId],
    });
    if (count <= posted) return;
    const root = await rollup.client.readContract({
      address: rollup.outbox,
      abi: outboxAbi,
      functionName: "rootAt",
      args: [count],
      blockNumber,
    });
    const hash = await this.#wallet.writeContract({
      address: hub,
      abi: rollupHubAbi,
      functionName: "postCheckpoint",
      args: [rollup.chainId, count, root],
    });
    const receipt = await this.#l1.waitForTransactionReceipt({ hash });
    this.config.logger.info("Proposer#propose", "checkpoint posted", {
      chainId: rollup.chainId,
      count,
      root,
      tx: hash,
      gasUsed: receipt.gasUsed,
      status: receipt.status,
    });
  }
}
