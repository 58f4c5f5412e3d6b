// Attester: keeps its bond on every source rollup, signs each source's newest Outbox checkpoint
// (EIP-712) and submits it to the OptimisticVerifier of every other rollup.
import type { Hex } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import { revertName } from "../../chain/revert.js";
import { optimisticVerifierAbi, outboxAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import { checkpointTypedData } from "../../protocol/checkpoint-signature.js";
import { PollingAgent } from "../agent.js";
import { topUpBond } from "../bond.js";

export type AttesterConfig = {
  network: Pick<Manifest, "rollups" | "optimistic">;
  privateKey: Hex;
  logger: Logger;
  intervalMs?: number;
};

type Rollup = { entry: RollupEntry; client: JunctionPublicClient; wallet: JunctionWalletClient };

export class Attester extends PollingAgent {
  readonly #rollups: Rollup[] = [];
  /** Highest count submitted to a destination, per `${source}:${destination}`. */
  readonly #submitted = new Map<string, bigint>();
  readonly #bonded = new Set<number>();

  constructor(private readonly config: AttesterConfig) {
    super("Attester", config.intervalMs ?? 250, config.logger);
    for (const entry of config.network.rollups) this.addRollup(entry);
  }

  /** A new rollup: the attester bonds there and attests it to the others, and the others to it. */
  addRollup(entry: RollupEntry): void {
    if (this.#rollups.some((rollup) => rollup.entry.chainId === entry.chainId)) return;
    this.#rollups.push({
      entry,
      client: publicClientFor(entry),
      wallet: walletClientFor(entry, this.config.privateKey),
    });
  }

  async tick(): Promise<void> {
    for (const source of this.#rollups) {
      await this.#ensureBonded(source);
      await this.#attest(source);
    }
  }

  async #ensureBonded({ entry, client, wallet }: Rollup): Promise<void> {
    if (this.#bonded.has(entry.chainId)) return;
    const minimum = BigInt(this.config.network.optimistic.minBond);
    const topUp = await topUpBond(client, wallet, entry.contracts.bondManager, minimum);
    if (topUp.state === "inactive") {
      this.config.logger.error("Attester#bond", "bond slashed or withdrawing; not attesting", {
        chainId: entry.chainId,
      });
      return;
    }
    if (topUp.state === "sent") {
      await client.waitForTransactionReceipt({ hash: topUp.hash });
      this.config.logger.info("Attester#bond", "bonded", { chainId: entry.chainId, amount: topUp.amount });
    }
    this.#bonded.add(entry.chainId);
  }

  async #attest(source: Rollup): Promise<void> {
    const count = await source.client.readContract({
      address: source.entry.contracts.outbox,
      abi: outboxAbi,
      functionName: "count",
    });
    if (count === 0n) return;
    const destinations = this.#rollups.filter(
      ({ entry }) =>
        entry.chainId !== source.entry.chainId &&
        (this.#submitted.get(this.#key(source, entry)) ?? 0n) < count,
    );
    if (destinations.length === 0) return;
    const root = await source.client.readContract({
      address: source.entry.contracts.outbox,
      abi: outboxAbi,
      functionName: "rootAt",
      args: [count],
    });
    const sourceChainId = BigInt(source.entry.chainId);
    const signature = await source.wallet.signTypedData(
      checkpointTypedData({ outbox: source.entry.contracts.outbox, sourceChainId, count, root }),
    );
    await Promise.all(
      destinations.map((destination) => this.#submit(source, destination, count, root, signature)),
    );
  }

  async #submit(
    source: Rollup,
    destination: Rollup,
    count: bigint,
    root: Hex,
    signature: Hex,
  ): Promise<void> {
    const sourceChainId = BigInt(source.entry.chainId);
    try {
      const hash = await destination.wallet.writeContract({
        address: destination.entry.contracts.optimisticVerifier,
        abi: optimisticVerifierAbi,
        functionName: "submitCheckpoint",
        args: [sourceChainId, count, root, signature],
      });
      const receipt = await destination.client.waitForTransactionReceipt({ hash });
      this.#submitted.set(this.#key(source, destination.entry), count);
      this.config.logger.info("Attester#submit", "checkpoint submitted", {
        source: source.entry.chainId,
        destination: destination.entry.chainId,
        count,
        root,
        gasUsed: receipt.gasUsed,
      });
    } catch (error) {
      const name = revertName(error);
      if (name === "CheckpointAlreadySubmitted") {
        this.#submitted.set(this.#key(source, destination.entry), count);
        return;
      }
      destination.wallet.account.nonceManager?.reset({
        address: destination.wallet.account.address,
        chainId: destination.entry.chainId,
      });
      // AttesterNotBonded is expected until the bond update has reached the destination.
      this.config.logger.debug("Attester#submit", "submission refused; will retry", {
        destination: destination.entry.chainId,
        error: name ?? String(error).split("\n")[0],
      });
    }
  }

  #key(source: Rollup, destination: RollupEntry): string {
    return `${source.entry.chainId}:${destination.chainId}`;
  }
}
