// Shared sequencer: takes block production away from every rollup of its domain, accepts transactions,
// bundles and commitments on one JSON-RPC endpoint per rollup, and seals a superblock (one block on
// every rollup) at a fixed cadence. It delivers messages on the sequencer path inside the superblock,
// posts every superblock to the L1, and keeps its bond on every rollup so its checkpoints are slashable.
import { encodeAbiParameters, type Hex, keccak256, type LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { anvilBlockControl } from "../../chain/anvil.js";
import type { BlockControl } from "../../chain/block-control.js";
import { publicClientFor, walletClientFor } from "../../chain/clients.js";
import { getSentMessages } from "../../chain/events.js";
import { untilUnreachable } from "../../chain/json-rpc.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import { nodeRpcCall } from "../../chain/node-rpc.js";
import { withStopSignal } from "../../chain/stop-signal.js";
import { inboxAbi, optimisticVerifierAbi, outboxAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import type { Agent } from "../agent.js";
import { topUpBond } from "../bond.js";
import { DeliveryPlanner, type DeliveryTarget, OutboxIndex } from "./deliveries.js";
import { ForcedInclusionQueue } from "./forced-inclusion.js";
import {
  type Bundle,
  type Commitment,
  decodeSignedTransaction,
  OrderBook,
  SequencerRequestError,
} from "./order-book.js";
import { SequencerRpcServer } from "./rpc-server.js";
import { type SequencedRollup, type Superblock, SuperblockSealer } from "./sealer.js";
import { SuperblockPoster } from "./superblock-poster.js";

export type SequencerConfig = {
  network: Pick<Manifest, "l1" | "rollups" | "optimistic">;
  /** Each rollup's node (which the sequencer takes over) and the port of its sequencer endpoint. */
  endpoints: { chainId: number; nodeRpcUrl: string; port: number }[];
  superblockTimeMs: number;
  privateKey: Hex;
  logger: Logger;
  /** How to drive a node (default: anvil's methods). */
  blockControl?: (nodeRpcUrl: string) => BlockControl;
  /** Superblocks a commitment waits for its reveal (default 20). */
  revealWindow?: number;
};

/** How many sealed superblocks stay queryable over RPC. */
const KEEP_SUPERBLOCKS = 4096;
/** How long a stop waits for its last superblocks to reach an L1 that still answers. */
const FINAL_POST_MS = 10_000;

export class Sequencer implements Agent {
  readonly name = "Sequencer";
  readonly account: LocalAccount;
  readonly #book: OrderBook;
  readonly #index = new OutboxIndex();
  readonly #planner: DeliveryPlanner;
  readonly #rollups: SequencedRollup[];
  readonly #sealer: SuperblockSealer;
  readonly #server: SequencerRpcServer;
  readonly #poster: SuperblockPoster;
  readonly #forced: ForcedInclusionQueue;
  readonly #superblocks: Superblock[] = [];
  readonly #heightOfBlock = new Map<string, number>();
  #height = 0;
  #sealing: Promise<unknown> | undefined;
  /** Per rollup: its pool is being rebuilt and its block mined; plain transactions wait for it. */
  readonly #assembling = new Map<number, Promise<unknown>>();
  /** Whether the seal in progress may still be undone (it carries bundles). */
  #undoable = false;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Aborted when a stop gives up on the L1: ends the receipt waits of the loop's superblock posts. */
  #stopping = new AbortController();
  #deliveriesReady = false;
  /** Most sealed-but-unposted superblocks: half the L1's inclusion delay, so no queued deadline passes unseen. */
  #maxBacklog = Number.POSITIVE_INFINITY;

  constructor(private readonly config: SequencerConfig) {
    this.account = privateKeyToAccount(config.privateKey);
    const entries = new Map(config.network.rollups.map((entry) => [entry.chainId, entry]));
    this.#rollups = config.endpoints.map((endpoint) => {
      const entry = entries.get(endpoint.chainId) as RollupEntry;
      const node = { chainId: endpoint.chainId, rpcUrl: endpoint.nodeRpcUrl };
      return {
        chainId: endpoint.chainId,
        nodeRpcUrl: endpoint.nodeRpcUrl,
        client: publicClientFor(node, 50),
        control: (config.blockControl ?? anvilBlockControl)(endpoint.nodeRpcUrl),
        contracts: entry.contracts,
      };
    });
    const targets = new Map<number, DeliveryTarget>(
      this.#rollups.map((rollup) => [rollup.chainId, { client: rollup.client, contracts: rollup.contracts }]),
    );
    this.#book = new OrderBook({
      chainIds: this.#rollups.map((rollup) => rollup.chainId),
      revealWindow: config.revealWindow ?? 20,
    });
    this.#planner = new DeliveryPlanner(this.account, targets);
    this.#sealer = new SuperblockSealer({
      rollups: this.#rollups,
      book: this.#book,
      index: this.#index,
      planner: this.#planner,
      account: this.account,
      deliveriesEnabled: () => this.#deliveriesReady,
      assemble: (chainId, work) => this.#assemble(chainId, work),
      logger: config.logger,
    });
    const l1 = config.network.l1;
    this.#forced = new ForcedInclusionQueue({
      client: publicClientFor(l1),
      superblockLog: l1.contracts.superblockLog,
      deployBlock: BigInt(l1.deployBlock),
    });
    this.#poster = new SuperblockPoster(
      {
        client: publicClientFor(l1),
        wallet: walletClientFor(l1, config.privateKey),
        superblockLog: l1.contracts.superblockLog,
      },
      config.logger,
    );
    this.#server = new SequencerRpcServer(config.endpoints, this.#methods(), () => this.#afterUndoableSeal());
  }

  async start(): Promise<void> {
    if (this.#running) return;
    await Promise.all(this.#rollups.map((rollup) => rollup.control.takeOver()));
    await this.#indexHistory();
    this.#height = await this.#poster.nextHeight();
    await this.#forced.start();
    this.#maxBacklog = Math.floor(Number(await this.#poster.inclusionDelay()) / 2);
    await this.#server.start();
    this.#startLoop();
    await this.#ensureBonded();
    this.config.logger.info("Sequencer#start", "sequencing", {
      chains: this.#rollups.map((rollup) => rollup.chainId),
      superblockTimeMs: this.config.superblockTimeMs,
      height: this.#height,
    });
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    // The last superblocks go to the L1 while it answers; a dead L1 (Ctrl-C stops the nodes with the
    // devnet) must not hold the stop for viem's 180 s receipt timeout. AbortErrors: viem does not retry.
    const stopping = this.#stopping;
    const giveUp = setTimeout(
      () => stopping.abort(new DOMException(`the L1 took over ${FINAL_POST_MS} ms`, "AbortError")),
      FINAL_POST_MS,
    );
    void untilUnreachable(this.config.network.l1.rpcUrl, stopping.signal).then(() =>
      stopping.abort(new DOMException("the L1 does not answer", "AbortError")),
    );
    try {
      await this.#loop;
      await this.#server.stop();
      await withStopSignal(stopping.signal, () => this.#poster.flush()).catch((error: unknown) => {
        this.config.logger.warn("Sequencer#stop", "could not post the last superblocks", {
          error: error instanceof Error ? error.message.split("\n")[0] : String(error),
        });
      });
    } finally {
      clearTimeout(giveUp);
      stopping.abort();
    }
  }

  /** Seals one superblock now (the loop does this every `superblockTimeMs`). */
  async seal(): Promise<Superblock> {
    await this.#afterSeal();
    this.#undoable = this.#book.pendingBundles().length > 0;
    const sealing = this.#sealNow();
    this.#sealing = sealing;
    try {
      return await sealing;
    } finally {
      this.#sealing = undefined;
      this.#undoable = false;
    }
  }

  /** Stops sealing on the clock (tests drive `seal` by hand); `resume` restarts it. */
  async pause(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  resume(): void {
    if (this.#running) return;
    this.#startLoop();
  }

  superblock(height: number): Superblock | undefined {
    return this.#superblocks.find((superblock) => superblock.height === height);
  }

  latestSuperblock(): Superblock | undefined {
    return this.#superblocks[this.#superblocks.length - 1];
  }

  heightOf(chainId: number, blockNumber: bigint): number | undefined {
    return this.#heightOfBlock.get(`${chainId}:${blockNumber}`);
  }

  deliveriesReady(): boolean {
    return this.#deliveriesReady;
  }

  /** Wall time of the recent L1 posts of superblocks, oldest first (see SuperblockPoster.postMs). */
  postTimes(): readonly number[] {
    return this.#poster.postMs;
  }

  async #sealNow(): Promise<Superblock> {
    // No seal without the queue: one that missed a queued transaction could declare a cursor the L1
    // refuses, and a refused post can never be resealed. A failed read fails this seal; the loop retries.
    const queueStarted = performance.now();
    await this.#forced.poll();
    const forced = [...this.#forced.due()];
    const queueMs = performance.now() - queueStarted;
    const superblock = await this.#sealer.seal(this.#height, forced);
    superblock.timings.queue = queueMs;
    superblock.timings.total += queueMs;
    const givenUp = this.#forced.sealed(forced, new Set(superblock.forcedSettled));
    superblock.forcedHandled = this.#forced.handled();
    if (forced.length > 0) {
      this.config.logger.info("Sequencer#seal", "forced transactions offered", {
        height: superblock.height,
        offered: forced.map((entry) => entry.index),
        settled: superblock.forcedSettled,
        handled: superblock.forcedHandled,
      });
    }
    for (const entry of givenUp) {
      this.config.logger.warn("Sequencer#seal", "forced transaction never mined; counted as handled", {
        index: entry.index,
        chainId: entry.chainId,
      });
    }
    this.#height += 1;
    this.#superblocks.push(superblock);
    for (const block of superblock.blocks) {
      this.#heightOfBlock.set(`${block.chainId}:${block.blockNumber}`, superblock.height);
    }
    if (this.#superblocks.length > KEEP_SUPERBLOCKS) {
      const dropped = this.#superblocks.shift() as Superblock;
      for (const block of dropped.blocks) this.#heightOfBlock.delete(`${block.chainId}:${block.blockNumber}`);
    }
    this.#poster.enqueue(superblock);
    this.#server.announce();
    return superblock;
  }

  /** Seals on the clock; the loop's posts to the L1 wait only until a stop gives up on it. */
  #startLoop(): void {
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    this.#running = true;
    this.#loop = withStopSignal(this.#stopping.signal, () => this.#run());
  }

  async #run(): Promise<void> {
    const period = this.config.superblockTimeMs;
    let next = Date.now();
    let sincePost = 0;
    while (this.#running) {
      try {
        // Sealing far ahead of the L1 could seal past a queued transaction's deadline before seeing it.
        if (this.#poster.pending() >= this.#maxBacklog) {
          this.config.logger.debug("Sequencer#seal", "waiting for the L1 to take the sealed superblocks", {
            unposted: this.#poster.pending(),
          });
        } else await this.seal();
        if (!this.#deliveriesReady) await this.#checkBondsMirrored();
      } catch (error) {
        this.config.logger.warn("Sequencer#seal", "sealing failed; will retry", {
          error: error instanceof Error ? error.message.split("\n")[0] : String(error),
        });
      }
      sincePost += period;
      if (sincePost >= 1000 && this.#poster.pending() > 0) {
        sincePost = 0;
        this.#poster.flush().catch((error: unknown) => {
          if (this.#stopping.signal.aborted) return; // the stop reports what it could not post
          this.config.logger.warn("Sequencer#post", "posting superblocks failed; will retry", {
            error: error instanceof Error ? error.message.split("\n")[0] : String(error),
          });
        });
      }
      next += period;
      const delay = next - Date.now();
      if (delay < 0) next = Date.now();
      else
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
    }
  }

  /** The Outbox history of every rollup, and deliveries owed from before a restart. */
  async #indexHistory(): Promise<void> {
    for (const rollup of this.#rollups) {
      const entry = this.config.network.rollups.find((candidate) => candidate.chainId === rollup.chainId);
      const head = await rollup.client.getBlockNumber();
      const sent = await getSentMessages(
        rollup.client,
        rollup.contracts.outbox,
        BigInt(entry?.deployBlock ?? 0),
        head,
      );
      this.#index.append(
        rollup.chainId,
        sent.map((item) => item.id),
      );
      const owed = [];
      for (const delivery of await this.#planner.plan(rollup.chainId, sent, this.#index, this.#height)) {
        const target = this.#rollups.find(
          (candidate) => candidate.chainId === Number(delivery.message.destinationChainId),
        );
        if (!target) continue;
        const status = await target.client.readContract({
          address: target.contracts.inbox,
          abi: inboxAbi,
          functionName: "status",
          args: [delivery.id],
        });
        if (status === 0) owed.push(delivery);
      }
      this.#planner.carry(owed);
    }
  }

  /** Bonds `minBond` on every rollup's BondManager, through its own endpoint like any user. */
  async #ensureBonded(): Promise<void> {
    const minimum = BigInt(this.config.network.optimistic.minBond);
    const hashes = [];
    for (const endpoint of this.config.endpoints) {
      const rollup = this.#rollups.find(
        (candidate) => candidate.chainId === endpoint.chainId,
      ) as SequencedRollup;
      // Through its own endpoint, like any user: the node is no longer mining on its own.
      const wallet = walletClientFor(
        { chainId: endpoint.chainId, rpcUrl: `http://127.0.0.1:${endpoint.port}` },
        this.config.privateKey,
      );
      const topUp = await topUpBond(rollup.client, wallet, rollup.contracts.bondManager, minimum);
      if (topUp.state === "inactive") {
        this.config.logger.error("Sequencer#bond", "bond slashed or withdrawing; destinations will refuse", {
          chainId: endpoint.chainId,
        });
      }
      if (topUp.state === "sent") hashes.push({ rollup, hash: topUp.hash });
    }
    await Promise.all(hashes.map(({ rollup, hash }) => rollup.client.waitForTransactionReceipt({ hash })));
  }

  /** Deliveries start once every destination has learnt the sequencer's bond on every source. */
  async #checkBondsMirrored(): Promise<void> {
    const minimum = BigInt(this.config.network.optimistic.minBond);
    for (const destination of this.#rollups) {
      for (const source of this.#rollups) {
        if (source === destination) continue;
        // Outside the source's dependency set the destination takes no messages from it, nor its bond.
        const linked = await source.client.readContract({
          address: source.contracts.outbox,
          abi: outboxAbi,
          functionName: "maySendTo",
          args: [BigInt(destination.chainId)],
        });
        if (!linked) continue;
        const bond = await destination.client.readContract({
          address: destination.contracts.optimisticVerifier,
          abi: optimisticVerifierAbi,
          functionName: "bondOnSource",
          args: [BigInt(source.chainId), this.account.address],
        });
        if (bond < minimum) return;
      }
    }
    this.#deliveriesReady = true;
    this.config.logger.info(
      "Sequencer#bond",
      "bond known on every rollup; delivering sequencer-path messages",
    );
  }

  async #assemble<T>(chainId: number, work: () => Promise<T>): Promise<T> {
    const running = work();
    this.#assembling.set(chainId, running);
    try {
      return await running;
    } finally {
      this.#assembling.delete(chainId);
    }
  }

  /** Holds a plain transaction while its rollup's block is being assembled (a few milliseconds). */
  async #afterAssembly(chainId: number): Promise<void> {
    for (let running = this.#assembling.get(chainId); running; running = this.#assembling.get(chainId)) {
      await running.catch(() => undefined);
    }
  }

  /** Holds a request that changes the order book until the superblock being sealed is done. */
  async #afterSeal(): Promise<void> {
    while (this.#sealing) await this.#sealing.catch(() => undefined);
  }

  /**
   * Holds a read while the seal in progress carries bundles: its blocks may yet be undone. Blocks of
   * other seals are final as soon as they are mined, so reads pass at once.
   */
  async #afterUndoableSeal(): Promise<void> {
    while (this.#sealing && this.#undoable) await this.#sealing.catch(() => undefined);
  }

  #methods() {
    return {
      eth_sendRawTransaction: async (chainId: number, [raw]: unknown[]) => {
        const tx = await decodeSignedTransaction(raw);
        assertChain(tx.chainId, chainId);
        // Only the rollup's own assembly matters: the transaction must not get into its pool between the
        // pool being emptied and the committed transactions, bundles and deliveries being put first.
        await this.#afterAssembly(chainId);
        // The node checks nonce, balance and gas now, so the wallet gets its usual error at once.
        const rollup = this.#rollups.find((candidate) => candidate.chainId === chainId) as SequencedRollup;
        await nodeRpcCall(rollup.nodeRpcUrl, "eth_sendRawTransaction", [tx.raw]);
        this.#book.addPlain(tx);
        return tx.hash;
      },
      junction_sendBundle: async (_chainId: number, [request]: unknown[]) => {
        const legs = await parseBundle(request);
        await this.#afterSeal();
        return bundleJson(this.#book.addBundle(legs));
      },
      junction_getBundle: async (_chainId: number, [id]: unknown[]) => {
        const bundle = typeof id === "string" ? this.#book.bundle(id as Hex) : undefined;
        if (!bundle) throw new SequencerRequestError(`unknown bundle ${String(id)}`);
        return bundleJson(bundle);
      },
      junction_commit: async (chainId: number, [commitment]: unknown[]) => {
        await this.#afterSeal();
        const entry = this.#book.commit(chainId, commitment, this.#height);
        return {
          ...commitmentJson(entry),
          receipt: await this.#signCommitment(entry),
          sequencer: this.account.address,
        };
      },
      junction_reveal: async (chainId: number, [raw]: unknown[]) => {
        const tx = await decodeSignedTransaction(raw);
        assertChain(tx.chainId, chainId);
        await this.#afterSeal();
        return commitmentJson(this.#book.reveal(tx));
      },
      junction_getCommitment: async (_chainId: number, [commitment]: unknown[]) => {
        const entry = typeof commitment === "string" ? this.#book.commitment(commitment as Hex) : undefined;
        if (!entry) throw new SequencerRequestError(`unknown commitment ${String(commitment)}`);
        return commitmentJson(entry);
      },
      junction_getSuperblock: async (_chainId: number, [height]: unknown[]) => {
        const superblock =
          height === "latest" || height === undefined
            ? this.latestSuperblock()
            : this.superblock(Number(height));
        return superblock ? superblockJson(superblock) : null;
      },
      junction_superblockOf: async (chainId: number, [blockNumber]: unknown[]) => {
        await this.#afterSeal();
        return this.heightOf(chainId, BigInt(String(blockNumber))) ?? null;
      },
      junction_sequencer: async () => ({
        sequencer: this.account.address,
        superblockTimeMs: this.config.superblockTimeMs,
        height: this.#height - 1,
        chains: this.#rollups.map((rollup) => rollup.chainId),
        deliveriesReady: this.#deliveriesReady,
      }),
    };
  }

  /** The sequencer's signed promise of a commitment's place in the order, given before the reveal. */
  #signCommitment(entry: Commitment): Promise<Hex> {
    const digest = keccak256(
      encodeAbiParameters(
        [{ type: "string" }, { type: "uint64" }, { type: "bytes32" }, { type: "uint256" }],
        ["junction-commit", BigInt(entry.chainId), entry.commitment, BigInt(entry.sequence)],
      ),
    );
    return this.account.signMessage({ message: { raw: digest } });
  }
}

function assertChain(txChainId: number, endpointChainId: number): void {
  if (txChainId !== endpointChainId) {
    throw new SequencerRequestError(
      `the transaction is for chain ${txChainId} but was sent to the endpoint of chain ${endpointChainId}`,
    );
  }
}

async function parseBundle(request: unknown) {
  const legs = (request as { transactions?: unknown } | undefined)?.transactions;
  if (!Array.isArray(legs) || legs.length === 0) {
    throw new SequencerRequestError(
      "a bundle is { transactions: [{ raw, required? }, …] } with at least one",
    );
  }
  return Promise.all(
    legs.map(async (leg: { raw?: unknown; required?: unknown }) => ({
      tx: await decodeSignedTransaction(leg?.raw),
      required: leg?.required !== false,
    })),
  );
}

function bundleJson(bundle: Bundle) {
  return {
    id: bundle.id,
    state: bundle.state,
    height: bundle.height ?? null,
    failure: bundle.failure ?? null,
    transactions: bundle.legs.map((leg) => ({
      chainId: leg.tx.chainId,
      hash: leg.tx.hash,
      required: leg.required,
    })),
  };
}

function commitmentJson(entry: Commitment) {
  return {
    sequence: entry.sequence,
    chainId: entry.chainId,
    commitment: entry.commitment,
    state: entry.state,
    committedAtHeight: entry.committedAtHeight,
    height: entry.height ?? null,
    error: entry.error ?? null,
  };
}

export function superblockJson(superblock: Superblock) {
  return {
    height: superblock.height,
    sealedAt: superblock.sealedAt,
    blocks: superblock.blocks.map((block) => ({
      chainId: block.chainId,
      blockNumber: Number(block.blockNumber),
      blockHash: block.blockHash,
      timestamp: Number(block.timestamp),
      transactions: block.transactions,
      outboxCount: Number(block.outboxCount),
      outboxRoot: block.outboxRoot,
    })),
    bundles: superblock.bundles,
    commitments: superblock.commitments,
    deliveries: superblock.deliveries,
    refusedBundles: superblock.refused,
  };
}
