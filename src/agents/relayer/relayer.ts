// Relayer: indexes MessageSent on every rollup into its store and, per destination, delivers every
// message that the trust path its recipient chose can prove now (see proof-sources.ts). Messages proven
// by the same evidence (one source, one checkpoint, one path) go in one Inbox.deliverBatch transaction.
// Handler failures are retried with exponential backoff until the deadline. The store's cursors and
// leases make a restart resume where it stopped and keep parallel relayers from double delivery.
import { type Address, type Hex, parseEventLogs, type TransactionReceipt, toFunctionSelector } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import { getDeliveryEvents, getSentMessages } from "../../chain/events.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import { revertName } from "../../chain/revert.js";
import { inboxWithErrorsAbi } from "../../contracts/errors.js";
import { inboxAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import type { MessageProof, OutboxProver } from "../../protocol/proof.js";
import type { RelayerStore, StoredMessage } from "../../store/store.js";
import { PollingAgent } from "../agent.js";
import {
  CanonicalProofSource,
  optimisticProofSource,
  type ProofSource,
  zkProofSource,
} from "./proof-sources.js";
import { type KeyHealth, RelayerKey } from "./relayer-key.js";
import { classifySendError, errorText } from "./send-errors.js";

export type { KeyHealth };

export type RelayerConfig = {
  network: Pick<Manifest, "l1" | "rollups">;
  privateKey: Hex;
  store: RelayerStore;
  logger: Logger;
  /** Identifies this relayer's leases; a restarted relayer with the same id resumes its own. */
  relayerId?: string;
  intervalMs?: number;
  /** Most messages delivered per destination per tick. */
  batchSize?: number;
  /** Most messages in one deliverBatch transaction (1: one transaction per message). Default 40. */
  maxBatch?: number;
  /** Most handler gas (the messages' gas limits) one deliverBatch transaction carries. Default 8,000,000. */
  batchGasBudget?: bigint;
  /** First retry delay for a failed handler; doubles per attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How long a sent transaction may stay unmined before the key is re-synced and fees bumped. Default 60 s. */
  receiptTimeoutMs?: number;
  /**
   * How long a claim on a message lasts (default two receipt timeouts plus 30 s, so a slow send never
   * outlives it); after a relayer dies, others take its messages once its leases end.
   */
  leaseMs?: number;
};

type Chain = {
  entry: RollupEntry;
  client: JunctionPublicClient;
  wallet: JunctionWalletClient;
  key: RelayerKey;
};

/** Inbox errors after which retrying can never succeed. */
const FINAL_ERRORS = new Set(["WrongDestination", "UnsupportedVersion"]);
/** The destination's dependency set leaves the source out: final once that Inbox's set is sealed. */
const OUTSIDE_SET = "SourceNotInDependencySet";
const OUTSIDE_SET_SELECTOR = toFunctionSelector("SourceNotInDependencySet(uint64)");
/** next_attempt_at of a message never tried again. */
const NEVER = Number.MAX_SAFE_INTEGER;

export class Relayer extends PollingAgent {
  readonly #chains = new Map<number, Chain>();
  /** The chains in order, shared with the proof sources (a rollup added later reaches them too). */
  readonly #chainList: Chain[] = [];
  readonly #proofSources: ProofSource[];
  readonly #id: string;

  constructor(private readonly config: RelayerConfig) {
    super("Relayer", config.intervalMs ?? 200, config.logger);
    for (const entry of config.network.rollups) this.addRollup(entry);
    const chains = this.#chainList;
    this.#proofSources = [
      new CanonicalProofSource(config.network, publicClientFor(config.network.l1), config.store),
      optimisticProofSource(chains, config.store),
      zkProofSource(chains, config.store),
    ];
    this.#id = config.relayerId ?? `relayer-${[...this.#chains.values()][0]?.wallet.account.address ?? "0x"}`;
  }

  /** A new rollup: its Outbox is indexed from its deploy block, and messages to it are delivered. */
  addRollup(entry: RollupEntry): void {
    if (this.#chains.has(entry.chainId)) return;
    const client = publicClientFor(entry);
    const wallet = walletClientFor(entry, this.config.privateKey);
    const key = new RelayerKey(
      { chainId: entry.chainId, client, wallet },
      this.config.logger,
      this.config.receiptTimeoutMs ?? 60_000,
    );
    const chain = { entry, client, wallet, key };
    this.#chains.set(entry.chainId, chain);
    this.#chainList.push(chain);
  }

  /** Per destination: fee bump level and funds, for operators and tests (a metric's source). */
  health(): KeyHealth[] {
    return [...this.#chains.values()].map((chain) => chain.key.health());
  }

  /** A lease outlives this relayer's slowest send: two receipt timeouts (a fee bump) and a margin. */
  #leaseMs(): number {
    return this.config.leaseMs ?? 2 * (this.config.receiptTimeoutMs ?? 60_000) + 30_000;
  }

  override async start(): Promise<void> {
    this.config.logger.info("Relayer#start", "relayer starting", { relayerId: this.#id });
    await super.start();
  }

  async tick(): Promise<void> {
    await Promise.all([
      ...[...this.#chains.values()].map((chain) => this.#indexSource(chain)),
      ...this.#proofSources.map((source) => source.refresh()),
    ]);
    await Promise.all([...this.#chains.values()].map((chain) => this.#deliverTo(chain)));
  }

  async #indexSource({ entry, client }: Chain): Promise<void> {
    const cursorName = `outbox:${entry.chainId}`;
    const from = ((await this.config.store.getCursor(cursorName)) ?? BigInt(entry.deployBlock) - 1n) + 1n;
    const head = await client.getBlockNumber();
    if (from > head) return;
    const sent = await getSentMessages(client, entry.contracts.outbox, from, head);
    const timestamps = new Map<bigint, number>();
    for (const blockNumber of new Set(sent.map((item) => item.blockNumber))) {
      const block = await client.getBlock({ blockNumber });
      timestamps.set(blockNumber, Number(block.timestamp) * 1000);
    }
    await this.config.store.recordSourceBatch(
      cursorName,
      head,
      sent.map((item) => ({
        id: item.id,
        message: item.message,
        sourceTx: item.txHash,
        sourceBlock: item.blockNumber,
        sentAt: timestamps.get(item.blockNumber) ?? 0,
      })),
    );
    if (sent.length > 0) {
      this.config.logger.debug("Relayer#index", "messages seen", {
        chainId: entry.chainId,
        count: sent.length,
      });
    }
  }

  async #deliverTo(destination: Chain): Promise<void> {
    const now = Date.now();
    const due = await this.config.store.due(
      BigInt(destination.entry.chainId),
      now,
      this.config.batchSize ?? 100,
      this.#id,
    );
    if (due.length === 0) return;
    const ready: { message: StoredMessage; proof: MessageProof | null; expire?: true; group?: string }[] = [];
    // Past its deadline a message can only be closed on the destination, which notifies its sender.
    const chainNow = (await destination.client.getBlock({ blockTag: "pending" })).timestamp;
    // One prover per (path, source) and tick, however many of its messages are due.
    const provers = new Map<string, OutboxProver | null>();
    const verifiers = new Map<string, Address>();
    for (const message of due) {
      if (message.message.deadline < chainNow) {
        ready.push({ message, proof: null, expire: true });
        continue;
      }
      if (message.status === "failed") {
        ready.push({ message, proof: null });
        continue;
      }
      const { recipient, sourceChainId, nonce } = message.message;
      const verifierKey = `${recipient}:${sourceChainId}`;
      let verifier = verifiers.get(verifierKey);
      if (!verifier) {
        verifier = await destination.client.readContract({
          address: destination.entry.contracts.inbox,
          abi: inboxAbi,
          functionName: "verifierFor",
          args: [recipient, sourceChainId],
        });
        verifiers.set(verifierKey, verifier);
      }
      const proofSource = this.#proofSources.find(
        (candidate) => candidate.verifierOn(destination.entry).toLowerCase() === verifier.toLowerCase(),
      );
      if (!proofSource) continue; // a verifier this relayer cannot prove for
      const proverKey = `${proofSource.path}:${sourceChainId}`;
      if (!provers.has(proverKey)) {
        provers.set(
          proverKey,
          await proofSource.proverFor(destination.entry, destination.client, sourceChainId),
        );
      }
      const prover = provers.get(proverKey);
      if (!prover || prover.count <= nonce) continue;
      ready.push({ message, proof: prover.prove(nonce), group: `${proverKey}:${prover.count}` });
    }
    const claimed: typeof ready = [];
    for (const item of ready) {
      if (await this.config.store.claim(item.message.id, this.#id, now, this.#leaseMs())) claimed.push(item);
    }
    // Messages proven by the same evidence share one transaction; the rest (retries, expiries, a group
    // of one) go one by one. Send everything in nonce order, then wait for all receipts together.
    const batches = new Map<string, { message: StoredMessage; proof: MessageProof }[]>();
    const singles: typeof claimed = [];
    for (const item of claimed) {
      if (!item.group || !item.proof || item.message.status !== "sent") singles.push(item);
      else
        batches.set(item.group, [
          ...(batches.get(item.group) ?? []),
          { message: item.message, proof: item.proof },
        ]);
    }
    const pending: Promise<void>[] = [];
    for (const group of batches.values()) {
      for (const batch of this.#split(group)) {
        if (batch.length === 1) {
          singles.push(batch[0] as (typeof singles)[number]);
          continue;
        }
        const hash = await this.#sendBatch(destination, batch);
        if (hash) pending.push(this.#recordBatch(destination, batch, hash));
      }
    }
    for (const item of singles) {
      const hash = await this.#send(destination, item.message, item.proof, item.expire === true);
      if (hash) {
        pending.push(destination.key.receipt(hash).then((receipt) => this.#record(item.message, receipt)));
      }
    }
    await Promise.all(pending);
  }

  /** Cuts a group into batches within the size and handler-gas limits, in nonce order. */
  #split<T extends { message: StoredMessage }>(group: readonly T[]): T[][] {
    const maxBatch = this.config.maxBatch ?? 40;
    const budget = this.config.batchGasBudget ?? 8_000_000n;
    const batches: T[][] = [];
    let current: T[] = [];
    let gas = 0n;
    for (const item of [...group].sort((a, b) =>
      a.message.message.nonce < b.message.message.nonce ? -1 : 1,
    )) {
      const itemGas = item.message.message.gasLimit;
      if (current.length > 0 && (current.length >= maxBatch || gas + itemGas > budget)) {
        batches.push(current);
        current = [];
        gas = 0n;
      }
      current.push(item);
      gas += itemGas;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  /** Sends one deliverBatch; on a refused estimate, falls back to delivering its messages one by one. */
  async #sendBatch(
    destination: Chain,
    batch: readonly { message: StoredMessage; proof: MessageProof }[],
  ): Promise<Hex | undefined> {
    const first = batch[0]?.proof as MessageProof;
    const args = [
      batch.map((item) => item.message.message),
      {
        count: first.count,
        root: first.root,
        paths: batch.map((item) => item.proof.path),
        verifierData: first.verifierData,
      },
    ] as const;
    const inbox = destination.entry.contracts.inbox;
    try {
      const gas = await destination.client.estimateContractGas({
        address: inbox,
        abi: inboxWithErrorsAbi,
        functionName: "deliverBatch",
        args,
        account: destination.wallet.account,
      });
      return await destination.wallet.writeContract({
        address: inbox,
        abi: inboxAbi,
        functionName: "deliverBatch",
        args,
        gas: withMargin(gas),
        ...(await destination.key.fees()),
      });
    } catch (error) {
      this.config.logger.warn("Relayer#batch", "batch refused; delivering its messages one by one", {
        destination: destination.entry.chainId,
        messages: batch.length,
        error: revertName(error) ?? (error instanceof Error ? error.message.split("\n")[0] : String(error)),
      });
      destination.key.resync();
      const sent = [];
      for (const item of batch) {
        const hash = await this.#send(destination, item.message, item.proof, false);
        if (hash) sent.push({ item, hash });
      }
      await Promise.all(
        sent.map(async ({ item, hash }) => this.#record(item.message, await destination.key.receipt(hash))),
      );
      return undefined;
    }
  }

  /** Records each message of a mined batch from its own event: delivered, failed, or skipped. */
  async #recordBatch(
    destination: Chain,
    batch: readonly { message: StoredMessage }[],
    hash: Hex,
  ): Promise<void> {
    const receipt = await destination.key.receipt(hash);
    const skipped = new Map(
      parseEventLogs({ abi: inboxAbi, logs: receipt.logs, eventName: "MessageSkipped" }).map((event) => [
        event.args.id,
        event.args.reason,
      ]),
    );
    const share = receipt.gasUsed / BigInt(batch.length);
    for (const { message } of batch) {
      if (receipt.status === "success" && skipped.get(message.id) === OUTSIDE_SET_SELECTOR) {
        await this.#outsideSet(destination, message, OUTSIDE_SET);
        continue;
      }
      if (receipt.status === "success" && skipped.has(message.id)) {
        // Someone else was first, or it expired meanwhile: the chain says which.
        await this.#reconcile(destination, message);
        continue;
      }
      await this.#record(message, receipt, share);
    }
    this.config.logger.info("Relayer#batch", "batch delivered", {
      destination: destination.entry.chainId,
      messages: batch.length,
      skipped: skipped.size,
      tx: hash,
      gasUsed: receipt.gasUsed,
    });
  }

  /** Brings the store in line with the destination's status of a message this relayer did not settle. */
  async #reconcile(destination: Chain, stored: StoredMessage, known?: number): Promise<void> {
    const inbox = destination.entry.contracts.inbox;
    const onChain =
      known ??
      (await destination.client.readContract({
        address: inbox,
        abi: inboxAbi,
        functionName: "status",
        args: [stored.id],
      }));
    if (onChain === 1) {
      const events = await getDeliveryEvents(
        destination.client,
        inbox,
        stored.id,
        BigInt(destination.entry.deployBlock),
      );
      const delivered = events.find((event) => event.kind === "delivered");
      await this.config.store.markDelivered(stored.id, {
        tx: delivered?.txHash ?? null,
        at: Date.now(),
        gasUsed: null,
      });
    } else if (onChain === 3) {
      await this.config.store.markExpired(stored.id, "expired undelivered on the destination");
    } else if (onChain === 2) {
      await this.config.store.markFailed(stored.id, {
        error: "handler reverted (another relayer's delivery)",
        nextAttemptAt: Date.now() + this.#backoff(stored.attempts),
        tx: null,
      });
    } else {
      await this.config.store.postpone(stored.id, {
        error: "skipped in a batch",
        nextAttemptAt: Date.now() + this.#backoff(stored.attempts),
      });
    }
  }

  /** Sends the delivery (or retry) transaction; returns undefined when nothing was sent. */
  async #send(
    destination: Chain,
    stored: StoredMessage,
    proof: MessageProof | null,
    expire: boolean,
  ): Promise<Hex | undefined> {
    const inbox = destination.entry.contracts.inbox;
    const onChain = await destination.client.readContract({
      address: inbox,
      abi: inboxAbi,
      functionName: "status",
      args: [stored.id],
    });
    if (onChain === 1 || onChain === 3) {
      // Delivered already (by us before a restart, or by another relayer), or expired there.
      await this.#reconcile(destination, stored, onChain);
      return undefined;
    }
    const account = destination.wallet.account;
    try {
      if (expire) {
        const args = [stored.message] as const;
        const gas = await destination.client.estimateContractGas({
          address: inbox,
          abi: inboxWithErrorsAbi,
          functionName: "expire",
          args,
          account,
        });
        return await destination.wallet.writeContract({
          address: inbox,
          abi: inboxAbi,
          functionName: "expire",
          args,
          gas: withMargin(gas),
          ...(await destination.key.fees()),
        });
      }
      if (proof && onChain === 0) {
        const args = [stored.message, proof] as const;
        const gas = await destination.client.estimateContractGas({
          address: inbox,
          abi: inboxWithErrorsAbi,
          functionName: "deliver",
          args,
          account,
        });
        return await destination.wallet.writeContract({
          address: inbox,
          abi: inboxAbi,
          functionName: "deliver",
          args,
          gas: withMargin(gas),
          ...(await destination.key.fees()),
        });
      }
      const args = [stored.message] as const;
      const gas = await destination.client.estimateContractGas({
        address: inbox,
        abi: inboxWithErrorsAbi,
        functionName: "retry",
        args,
        account,
      });
      return await destination.wallet.writeContract({
        address: inbox,
        abi: inboxAbi,
        functionName: "retry",
        args,
        gas: retryBudget(gas, stored.message.gasLimit),
        ...(await destination.key.fees()),
      });
    } catch (error) {
      await this.#onSendError(destination, stored, error);
      return undefined;
    }
  }

  async #onSendError(destination: Chain, stored: StoredMessage, error: unknown): Promise<void> {
    const errorName = revertName(error);
    const text =
      errorName ?? (error instanceof Error ? error.message.split("\n")[0] : String(error)) ?? "unknown";
    if (errorName && FINAL_ERRORS.has(errorName)) {
      await this.config.store.markExpired(stored.id, text);
      this.config.logger.warn("Relayer#send", "message can no longer be delivered", {
        id: stored.id,
        error: text,
      });
      return;
    }
    if (errorName === OUTSIDE_SET) {
      await this.#outsideSet(destination, stored, text);
      return;
    }
    const kind = classifySendError(error);
    // Nonce drift and a broke key are not the message's fault: try again soon, without growing backoff.
    const soon = destination.key.failed(kind);
    await this.config.store.postpone(stored.id, {
      error: kind === "revert" || kind === "other" ? text : `${kind}: ${errorText(error).split("\n")[0]}`,
      nextAttemptAt: Date.now() + (soon ? 1_000 : this.#backoff(stored.attempts)),
    });
    this.config.logger.warn("Relayer#send", "delivery attempt failed", {
      id: stored.id,
      error: text,
      attempts: stored.attempts + 1,
    });
  }

  /**
   * A message the destination refuses because its source is outside the destination's dependency set:
   * recorded as failed with the reason and never tried again once that Inbox's set is sealed (nothing can
   * change it; the message can neither be delivered nor expired there). An unsealed set may still take
   * the source in, so that one is only put off like any refusal.
   */
  async #outsideSet(destination: Chain, stored: StoredMessage, reason: string): Promise<void> {
    // An Inbox from before sealing existed has no such getter: unsealed.
    const sealed = await destination.client
      .readContract({
        address: destination.entry.contracts.inbox,
        abi: inboxAbi,
        functionName: "dependencySetSealed",
      })
      .catch(() => false);
    if (!sealed) {
      await this.config.store.postpone(stored.id, {
        error: reason,
        nextAttemptAt: Date.now() + this.#backoff(stored.attempts),
      });
      return;
    }
    await this.config.store.markFailed(stored.id, {
      error: `${reason}: chain ${stored.message.destinationChainId} does not take messages from chain ${stored.message.sourceChainId} (its dependency set is sealed); not retried`,
      nextAttemptAt: NEVER,
      tx: null,
    });
    this.config.logger.warn("Relayer#send", "message refused by the destination's sealed dependency set", {
      id: stored.id,
      from: stored.message.sourceChainId,
      to: stored.message.destinationChainId,
    });
  }

  async #record(
    stored: StoredMessage,
    receipt: TransactionReceipt,
    gasUsed = receipt.gasUsed,
  ): Promise<void> {
    const events = parseEventLogs({
      abi: inboxAbi,
      logs: receipt.logs,
      eventName: ["MessageDelivered", "MessageFailed", "MessageExpiredHere"],
    });
    const mine = events.find((event) => event.args.id === stored.id);
    if (receipt.status === "success" && mine?.eventName === "MessageExpiredHere") {
      await this.config.store.markExpired(stored.id, `expired undelivered; notice ${mine.args.noticeId}`);
      this.config.logger.warn("Relayer#expire", "message expired undelivered; its sender was notified", {
        id: stored.id,
        notice: mine.args.noticeId,
      });
      return;
    }
    if (receipt.status === "success" && mine?.eventName === "MessageDelivered") {
      await this.config.store.markDelivered(stored.id, {
        tx: receipt.transactionHash,
        at: Date.now(),
        gasUsed,
      });
      this.config.logger.info("Relayer#deliver", "message delivered", {
        id: stored.id,
        from: stored.message.sourceChainId,
        to: stored.message.destinationChainId,
        tx: receipt.transactionHash,
        gasUsed,
      });
      return;
    }
    const error =
      mine?.eventName === "MessageFailed" ? `handler reverted: ${mine.args.reason}` : "transaction reverted";
    await this.config.store.markFailed(stored.id, {
      error,
      nextAttemptAt: Date.now() + this.#backoff(stored.attempts),
      tx: receipt.transactionHash,
    });
    this.config.logger.warn("Relayer#deliver", "message failed on destination; will retry", {
      id: stored.id,
      error,
    });
  }

  #backoff(attempts: number): number {
    const base = this.config.backoffMs ?? 1_000;
    return Math.min(base * 2 ** attempts, this.config.maxBackoffMs ?? 60_000);
  }
}

/**
 * Gas for `retry`. Its estimate is the least gas with which the transaction does not revert, and a
 * handler that fails does not revert it, so the estimate only covers a failing handler. Retry forwards
 * all it gets to the handler, so give it a real budget: three times the message's gas limit.
 */
function retryBudget(estimate: bigint, gasLimit: bigint): bigint {
  const budget = gasLimit * 3n + 300_000n;
  const capped = budget > 15_000_000n ? 15_000_000n : budget;
  return capped > estimate ? capped : withMargin(estimate);
}

/** Gas estimates are exact for the state they saw; leave room for the handler's own variance. */
function withMargin(gas: bigint): bigint {
  return (gas * 12n) / 10n;
}
