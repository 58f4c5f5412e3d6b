// Seals one superblock: one block on every rollup of the domain, mined in a fixed rollup order. Each
// block opens with the transactions forced through the L1 queue, then the revealed committed
// transactions (commit order), then the atomic bundles' legs, then the sequencer's message deliveries
// (one deliverBatch per signed checkpoint), then plain transactions in arrival order. If a required leg
// of a bundle fails, every rollup returns to its snapshot, the bundle is refused with the failing leg
// and its revert, and the superblock is built again without it: a failed bundle leaves no trace.
import { decodeErrorResult, type Hex, keccak256, type LocalAccount, type TransactionReceipt } from "viem";
import type { BlockControl } from "../../chain/block-control.js";
import type { JunctionPublicClient } from "../../chain/clients.js";
import { type ForcedTransaction, getLatestSentMessages } from "../../chain/events.js";
import type { RollupContracts } from "../../chain/manifest.js";
import { nodeRpcCall } from "../../chain/node-rpc.js";
import { junctionErrorsAbi } from "../../contracts/errors.js";
import type { Logger } from "../../log.js";
import { DeliveryPlanner, type OutboxIndex, type PlannedDelivery } from "./deliveries.js";
import type { Bundle, BundleFailure, Commitment, OrderBook } from "./order-book.js";
import { noTimings, type SealTimings, timed } from "./seal-timings.js";

export type SequencedRollup = {
  chainId: number;
  nodeRpcUrl: string;
  client: JunctionPublicClient;
  control: BlockControl;
  contracts: RollupContracts;
};

export type { SealTimings };

export type RollupBlock = {
  chainId: number;
  blockNumber: bigint;
  blockHash: Hex;
  timestamp: bigint;
  transactions: number;
  outboxCount: bigint;
  outboxRoot: Hex;
};

export type Superblock = {
  height: number;
  sealedAt: number;
  blocks: RollupBlock[];
  bundles: Hex[];
  commitments: number[];
  deliveries: Hex[];
  /** Bundles refused while building this superblock. */
  refused: Hex[];
  /** Queue indexes of the L1 forced transactions this superblock mined, or its nodes refused. */
  forcedSettled: number[];
  /** L1 forced-inclusion queue entries handled by this superblock and all before it (set by the sequencer). */
  forcedHandled: number;
  /** Where the seal's time went (the bench reports it; nothing depends on it). */
  timings: SealTimings;
};

/** What a delivery transaction on one rollup is signed with. */
type DeliveryFees = { nonce: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** `promise`, with its rejection also observed now: it may be awaited later, or never if the seal fails first. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

type Submitted = { hash: Hex; error?: string };

type Attempt = {
  blocks: RollupBlock[];
  receipts: Map<Hex, TransactionReceipt>;
  submitted: Map<Hex, Submitted>;
  included: Map<number, Set<Hex>>;
  refusedPlain: Map<number, Set<Hex>>;
  delivered: { delivery: PlannedDelivery; chainId: number; hash: Hex }[];
  carried: PlannedDelivery[];
  forcedSettled: number[];
};

export type SealerConfig = {
  rollups: SequencedRollup[];
  book: OrderBook;
  index: OutboxIndex;
  planner: DeliveryPlanner;
  /** Signs the sequencer's delivery transactions. */
  account: LocalAccount;
  /** Deliveries start once the sequencer's bond is in place. */
  deliveriesEnabled: () => boolean;
  /** Runs `work` (one rollup's pool rebuilt and its block mined) while no transaction reaches that pool. */
  assemble: <T>(chainId: number, work: () => Promise<T>) => Promise<T>;
  logger: Logger;
};

export class SuperblockSealer {
  constructor(private readonly config: SealerConfig) {}

  async seal(height: number, forced: readonly ForcedTransaction[] = []): Promise<Superblock> {
    const started = performance.now();
    const timings = noTimings();
    const superblock = await this.#seal(height, forced, timings);
    timings.total = performance.now() - started;
    return superblock;
  }

  async #seal(
    height: number,
    forced: readonly ForcedTransaction[],
    timings: SealTimings,
  ): Promise<Superblock> {
    const { book, index, planner, rollups } = this.config;
    book.expireCommitments(height);
    let bundles = book.pendingBundles();
    const refused: Hex[] = [];
    const carriedIn = this.config.deliveriesEnabled() ? planner.takeDue(height) : [];
    let forceResend = false;
    for (;;) {
      timings.attempts += 1;
      const snapshots =
        bundles.length > 0
          ? await timed(timings, "snapshots", () => Promise.all(rollups.map((r) => r.control.snapshot())))
          : null;
      const mark = index.mark();
      const revert = (taken: readonly Hex[]) =>
        timed(timings, "snapshots", async () => {
          await Promise.all(rollups.map((rollup, i) => rollup.control.revert(taken[i] as Hex)));
          index.rollback(mark);
        });
      let attempt: Attempt;
      let failed: { bundle: Bundle; failure: BundleFailure } | null;
      try {
        attempt = await this.#attempt(height, bundles, carriedIn, forceResend, forced, timings);
        failed = snapshots
          ? await timed(timings, "bundleCheck", () => this.#firstFailure(bundles, attempt))
          : null;
      } catch (error) {
        // Nothing owed may be lost: the deliveries go back to the queue, and a superblock that can be
        // undone is undone (without bundles its blocks are final, and so is what they indexed).
        planner.carry(carriedIn);
        if (snapshots) await revert(snapshots);
        throw error;
      }
      if (!failed || !snapshots) {
        return this.#commit(height, bundles, refused, attempt, timings);
      }
      await revert(snapshots);
      failed.bundle.state = "rejected";
      failed.bundle.failure = failed.failure;
      refused.push(failed.bundle.id);
      this.config.logger.info("Sequencer#seal", "bundle refused; superblock rebuilt without it", {
        height,
        bundle: failed.bundle.id,
        ...failed.failure,
      });
      bundles = bundles.filter((bundle) => bundle !== failed.bundle);
      forceResend = true; // the revert emptied every pool
    }
  }

  async #attempt(
    height: number,
    bundles: readonly Bundle[],
    carriedIn: readonly PlannedDelivery[],
    forceResend: boolean,
    forced: readonly ForcedTransaction[],
    timings: SealTimings,
  ): Promise<Attempt> {
    const attempt: Attempt = {
      blocks: [],
      receipts: new Map(),
      submitted: new Map(),
      included: new Map(),
      refusedPlain: new Map(),
      delivered: [],
      carried: [],
      forcedSettled: [],
    };
    const deliveriesTo = new Map<number, PlannedDelivery[]>();
    // A destination's nonce and fee are read as soon as a delivery to it is known, while the rollups
    // before it are mined: nothing but this seal mines a block, so they hold until its turn.
    const fees = new Map<number, Promise<DeliveryFees>>();
    const owe = (delivery: PlannedDelivery) => {
      const chainId = Number(delivery.message.destinationChainId);
      deliveriesTo.set(chainId, [...(deliveriesTo.get(chainId) ?? []), delivery]);
      const rollup = this.config.rollups.find((candidate) => candidate.chainId === chainId);
      if (rollup && !fees.has(chainId)) fees.set(chainId, settledLater(this.#fees(rollup)));
    };
    for (const delivery of carriedIn) owe(delivery);
    // Receipts are needed only once every block is mined: they are read while the next rollups are.
    const receipts: Promise<void>[] = [];
    const mined = new Set<number>();
    try {
      for (const rollup of this.config.rollups) {
        const commitments = this.config.book.revealed(rollup.chainId);
        const legs = bundles.flatMap((bundle) =>
          bundle.legs.filter((leg) => leg.tx.chainId === rollup.chainId),
        );
        const forcedHere = forced.filter((entry) => entry.chainId === rollup.chainId);
        const privileged: Hex[] = [
          ...forcedHere.map((entry) => entry.raw),
          ...commitments.map((entry) => entry.tx?.raw).filter((raw): raw is Hex => raw !== undefined),
          ...legs.map((leg) => leg.tx.raw),
        ];
        const deliveries = deliveriesTo.get(rollup.chainId) ?? [];
        const deliveryTxs = await timed(timings, "sign", async () =>
          deliveries.length === 0
            ? []
            : this.#signDeliveries(
                rollup,
                deliveries,
                await (fees.get(rollup.chainId) ?? this.#fees(rollup)),
              ),
        );
        privileged.push(...deliveryTxs.map((tx) => tx.raw));
        await timed(timings, "assemble", () =>
          this.config.assemble(rollup.chainId, async () => {
            if (privileged.length > 0 || forceResend) {
              await rollup.control.dropPending();
              for (const raw of privileged) attempt.submitted.set(raw, await this.#submit(rollup, raw));
              const refused = new Set<Hex>();
              for (const tx of this.config.book.plain(rollup.chainId)) {
                const result = await this.#submit(rollup, tx.raw);
                if (result.error) refused.add(tx.hash);
              }
              attempt.refusedPlain.set(rollup.chainId, refused);
            }
            await rollup.control.mine();
          }),
        );
        mined.add(rollup.chainId);
        // Only this seal mines, so the newest block is the one just mined, for both reads.
        const [block, sent] = await timed(timings, "read", () =>
          Promise.all([
            rollup.client.getBlock({ blockTag: "latest" }),
            getLatestSentMessages(rollup.client, rollup.contracts.outbox),
          ]),
        );
        if (sent.some((entry) => entry.blockNumber !== block.number)) {
          throw new Error(`chain ${rollup.chainId} mined a block the sequencer did not seal`);
        }
        const included = new Set<Hex>(block.transactions);
        attempt.included.set(rollup.chainId, included);
        for (const entry of forcedHere) {
          if (included.has(keccak256(entry.raw)) || attempt.submitted.get(entry.raw)?.error) {
            attempt.forcedSettled.push(entry.index);
          }
        }
        const wanted = [...legs.map((leg) => leg.tx.hash), ...commitments.map((entry) => entry.commitment)];
        for (const tx of deliveryTxs) {
          if (!included.has(tx.hash)) {
            // Not even submitted (or not mined): back to the queue.
            for (const delivery of tx.deliveries)
              attempt.carried.push({ ...delivery, dueHeight: height + 2 });
            continue;
          }
          wanted.push(tx.hash);
          for (const delivery of tx.deliveries) {
            attempt.delivered.push({ delivery, chainId: rollup.chainId, hash: tx.hash });
          }
        }
        receipts.push(
          settledLater(
            this.#readReceipts(
              rollup,
              wanted.filter((hash) => included.has(hash)),
              attempt,
            ),
          ),
        );
        await timed(timings, "plan", async () => {
          this.config.index.append(
            rollup.chainId,
            sent.map((entry) => entry.id),
          );
          if (sent.length === 0) return;
          const enabled = this.config.deliveriesEnabled();
          for (const delivery of await this.config.planner.plan(
            rollup.chainId,
            sent,
            this.config.index,
            height,
          )) {
            const destination = Number(delivery.message.destinationChainId);
            if (!enabled || mined.has(destination))
              attempt.carried.push({ ...delivery, dueHeight: height + 1 });
            else owe(delivery);
          }
        });
        const tree = this.config.index.tree(rollup.chainId);
        attempt.blocks.push({
          chainId: rollup.chainId,
          blockNumber: block.number,
          blockHash: block.hash,
          timestamp: block.timestamp,
          transactions: block.transactions.length,
          outboxCount: BigInt(tree.count),
          outboxRoot: tree.root,
        });
      }
      await timed(timings, "read", () => Promise.all(receipts));
    } catch (error) {
      // The caller may revert the nodes next: let the reads still in flight end first.
      await Promise.allSettled(receipts);
      throw error;
    }
    return attempt;
  }

  /** Receipts of the transactions of `hashes` mined on `rollup`, read at once into the attempt. */
  async #readReceipts(rollup: SequencedRollup, hashes: readonly Hex[], attempt: Attempt): Promise<void> {
    const read = await Promise.all(hashes.map((hash) => rollup.client.getTransactionReceipt({ hash })));
    for (const receipt of read) attempt.receipts.set(receipt.transactionHash, receipt);
  }

  async #submit(rollup: SequencedRollup, raw: Hex): Promise<Submitted> {
    try {
      const hash = await nodeRpcCall<Hex>(rollup.nodeRpcUrl, "eth_sendRawTransaction", [raw]);
      return { hash };
    } catch (error) {
      return { hash: "0x", error: error instanceof Error ? error.message.split("\n")[0] : String(error) };
    }
  }

  /** The sequencer's next nonce on `rollup` and a fee that its next block's base fee cannot outgrow. */
  async #fees(rollup: SequencedRollup): Promise<DeliveryFees> {
    const [nonce, block] = await Promise.all([
      rollup.client.getTransactionCount({ address: this.config.account.address, blockTag: "latest" }),
      rollup.client.getBlock({ blockTag: "latest" }),
    ]);
    const maxPriorityFeePerGas = 1_000_000_000n;
    return {
      nonce,
      maxPriorityFeePerGas,
      maxFeePerGas: (block.baseFeePerGas ?? 0n) * 2n + maxPriorityFeePerGas,
    };
  }

  async #signDeliveries(
    rollup: SequencedRollup,
    deliveries: readonly PlannedDelivery[],
    { nonce, maxFeePerGas, maxPriorityFeePerGas }: DeliveryFees,
  ): Promise<{ raw: Hex; hash: Hex; deliveries: PlannedDelivery[] }[]> {
    const { account } = this.config;
    const signed: { raw: Hex; hash: Hex; deliveries: PlannedDelivery[] }[] = [];
    // Deliveries under one signed checkpoint share a deliverBatch transaction.
    for (const [i, batch] of DeliveryPlanner.batches(deliveries).entries()) {
      const { data, gas } = DeliveryPlanner.transactionFor(batch);
      const raw = await account.signTransaction({
        chainId: rollup.chainId,
        type: "eip1559",
        nonce: nonce + i,
        to: rollup.contracts.inbox,
        data,
        gas,
        maxFeePerGas,
        maxPriorityFeePerGas,
      });
      signed.push({ raw, hash: keccak256(raw), deliveries: batch });
    }
    return signed;
  }

  /** The first bundle with a required leg that failed in `attempt`, and why. */
  async #firstFailure(
    bundles: readonly Bundle[],
    attempt: Attempt,
  ): Promise<{ bundle: Bundle; failure: BundleFailure } | null> {
    for (const bundle of bundles) {
      for (const [leg, { tx, required }] of bundle.legs.entries()) {
        if (!required) continue;
        const receipt = attempt.receipts.get(tx.hash);
        if (receipt?.status === "success") continue;
        const rollup = this.config.rollups.find((candidate) => candidate.chainId === tx.chainId);
        const reason = receipt
          ? await this.#revertReason(rollup?.control, tx.hash)
          : (attempt.submitted.get(tx.raw)?.error ?? "not included in the block (nonce gap or fee too low)");
        return { bundle, failure: { leg, chainId: tx.chainId, hash: tx.hash, reason } };
      }
    }
    return null;
  }

  async #revertReason(control: BlockControl | undefined, hash: Hex): Promise<string> {
    const data = await control?.revertData(hash).catch(() => undefined);
    if (!data || data === "0x") return "reverted without a reason";
    try {
      const decoded = decodeErrorResult({ abi: junctionErrorsAbi, data });
      const args = (decoded.args ?? []).map((arg) => String(arg)).join(", ");
      return `reverted: ${decoded.errorName}(${args})`;
    } catch {
      return `reverted with data ${data}`;
    }
  }

  #commit(
    height: number,
    bundles: readonly Bundle[],
    refused: Hex[],
    attempt: Attempt,
    timings: SealTimings,
  ): Superblock {
    const { book, planner } = this.config;
    for (const bundle of bundles) {
      bundle.state = "included";
      bundle.height = height;
    }
    for (const [chainId, included] of attempt.included) {
      const gone = new Set([...included, ...(attempt.refusedPlain.get(chainId) ?? [])]);
      book.removePlain(chainId, gone);
      for (const entry of book.revealed(chainId)) this.#settleCommitment(entry, included, attempt, height);
    }
    const nowSeconds = attempt.blocks[0]?.timestamp ?? BigInt(Math.floor(Date.now() / 1000));
    const delivered: Hex[] = [];
    for (const { delivery, hash } of attempt.delivered) {
      if (attempt.receipts.get(hash)?.status === "success") delivered.push(delivery.id);
      else planner.retryLater(delivery, height, nowSeconds);
    }
    planner.carry(attempt.carried);
    return {
      height,
      sealedAt: Date.now(),
      blocks: attempt.blocks,
      bundles: bundles.map((bundle) => bundle.id),
      commitments: book.includedAt(height),
      deliveries: delivered,
      refused,
      forcedSettled: attempt.forcedSettled,
      forcedHandled: 0,
      timings,
    };
  }

  #settleCommitment(entry: Commitment, included: ReadonlySet<Hex>, attempt: Attempt, height: number): void {
    if (included.has(entry.commitment)) {
      entry.state = "included";
      entry.height = height;
      return;
    }
    entry.state = "rejected";
    entry.error = entry.tx
      ? (attempt.submitted.get(entry.tx.raw)?.error ?? "not included in the block (nonce gap or fee too low)")
      : "never revealed";
  }
}
