// `npm run bench`: measures Junction on fresh devnets, in one run. For each rollup count: a baseline
// (plain same-rollup calls, the machine's limit), then every trust path that exists on the same
// workload — paced (one message at a time: end-to-end latency) and a burst (all-to-all traffic:
// throughput) — with destination gas per message and gas per checkpoint. Writes
// bench/results/<date>-<commit>.json and .md. Measures; never asserts timings.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, platform } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Address, Hex } from "viem";
import { Prover } from "../src/agents/prover/prover.js";
import { Relayer } from "../src/agents/relayer/relayer.js";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { type Manifest, rollupOf } from "../src/chain/manifest.js";
import {
  optimisticVerifierAbi,
  rollupHubAbi,
  testRecipientAbi,
  testRecipientBytecode,
  zkVerifierAbi,
} from "../src/contracts/generated/index.js";
import { relayerDatabase } from "../src/devnet/devnet.js";
import { createLogger } from "../src/log.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { startTestDevnet } from "../test/helpers/devnet.js";
import { measureCommitteeGas } from "./committee-gas.js";
import { type Stats, stats, toMarkdown } from "./report.js";
import { measureSequencer, type SequencerResult } from "./sequencer.js";
import { minedMessage, sendBenchMessage } from "./workload.js";

const { values } = parseArgs({
  options: {
    rollups: { type: "string", default: "2,4" },
    paced: { type: "string", default: "10" },
    messages: { type: "string", default: "100" },
    baseline: { type: "string", default: "200" },
    "block-time": { type: "string", default: "0" },
    "l1-block-time": { type: "string", default: "0" },
    "challenge-window": { type: "string", default: "5" },
    "superblock-time": { type: "string", default: "0.2" },
    bundles: { type: "string", default: "50" },
    committees: { type: "string", default: "4,8,16,32,64" },
    out: { type: "string", default: "bench/results" },
  },
});

type PathName = "canonical" | "optimistic" | "zk";
type PathResult = {
  paced: { latencyMs: Stats };
  burst: { messages: number; perSecond: number; ratioToBaseline: number; latencyMs: Stats };
  destinationGasPerMessage: Stats;
  checkpointGas: Stats;
  /** zk only: Groth16 proving time of each proof the prover made during the run. */
  provingMs?: Stats;
};
type RunResult = {
  rollups: number;
  baseline: { calls: number; perSecond: number; pipelinedPerSecond: number; latencyMs: Stats };
  paths: Record<PathName, PathResult> & { sequencer: SequencerResult };
  /** The canonical path again with a relayer that sends one transaction per message (no deliverBatch). */
  unbatched: { canonical: PathResult };
};

const config = {
  rollups: values.rollups.split(",").map(Number),
  paced: Number(values.paced),
  messages: Number(values.messages),
  baseline: Number(values.baseline),
  blockTime: Number(values["block-time"]),
  l1BlockTime: Number(values["l1-block-time"]),
  challengeWindow: Number(values["challenge-window"]),
  superblockTime: Number(values["superblock-time"]),
  bundles: Number(values.bundles),
  committees: values.committees.split(",").map(Number),
};

const benchStarted = performance.now();

function progress(what: string): void {
  process.stderr.write(`bench: ${what} (${((performance.now() - benchStarted) / 1000).toFixed(0)} s)\n`);
}

async function baseline(manifest: Manifest) {
  const rollup = rollupOf(manifest, 901);
  const client = publicClientFor(rollup);
  const wallet = walletClientFor(rollup, manifest.accounts.deployer.privateKey);
  const hash = await wallet.deployContract({
    abi: testRecipientAbi,
    bytecode: testRecipientBytecode,
    args: [rollup.contracts.inbox],
  });
  const target = (await client.waitForTransactionReceipt({ hash })).contractAddress as Address;
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < config.baseline; i++) {
    const t0 = performance.now();
    const tx = await wallet.writeContract({
      address: target,
      abi: testRecipientAbi,
      functionName: "setFailing",
      args: [false],
    });
    await client.waitForTransactionReceipt({ hash: tx, pollingInterval: 5 });
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  // Pipelined: every transaction sent before any receipt is awaited.
  const pipelineStarted = performance.now();
  const hashes: Hex[] = [];
  for (let i = 0; i < config.baseline; i++) {
    hashes.push(
      await wallet.writeContract({
        address: target,
        abi: testRecipientAbi,
        functionName: "setFailing",
        args: [false],
        gas: 100_000n,
      }),
    );
  }
  await Promise.all(hashes.map((tx) => client.waitForTransactionReceipt({ hash: tx, pollingInterval: 20 })));
  const pipelinedSeconds = (performance.now() - pipelineStarted) / 1000;
  return {
    calls: config.baseline,
    perSecond: config.baseline / seconds,
    pipelinedPerSecond: config.baseline / pipelinedSeconds,
    latencyMs: stats(latencies),
  };
}

async function measurePath(
  manifest: Manifest,
  store: SqliteStore,
  path: PathName,
  baselinePerSecond: number,
): Promise<PathResult> {
  const chainIds = manifest.rollups.map((rollup) => rollup.chainId);
  const recorders = { canonical: "recorder", optimistic: "optimisticRecorder", zk: "zkRecorder" } as const;
  const recipientOn = (chainId: number) => rollupOf(manifest, chainId).contracts[recorders[path]];
  const wallets = new Map(
    chainIds.map((chainId) => [
      chainId,
      walletClientFor(rollupOf(manifest, chainId), manifest.accounts.user.privateKey),
    ]),
  );
  const send = (from: number, to: number, tag: string) => {
    const wallet = wallets.get(from);
    if (!wallet) throw new Error(`no wallet for ${from}`);
    return sendBenchMessage(wallet, rollupOf(manifest, from).contracts.outbox, to, recipientOn(to), tag);
  };
  const mined = (from: number, tx: Hex) => minedMessage(publicClientFor(rollupOf(manifest, from)), tx);
  const deliveredAt = async (ids: Hex[]) => {
    const done = new Map<Hex, number>();
    while (done.size < ids.length) {
      for (const id of ids) {
        if (done.has(id)) continue;
        const row = await store.get(id);
        if (row?.status === "delivered") done.set(id, performance.now());
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return done;
  };

  const paced: number[] = [];
  for (let i = 0; i < config.paced; i++) {
    const from = chainIds[0] as number;
    const to = chainIds[1] as number;
    const { id, minedAt } = await mined(from, await send(from, to, `${path} paced ${i}`));
    paced.push(((await deliveredAt([id])).get(id) as number) - minedAt);
  }

  // Burst, all-to-all: message i goes from rollup i mod R to the next one.
  const started = performance.now();
  const sent: { from: number; tx: Hex }[] = [];
  for (let i = 0; i < config.messages; i++) {
    const from = chainIds[i % chainIds.length] as number;
    const to = chainIds[(i + 1) % chainIds.length] as number;
    sent.push({ from, tx: await send(from, to, `${path} burst ${i}`) });
  }
  const minedAll = await Promise.all(sent.map(({ from, tx }) => mined(from, tx)));
  const done = await deliveredAt(minedAll.map((entry) => entry.id));
  const seconds = (Math.max(...done.values()) - started) / 1000;
  const gas: number[] = [];
  for (const entry of minedAll) {
    const row = await store.get(entry.id);
    if (row?.deliveryGas) gas.push(Number(row.deliveryGas));
  }
  return {
    paced: { latencyMs: stats(paced) },
    burst: {
      messages: config.messages,
      perSecond: config.messages / seconds,
      ratioToBaseline: config.messages / seconds / baselinePerSecond,
      latencyMs: stats(minedAll.map((entry) => (done.get(entry.id) as number) - entry.minedAt)),
    },
    destinationGasPerMessage: stats(gas),
    checkpointGas: stats(await checkpointGas(manifest, path)),
  };
}

/** Gas of every checkpoint the path posted so far: L1 hub checkpoints, or optimistic submissions. */
async function checkpointGas(manifest: Manifest, path: PathName): Promise<number[]> {
  const receipts: Hex[] = [];
  if (path === "canonical") {
    const l1 = publicClientFor(manifest.l1);
    const logs = await l1.getContractEvents({
      address: manifest.l1.contracts.rollupHub,
      abi: rollupHubAbi,
      eventName: "CheckpointPosted",
      fromBlock: 0n,
    });
    receipts.push(...logs.map((log) => log.transactionHash));
    return Promise.all(
      receipts.map(async (hash) => Number((await l1.getTransactionReceipt({ hash })).gasUsed)),
    );
  }
  const gas: number[] = [];
  for (const rollup of manifest.rollups) {
    const client = publicClientFor(rollup);
    const logs =
      path === "zk"
        ? await client.getContractEvents({
            address: rollup.contracts.zkVerifier,
            abi: zkVerifierAbi,
            eventName: "CheckpointVerified",
            fromBlock: 0n,
          })
        : await client.getContractEvents({
            address: rollup.contracts.optimisticVerifier,
            abi: optimisticVerifierAbi,
            eventName: "CheckpointSubmitted",
            fromBlock: 0n,
          });
    // A zk proof may import two checkpoints: its gas counts half for each.
    const perTx = new Map<Hex, number>();
    for (const log of logs) perTx.set(log.transactionHash, (perTx.get(log.transactionHash) ?? 0) + 1);
    for (const [hash, checkpoints] of perTx) {
      const used = Number((await client.getTransactionReceipt({ hash })).gasUsed);
      for (let i = 0; i < checkpoints; i++) gas.push(used / checkpoints);
    }
  }
  return gas;
}

async function runFor(rollups: number): Promise<RunResult> {
  const devnet = await startTestDevnet({
    rollups,
    blockTime: config.blockTime,
    l1BlockTime: config.l1BlockTime,
    challengeWindow: config.challengeWindow,
  });
  const store = new SqliteStore(relayerDatabase(devnet.dataDir));
  try {
    const base = await baseline(devnet.manifest);
    const paths = {} as Record<PathName, PathResult>;
    for (const path of ["canonical", "optimistic"] as const) {
      paths[path] = await measurePath(devnet.manifest, store, path, base.perSecond);
      progress(`${rollups} rollups, ${path} done`);
    }
    paths.zk = await runZk(rollups, base.perSecond);
    progress(`${rollups} rollups, zk done`);
    const sequencer = await runSequenced(rollups, base.perSecond);
    progress(`${rollups} rollups, sequencer done`);
    const unbatched = { canonical: await runUnbatched(rollups, base.perSecond) };
    progress(`${rollups} rollups, canonical unbatched done`);
    return { rollups, baseline: base, paths: { ...paths, sequencer }, unbatched };
  } finally {
    await store.close();
    await devnet.stop();
  }
}

/** The canonical path on its own devnet, relayed one transaction per message: what batching saves. */
async function runUnbatched(rollups: number, baselinePerSecond: number): Promise<PathResult> {
  const devnet = await startTestDevnet({
    rollups,
    blockTime: config.blockTime,
    l1BlockTime: config.l1BlockTime,
    challengeWindow: config.challengeWindow,
    relayer: false,
  });
  const store = new SqliteStore(relayerDatabase(devnet.dataDir));
  const relayer = new Relayer({
    network: devnet.manifest,
    privateKey: devnet.manifest.accounts.relayer.privateKey,
    store,
    logger: createLogger("silent"),
    maxBatch: 1,
  });
  await relayer.start();
  try {
    return await measurePath(devnet.manifest, store, "canonical", baselinePerSecond);
  } finally {
    await relayer.stop();
    await store.close();
    await devnet.stop();
  }
}

/** The zk path on its own devnet: its prover uses a core whenever a source's Outbox changes. */
async function runZk(rollups: number, baselinePerSecond: number): Promise<PathResult> {
  const devnet = await startTestDevnet({
    rollups,
    blockTime: config.blockTime,
    l1BlockTime: config.l1BlockTime,
    challengeWindow: config.challengeWindow,
    zk: true,
  });
  const store = new SqliteStore(relayerDatabase(devnet.dataDir));
  try {
    const result = await measurePath(devnet.manifest, store, "zk", baselinePerSecond);
    const prover = devnet.agents.find((agent): agent is Prover => agent instanceof Prover);
    return { ...result, provingMs: stats(prover?.provingMs ?? []) };
  } finally {
    await store.close();
    await devnet.stop();
  }
}

/** The sequencer path needs its own devnet: the same rollups, sequenced in superblocks. */
async function runSequenced(rollups: number, baselinePerSecond: number): Promise<SequencerResult> {
  const devnet = await startTestDevnet({
    rollups,
    l1BlockTime: config.l1BlockTime,
    challengeWindow: config.challengeWindow,
    sequencer: { superblockTimeMs: Math.round(config.superblockTime * 1000) },
  });
  try {
    const started = Date.now();
    while (!devnet.sequencer?.deliveriesReady()) {
      if (Date.now() - started > 60_000) throw new Error("the sequencer's bond never reached every rollup");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return await measureSequencer(devnet, config, baselinePerSecond);
  } finally {
    await devnet.stop();
  }
}

async function main() {
  const runs: RunResult[] = [];
  for (const rollups of config.rollups) runs.push(await runFor(rollups));
  const setup = JSON.parse(readFileSync(new URL("../circuits/build/setup.json", import.meta.url), "utf8"));
  const committeeGas = await measureCommitteeGas(config.committees, setup.constraints);
  progress("committee gas done");
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  const result = {
    date: new Date().toISOString(),
    commit,
    machine: { cores: cpus().length, node: process.version, platform: platform() },
    config,
    runs,
    committeeGas,
  };
  mkdirSync(values.out, { recursive: true });
  const base = join(values.out, `${result.date.slice(0, 10)}-${commit}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = toMarkdown(result);
  writeFileSync(`${base}.md`, markdown);
  console.log(markdown);
  console.log(`Written to ${base}.json and ${base}.md`);
}

await main();
