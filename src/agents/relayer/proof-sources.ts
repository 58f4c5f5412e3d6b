// Where the relayer gets the evidence for each trust path. A path is one ProofSource: it refreshes what
// it knows once per tick and returns a prover for messages of one source to one destination. Adding a
// trust path adds a ProofSource here; the delivery loop does not change.
import type { Address, Hex } from "viem";
import type { JunctionPublicClient } from "../../chain/clients.js";
import { getPostedCheckpoints } from "../../chain/events.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import { globalRootOracleAbi, optimisticVerifierAbi } from "../../contracts/generated/index.js";
import { HubHistory } from "../../protocol/checkpoint.js";
import { canonicalProver, type OutboxProver, outboxProver, ProofInputError } from "../../protocol/proof.js";
import type { RelayerStore } from "../../store/store.js";

export type TrustPathName = "canonical" | "optimistic";

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

/** Ids of the first `count` messages of a source, or null while the relayer has not indexed them all. */
async function idsFor(store: RelayerStore, sourceChainId: bigint, count: bigint): Promise<Hex[] | null> {
  const ids = await store.messageIds(sourceChainId, count);
  return BigInt(ids.length) < count ? null : ids;
}

/** Canonical path: the newest global root the destination imported, reopened from the hub's events. */
export class CanonicalProofSource implements ProofSource {
  readonly path = "canonical" as const;
  readonly #history = new HubHistory();
  #cursor: bigint;

  constructor(
    private readonly network: Pick<Manifest, "l1">,
    private readonly l1: JunctionPublicClient,
    private readonly store: RelayerStore,
  ) {
    this.#cursor = BigInt(network.l1.deployBlock);
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
    const ids = await idsFor(this.store, sourceChainId, inclusion.checkpoint.count);
    return ids ? canonicalProver(ids, inclusion) : null;
  }
}

type Submitted = { count: bigint; root: Hex };

/** Optimistic path: the largest checkpoint on the destination that its verifier already treats as final. */
export class OptimisticProofSource implements ProofSource {
  readonly path = "optimistic" as const;
  readonly #seen = new Map<number, { cursor: bigint; bySource: Map<bigint, Submitted[]> }>();

  constructor(
    private readonly rollups: { entry: RollupEntry; client: JunctionPublicClient }[],
    private readonly store: RelayerStore,
  ) {}

  verifierOn(destination: RollupEntry): Address {
    return destination.contracts.optimisticVerifier;
  }

  async refresh(): Promise<void> {
    await Promise.all(this.rollups.map(({ entry, client }) => this.#index(entry, client)));
  }

  async #index(entry: RollupEntry, client: JunctionPublicClient): Promise<void> {
    const state = this.#seen.get(entry.chainId) ?? { cursor: BigInt(entry.deployBlock), bySource: new Map() };
    this.#seen.set(entry.chainId, state);
    const head = await client.getBlockNumber();
    if (state.cursor > head) return;
    const logs = await client.getContractEvents({
      address: entry.contracts.optimisticVerifier,
      abi: optimisticVerifierAbi,
      eventName: "CheckpointSubmitted",
      fromBlock: state.cursor,
      toBlock: head,
      strict: true,
    });
    for (const log of logs) {
      const list = state.bySource.get(log.args.sourceChainId) ?? [];
      list.push({ count: log.args.count, root: log.args.root });
      state.bySource.set(log.args.sourceChainId, list);
    }
    state.cursor = head + 1n;
  }

  async proverFor(destination: RollupEntry, client: JunctionPublicClient, sourceChainId: bigint) {
    const submitted = this.#seen.get(destination.chainId)?.bySource.get(sourceChainId) ?? [];
    const newestFirst = [...submitted].sort((a, b) => (a.count > b.count ? -1 : 1));
    for (const checkpoint of newestFirst) {
      if (!(await this.#isFinal(destination, client, sourceChainId, checkpoint))) continue;
      const ids = await idsFor(this.store, sourceChainId, checkpoint.count);
      if (!ids) return null;
      try {
        return outboxProver(ids, checkpoint.count, checkpoint.root, "0x");
      } catch (error) {
        // A final checkpoint our own index contradicts: never prove against it.
        if (error instanceof ProofInputError) continue;
        throw error;
      }
    }
    return null;
  }

  async #isFinal(
    destination: RollupEntry,
    client: JunctionPublicClient,
    source: bigint,
    checkpoint: Submitted,
  ) {
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
  }
}
