// Root importer: brings the L1 hub's newest global root to every rollup's GlobalRootOracle, from the
// rollup's system account (the devnet stand-in for an L1-attributes deposit).
import type { Hex } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import { globalRootOracleAbi, rollupHubAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import { PollingAgent } from "../agent.js";

export type RootImporterConfig = {
  network: Pick<Manifest, "l1" | "rollups">;
  /** Key of the rollups' system account. */
  privateKey: Hex;
  intervalMs?: number;
  /** L1 blocks a global root must be buried under before it is imported. */
  l1Confirmations?: number;
  logger: Logger;
};

type Target = { chainId: number; oracle: Hex; client: JunctionPublicClient; wallet: JunctionWalletClient };

export class RootImporter extends PollingAgent {
  readonly #l1: JunctionPublicClient;
  readonly #targets: Target[] = [];

  constructor(private readonly config: RootImporterConfig) {
    super("RootImporter", config.intervalMs ?? 250, config.logger);
    this.#l1 = publicClientFor(config.network.l1);
    for (const rollup of config.network.rollups) this.addRollup(rollup);
  }

  addRollup(rollup: RollupEntry): void {
    if (this.#targets.some((target) => target.chainId === rollup.chainId)) return;
    this.#targets.push({
      chainId: rollup.chainId,
      oracle: rollup.contracts.globalRootOracle,
      client: publicClientFor(rollup),
      wallet: walletClientFor(rollup, this.config.privateKey),
    });
  }

  async tick(): Promise<void> {
    const hub = this.config.network.l1.contracts.rollupHub;
    const head = await this.#l1.getBlockNumber();
    const blockNumber = head - BigInt(Math.min(Number(head), this.config.l1Confirmations ?? 0));
    const index = await this.#l1.readContract({
      address: hub,
      abi: rollupHubAbi,
      functionName: "globalRootCount",
      blockNumber,
    });
    if (index === 0n) return;
    const root = await this.#l1.readContract({
      address: hub,
      abi: rollupHubAbi,
      functionName: "globalRootAt",
      args: [index],
      blockNumber,
    });
    await Promise.all(this.#targets.map((target) => this.#importTo(target, root, index, blockNumber)));
  }

  async #importTo(target: Target, root: Hex, index: bigint, l1Block: bigint): Promise<void> {
    const latest = await target.client.readContract({
      address: target.oracle,
      abi: globalRootOracleAbi,
      functionName: "latestIndex",
    });
    if (latest >= index) return;
    const hash = await target.wallet.writeContract({
      address: target.oracle,
      abi: globalRootOracleAbi,
      functionName: "importRoot",
      args: [root, index, l1Block],
    });
    const receipt = await target.client.waitForTransactionReceipt({ hash });
    this.config.logger.info("RootImporter#import", "global root imported", {
      chainId: target.chainId,
      index,
      root,
      tx: hash,
      status: receipt.status,
    });
  }
}
