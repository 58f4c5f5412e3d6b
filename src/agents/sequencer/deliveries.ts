// Same-superblock messages: the sequencer indexes every Outbox of its domain as it mines, signs each
// source's checkpoint as of the block it just sealed, and hands the sealer signed `Inbox.deliver`
// transactions for messages whose recipient chose the sequencer path. Deliveries to a rollup mined
// later in the same superblock land in it; the rest land in the next one.
import { type Address, encodeFunctionData, type Hex, type LocalAccount } from "viem";
import type { JunctionPublicClient } from "../../chain/clients.js";
import type { SentMessage } from "../../chain/events.js";
import type { RollupContracts } from "../../chain/manifest.js";
import { inboxAbi } from "../../contracts/generated/index.js";
import { checkpointTypedData } from "../../protocol/checkpoint-signature.js";
import { buildLevels, MESSAGE_TREE_DEPTH, pathOf, rootOf } from "../../protocol/merkle.js";
import type { Message } from "../../protocol/message.js";
import type { MessageProof } from "../../protocol/proof.js";

/** Every message id of every Outbox in the domain, with cheap rollback for an undone superblock. */
export class OutboxIndex {
  readonly #ids = new Map<number, Hex[]>();
  readonly #trees = new Map<number, { count: number; levels: Hex[][] }>();

  append(chainId: number, ids: readonly Hex[]): void {
    const list = this.#ids.get(chainId) ?? [];
    list.push(...ids);
    this.#ids.set(chainId, list);
  }

  /** Lengths to return to with `rollback`. */
  mark(): Map<number, number> {
    return new Map([...this.#ids].map(([chainId, ids]) => [chainId, ids.length]));
  }

  rollback(mark: ReadonlyMap<number, number>): void {
    for (const [chainId, ids] of this.#ids) ids.length = mark.get(chainId) ?? 0;
  }

  count(chainId: number): number {
    return this.#ids.get(chainId)?.length ?? 0;
  }

  /** The tree over the whole Outbox as indexed (built once per count). */
  tree(chainId: number): { count: number; root: Hex; levels: Hex[][] } {
    const ids = this.#ids.get(chainId) ?? [];
    let cached = this.#trees.get(chainId);
    if (!cached || cached.count !== ids.length) {
      cached = { count: ids.length, levels: buildLevels(ids, MESSAGE_TREE_DEPTH) };
      this.#trees.set(chainId, cached);
    }
    return { ...cached, root: rootOf(cached.levels) };
  }
}

export type PlannedDelivery = {
  id: Hex;
  message: Message;
  proof: MessageProof;
  /** First superblock height it may be tried in. */
  dueHeight: number;
  attempts: number;
};

export type DeliveryTarget = { client: JunctionPublicClient; contracts: RollupContracts };

/** Gas above the handler's own limit for proof checking and bookkeeping in `Inbox.deliver`. */
const DELIVERY_OVERHEAD_GAS = 300_000n;
/** Gas per message of a batch beyond its handler's limit (Merkle path, bookkeeping, the 1/64 rule). */
const BATCHED_OVERHEAD_GAS = 150_000n;
/** Most deliveries one transaction carries. */
const MAX_BATCH = 40;
/** A failed delivery is tried again after 2, 4, … 64 superblocks until its deadline. */
const MAX_BACKOFF = 64;

export class DeliveryPlanner {
  readonly #signatures = new Map<string, Hex>();
  #pending: PlannedDelivery[] = [];

  constructor(
    private readonly account: LocalAccount,
    private readonly targets: ReadonlyMap<number, DeliveryTarget>,
  ) {}

  /** Deliveries for messages of one freshly mined source block whose recipient uses the sequencer path. */
  async plan(
    sourceChainId: number,
    messages: readonly SentMessage[],
    index: OutboxIndex,
    height: number,
  ): Promise<PlannedDelivery[]> {
    // One read per (destination, recipient), all at once: a block's messages mostly share a few.
    const choices = new Map<string, Promise<boolean>>();
    const usesPath = (sent: SentMessage) => {
      const target = this.targets.get(Number(sent.message.destinationChainId));
      if (!target) return Promise.resolve(false);
      const key = `${sent.message.destinationChainId}:${sent.message.recipient}`;
      let choice = choices.get(key);
      if (!choice) {
        choice = this.#usesSequencerPath(target, sent.message);
        choices.set(key, choice);
      }
      return choice;
    };
    const uses = await Promise.all(messages.map(usesPath));
    const relevant = messages.filter((_, i) => uses[i]);
    if (relevant.length === 0) return [];
    const tree = index.tree(sourceChainId);
    const signature = await this.#sign(BigInt(sourceChainId), BigInt(tree.count), tree.root);
    return relevant.map((sent) => ({
      id: sent.id,
      message: sent.message,
      proof: {
        count: BigInt(tree.count),
        root: tree.root,
        path: pathOf(tree.levels, Number(sent.message.nonce)),
        verifierData: signature,
      },
      dueHeight: height,
      attempts: 0,
    }));
  }

  async #usesSequencerPath(target: DeliveryTarget, message: Message): Promise<boolean> {
    const verifier: Address = await target.client.readContract({
      address: target.contracts.inbox,
      abi: inboxAbi,
      functionName: "verifierFor",
      args: [message.recipient, message.sourceChainId],
    });
    return verifier.toLowerCase() === target.contracts.sequencerVerifier.toLowerCase();
  }

  async #sign(sourceChainId: bigint, count: bigint, root: Hex): Promise<Hex> {
    const key = `${sourceChainId}:${count}:${root}`;
    let signature = this.#signatures.get(key);
    if (!signature) {
      // Every rollup of a deployment has its Outbox at the same address; the source's names the domain.
      const outbox = this.targets.get(Number(sourceChainId))?.contracts.outbox;
      if (!outbox) throw new Error(`no rollup ${sourceChainId} in the sequencing domain`);
      signature = await this.account.signTypedData(
        checkpointTypedData({ outbox, sourceChainId, count, root }),
      );
      this.#signatures.set(key, signature);
    }
    return signature;
  }

  /** Deliveries carried over from earlier superblocks that are due at `height`, removed from the queue. */
  takeDue(height: number): PlannedDelivery[] {
    const due = this.#pending.filter((delivery) => delivery.dueHeight <= height);
    this.#pending = this.#pending.filter((delivery) => delivery.dueHeight > height);
    return due;
  }

  /**
   * Queues deliveries for a later superblock: their destination was already mined in this one, or the
   * superblock that took them was undone.
   */
  carry(deliveries: readonly PlannedDelivery[]): void {
    this.#pending.push(...deliveries);
  }

  /** A delivery transaction reverted: try again later with a growing pause, until the deadline. */
  retryLater(delivery: PlannedDelivery, height: number, nowSeconds: bigint): boolean {
    if (delivery.message.deadline < nowSeconds) return false;
    const attempts = delivery.attempts + 1;
    const pause = Math.min(2 ** attempts, MAX_BACKOFF);
    this.#pending.push({ ...delivery, attempts, dueHeight: height + pause });
    return true;
  }

  pendingCount(): number {
    return this.#pending.length;
  }

  /**
   * Calldata and gas of one transaction carrying `deliveries`: `Inbox.deliver` for one, and
   * `Inbox.deliverBatch` for several proven by the same signed checkpoint (same source, count, root).
   */
  static transactionFor(deliveries: readonly PlannedDelivery[]): { data: Hex; gas: bigint } {
    const [first] = deliveries;
    if (!first) throw new Error("no delivery to send");
    if (deliveries.length === 1) return DeliveryPlanner.transaction(first);
    return {
      data: encodeFunctionData({
        abi: inboxAbi,
        functionName: "deliverBatch",
        args: [
          deliveries.map((delivery) => delivery.message),
          {
            count: first.proof.count,
            root: first.proof.root,
            paths: deliveries.map((delivery) => delivery.proof.path),
            verifierData: first.proof.verifierData,
          },
        ],
      }),
      gas: deliveries.reduce(
        (sum, delivery) => sum + delivery.message.gasLimit + BATCHED_OVERHEAD_GAS,
        200_000n,
      ),
    };
  }

  /** Groups deliveries that share a signed checkpoint into batches of at most MAX_BATCH, in order. */
  static batches(deliveries: readonly PlannedDelivery[]): PlannedDelivery[][] {
    const groups = new Map<string, PlannedDelivery[]>();
    for (const delivery of deliveries) {
      const { count, root, verifierData } = delivery.proof;
      const key = `${delivery.message.sourceChainId}:${count}:${root}:${verifierData}`;
      groups.set(key, [...(groups.get(key) ?? []), delivery]);
    }
    const batches: PlannedDelivery[][] = [];
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += MAX_BATCH) batches.push(group.slice(i, i + MAX_BATCH));
    }
    return batches;
  }

  /** Calldata and gas of the delivery transaction. */
  static transaction(delivery: PlannedDelivery): { data: Hex; gas: bigint } {
    return {
      data: encodeFunctionData({
        abi: inboxAbi,
        functionName: "deliver",
        args: [delivery.message, delivery.proof],
      }),
      gas: delivery.message.gasLimit + DELIVERY_OVERHEAD_GAS,
    };
  }
}
