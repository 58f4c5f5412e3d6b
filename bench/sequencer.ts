// The shared-sequencer part of `npm run bench`, on a sequenced devnet: the same paced and burst
// message workload as the other paths (deliveries found in the destination Inboxes' events, since the
// sequencer delivers them itself), the superblock cadence achieved under that load, superblocks from
// send to delivery, L1 gas per posted superblock, and atomic bundle throughput.
import { type Address, encodeFunctionData, type Hex } from "viem";
import { type JunctionPublicClient, publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { rpcCall } from "../src/chain/json-rpc.js";
import { type Manifest, rollupOf } from "../src/chain/manifest.js";
import {
  inboxAbi,
  superblockLogAbi,
  testRecipientAbi,
  testRecipientBytecode,
} from "../src/contracts/generated/index.js";
import type { Devnet } from "../src/devnet/devnet.js";
import { getSuperblock, superblockOf } from "../src/sdk/index.js";
import { signLegs } from "../src/sdk/sendBundle.js";
import { type Stats, stats } from "./report.js";
import { minedMessage, sendBenchMessage } from "./workload.js";

export type SequencerBenchConfig = { paced: number; messages: number; bundles: number };

export type SequencerResult = {
  paced: { latencyMs: Stats };
  burst: { messages: number; perSecond: number; ratioToBaseline: number; latencyMs: Stats };
  destinationGasPerMessage: Stats;
  checkpointGas: Stats;
  superblock: {
    targetMs: number;
    cadenceMs: Stats;
    /** Superblocks between the one a message was sent in and the one it was delivered in. */
    superblocksToDelivery: Stats;
  };
  bundles: { count: number; perSecond: number; superblocks: number };
};

type Delivery = { at: number; tx: Hex; blockNumber: bigint };

/** Watches every destination Inbox for MessageDelivered events from now on. */
class DeliveryWatch {
  readonly seen = new Map<Hex, Delivery>();
  readonly #cursors = new Map<number, bigint>();

  constructor(
    private readonly rollups: { chainId: number; inbox: Address; client: JunctionPublicClient }[],
  ) {}

  async start(): Promise<void> {
    for (const rollup of this.rollups)
      this.#cursors.set(rollup.chainId, (await rollup.client.getBlockNumber()) + 1n);
  }

  async poll(): Promise<void> {
    for (const rollup of this.rollups) {
      const from = this.#cursors.get(rollup.chainId) ?? 0n;
      const head = await rollup.client.getBlockNumber();
      if (head < from) continue;
      const logs = await rollup.client.getContractEvents({
        address: rollup.inbox,
        abi: inboxAbi,
        eventName: "MessageDelivered",
        fromBlock: from,
        toBlock: head,
        strict: true,
      });
      const now = performance.now();
      for (const log of logs) {
        if (!this.seen.has(log.args.id)) {
          this.seen.set(log.args.id, { at: now, tx: log.transactionHash, blockNumber: log.blockNumber });
        }
      }
      this.#cursors.set(rollup.chainId, head + 1n);
    }
  }

  async until(ids: readonly Hex[]): Promise<void> {
    while (ids.some((id) => !this.seen.has(id))) {
      await this.poll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

export async function measureSequencer(
  devnet: Devnet,
  config: SequencerBenchConfig,
  baselinePerSecond: number,
): Promise<SequencerResult> {
  const { manifest } = devnet;
  const chainIds = manifest.rollups.map((rollup) => rollup.chainId);
  const wallets = new Map(
    chainIds.map((chainId) => [
      chainId,
      walletClientFor(rollupOf(manifest, chainId), manifest.accounts.user.privateKey),
    ]),
  );
  const clients = new Map(chainIds.map((chainId) => [chainId, publicClientFor(rollupOf(manifest, chainId))]));
  const watch = new DeliveryWatch(
    chainIds.map((chainId) => ({
      chainId,
      inbox: rollupOf(manifest, chainId).contracts.inbox,
      client: clients.get(chainId) as JunctionPublicClient,
    })),
  );
  await watch.start();
  const send = (from: number, to: number, tag: string) =>
    sendBenchMessage(
      wallets.get(from) as NonNullable<ReturnType<typeof wallets.get>>,
      rollupOf(manifest, from).contracts.outbox,
      to,
      rollupOf(manifest, to).contracts.sequencerRecorder,
      tag,
    );
  const mined = async (from: number, tx: Hex) => ({
    ...(await minedMessage(clients.get(from) as JunctionPublicClient, tx)),
    from,
  });

  const paced: number[] = [];
  const hops: number[] = [];
  const hopsOf = async (entry: Awaited<ReturnType<typeof mined>>, to: number) => {
    const delivery = watch.seen.get(entry.id) as Delivery;
    const sentIn = await superblockOf(rollupOf(manifest, entry.from), entry.blockNumber);
    const deliveredIn = await superblockOf(rollupOf(manifest, to), delivery.blockNumber);
    if (sentIn !== null && deliveredIn !== null) hops.push(deliveredIn - sentIn);
  };
  for (let i = 0; i < config.paced; i++) {
    const [from, to] = [chainIds[0] as number, chainIds[1] as number];
    const entry = await mined(from, await send(from, to, `sequencer paced ${i}`));
    await watch.until([entry.id]);
    paced.push(Math.max(0, (watch.seen.get(entry.id) as Delivery).at - entry.minedAt));
    await hopsOf(entry, to);
  }

  const firstHeight = (await getSuperblock(rollupOf(manifest, chainIds[0] as number), "latest"))?.height ?? 0;
  const started = performance.now();
  const sent: { from: number; to: number; tx: Hex }[] = [];
  for (let i = 0; i < config.messages; i++) {
    const from = chainIds[i % chainIds.length] as number;
    const to = chainIds[(i + 1) % chainIds.length] as number;
    sent.push({ from, to, tx: await send(from, to, `sequencer burst ${i}`) });
  }
  const minedAll = await Promise.all(sent.map(({ from, tx }) => mined(from, tx)));
  await watch.until(minedAll.map((entry) => entry.id));
  const burstDone = Math.max(...minedAll.map((entry) => (watch.seen.get(entry.id) as Delivery).at));
  const seconds = (burstDone - started) / 1000;
  for (const [i, entry] of minedAll.entries()) await hopsOf(entry, (sent[i] as { to: number }).to);
  const lastHeight = (await getSuperblock(rollupOf(manifest, chainIds[0] as number), "latest"))?.height ?? 0;

  // One delivery transaction may carry several messages (deliverBatch): each gets its share.
  const perTx = new Map<Hex, number>();
  for (const entry of minedAll) {
    const tx = (watch.seen.get(entry.id) as Delivery).tx;
    perTx.set(tx, (perTx.get(tx) ?? 0) + 1);
  }
  const gas: number[] = [];
  for (const [i, entry] of minedAll.entries()) {
    const delivery = watch.seen.get(entry.id) as Delivery;
    const client = clients.get((sent[i] as { to: number }).to) as JunctionPublicClient;
    const used = Number((await client.getTransactionReceipt({ hash: delivery.tx })).gasUsed);
    gas.push(used / (perTx.get(delivery.tx) ?? 1));
  }

  return {
    paced: { latencyMs: stats(paced) },
    burst: {
      messages: config.messages,
      perSecond: config.messages / seconds,
      ratioToBaseline: config.messages / seconds / baselinePerSecond,
      latencyMs: stats(
        minedAll.map((entry) => Math.max(0, (watch.seen.get(entry.id) as Delivery).at - entry.minedAt)),
      ),
    },
    destinationGasPerMessage: stats(gas),
    checkpointGas: stats(await gasPerPostedSuperblock(manifest)),
    superblock: {
      targetMs: manifest.sequencer?.superblockTimeMs ?? 0,
      cadenceMs: await cadence(manifest, firstHeight, lastHeight),
      superblocksToDelivery: stats(hops),
    },
    bundles: await bundleThroughput(manifest, config.bundles),
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
