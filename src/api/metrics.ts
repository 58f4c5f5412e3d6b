// Prometheus metrics of the API (prom-client): counters and histograms the indexer moves as it reads
// events, and gauges computed from the index at scrape time. One registry per API, so tests can run
// several in one process.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { IndexStore } from "./index-store.js";

export type ChainProgress = { chainId: number; head: number; indexed: number };

export class ApiMetrics {
  readonly registry = new Registry();
  readonly messagesSent: Counter<"path">;
  readonly messagesDelivered: Counter<"path">;
  readonly messagesFailed: Counter<"path">;
  readonly deliveryLatency: Histogram<"path">;
  readonly deliveryGas: Counter<"path">;
  readonly challenges: Counter<"destination">;
  readonly zkEpochs: Counter<"destination">;
  readonly slashes: Counter<"chain">;
  readonly superblocks: Counter;
  readonly superblockInterval: Histogram;
  readonly checkpoints: Counter<"path">;
  readonly intents: Counter<"event" | "path">;
  readonly fillLatency: Histogram<"path">;
  #lastSuperblockAt: number | undefined;

  constructor(store: IndexStore, progress: () => ChainProgress[]) {
    const registers = [this.registry];
    this.messagesSent = new Counter({
      name: "junction_messages_sent_total",
      help: "Messages sent (MessageSent on a source Outbox), by trust path",
      labelNames: ["path"],
      registers,
    });
    this.messagesDelivered = new Counter({
      name: "junction_messages_delivered_total",
      help: "Messages delivered (MessageDelivered on the destination Inbox), by trust path",
      labelNames: ["path"],
      registers,
    });
    this.messagesFailed = new Counter({
      name: "junction_message_failures_total",
      help: "Failed handler calls (MessageFailed), by trust path",
      labelNames: ["path"],
      registers,
    });
    this.deliveryLatency = new Histogram({
      name: "junction_delivery_latency_seconds",
      help: "Seconds from the source block to the delivery block (block timestamps), by trust path",
      labelNames: ["path"],
      buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120, 300],
      registers,
    });
    this.deliveryGas = new Counter({
      name: "junction_delivery_gas_total",
      help: "Gas of the delivering transactions (a batch's gas shared evenly among its messages), by trust path",
      labelNames: ["path"],
      registers,
    });
    this.checkpoints = new Counter({
      name: "junction_checkpoints_total",
      help: "Checkpoints posted (canonical: on the L1 hub; optimistic: submitted on a destination; zk: imported in an epoch)",
      labelNames: ["path"],
      registers,
    });
    this.challenges = new Counter({
      name: "junction_challenges_total",
      help: "Optimistic checkpoints challenged, by destination chain",
      labelNames: ["destination"],
      registers,
    });
    this.zkEpochs = new Counter({
      name: "junction_zk_epochs_imported_total",
      help: "Zk epochs imported (one proof for every rollup's checkpoint), by destination chain",
      labelNames: ["destination"],
      registers,
    });
    this.slashes = new Counter({
      name: "junction_slashes_total",
      help: "Attesters slashed on their source BondManager, by chain",
      labelNames: ["chain"],
      registers,
    });
    this.superblocks = new Counter({
      name: "junction_superblocks_posted_total",
      help: "Superblocks posted to the L1 SuperblockLog",
      registers,
    });
    this.superblockInterval = new Histogram({
      name: "junction_superblock_interval_seconds",
      help: "Seconds between superblocks: L1 time between posting batches, divided by the batch size",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
      registers,
    });
    this.intents = new Counter({
      name: "junction_intents_total",
      help: "Liquidity-router orders by event (opened, filled, repaid, refunded) and settlement path",
      labelNames: ["event", "path"],
      registers,
    });
    this.fillLatency = new Histogram({
      name: "junction_intent_fill_seconds",
      help: "Seconds from an order's Open block to its Filled block (block timestamps), by settlement path",
      labelNames: ["path"],
      buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 60],
      registers,
    });
    new Gauge({
      name: "junction_messages",
      help: "Indexed messages by status and trust path",
      labelNames: ["status", "path"],
      registers,
      collect() {
        this.reset();
        for (const row of store.messageCounts()) this.set({ status: row.status, path: row.path }, row.count);
      },
    });
    new Gauge({
      name: "junction_queue_depth",
      help: "Messages not yet delivered, by destination chain",
      labelNames: ["destination"],
      registers,
      collect() {
        this.reset();
        for (const row of store.pendingByDestination())
          this.set({ destination: String(row.destination) }, row.count);
      },
    });
    new Gauge({
      name: "junction_relayer_lag_seconds",
      help: "Age of the oldest undelivered message, by destination chain (0 when none waits)",
      labelNames: ["destination"],
      registers,
      collect() {
        this.reset();
        const now = Math.floor(Date.now() / 1000);
        for (const row of store.pendingByDestination()) {
          this.set({ destination: String(row.destination) }, Math.max(0, now - row.oldest));
        }
      },
    });
    new Gauge({
      name: "junction_chain_head",
      help: "Newest block of each chain the indexer saw",
      labelNames: ["chain"],
      registers,
      collect() {
        for (const chain of progress()) this.set({ chain: String(chain.chainId) }, chain.head);
      },
    });
    new Gauge({
      name: "junction_indexer_lag_blocks",
      help: "Blocks between a chain's head and what the API has indexed",
      labelNames: ["chain"],
      registers,
      collect() {
        for (const chain of progress())
          this.set({ chain: String(chain.chainId) }, chain.head - chain.indexed);
      },
    });
    new Gauge({
      name: "junction_bonds_at_stake_wei",
      help: "Attester bonds held by the BondManagers (not slashed), by chain",
      labelNames: ["chain"],
      registers,
      collect() {
        this.reset();
        const totals = new Map<number, bigint>();
        for (const bond of store.listBonds()) {
          if (bond.slashed) continue;
          totals.set(bond.chainId, (totals.get(bond.chainId) ?? 0n) + BigInt(bond.amount));
        }
        // Wei fits a double only approximately; Prometheus values are doubles anyway.
        for (const [chain, total] of totals) this.set({ chain: String(chain) }, Number(total));
      },
    });
    new Gauge({
      name: "junction_superblock_height",
      help: "Newest superblock posted to the L1",
      registers,
      collect() {
        this.set(store.latestSuperblockHeight() ?? 0);
      },
    });
  }

  /**
   * Called per L1 block that posted superblocks: the sequencer posts them in batches, so the cadence is
   * the time since the previous batch's L1 block spread over this batch.
   */
  superblocksPosted(count: number, l1Timestamp: number): void {
    if (count === 0) return;
    this.superblocks.inc(count);
    if (this.#lastSuperblockAt !== undefined && l1Timestamp > this.#lastSuperblockAt) {
      const each = (l1Timestamp - this.#lastSuperblockAt) / count;
      for (let i = 0; i < count; i++) this.superblockInterval.observe(each);
    }
    this.#lastSuperblockAt = l1Timestamp;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
