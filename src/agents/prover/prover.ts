// Prover: the zk path's agent. Each tick it reads every rollup's newest Outbox checkpoint and, when they
// changed, starts one epoch: the committee signs the root of the tree of all of them (in the devnet the
// prover holds the members' keys and stands in for them), a worker thread proves the signatures with
// Groth16, and the one proof is submitted to every destination (`ZkVerifier.submitEpoch`). Proofs run
// in a pool of worker threads, so the loop never waits for one and independent epochs overlap; an
// epoch that finishes after a newer one landed on a destination is not sent there. The chains are its
// only state, so a restarted prover carries on where it stopped: it numbers its epochs above the
// newest number any destination imported from the committee (the verifier refuses an older or repeated
// one), and signs them for the destinations' verifier address (the deployment's domain).
import type { Address, Hex } from "viem";
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
import type { Checkpoint } from "../../protocol/checkpoint.js";
import { buildCommittee, type Committee, epochStatement } from "../../protocol/committee.js";
import { EpochTree } from "../../protocol/epoch.js";
import { PollingAgent } from "../agent.js";
import {
  committeeProvingPool,
  proveStatement,
  releaseProvingThreads,
  type StatementProof,
} from "./groth16.js";
import type { ProvingPool } from "./pool.js";

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
  /** Proving threads (default: one per core, at most 4); also the most epochs proven at once. */
  provingWorkers?: number;
  /** Longest one proof may run before its worker is ended and replaced (default 120 s). */
  provingTimeoutMs?: number;
};

type Rollup = { entry: RollupEntry; client: JunctionPublicClient; wallet: JunctionWalletClient };
/** One epoch: its number and, per verifier address (the statement's domain), its proof. */
type Epoch = { seq: number; number: bigint; tree: EpochTree; proofs: Map<Address, StatementProof> };
/** One epoch imported on one destination, for logs and benchmarks. */
export type EpochImport = { destination: number; checkpoints: number; gasUsed: bigint; provingMs: number };

export class Prover extends PollingAgent {
  readonly #rollups: Rollup[] = [];
  #committee: Promise<Committee> | undefined;
  #pool: ProvingPool | undefined;
  /** Root of the newest epoch this process started proving. */
  #started: Hex | undefined;
  #seq = 0;
  /** The number of the newest epoch this process started (the next is above it and the chains'). */
  #number = 0n;
  /** The newest proven epoch, kept to resend to a destination whose submission failed. */
  #proven: Epoch | undefined;
  /** Root of an epoch every destination has (or needs nothing from): no more checks until it changes. */
  #settled: Hex | undefined;
  readonly #proving = new Set<Promise<void>>();
  /** Per destination: submissions run one after another (one account, one nonce sequence). */
  readonly #queues = new Map<number, Promise<void>>();
  /** Per destination: the newest epoch imported there and its checkpoint counts by chain. */
  readonly #imported = new Map<number, { seq: number; counts: Map<bigint, bigint> }>();
  /** Proving times of this process, for logs and benchmarks. */
  readonly provingMs: number[] = [];
  /** Every epoch this process imported, per destination. */
  readonly imports: EpochImport[] = [];

  constructor(private readonly config: ProverConfig) {
    super("Prover", config.intervalMs ?? 250, config.logger);
    for (const entry of config.network.rollups) this.addRollup(entry);
  }

  /** A new rollup: its checkpoint joins the next epoch, and the epochs are submitted to it too. */
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
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.close();
    await Promise.allSettled([...this.#proving, ...this.#queues.values()]);
    this.#started = undefined;
    await releaseProvingThreads();
  }

  async tick(): Promise<void> {
    this.#committee ??= buildCommittee(this.config.committeeKeys);
    const committee = await this.#committee;
    this.#pool ??= committeeProvingPool(this.config.provingWorkers, this.config.provingTimeoutMs);
    const checkpoints = await this.#newestCheckpoints();
    if (checkpoints.length === 0) return;
    const tree = EpochTree.of(checkpoints);
    if (tree.root === this.#started) {
      await this.#resendIfMissing(committee);
      return;
    }
    // One epoch per worker at most: while all are busy, newer checkpoints wait for the next free one.
    if (this.#proving.size >= this.#pool.size) return;
    if ((await this.#lacking(tree, committee)).length === 0) {
      this.#started = tree.root;
      return;
    }
    const number = await this.#nextNumber(committee);
    this.#started = tree.root;
    this.#number = number;
    const work = this.#prove(++this.#seq, number, tree, committee, this.#pool).finally(() =>
      this.#proving.delete(work),
    );
    this.#proving.add(work);
  }

  /** Proves one epoch in a worker and submits it everywhere; never throws (it runs beside the loop). */
  async #prove(
    seq: number,
    number: bigint,
    tree: EpochTree,
    committee: Committee,
    pool: ProvingPool,
  ): Promise<void> {
    const signers = Array.from({ length: this.config.signers }, (_, index) => index);
    // One statement per verifier address: a deterministic deployment has one for every destination.
    const verifiers = [...new Set(this.#rollups.map(verifierOf))];
    const proofs = new Map<Address, StatementProof>();
    let proof: StatementProof;
    try {
      const proven = await Promise.all(
        verifiers.map((verifier) =>
          proveStatement(committee, epochStatement({ root: tree.root, number, verifier }), signers, pool),
        ),
      );
      for (const [i, verifier] of verifiers.entries()) proofs.set(verifier, proven[i] as StatementProof);
      proof = proven[0] as StatementProof;
    } catch (error) {
      if (this.#started === tree.root) this.#started = undefined; // try again next tick
      this.config.logger.warn("Prover#prove", "proving failed", { error: describe(error) });
      return;
    }
    this.provingMs.push(proof.provingMs);
    this.config.logger.info("Prover#prove", "proved epoch", {
      epochRoot: tree.root,
      epochNumber: number,
      checkpoints: tree.checkpoints.map((checkpoint) => `${checkpoint.chainId}:${checkpoint.count}`),
      provingMs: Math.round(proof.provingMs),
    });
    const epoch = { seq, number, tree, proofs };
    if (!this.#proven || this.#proven.seq < seq) this.#proven = epoch;
    await Promise.all(this.#rollups.map((destination) => this.#enqueue(destination, epoch)));
  }

  /** Re-sends the newest proven epoch to destinations that still lack it (a failed submission). */
  async #resendIfMissing(committee: Committee): Promise<void> {
    const epoch = this.#proven;
    if (!epoch || epoch.tree.root !== this.#started || this.#proving.size > 0) return;
    if (this.#settled === epoch.tree.root) return;
    const lacking = (await this.#lacking(epoch.tree, committee)).filter((destination) =>
      this.#hasNews(destination.entry.chainId, epoch.tree),
    );
    if (lacking.length === 0) this.#settled = epoch.tree.root;
    await Promise.all(lacking.map((destination) => this.#enqueue(destination, epoch)));
  }

  #enqueue(destination: Rollup, epoch: Epoch): Promise<void> {
    const chainId = destination.entry.chainId;
    const next = (this.#queues.get(chainId) ?? Promise.resolve()).then(() =>
      this.#submit(destination, epoch),
    );
    this.#queues.set(chainId, next);
    return next;
  }

  async #submit(destination: Rollup, { seq, number, tree, proofs }: Epoch): Promise<void> {
    const chainId = destination.entry.chainId;
    const proof = proofs.get(verifierOf(destination));
    if (!proof) return; // a rollup added while the epoch was proven: the next epoch covers it
    const imported = this.#imported.get(chainId);
    if (imported && imported.seq >= seq) return; // a newer epoch landed there first
    if (!this.#hasNews(chainId, tree)) return;
    const checkpoints = tree.checkpoints.map(({ chainId: source, count, root }) => ({
      sourceChainId: source,
      count,
      root,
    }));
    try {
      const hash = await destination.wallet.writeContract({
        address: destination.entry.contracts.zkVerifier,
        abi: zkVerifierAbi,
        functionName: "submitEpoch",
        args: [proof.proof, proof.committeeRoot, proof.signerCount, number, checkpoints],
      });
      const receipt = await destination.client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`submitEpoch reverted in ${hash}`);
      this.#markImported(chainId, seq, tree);
      this.imports.push({
        destination: chainId,
        checkpoints: checkpoints.length,
        gasUsed: receipt.gasUsed,
        provingMs: proof.provingMs,
      });
      this.config.logger.info("Prover#submit", "epoch imported", {
        destination: chainId,
        epochRoot: tree.root,
        gasUsed: receipt.gasUsed,
      });
    } catch (error) {
      const name = revertName(error);
      // EpochAlreadyImported: another prover was faster. EpochNotNewer: a newer epoch (another
      // prover's) landed there: prove the checkpoints again above it. Anything else is resent later.
      if (name === "EpochAlreadyImported") this.#markImported(chainId, seq, tree);
      if (name === "EpochNotNewer" && this.#started === tree.root && seq === this.#seq) {
        this.#started = undefined;
      }
      this.config.logger.warn("Prover#submit", "submission refused", {
        destination: chainId,
        error: name ?? describe(error),
      });
    }
  }

  /** Whether `tree` tells `chainId` something new about another rollup (its own checkpoint it knows). */
  #hasNews(chainId: number, tree: EpochTree): boolean {
    const counts = this.#imported.get(chainId)?.counts;
    return tree.checkpoints.some(
      (checkpoint) =>
        checkpoint.chainId !== BigInt(chainId) && counts?.get(checkpoint.chainId) !== checkpoint.count,
    );
  }

  #markImported(chainId: number, seq: number, tree: EpochTree): void {
    const imported = this.#imported.get(chainId);
    if (imported && imported.seq >= seq) return;
    const counts = new Map(tree.checkpoints.map((checkpoint) => [checkpoint.chainId, checkpoint.count]));
    this.#imported.set(chainId, { seq, counts });
  }

  /** Every rollup's newest Outbox checkpoint (rollups with no message yet have none). */
  async #newestCheckpoints(): Promise<Checkpoint[]> {
    const read = async ({ entry, client }: Rollup): Promise<Checkpoint | null> => {
      const outbox = entry.contracts.outbox;
      const count = await client.readContract({ address: outbox, abi: outboxAbi, functionName: "count" });
      if (count === 0n) return null;
      const root = await client.readContract({
        address: outbox,
        abi: outboxAbi,
        functionName: "rootAt",
        args: [count],
      });
      return { chainId: BigInt(entry.chainId), count, root };
    };
    const all = await Promise.all(this.#rollups.map(read));
    return all.filter((checkpoint): checkpoint is Checkpoint => checkpoint !== null);
  }

  /** Above the newest epoch number this process started and any destination imported from the committee. */
  async #nextNumber(committee: Committee): Promise<bigint> {
    const numbers = await Promise.all(
      this.#rollups.map(async (destination) => {
        const [, , last] = await destination.client.readContract({
          address: verifierOf(destination),
          abi: zkVerifierAbi,
          functionName: "committeeUse",
          args: [committee.root],
        });
        return last;
      }),
    );
    let newest = this.#number;
    for (const last of numbers) if (last > newest) newest = last;
    return newest + 1n;
  }

  /** Destinations that have not imported this epoch from this committee. */
  async #lacking(tree: EpochTree, committee: Committee): Promise<Rollup[]> {
    const signers = BigInt(this.config.signers);
    const imported = await Promise.all(
      this.#rollups.map((destination) =>
        destination.client.readContract({
          address: destination.entry.contracts.zkVerifier,
          abi: zkVerifierAbi,
          functionName: "epochImported",
          args: [tree.root, committee.root, signers],
        }),
      ),
    );
    return this.#rollups.filter((destination, i) => {
      if (imported[i]) return false;
      // A rollup that is the epoch's only checkpoint learns nothing from it.
      return tree.checkpoints.some((checkpoint) => checkpoint.chainId !== BigInt(destination.entry.chainId));
    });
  }
}

function verifierOf(rollup: Rollup): Address {
  return rollup.entry.contracts.zkVerifier;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
}
