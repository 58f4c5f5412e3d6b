// Prover: the zk path's agent. Each tick it reads every source's newest Outbox checkpoint, finds the ones
// some destination's ZkVerifier has not imported, has the committee sign them two at a time (in the
// devnet it holds the members' keys and stands in for them), proves the signatures with Groth16 and
// submits one proof per pair to every destination that needs it. The chains are its only state, so a
// restarted prover carries on where it stopped.
import type { Hex } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import { revertName } from "../../chain/revert.js";
import { outboxAbi, zkVerifierAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import {
  buildCommittee,
  CHECKPOINT_SLOTS,
  type CheckpointStatement,
  type Committee,
  checkpointStatement,
} from "../../protocol/committee.js";
import { PollingAgent } from "../agent.js";
import { proveStatement, releaseProvingThreads, type StatementProof } from "./groth16.js";

export type ProverConfig = {
  network: Pick<Manifest, "rollups">;
  /** The committee members' keys (devnet: generated, see the manifest's `zk`). */
  committeeKeys: readonly Hex[];
  /** How many members sign each statement. */
  signers: number;
  /** Pays for the submissions. */
  privateKey: Hex;
  logger: Logger;
  intervalMs?: number;
};

type Rollup = { entry: RollupEntry; client: JunctionPublicClient; wallet: JunctionWalletClient };

export class Prover extends PollingAgent {
  readonly #rollups: Rollup[] = [];
  #committee: Promise<Committee> | undefined;
  /** Proving times of this process, for logs and benchmarks. */
  readonly provingMs: number[] = [];

  constructor(private readonly config: ProverConfig) {
    super("Prover", config.intervalMs ?? 250, config.logger);
    for (const entry of config.network.rollups) this.addRollup(entry);
  }

  /** A new rollup: its checkpoints are proved to the others, and the others' to it. */
  addRollup(entry: RollupEntry): void {
    if (this.#rollups.some((rollup) => rollup.entry.chainId === entry.chainId)) return;
    this.#rollups.push({
      entry,
      client: publicClientFor(entry),
      wallet: walletClientFor(entry, this.config.privateKey),
    });
  }

  override async stop(): Promise<void> {
    await super.stop();
    await releaseProvingThreads();
  }

  async tick(): Promise<void> {
    this.#committee ??= buildCommittee(this.config.committeeKeys);
    const committee = await this.#committee;
    const due = await this.#dueCheckpoints();
    for (let i = 0; i < due.length; i += CHECKPOINT_SLOTS) {
      const batch = due.slice(i, i + CHECKPOINT_SLOTS);
      const proof = await proveStatement(
        committee,
        checkpointStatement(batch),
        Array.from({ length: this.config.signers }, (_, index) => index),
      );
      this.provingMs.push(proof.provingMs);
      this.config.logger.info("Prover#prove", "proved checkpoints", {
        checkpoints: batch.map((checkpoint) => `${checkpoint.sourceChainId}:${checkpoint.count}`),
        provingMs: Math.round(proof.provingMs),
      });
      await this.#submit(batch, proof);
    }
  }

  /** Each source's newest checkpoint that at least one other rollup has not imported. */
  async #dueCheckpoints(): Promise<CheckpointStatement[]> {
    const due: CheckpointStatement[] = [];
    for (const source of this.#rollups) {
      const count = await source.client.readContract({
        address: source.entry.contracts.outbox,
        abi: outboxAbi,
        functionName: "count",
      });
      if (count === 0n) continue;
      const root = await source.client.readContract({
        address: source.entry.contracts.outbox,
        abi: outboxAbi,
        functionName: "rootAt",
        args: [count],
      });
      const checkpoint = { sourceChainId: BigInt(source.entry.chainId), count, root };
      if ((await this.#missingOn(checkpoint)).length > 0) due.push(checkpoint);
    }
    return due;
  }

  async #missingOn(checkpoint: CheckpointStatement): Promise<Rollup[]> {
    const missing: Rollup[] = [];
    for (const destination of this.#rollups) {
      if (BigInt(destination.entry.chainId) === checkpoint.sourceChainId) continue;
      const known = await destination.client.readContract({
        address: destination.entry.contracts.zkVerifier,
        abi: zkVerifierAbi,
        functionName: "verifiedRoot",
        args: [checkpoint.sourceChainId, checkpoint.count],
      });
      if (known !== checkpoint.root) missing.push(destination);
    }
    return missing;
  }

  async #submit(batch: CheckpointStatement[], proof: StatementProof): Promise<void> {
    const empty = { sourceChainId: 0n, count: 0n, root: `0x${"00".repeat(32)}` as Hex };
    const slots = [batch[0] ?? empty, batch[1] ?? empty] as const;
    const destinations = new Set<Rollup>();
    for (const checkpoint of batch)
      for (const rollup of await this.#missingOn(checkpoint)) destinations.add(rollup);
    for (const destination of destinations) {
      try {
        const hash = await destination.wallet.writeContract({
          address: destination.entry.contracts.zkVerifier,
          abi: zkVerifierAbi,
          functionName: "submitCheckpoints",
          args: [proof.proof, proof.committeeRoot, proof.signerCount, slots],
        });
        const receipt = await destination.client.waitForTransactionReceipt({ hash });
        this.config.logger.info("Prover#submit", "checkpoints imported", {
          destination: destination.entry.chainId,
          gasUsed: receipt.gasUsed,
          status: receipt.status,
        });
      } catch (error) {
        // CheckpointAlreadyVerified: another prover was faster; anything else is retried next tick.
        this.config.logger.warn("Prover#submit", "submission refused", {
          destination: destination.entry.chainId,
          error: revertName(error) ?? (error instanceof Error ? error.message.split("\n")[0] : String(error)),
        });
      }
    }
  }
}
