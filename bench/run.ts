// `npm run bench`: measures Junction on fresh devnets, in one run. For each rollup count: a baseline
// (plain same-rollup calls, the machine's limit), then every trust path that exists on the same
// workload — paced (one message at a time: end-to-end latency) and a burst (all-to-all traffic, one
// sender loop per source rollup in a worker thread: offered and delivered rates) — with destination
// gas per message and gas per checkpoint; the canonical burst again unbatched, and with 1 and 3
// relayers on PostgreSQL; gas per message in one batch of 20 against a single delivery. Writes
// bench/results/<date>-<commit>.json and .md. Measures; never asserts timings.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Prover } from "../src/agents/prover/prover.js";
import { Relayer } from "../src/agents/relayer/relayer.js";
import { relayerDatabase } from "../src/devnet/devnet.js";
import { createLogger } from "../src/log.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { startTestDevnet } from "../test/helpers/devnet.js";
import { measureBaseline } from "./baseline.js";
import { type BatchGasResult, measureBatchGas } from "./batch-gas.js";
import { measureCommitteeGas } from "./committee-gas.js";
import { measurePath, type PathName, type PathResult } from "./paths.js";
import { measureRelayers } from "./relayers.js";
import { type RunResult, stats, toMarkdown } from "./report.js";
import { runStamp, writeResults } from "./results-file.js";
import { measureSequencer, type SequencerResult } from "./sequencer.js";

const { values } = parseArgs({
  options: {
    rollups: { type: "string", default: "2,4" },
    paced: { type: "string", default: "10" },
    messages: { type: "string", default: "1000" },
    "poll-ms": { type: "string", default: "20" },
    baseline: { type: "string", default: "200" },
    "block-time": { type: "string", default: "0" },
    "l1-block-time": { type: "string", default: "0" },
    "challenge-window": { type: "string", default: "5" },
    "superblock-time": { type: "string", default: "0.2" },
    bundles: { type: "string", default: "50" },
    committees: { type: "string", default: "4,8,16,32,64" },
    epochs: { type: "string", default: "1,2,4,8,16" },
    out: { type: "string", default: "bench/results" },
  },
});

const config = {
  rollups: values.rollups.split(",").map(Number),
  paced: Number(values.paced),
  messages: Number(values.messages),
  pollMs: Number(values["poll-ms"]),
  baseline: Number(values.baseline),
  blockTime: Number(values["block-time"]),
  l1BlockTime: Number(values["l1-block-time"]),
  challengeWindow: Number(values["challenge-window"]),
  superblockTime: Number(values["superblock-time"]),
  bundles: Number(values.bundles),
  committees: values.committees.split(",").map(Number),
  epochs: values.epochs.split(",").map(Number),
};

const benchStarted = performance.now();

function progress(what: string): void {
  process.stderr.write(`bench: ${what} (${((performance.now() - benchStarted) / 1000).toFixed(0)} s)\n`);
}

/** What every devnet of the run shares. */
function devnetOptions() {
  return {
    blockTime: config.blockTime,
    l1BlockTime: config.l1BlockTime,
    challengeWindow: config.challengeWindow,
  };
}

async function runFor(rollups: number): Promise<RunResult> {
  const devnet = await startTestDevnet({ rollups, ...devnetOptions() });
  let base: RunResult["baseline"];
  const paths = {} as Record<PathName, PathResult>;
  try {
    base = await measureBaseline(devnet.manifest, config.baseline);
    for (const path of ["canonical", "optimistic"] as const) {
      paths[path] = await measurePath(devnet, path, config, base.perSecond);
      progress(`${rollups} rollups, ${path} done`);
    }
  } finally {
    await devnet.stop();
  }
  paths.zk = await runZk(rollups, base.perSecond);
  progress(`${rollups} rollups, zk done`);
  const sequencer = await runSequenced(rollups, base.perSecond);
  progress(`${rollups} rollups, sequencer done`);
  const { unbatched, batchGas } = await runUnbatched(rollups, base.perSecond);
  progress(`${rollups} rollups, canonical unbatched and batch gas done`);
  const relayers = await measureRelayers(rollups, devnetOptions(), config, base.perSecond);
  progress(
    "skipped" in relayers
      ? `${rollups} rollups, 1 vs 3 relayers on PostgreSQL skipped: ${relayers.skipped}`
      : `${rollups} rollups, 1 vs 3 relayers on PostgreSQL done`,
  );
  return {
    rollups,
    baseline: base,
    paths: { ...paths, sequencer },
    unbatched: { canonical: unbatched },
    relayers,
    batchGas,
  };
}

/**
 * The canonical path on a devnet without the devnet's relayer: first 20 messages delivered by hand in
 * one batch against single deliveries (gas), then relayed one transaction per message (what batching
 * saves in throughput).
 */
async function runUnbatched(
  rollups: number,
  baselinePerSecond: number,
): Promise<{ unbatched: PathResult; batchGas: BatchGasResult }> {
  const devnet = await startTestDevnet({ rollups, ...devnetOptions(), relayer: false });
  const store = new SqliteStore(relayerDatabase(devnet.dataDir));
  const relayer = new Relayer({
    network: devnet.manifest,
    privateKey: devnet.manifest.accounts.relayer.privateKey,
    store,
    logger: createLogger("silent"),
    maxBatch: 1,
  });
  try {
    const batchGas = await measureBatchGas(devnet.manifest);
    await relayer.start();
    return { batchGas, unbatched: await measurePath(devnet, "canonical", config, baselinePerSecond) };
  } finally {
    await relayer.stop();
    await store.close();
    await devnet.stop();
  }
}

/** The zk path on its own devnet: its prover uses a core whenever a source's Outbox changes. */
async function runZk(rollups: number, baselinePerSecond: number): Promise<PathResult> {
  const devnet = await startTestDevnet({ rollups, ...devnetOptions(), zk: true });
  try {
    const result = await measurePath(devnet, "zk", config, baselinePerSecond);
    const prover = devnet.agents.find((agent): agent is Prover => agent instanceof Prover);
    return { ...result, provingMs: stats(prover?.provingMs ?? []) };
  } finally {
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
  const committeeGas = await measureCommitteeGas(config.committees, setup.constraints, config.epochs);
  progress("committee gas done");
  const result = {
    ...runStamp(),
    config,
    runs,
    committeeGas,
  };
  writeResults(values.out, "", result, toMarkdown(result));
}

await main();
