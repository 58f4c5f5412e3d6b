// Where the relayer gets the evidence for each trust path. A path is one ProofSource: it refreshes what
// it knows once per tick and returns a prover for messages of one source to one destination. Adding a
// trust path adds a ProofSource here; the delivery loop does not change.
import type { Address, Hex } from "viem";
import type { JunctionPublicClient } from "../../chain/clients.js";
import { getPostedCheckpoints } from "../../chain/events.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import {
  globalRootOracleAbi,
  optimisticVerifierAbi,
  zkVerifierAbi,
} from "../../contracts/generated/index.js";
import { HubHistory } from "../../protocol/checkpoint.js";
import { EpochTree, encodeEpochEvidence } from "../../protocol/epoch.js";
import { IncrementalTree, MESSAGE_TREE_DEPTH } from "../../protocol/merkle.js";
import {
  encodeCanonicalVerifierData,
  type OutboxProver,
  outboxProver,
  ProofInputError,
  proverOver,
} from "../../protocol/proof.js";
import type { RelayerStore } from "../../store/store.js";

export type TrustPathName = "canonical" | "optimistic" | "zk";

export interface ProofSource {
  readonly path: TrustPathName;
  /** The verifier contract of this path on `destination`. */
  verifierOn(destination: RollupEntry): Address;
  /** Called once per relayer tick, before any proving. */
  refresh(): Promise<void>;
  /** A prover for messages from `sourceChainId` to `destination`, or null while none can be proven. */
  proverFor(
    destination: RollupEntry,
    client: JunctionPublicClient,
    sourceChainId: bigint,
  ): Promise<OutboxProver | null>;
}

/**
 * The relayer's persistent copy of each source's Outbox tree: a tick appends only the ids it has not
 * seen (from the store), and a proof is read off the kept levels, not rebuilt from every message.
 * Checkpoints only grow, so one tree per source serves a path; an older count is rebuilt on the side.
 */
export class OutboxTrees {
  readonly #trees = new Map<bigint, IncrementalTree>();

  constructor(private readonly store: RelayerStore) {}

  /** A prover for `(count, root)`, or null while the store lacks some of the first `count` ids. */
  async prover(
    sourceChainId: bigint,
    count: bigint,
    root: Hex,
    verifierData: Hex,
  ): Promise<OutboxProver | null> {
    let tree = this.#trees.get(sourceChainId);
    if (!tree) {
      tree = new IncrementalTree(MESSAGE_TREE_DEPTH);
      this.#trees.set(sourceChainId, tree);
    }
    if (BigInt(tree.size) > count) {
      const ids = await this.store.messageIds(sourceChainId, count);
      return BigInt(ids.length) < count ? null : outboxProver(ids, count, root, verifierData);
    }
    if (BigInt(tree.size) < count) {
      const from = tree.size;
      const more = await this.store.messageIds(sourceChainId, count, BigInt(from));
      // The relayer proves for every destination at once: another call for this source may have
      // appended these ids while this one waited for the store. Append each only at its own index.
      for (const [i, id] of more.entries()) if (tree.size === from + i) tree.append(id);
      if (BigInt(tree.size) < count) return null;
    }
    const rebuilt = tree.root();
    if (rebuilt !== root) {
      throw new ProofInputError(`message ids rebuild root ${rebuilt}, but the checkpoint says ${root}`);
    }
    const kept = tree;
    return proverOver(count, root, verifierData, (index) => kept.path(index));
  }
}

/** Canonical path: the newest global root the destination imported, reopened from the hub's events. */
export class CanonicalProofSource implements ProofSource {
  readonly path = "canonical" as const;
  readonly #history = new HubHistory();
  readonly #trees: OutboxTrees;
  #cursor: bigint;

  constructor(
    private readonly network: Pick<Manifest, "l1">,
    private readonly l1: JunctionPublicClient,
    store: RelayerStore,
  ) {
    this.#cursor = BigInt(network.l1.deployBlock);
    this.#trees = new OutboxTrees(store);
  }

  verifierOn(destination: RollupEntry): Address {
    return destination.contracts.canonicalVerifier;
  }

  async refresh(): Promise<void> {
    const head = await this.l1.getBlockNumber();
    if (this.#cursor > head) return;
    const hub = this.network.l1.contracts.rollupHub;
    for (const event of await getPostedCheckpoints(this.l1, hub, this.#cursor, head))
      this.#history.add(event);
    this.#cursor = head + 1n;
  }

  async proverFor(destination: RollupEntry, client: JunctionPublicClient, sourceChainId: bigint) {
    const globalIndex = await client.readContract({
      address: destination.contracts.globalRootOracle,
      abi: globalRootOracleAbi,
      functionName: "latestIndex",
    });
    if (globalIndex === 0n || globalIndex > this.#history.latestIndex) return null;
    const inclusion = this.#history.inclusion(globalIndex, sourceChainId);
    if (!inclusion) return null;
    const { count, root } = inclusion.checkpoint;
    return this.#trees.prover(sourceChainId, count, root, encodeCanonicalVerifierData(inclusion));
  }
}

/** A recorded checkpoint, with the evidence its verifier wants beside it (zk: the epoch and path). */
type Submitted = { count: bigint; root: Hex; verifierData?: Hex };
type RollupClient = { entry: RollupEntry; client: JunctionPublicClient };
type ReadCheckpoints = (
  rollup: RollupClient,
  fromBlock: bigint,
  toBlock: bigint,
) => Promise<(Submitted & { sourceChainId: bigint })[]>;

/** Checkpoints a destination verifier has recorded, per destination and source, read from its events. */
class CheckpointEvents {
  readonly #seen = new Map<number, { cursor: bigint; bySource: Map<bigint, Submitted[]> }>();

  constructor(
    private readonly rollups: RollupClient[],
    private readonly read: ReadCheckpoints,
  ) {}

  async refresh(): Promise<void> {
    await Promise.all(this.rollups.map((rollup) => this.#index(rollup)));
  }

  async #index(rollup: RollupClient): Promise<void> {
    const { entry, client } = rollup;
    const state = this.#seen.get(entry.chainId) ?? { cursor: BigInt(entry.deployBlock), bySource: new Map() };
    this.#seen.set(entry.chainId, state);
    const head = await client.getBlockNumber();
    if (state.cursor > head) return;
    for (const checkpoint of await this.read(rollup, state.cursor, head)) {
      const list = state.bySource.get(checkpoint.sourceChainId) ?? [];
      list.push({ count: checkpoint.count, root: checkpoint.root, verifierData: checkpoint.verifierData });
      state.bySource.set(checkpoint.sourceChainId, list);
    }
    state.cursor = head + 1n;
  }

  /** Newest first (at one count, the latest recorded first). */
  on(destination: RollupEntry, sourceChainId: bigint): Submitted[] {
    const submitted = this.#seen.get(destination.chainId)?.bySource.get(sourceChainId) ?? [];
    return [...submitted].reverse().sort((a, b) => (a.count === b.count ? 0 : a.count > b.count ? -1 : 1));
  }
}

type RecordedCheckpointOptions = {
  path: "optimistic" | "zk";
  rollups: RollupClient[];
  store: RelayerStore;
  verifierOn: (destination: RollupEntry) => Address;
  read: ReadCheckpoints;
  /** Whether the destination treats a recorded checkpoint as final (default: always). */
  isFinal?: (
    destination: RollupEntry,
    client: JunctionPublicClient,
    source: bigint,
    checkpoint: Submitted,
  ) => Promise<boolean>;
};

/** A path whose destination verifier records checkpoints: the newest final one proves the messages. */
class RecordedCheckpointSource implements ProofSource {
  readonly path: "optimistic" | "zk";
  readonly #events: CheckpointEvents;
  readonly #trees: OutboxTrees;

  constructor(private readonly options: RecordedCheckpointOptions) {
    this.path = options.path;
    this.#events = new CheckpointEvents(options.rollups, options.read);
    this.#trees = new OutboxTrees(options.store);
  }

  verifierOn(destination: RollupEntry): Address {
    return this.options.verifierOn(destination);
  }

  refresh(): Promise<void> {
    return this.#events.refresh();
  }

  async proverFor(destination: RollupEntry, client: JunctionPublicClient, sourceChainId: bigint) {
    for (const checkpoint of this.#events.on(destination, sourceChainId)) {
      const final = this.options.isFinal
        ? await this.options.isFinal(destination, client, sourceChainId, checkpoint)
        : true;
      if (!final) continue;
      try {
        const { count, root, verifierData } = checkpoint;
        return await this.#trees.prover(sourceChainId, count, root, verifierData ?? "0x");
      } catch (error) {
        // A final checkpoint our own index contradicts: never prove against it.
        if (error instanceof ProofInputError) continue;
        throw error;
      }
    }
    return null;
  }
}

/** Optimistic path: the largest checkpoint on the destination that its verifier already treats as final. */
export function optimisticProofSource(rollups: RollupClient[], store: RelayerStore): ProofSource {
  return new RecordedCheckpointSource({
    path: "optimistic",
    rollups,
    store,
    verifierOn: (destination) => destination.contracts.optimisticVerifier,
    read: async ({ entry, client }, fromBlock, toBlock) => {
      const logs = await client.getContractEvents({
        address: entry.contracts.optimisticVerifier,
        abi: optimisticVerifierAbi,
        eventName: "CheckpointSubmitted",
        fromBlock,
        toBlock,
        strict: true,
      });
      return logs.map((log) => log.args);
    },
    isFinal: async (destination, client, source, checkpoint) => {
      try {
        await client.readContract({
          address: destination.contracts.optimisticVerifier,
          abi: optimisticVerifierAbi,
          functionName: "verifyRoot",
          args: [source, checkpoint.count, checkpoint.root, "0x"],
          // The delivery lands in the next block: judge finality by its time, not the last block's
          // (a quiet chain that mines on demand may not have produced a block since the window ended).
          blockTag: "pending",
        });
        return true;
      } catch {
        return false;
      }
    },
  });
}

/**
 * Zk path: the newest checkpoint of the source in an epoch the destination's ZkVerifier imported (final at
 * once); the message carries the epoch and the checkpoint's path in its tree.
 */
export function zkProofSource(rollups: RollupClient[], store: RelayerStore): ProofSource {
  return new RecordedCheckpointSource({
    path: "zk",
    rollups,
    store,
    verifierOn: (destination) => destination.contracts.zkVerifier,
    read: async ({ entry, client }, fromBlock, toBlock) => {
      const logs = await client.getContractEvents({
        address: entry.contracts.zkVerifier,
        abi: zkVerifierAbi,
        eventName: "EpochImported",
        fromBlock,
        toBlock,
        strict: true,
      });
      return logs.flatMap(({ args: { epochRoot, committeeRoot, signerCount, checkpoints } }) => {
        const tree = new EpochTree(
          checkpoints.map(({ sourceChainId, count, root }) => ({ chainId: sourceChainId, count, root })),
        );
        return tree.checkpoints.map(({ chainId, count, root }) => ({
          sourceChainId: chainId,
          count,
          root,
          verifierData: encodeEpochEvidence({
            epochRoot,
            committeeRoot,
            signerCount,
            path: tree.path(chainId) ?? [],
          }),
        }));
      });
    },
  });
}
