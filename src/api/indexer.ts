// The API's indexer: follows every chain's Junction events (Outbox, Inbox, OptimisticVerifier and
// BondManager, the router's settlers and the order book's gateway on the rollups; RollupHub and
// SuperblockLog on the L1) in bounded block ranges into the
// API's SQLite index, and appends each change to the ordered event log the WebSocket streams. One scan
// commits its rows, its events and its cursors in one transaction, so a restart resumes where it stopped.
// The devnet's anvil nodes do not reorganise; a reorg-prone chain would need confirmations here.

import { setMaxListeners } from "node:events";
import { type Abi, type Address, type Hex, type Log, parseEventLogs } from "viem";
import { PollingAgent } from "../agents/agent.js";
import type { JunctionPublicClient } from "../chain/clients.js";
import { LOG_RANGE } from "../chain/events.js";
import type { Manifest, RollupEntry } from "../chain/manifest.js";
import { currentStopSignal } from "../chain/stop-signal.js";
import {
  bondManagerAbi,
  inboxAbi,
  intentSettlerAbi,
  optimisticVerifierAbi,
  orderGatewayAbi,
  outboxAbi,
  rollupHubAbi,
  superblockLogAbi,
  zkVerifierAbi,
} from "../contracts/generated/index.js";
import type { Logger } from "../log.js";
import { messageToJson } from "../protocol/message.js";
import { pathOf } from "../sdk/getMessageStatus.js";
import { clientOf } from "../sdk/network.js";
import { type DecodedLog, type EventContext, prepareBond, prepareIntent, same } from "./app-events.js";
import type { IndexedCheckpoint, IndexStore } from "./index-store.js";
import { settlerPath } from "./intent-index.js";
import type { ApiMetrics, ChainProgress } from "./metrics.js";

const rollupAbi = [
  ...outboxAbi,
  ...inboxAbi,
  ...optimisticVerifierAbi,
  ...bondManagerAbi,
  ...intentSettlerAbi,
  // Only the fills: the gateway's other events are read from the chain when a request asks.
  ...orderGatewayAbi.filter((item) => item.type === "event" && item.name === "OrderFilled"),
  ...zkVerifierAbi.filter((item) => item.type === "event" && item.name === "EpochImported"),
] as const;
const l1Abi = [...rollupHubAbi, ...superblockLogAbi] as const;

/** OptimisticVerifier.State, by its uint8 value. */
const OPTIMISTIC_STATES = ["none", "pending", "challenged", "confirmed", "rejected", "abandoned"] as const;

export type IndexerConfig = {
  network: Pick<Manifest, "l1" | "rollups" | "optimistic" | "orderbook">;
  store: IndexStore;
  metrics: ApiMetrics;
  logger: Logger;
  intervalMs?: number;
  /** Called after each scan that appended events (the stream wakes its clients). */
  onEvents?: () => void;
};

type Scan = { chainId: number; logs: Log[]; head: bigint; to: bigint };

export class Indexer extends PollingAgent {
  readonly #config: IndexerConfig;
  readonly #progress = new Map<number, ChainProgress>();
  readonly #verifiers = new Map<string, Address>();
  readonly #timestamps = new Map<string, number>();

  constructor(config: IndexerConfig) {
    super("Indexer", config.intervalMs ?? 250, config.logger);
    this.#config = config;
  }

  /** Each chain's head and how far the index has read it. */
  progress(): ChainProgress[] {
    return [...this.#progress.values()];
  }

  async tick(): Promise<void> {
    const { network } = this.#config;
    // Every chain is read at once, each request listening to the loop's stop signal: not a leak.
    const signal = currentStopSignal();
    if (signal) setMaxListeners(0, signal);
    const scans = await Promise.all([
      this.#scan(network.l1.chainId, clientOf(network.l1), network.l1.deployBlock, [
        network.l1.contracts.rollupHub,
        network.l1.contracts.superblockLog,
      ]),
      ...network.rollups.map((rollup) =>
        this.#scan(rollup.chainId, clientOf(rollup), rollup.deployBlock, [
          rollup.contracts.outbox,
          rollup.contracts.inbox,
          rollup.contracts.optimisticVerifier,
          rollup.contracts.bondManager,
          ...Object.values(rollup.contracts.settlers),
          rollup.contracts.zkVerifier,
          ...(network.orderbook ? [network.orderbook.gateway] : []),
        ]),
      ),
    ]);
    const [l1Scan, ...rollupScans] = scans as [Scan, ...Scan[]];
    const prepared = await this.#prepare(l1Scan, rollupScans);
    const { store } = this.#config;
    const before = store.lastEventCursor();
    store.transaction(() => {
      // Sends first: a sequenced delivery can land in the same superblock as its send.
      for (const apply of prepared.sends) apply();
      for (const apply of prepared.rest) apply();
      for (const expired of store.expire(Math.floor(Date.now() / 1000)))
        store.appendEvent("message", expired);
      for (const scan of scans) store.setCursor(cursorName(scan.chainId), scan.to + 1n);
    });
    for (const scan of scans) {
      this.#progress.set(scan.chainId, {
        chainId: scan.chainId,
        head: Number(scan.head),
        indexed: Number(scan.to),
      });
    }
    if (store.lastEventCursor() > before) this.#config.onEvents?.();
  }

  async #scan(
    chainId: number,
    client: JunctionPublicClient,
    deployBlock: number,
    address: Address[],
  ): Promise<Scan> {
    const head = await client.getBlockNumber();
    const from = this.#config.store.cursor(cursorName(chainId)) ?? BigInt(deployBlock);
    if (from > head) return { chainId, logs: [], head, to: from - 1n };
    const to = from + LOG_RANGE - 1n < head ? from + LOG_RANGE - 1n : head;
    const logs = await client.getLogs({ address, fromBlock: from, toBlock: to });
    return { chainId, logs, head, to };
  }

  /** Reads what the rows need from the chains (timestamps, verifiers, gas) before the write transaction. */
  async #prepare(
    l1Scan: Scan,
    rollupScans: Scan[],
  ): Promise<{ sends: (() => void)[]; rest: (() => void)[] }> {
    const sends: (() => void)[] = [];
    const rest: (() => void)[] = [];
    const { store, metrics, network } = this.#config;
    const l1 = network.l1;
    for (const log of parseEventLogs({
      abi: l1Abi as Abi,
      logs: l1Scan.logs,
      strict: true,
    }) as DecodedLog[]) {
      const timestamp = await this.#timestamp(clientOf(l1), log.blockNumber);
      if (log.eventName === "CheckpointPosted" && same(log.address, l1.contracts.rollupHub)) {
        const checkpoint: IndexedCheckpoint = {
          path: "canonical",
          sourceChainId: Number(log.args.chainId),
          destinationChainId: 0,
          count: Number(log.args.count),
          root: log.args.root as Hex,
          attester: null,
          postedAt: timestamp,
          windowEnd: null,
          state: "final",
          tx: log.transactionHash,
        };
        rest.push(() => {
          store.upsertCheckpoint(checkpoint);
          store.appendEvent("checkpoint", checkpoint);
          metrics.checkpoints.inc({ path: "canonical" });
        });
      } else if (log.eventName === "SuperblockPosted" && same(log.address, l1.contracts.superblockLog)) {
        const blocks = (log.args.blocks as SuperblockBlockArgs[]).map((block) => ({
          chainId: Number(block.chainId),
          blockNumber: Number(block.blockNumber),
          blockHash: block.blockHash,
          outboxCount: block.outboxCount.toString(),
          outboxRoot: block.outboxRoot,
        }));
        const superblock = {
          height: Number(log.args.height),
          commitment: log.args.commitment as Hex,
          blocks,
          l1Block: Number(log.blockNumber),
          tx: log.transactionHash,
          postedAt: timestamp,
        };
        rest.push(() => {
          store.insertSuperblock(superblock);
          store.appendEvent("superblock", superblock);
        });
      }
    }
    const postedPerBlock = new Map<number, { count: number; timestamp: number }>();
    for (const log of parseEventLogs({
      abi: l1Abi as Abi,
      logs: l1Scan.logs,
      strict: true,
    }) as DecodedLog[]) {
      if (log.eventName !== "SuperblockPosted") continue;
      const entry = postedPerBlock.get(Number(log.blockNumber)) ?? {
        count: 0,
        timestamp: await this.#timestamp(clientOf(l1), log.blockNumber),
      };
      entry.count += 1;
      postedPerBlock.set(Number(log.blockNumber), entry);
    }
    rest.push(() => {
      for (const { count, timestamp } of postedPerBlock.values()) metrics.superblocksPosted(count, timestamp);
    });
    for (const scan of rollupScans) {
      const rollup = network.rollups.find((entry) => entry.chainId === scan.chainId) as RollupEntry;
      await this.#prepareRollup(rollup, scan, sends, rest);
    }
    return { sends, rest };
  }

  async #prepareRollup(rollup: RollupEntry, scan: Scan, sends: (() => void)[], rest: (() => void)[]) {
    const { store, metrics, network } = this.#config;
    const client = clientOf(rollup);
    const contracts = rollup.contracts;
    const logs = parseEventLogs({ abi: rollupAbi as Abi, logs: scan.logs, strict: true }) as DecodedLog[];
    // A relayer delivers a batch in one transaction: each message gets its share of that transaction's gas.
    const handledPerTx = new Map<Hex, number>();
    for (const log of logs) {
      if (
        (log.eventName === "MessageDelivered" || log.eventName === "MessageFailed") &&
        same(log.address, contracts.inbox)
      ) {
        handledPerTx.set(log.transactionHash, (handledPerTx.get(log.transactionHash) ?? 0) + 1);
      }
    }
    const receipts = new Map<Hex, Promise<bigint>>();
    const gasOf = (hash: Hex) => {
      let gas = receipts.get(hash);
      if (!gas) {
        gas = client.getTransactionReceipt({ hash }).then((receipt) => receipt.gasUsed);
        receipts.set(hash, gas);
      }
      return gas;
    };
    for (const log of logs) {
      const { args } = log;
      if (log.eventName === "MessageSent" && same(log.address, contracts.outbox)) {
        const message = args.message as Parameters<typeof messageToJson>[0];
        const destination = network.rollups.find(
          (entry) => entry.chainId === Number(message.destinationChainId),
        );
        const verifier = destination
          ? await this.#verifierFor(destination, message.recipient, scan.chainId)
          : null;
        const path = destination && verifier ? pathOf(verifier, destination) : "custom";
        const sent = {
          id: log.args.id as Hex,
          sourceChainId: scan.chainId,
          destinationChainId: Number(message.destinationChainId),
          sender: message.sender,
          recipient: message.recipient,
          nonce: message.nonce.toString(),
          path,
          verifier: verifier ?? "0x0000000000000000000000000000000000000000",
          message: messageToJson({ ...message, version: Number(message.version) }),
          tx: log.transactionHash,
          block: Number(log.blockNumber),
          timestamp: await this.#timestamp(client, log.blockNumber),
        };
        sends.push(() => {
          const indexed = store.recordSent(sent);
          store.appendEvent("message", indexed);
          metrics.messagesSent.inc({ path });
          // A delivery indexed before its send (same scan or earlier) was not counted then.
          if (indexed.delivery) this.#observeDelivery(path, indexed);
        });
      } else if (log.eventName === "MessageDelivered" && same(log.address, contracts.inbox)) {
        const id = args.id as Hex;
        const [timestamp, gas] = await Promise.all([
          this.#timestamp(client, log.blockNumber),
          gasOf(log.transactionHash),
        ]);
        const share = gas / BigInt(handledPerTx.get(log.transactionHash) ?? 1);
        const delivery = {
          tx: log.transactionHash,
          block: Number(log.blockNumber),
          timestamp,
          gasUsed: share.toString(),
        };
        rest.push(() => {
          const indexed = store.recordDelivered(id, delivery);
          if (!indexed) return; // its MessageSent comes in a later scan, which counts it
          store.appendEvent("message", indexed);
          this.#observeDelivery(indexed.path ?? "custom", indexed);
        });
      } else if (log.eventName === "MessageFailed" && same(log.address, contracts.inbox)) {
        const failure = { tx: log.transactionHash, reason: (args.reason as Hex | undefined) ?? null };
        rest.push(() => {
          const indexed = store.recordFailed(args.id as Hex, failure);
          if (!indexed) return;
          store.appendEvent("message", indexed);
          metrics.messagesFailed.inc({ path: indexed.path ?? "custom" });
        });
      } else if (log.eventName === "CheckpointSubmitted" && same(log.address, contracts.optimisticVerifier)) {
        const postedAt = await this.#timestamp(client, log.blockNumber);
        const checkpoint: IndexedCheckpoint = {
          path: "optimistic",
          sourceChainId: Number(args.sourceChainId),
          destinationChainId: scan.chainId,
          count: Number(args.count),
          root: args.root as Hex,
          attester: args.attester as Hex,
          postedAt,
          windowEnd: postedAt + network.optimistic.challengeWindow,
          state: "pending",
          tx: log.transactionHash,
        };
        rest.push(() => {
          store.upsertCheckpoint(checkpoint);
          store.appendEvent("checkpoint", checkpoint);
          metrics.checkpoints.inc({ path: "optimistic" });
        });
      } else if (
        (log.eventName === "CheckpointChallenged" || log.eventName === "CheckpointSettled") &&
        same(log.address, contracts.optimisticVerifier)
      ) {
        const state =
          log.eventName === "CheckpointChallenged"
            ? "challenged"
            : (OPTIMISTIC_STATES[Number(args.state)] ?? "unknown");
        const key = {
          path: "optimistic",
          sourceChainId: Number(args.sourceChainId),
          destinationChainId: scan.chainId,
          count: Number(args.count),
        };
        rest.push(() => {
          const updated = store.setCheckpointState(key, state);
          if (updated) store.appendEvent("checkpoint", updated);
          if (state === "challenged") metrics.challenges.inc({ destination: String(scan.chainId) });
        });
      } else if (same(log.address, contracts.bondManager)) {
        prepareBond(this.#context(), scan.chainId, log, rest);
      } else if (settlerPath(rollup, log.address) !== undefined) {
        await prepareIntent(this.#context(), rollup, log, rest);
      } else if (log.eventName === "EpochImported" && same(log.address, contracts.zkVerifier)) {
        // One proof imports every rollup's checkpoint in the epoch: a zk checkpoint per source, final.
        const postedAt = await this.#timestamp(client, log.blockNumber);
        const imported = (args.checkpoints as { sourceChainId: bigint; count: bigint; root: Hex }[]).map(
          (checkpoint): IndexedCheckpoint => ({
            path: "zk",
            sourceChainId: Number(checkpoint.sourceChainId),
            destinationChainId: scan.chainId,
            count: Number(checkpoint.count),
            root: checkpoint.root,
            attester: null,
            postedAt,
            windowEnd: null,
            state: "final",
            tx: log.transactionHash,
          }),
        );
        rest.push(() => {
          for (const checkpoint of imported) {
            store.upsertCheckpoint(checkpoint);
            store.appendEvent("checkpoint", checkpoint);
            metrics.checkpoints.inc({ path: "zk" });
          }
          metrics.zkEpochs.inc({ destination: String(scan.chainId) });
        });
      } else if (
        log.eventName === "OrderFilled" &&
        network.orderbook &&
        same(log.address, network.orderbook.gateway)
      ) {
        const fill = {
          chainId: scan.chainId,
          fillId: args.fillId as Hex,
          order: String(args.order),
          counter: String(args.counter),
          price: String(args.price),
          amount: String(args.amount),
          receiver: args.receiver as Address,
          token: args.token as Address,
          paid: String(args.paid),
          txHash: log.transactionHash,
          blockNumber: Number(log.blockNumber),
          logIndex: log.logIndex,
        };
        rest.push(() => store.fills.record(fill));
      }
    }
  }

  #context(): EventContext {
    return {
      store: this.#config.store,
      metrics: this.#config.metrics,
      timestamp: (client, blockNumber) => this.#timestamp(client, blockNumber),
    };
  }

  #observeDelivery(
    path: string,
    message: { latencySeconds: number | null; delivery: { gasUsed: string | null } | null },
  ) {
    const { metrics } = this.#config;
    metrics.messagesDelivered.inc({ path });
    if (message.latencySeconds !== null) metrics.deliveryLatency.observe({ path }, message.latencySeconds);
    if (message.delivery?.gasUsed) metrics.deliveryGas.inc({ path }, Number(message.delivery.gasUsed));
  }

  async #verifierFor(destination: RollupEntry, recipient: Address, sourceChainId: number): Promise<Address> {
    const key = `${destination.chainId}:${recipient}:${sourceChainId}`;
    const cached = this.#verifiers.get(key);
    if (cached) return cached;
    const verifier = await clientOf(destination).readContract({
      address: destination.contracts.inbox,
      abi: inboxAbi,
      functionName: "verifierFor",
      args: [recipient, BigInt(sourceChainId)],
    });
    this.#verifiers.set(key, verifier);
    return verifier;
  }

  async #timestamp(client: JunctionPublicClient, blockNumber: bigint): Promise<number> {
    const key = `${client.chain.id}:${blockNumber}`;
    const cached = this.#timestamps.get(key);
    if (cached !== undefined) return cached;
    const block = await client.getBlock({ blockNumber });
    const timestamp = Number(block.timestamp);
    if (this.#timestamps.size > 10_000) this.#timestamps.clear();
    this.#timestamps.set(key, timestamp);
    return timestamp;
  }
}

type SuperblockBlockArgs = {
  chainId: bigint;
  blockNumber: bigint;
  blockHash: Hex;
  outboxCount: bigint;
  outboxRoot: Hex;
};

function cursorName(chainId: number): string {
  return `chain:${chainId}`;
}
