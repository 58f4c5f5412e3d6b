// The message workload every path's benchmark sends, and how it is observed: one small message through
// a rollup's Outbox; a watch that reads sends and deliveries off the chains (one eth_getLogs per rollup
// per poll, so observing a burst costs the system under test little); the burst itself, one sender
// loop per source rollup, as independent users would send (burst.ts runs it in a worker thread); and
// what its deliveries cost.
import { type Address, type Hex, toHex } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../src/chain/clients.js";
import { globalRootOracleAbi, inboxAbi, outboxAbi } from "../src/contracts/generated/index.js";
import { type Stats, stats } from "./report.js";

/** Sends `tag` to `recipient` on chain `to`, with a fixed handler gas limit and a one-hour deadline. */
export function sendBenchMessage(
  wallet: JunctionWalletClient,
  outbox: Address,
  to: number,
  recipient: Address,
  tag: string,
) {
  return wallet.writeContract({
    address: outbox,
    abi: outboxAbi,
    functionName: "send",
    args: [BigInt(to), recipient, toHex(tag), 200_000n, BigInt(Math.floor(Date.now() / 1000) + 3600)],
    gas: 400_000n,
  });
}

export type WatchedRollup = {
  chainId: number;
  client: JunctionPublicClient;
  outbox: Address;
  inbox: Address;
  /** Also watch the global roots this rollup imports (canonical path: when a message became provable). */
  oracle?: Address;
};

/** When the watch first saw an event, and where it was. */
export type Seen = { at: number; tx: Hex; blockNumber: bigint };

const watchedEvents = [
  ...outboxAbi.filter((item) => item.type === "event" && item.name === "MessageSent"),
  ...inboxAbi.filter(
    (item) => item.type === "event" && (item.name === "MessageDelivered" || item.name === "MessageFailed"),
  ),
  ...globalRootOracleAbi.filter((item) => item.type === "event" && item.name === "GlobalRootImported"),
];

/** Sends (by transaction) and deliveries (by message id) on every watched rollup, from `start` on. */
export class MessageWatch {
  /** Each send transaction's message. */
  readonly sent = new Map<Hex, Seen & { id: Hex; sourceChainId: bigint; nonce: bigint }>();
  readonly delivered = new Map<Hex, Seen>();
  /** Each delivery transaction and how many messages it carried (delivered or failed handlers). */
  readonly carried = new Map<Hex, number>();
  /** Per rollup with a watched oracle: the global roots it imported, by index, in order. */
  readonly imports = new Map<number, { index: bigint; at: number }[]>();
  readonly #cursors = new Map<number, bigint>();

  constructor(private readonly rollups: readonly WatchedRollup[]) {}

  async start(): Promise<void> {
    await Promise.all(
      this.rollups.map(async (rollup) => {
        this.#cursors.set(rollup.chainId, (await rollup.client.getBlockNumber()) + 1n);
      }),
    );
  }

  /** Reads new events of the given rollups (all by default), one request each, all at once. */
  async poll(chainIds?: ReadonlySet<number>): Promise<void> {
    const rollups = chainIds ? this.rollups.filter((rollup) => chainIds.has(rollup.chainId)) : this.rollups;
    await Promise.all(rollups.map((rollup) => this.#read(rollup)));
  }

  async #read(rollup: WatchedRollup): Promise<void> {
    const from = this.#cursors.get(rollup.chainId) ?? 0n;
    const head = await rollup.client.getBlockNumber();
    if (head < from) return;
    const logs = await rollup.client.getLogs({
      address: rollup.oracle ? [rollup.outbox, rollup.inbox, rollup.oracle] : [rollup.outbox, rollup.inbox],
      events: watchedEvents,
      fromBlock: from,
      toBlock: head,
      strict: true,
    });
    const at = performance.now();
    for (const log of logs) {
      const seen = { at, tx: log.transactionHash, blockNumber: log.blockNumber };
      if (log.eventName === "MessageSent" && log.address.toLowerCase() === rollup.outbox.toLowerCase()) {
        if (!this.sent.has(log.transactionHash)) {
          const { id, message } = log.args;
          this.sent.set(log.transactionHash, {
            ...seen,
            id,
            sourceChainId: message.sourceChainId,
            nonce: message.nonce,
          });
        }
      } else if (log.eventName === "GlobalRootImported") {
        this.imports.set(rollup.chainId, [
          ...(this.imports.get(rollup.chainId) ?? []),
          { index: log.args.index, at },
        ]);
      } else if (log.eventName === "MessageDelivered" || log.eventName === "MessageFailed") {
        if (log.address.toLowerCase() !== rollup.inbox.toLowerCase()) continue;
        this.carried.set(log.transactionHash, (this.carried.get(log.transactionHash) ?? 0) + 1);
        if (log.eventName === "MessageDelivered" && !this.delivered.has(log.args.id)) {
          this.delivered.set(log.args.id, seen);
        }
      }
    }
    this.#cursors.set(rollup.chainId, head + 1n);
  }

  /** The message a send transaction sent, once seen. */
  idOf(tx: Hex): Hex | undefined {
    return this.sent.get(tx)?.id;
  }

  isDelivered(tx: Hex): boolean {
    const id = this.idOf(tx);
    return id !== undefined && this.delivered.has(id);
  }

  /** Polls every `intervalMs` until every send in `txs` is seen delivered. */
  async untilDelivered(
    txs: readonly Hex[],
    intervalMs: number,
    chainIds?: ReadonlySet<number>,
  ): Promise<void> {
    await this.follow(intervalMs, () => txs.every((tx) => this.isDelivered(tx)), chainIds);
  }

  /** Polls every `intervalMs` until `done()` holds after a poll (or `stopped()` does before one). */
  async follow(
    intervalMs: number,
    done: () => boolean,
    chainIds?: ReadonlySet<number>,
    stopped: () => boolean = () => false,
  ): Promise<void> {
    while (!stopped()) {
      await this.poll(chainIds);
      if (done()) return;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

export type BurstMessage = { from: number; to: number; tx: Hex };

export type BurstResult = {
  messages: number;
  /** Messages per second the sender loops got accepted: first send started to last send accepted. */
  offeredPerSecond: number;
  /** Messages per second delivered: first send started to last delivery seen on its destination. */
  deliveredPerSecond: number;
  /** The delivered rate over the sequential same-rollup baseline. */
  ratioToBaseline: number;
  /** Send seen mined to delivery seen, per message. */
  latencyMs: Stats;
};

export type BurstOptions = {
  chainIds: readonly number[];
  messages: number;
  send: (from: number, to: number, tag: string) => Promise<Hex>;
  tag: string;
  baselinePerSecond: number;
  /** How often the watch polls during the burst (its timing resolution). */
  pollMs: number;
};

/**
 * The all-to-all burst: message i goes from rollup i mod R to the next one, each source rollup's
 * messages sent one after another by its own loop, the loops running at once.
 */
export async function runBurst(
  watch: MessageWatch,
  options: BurstOptions,
): Promise<{ result: BurstResult; sent: BurstMessage[] }> {
  const { chainIds, messages } = options;
  const sent: BurstMessage[] = [];
  let sending = true;
  let failed = false;
  // The watch polls while the loops send, so each send is seen mined when it is, not after the burst.
  const watching = watch.follow(
    options.pollMs,
    () => !sending && sent.every((entry) => watch.isDelivered(entry.tx)),
    undefined,
    () => failed,
  );
  const started = performance.now();
  try {
    await Promise.all(
      chainIds.map(async (from, k) => {
        const to = chainIds[(k + 1) % chainIds.length] as number;
        for (let i = k; i < messages; i += chainIds.length) {
          sent.push({ from, to, tx: await options.send(from, to, `${options.tag} ${i}`) });
        }
      }),
    );
  } catch (error) {
    failed = true;
    await watching.catch(() => undefined);
    throw error;
  }
  const offeredSeconds = (performance.now() - started) / 1000;
  sending = false;
  await watching;
  const deliveredAt = (entry: BurstMessage) => watch.delivered.get(watch.idOf(entry.tx) as Hex) as Seen;
  const lastDelivery = Math.max(...sent.map((entry) => deliveredAt(entry).at));
  const deliveredPerSecond = messages / ((lastDelivery - started) / 1000);
  return {
    sent,
    result: {
      messages,
      offeredPerSecond: messages / offeredSeconds,
      deliveredPerSecond,
      ratioToBaseline: deliveredPerSecond / options.baselinePerSecond,
      latencyMs: stats(
        sent.map((entry) =>
          Math.max(0, deliveredAt(entry).at - (watch.sent.get(entry.tx) as Seen & { id: Hex }).at),
        ),
      ),
    },
  };
}

/** What the burst's deliveries cost on the destinations, read from their receipts. */
export type DeliveryCosts = {
  /** Each message's share of its delivery transaction's gas (shared by every message it carried). */
  gasPerMessage: number[];
  transactions: number;
  /** Messages each delivery transaction carried (delivered or failed). */
  messagesPerTransaction: Stats;
  /** Delivery transactions per sender: which relayer did the work. */
  bySender: Record<string, number>;
};

export async function deliveryCosts(
  watch: MessageWatch,
  sent: readonly BurstMessage[],
  clientOf: (chainId: number) => JunctionPublicClient,
): Promise<DeliveryCosts> {
  const deliveries = sent.flatMap((entry) => {
    const delivery = watch.delivered.get(watch.idOf(entry.tx) as Hex);
    return delivery ? [{ to: entry.to, tx: delivery.tx }] : [];
  });
  const transactions = new Map(deliveries.map((delivery) => [delivery.tx, delivery.to]));
  const receipts = new Map<Hex, { gasUsed: bigint; from: Address }>();
  await Promise.all(
    [...transactions].map(async ([tx, to]) => {
      receipts.set(tx, await clientOf(to).getTransactionReceipt({ hash: tx }));
    }),
  );
  const bySender: Record<string, number> = {};
  for (const { from } of receipts.values()) bySender[from] = (bySender[from] ?? 0) + 1;
  return {
    gasPerMessage: deliveries.map(
      (delivery) => Number(receipts.get(delivery.tx)?.gasUsed) / (watch.carried.get(delivery.tx) ?? 1),
    ),
    transactions: transactions.size,
    messagesPerTransaction: stats([...transactions.keys()].map((tx) => watch.carried.get(tx) ?? 1)),
    bySender,
  };
}
