// The shared-sequencer part of `npm run bench`, on a sequenced devnet: the same paced and burst
// message workload as the other paths (deliveries read off the destination Inboxes' events, since the
// sequencer delivers them itself), the superblock cadence achieved with no traffic and under the
// burst, where each seal's time went (phase by phase, from the sequencer in this process), how busy
// the process and the nodes were, superblocks from send to delivery, L1 gas per posted superblock, and
// atomic bundle throughput.
import { type Address, encodeFunctionData, type Hex } from "viem";
import type { SealTimings, Superblock } from "../src/agents/sequencer/sealer.js";
import type { Sequencer } from "../src/agents/sequencer/sequencer.js";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { rpcCall } from "../src/chain/json-rpc.js";
import { type Manifest, type RollupEntry, rollupOf } from "../src/chain/manifest.js";
import {
  superblockLogAbi,
  testRecipientAbi,
  testRecipientBytecode,
} from "../src/contracts/generated/index.js";
import type { Devnet } from "../src/devnet/devnet.js";
import { getSuperblock } from "../src/sdk/index.js";
import { signLegs } from "../src/sdk/sendBundle.js";
import { burstInWorker } from "./burst.js";
import { type Load, measureLoad } from "./load.js";
import { type Stats, stats } from "./report.js";
import { type BurstResult, MessageWatch, type Seen, sendBenchMessage } from "./workload.js";

export type SequencerBenchConfig = { paced: number; messages: number; bundles: number; pollMs: number };

/** Per seal phase (see SealTimings), over the superblocks sealed during the burst. */
export type SealBreakdown = Record<keyof SealTimings, Stats> & {
  /** L1 posts of superblocks during the burst (off the seal path, on the same cores). */
  post: Stats;
};

export type SequencerResult = {
  paced: { latencyMs: Stats };
  burst: BurstResult & { load: Load; deliveryTransactions: number; messagesPerTransaction: Stats };
  destinationGasPerMessage: Stats;
  checkpointGas: Stats;
  superblock: {
    targetMs: number;
    cadenceMs: Stats;
    /** Superblocks between the one a message was sent in and the one it was delivered in. */
    superblocksToDelivery: Stats;
    sealMs: SealBreakdown;
    /** The same with no traffic, over a few seconds before the paced messages. */
    idle: { cadenceMs: Stats; sealMs: Stats; load: Load };
  };
  bundles: { count: number; perSecond: number; superblocks: number };
};

export async function measureSequencer(
  devnet: Devnet,
  config: SequencerBenchConfig,
  baselinePerSecond: number,
): Promise<SequencerResult> {
  const { manifest, sequencer } = devnet;
  if (!sequencer) throw new Error("the sequencer bench needs a devnet that runs its sequencer");
  const chainIds = manifest.rollups.map((rollup) => rollup.chainId);
  // The watch reads the nodes behind the sequencer: the sequencer runs in this process, and reads
  // through its endpoints would add the observer's load to the system under test.
  const watchUrl = (rollup: RollupEntry) => rollup.nodeRpcUrl ?? rollup.rpcUrl;
  const nodeOf = (chainId: number) =>
    publicClientFor({ chainId, rpcUrl: watchUrl(rollupOf(manifest, chainId)) });
  const hops: number[] = [];
  const hopsOf = (entry: { from: number; to: number; sentBlock: bigint; deliveredBlock: bigint }) => {
    const sentIn = sequencer.heightOf(entry.from, entry.sentBlock);
    const deliveredIn = sequencer.heightOf(entry.to, entry.deliveredBlock);
    if (sentIn !== undefined && deliveredIn !== undefined) hops.push(deliveredIn - sentIn);
  };

  const idle = await idleCadence(devnet, sequencer);

  // Paced: one message at a time, from this thread (one user's load is light).
  const [from, to] = [chainIds[0] as number, chainIds[1] as number];
  const watch = new MessageWatch(
    [from, to].map((chainId) => ({
      chainId,
      client: nodeOf(chainId),
      outbox: rollupOf(manifest, chainId).contracts.outbox,
      inbox: rollupOf(manifest, chainId).contracts.inbox,
    })),
  );
  await watch.start();
  const wallet = walletClientFor(rollupOf(manifest, from), manifest.accounts.user.privateKey);
  const paced: number[] = [];
  for (let i = 0; i < config.paced; i++) {
    const tx = await sendBenchMessage(
      wallet,
      rollupOf(manifest, from).contracts.outbox,
      to,
      rollupOf(manifest, to).contracts.sequencerRecorder,
      `sequencer paced ${i}`,
    );
    await watch.untilDelivered([tx], 5);
    const sent = watch.sent.get(tx) as Seen;
    const delivered = watch.delivered.get(watch.idOf(tx) as Hex) as Seen;
    paced.push(Math.max(0, delivered.at - sent.at));
    await sealed(sequencer, sequencer.latestSuperblock()?.height ?? 0);
    hopsOf({ from, to, sentBlock: sent.blockNumber, deliveredBlock: delivered.blockNumber });
  }

  const firstHeight = sequencer.latestSuperblock()?.height ?? 0;
  const postsBefore = sequencer.postTimes().length;
  const { value: burst, load } = await measureLoad(
    devnet.nodes.map((node) => node.pid),
    () =>
      burstInWorker({
        rollups: manifest.rollups.map((rollup) => ({
          chainId: rollup.chainId,
          rpcUrl: rollup.rpcUrl,
          watchUrl: watchUrl(rollup),
          outbox: rollup.contracts.outbox,
          inbox: rollup.contracts.inbox,
          recipient: rollup.contracts.sequencerRecorder,
        })),
        privateKey: manifest.accounts.user.privateKey,
        messages: config.messages,
        tag: "sequencer burst",
        pollMs: config.pollMs,
        baselinePerSecond,
      }),
  );
  const lastHeight = sequencer.latestSuperblock()?.height ?? 0;
  const posts = sequencer.postTimes().slice(postsBefore);
  // A delivery seen on its node may belong to a superblock still being sealed.
  await sealed(sequencer, lastHeight);
  for (const entry of burst.messages) hopsOf(entry);

  return {
    paced: { latencyMs: stats(paced) },
    burst: {
      ...burst.result,
      load,
      deliveryTransactions: burst.deliveries.transactions,
      messagesPerTransaction: burst.deliveries.messagesPerTransaction,
    },
    destinationGasPerMessage: stats(burst.deliveries.gasPerMessage),
    checkpointGas: stats(await gasPerPostedSuperblock(manifest)),
    superblock: {
      targetMs: manifest.sequencer?.superblockTimeMs ?? 0,
      cadenceMs: await cadence(manifest, firstHeight, lastHeight),
      superblocksToDelivery: stats(hops),
      sealMs: breakdown(sequencer, firstHeight, lastHeight, posts),
      idle,
    },
    bundles: await bundleThroughput(manifest, config.bundles),
  };
}

/** Cadence and seal time while nothing is sent: what the sealer does when its process has room. */
async function idleCadence(devnet: Devnet, sequencer: Sequencer) {
  const first = sequencer.latestSuperblock()?.height ?? 0;
  const { load } = await measureLoad(
    devnet.nodes.map((node) => node.pid),
    () => new Promise((resolve) => setTimeout(resolve, IDLE_MS)),
  );
  const last = sequencer.latestSuperblock()?.height ?? 0;
  const sealed: Superblock[] = [];
  for (let height = first + 1; height <= last; height++) {
    const superblock = sequencer.superblock(height);
    if (superblock) sealed.push(superblock);
  }
  return {
    cadenceMs: stats(
      sealed.slice(1).map((superblock, i) => superblock.sealedAt - (sealed[i] as Superblock).sealedAt),
    ),
    sealMs: stats(sealed.map((superblock) => superblock.timings.total)),
    load,
  };
}

const IDLE_MS = 3_000;

/** Waits until the sequencer has sealed a superblock above `height`. */
async function sealed(sequencer: Sequencer, height: number): Promise<void> {
  while ((sequencer.latestSuperblock()?.height ?? 0) <= height) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The seal phases of the superblocks sealed after `from` up to `to`, from the sequencer in this process. */
function breakdown(sequencer: Sequencer, from: number, to: number, posts: readonly number[]): SealBreakdown {
  const timings: SealTimings[] = [];
  for (let height = from + 1; height <= to; height++) {
    const superblock = sequencer.superblock(height);
    if (superblock) timings.push(superblock.timings);
  }
  const of = (phase: keyof SealTimings) => stats(timings.map((timing) => timing[phase]));
  return {
    queue: of("queue"),
    snapshots: of("snapshots"),
    sign: of("sign"),
    assemble: of("assemble"),
    read: of("read"),
    plan: of("plan"),
    bundleCheck: of("bundleCheck"),
    total: of("total"),
    attempts: of("attempts"),
    post: stats([...posts]),
  };
}

/** Intervals between consecutive superblocks sealed during the burst. */
async function cadence(manifest: Manifest, from: number, to: number): Promise<Stats> {
  const rollup = manifest.rollups[0] as Manifest["rollups"][number];
  const sealedAt: number[] = [];
  for (let height = from; height <= to; height++) {
    const superblock = await getSuperblock(rollup, height);
    if (superblock) sealedAt.push(superblock.sealedAt);
  }
  return stats(sealedAt.slice(1).map((at, i) => at - (sealedAt[i] as number)));
}

/** L1 gas of SuperblockLog.postSuperblocks divided by the superblocks each transaction carried. */
async function gasPerPostedSuperblock(manifest: Manifest): Promise<number[]> {
  const l1 = publicClientFor(manifest.l1);
  const logs = await l1.getContractEvents({
    address: manifest.l1.contracts.superblockLog,
    abi: superblockLogAbi,
    eventName: "SuperblockPosted",
    fromBlock: 0n,
  });
  const perTx = new Map<Hex, number>();
  for (const log of logs) perTx.set(log.transactionHash, (perTx.get(log.transactionHash) ?? 0) + 1);
  return Promise.all(
    [...perTx].map(
      async ([hash, count]) => Number((await l1.getTransactionReceipt({ hash })).gasUsed) / count,
    ),
  );
}

/** `count` two-leg bundles (rollup 1 and rollup 2, one call each) submitted at once. */
async function bundleThroughput(manifest: Manifest, count: number) {
  const [a, b] = manifest.rollups as [Manifest["rollups"][number], Manifest["rollups"][number]];
  const targets: Address[] = [];
  for (const rollup of [a, b]) {
    const wallet = walletClientFor(rollup, manifest.accounts.deployer.privateKey);
    const hash = await wallet.deployContract({
      abi: testRecipientAbi,
      bytecode: testRecipientBytecode,
      args: [rollup.contracts.inbox],
    });
    targets.push(
      (await publicClientFor(rollup).waitForTransactionReceipt({ hash })).contractAddress as Address,
    );
  }
  const data = encodeFunctionData({ abi: testRecipientAbi, functionName: "setFailing", args: [false] });
  const walletA = walletClientFor(a, manifest.accounts.user.privateKey);
  const walletB = walletClientFor(b, manifest.accounts.user.privateKey);
  // Sign every bundle first (consecutive nonces), then submit them all and wait for the last.
  const legs = await signLegs(
    Array.from({ length: count }, () => [
      { wallet: walletA, to: targets[0] as Address, data, gas: 100_000n },
      { wallet: walletB, to: targets[1] as Address, data, gas: 100_000n },
    ]).flat(),
  );
  const started = performance.now();
  const ids: Hex[] = [];
  for (let i = 0; i < count; i++) {
    const bundle = await rpcCall<{ id: Hex }>(a.rpcUrl, "junction_sendBundle", [
      { transactions: legs.slice(2 * i, 2 * i + 2) },
    ]);
    ids.push(bundle.id);
  }
  const heights = new Set<number>();
  for (const id of ids) {
    for (;;) {
      const bundle = await rpcCall<{ state: string; height: number | null }>(a.rpcUrl, "junction_getBundle", [
        id,
      ]);
      if (bundle.state === "rejected") throw new Error(`bench bundle ${id} refused`);
      if (bundle.state === "included") {
        heights.add(bundle.height as number);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { count, perSecond: count / seconds, superblocks: heights.size };
}
