// A burst in a worker thread. The devnet's agents and its sequencer run on the bench process's main
// thread: the users' signing and requests, and the watch's polling, must not take that event loop, as
// independent users' would not. burst-worker.ts is the thread's entry.
import { Worker } from "node:worker_threads";
import type { Address, Hex } from "viem";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { getPostedCheckpoints } from "../src/chain/events.js";
import { HubHistory } from "../src/protocol/checkpoint.js";
import {
  type BurstMessage,
  type BurstResult,
  type DeliveryCosts,
  deliveryCosts,
  MessageWatch,
  runBurst,
  type Seen,
  sendBenchMessage,
} from "./workload.js";

/** A burst as the worker thread runs it: plain data, so it crosses the thread boundary. */
export type BurstJob = {
  rollups: {
    chainId: number;
    /** Where the users send (the sequencer's endpoint on a sequenced devnet). */
    rpcUrl: string;
    /** Where the watch reads (the node itself, so observing does not load the sequencer). */
    watchUrl: string;
    outbox: Address;
    inbox: Address;
    /** The recorder of the trust path under test. */
    recipient: Address;
    /** Canonical path: the rollup's GlobalRootOracle, to see when each message became provable. */
    oracle?: Address;
  }[];
  /** Canonical path: the L1 hub whose checkpoints say which global root covers which message. */
  l1?: { chainId: number; rpcUrl: string; hub: Address; deployBlock: number };
  privateKey: Hex;
  messages: number;
  tag: string;
  pollMs: number;
  baselinePerSecond: number;
};

export type BurstReport = {
  result: BurstResult;
  deliveries: DeliveryCosts;
  /** Per message: where it was sent and the blocks of its send and its delivery. */
  messages: { from: number; to: number; sentBlock: bigint; deliveredBlock: bigint }[];
  /** Canonical path, per message: send seen to a covering global root seen imported on the destination, and from there to the delivery. */
  proof?: { waitMs: number[]; relayMs: number[] };
};

/** Runs `job` in this thread (the worker calls it). */
export async function runBurstJob(job: BurstJob): Promise<BurstReport> {
  // Each rollup's sending wallet and reading client, by chain id.
  const sides = new Map(
    job.rollups.map((rollup) => [
      rollup.chainId,
      {
        ...rollup,
        wallet: walletClientFor(rollup, job.privateKey),
        reader: publicClientFor({ chainId: rollup.chainId, rpcUrl: rollup.watchUrl }),
      },
    ]),
  );
  const side = (chainId: number) => {
    const found = sides.get(chainId);
    if (!found) throw new Error(`chain ${chainId} is not in the burst`);
    return found;
  };
  const watch = new MessageWatch(
    [...sides.values()].map((rollup) => ({
      chainId: rollup.chainId,
      client: rollup.reader,
      outbox: rollup.outbox,
      inbox: rollup.inbox,
      oracle: rollup.oracle,
    })),
  );
  await watch.start();
  const { result, sent } = await runBurst(watch, {
    chainIds: job.rollups.map((rollup) => rollup.chainId),
    messages: job.messages,
    send: (from, to, tag) =>
      sendBenchMessage(side(from).wallet, side(from).outbox, to, side(to).recipient, tag),
    tag: job.tag,
    baselinePerSecond: job.baselinePerSecond,
    pollMs: job.pollMs,
  });
  return {
    result,
    deliveries: await deliveryCosts(watch, sent, (chainId) => side(chainId).reader),
    messages: sent.map((entry) => ({
      from: entry.from,
      to: entry.to,
      sentBlock: (watch.sent.get(entry.tx) as Seen).blockNumber,
      deliveredBlock: (watch.delivered.get(watch.idOf(entry.tx) as Hex) as Seen).blockNumber,
    })),
    ...(job.l1 ? { proof: await proofWait(watch, sent, job.l1) } : {}),
  };
}

/**
 * Where a canonical message's time went: waiting for a global root that covers it to reach its
 * destination (proposer, L1, root importer), then waiting for a relayer to deliver it.
 */
async function proofWait(
  watch: MessageWatch,
  sent: readonly BurstMessage[],
  l1: NonNullable<BurstJob["l1"]>,
): Promise<{ waitMs: number[]; relayMs: number[] }> {
  const client = publicClientFor(l1);
  const history = new HubHistory();
  const posted = await getPostedCheckpoints(
    client,
    l1.hub,
    BigInt(l1.deployBlock),
    await client.getBlockNumber(),
  );
  for (const event of posted) history.add(event);
  // Each source's count under each imported global root, worked out once per root.
  const counts = new Map<bigint, Map<bigint, bigint>>();
  const countUnder = (index: bigint, source: bigint) => {
    let byChain = counts.get(index);
    if (!byChain) {
      byChain = new Map(
        [...history.checkpointsAt(index).values()].map((event) => [event.chainId, event.count]),
      );
      counts.set(index, byChain);
    }
    return byChain.get(source) ?? 0n;
  };
  const waitMs: number[] = [];
  const relayMs: number[] = [];
  for (const entry of sent) {
    const send = watch.sent.get(entry.tx);
    const delivered = send && watch.delivered.get(send.id);
    if (!send || !delivered) continue;
    const covering = (watch.imports.get(entry.to) ?? []).find(
      ({ index }) => countUnder(index, send.sourceChainId) > send.nonce,
    );
    if (!covering) continue;
    waitMs.push(Math.max(0, covering.at - send.at));
    relayMs.push(Math.max(0, delivered.at - covering.at));
  }
  return { waitMs, relayMs };
}

/** Runs `job` in a worker thread and returns its report. */
export function burstInWorker(job: BurstJob): Promise<BurstReport> {
  // The worker loads TypeScript through tsx, as this process does (Node 20 does not pass loaders on).
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./burst-worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: job });
    let settled = false;
    worker.once("message", (report: BurstReport) => {
      settled = true;
      resolve(report);
      void worker.terminate();
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`the burst worker exited with code ${code} before reporting`));
    });
  });
}
