// `npm run bench:zk`: the zk path (one Groth16 proof per epoch for every rollup) against the canonical
// path in the same run, at each rollup count: a same-rollup baseline, the canonical path's paced and
// burst runs on one devnet, then the zk path's on a devnet with the prover — burst rate and its share
// of the canonical burst, latency against proving time, gas per destination per epoch (from the
// prover's own imports) — and the gas of one epoch as the rollups in it grow (committee-gas.ts). The
// machine's load average is recorded beside every run: other work on the machine shows in the rates.
// Writes bench/results/<date>-<commit>-zk.json and .md. Measures; never asserts timings.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Prover } from "../src/agents/prover/prover.js";
import { startTestDevnet } from "../test/helpers/devnet.js";
import { measureBaseline } from "./baseline.js";
import { type CommitteeGasResult, measureCommitteeGas } from "./committee-gas.js";
import { measurePath, type PathResult } from "./paths.js";
import { epochGasTable, type Stats, stats } from "./report.js";
import { runStamp, writeResults } from "./results-file.js";

const { values } = parseArgs({
  options: {
    rollups: { type: "string", default: "2,4,8" },
    paced: { type: "string", default: "10" },
    messages: { type: "string", default: "1000" },
    "poll-ms": { type: "string", default: "20" },
    baseline: { type: "string", default: "200" },
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
  epochs: values.epochs.split(",").map(Number),
};

type LoadAverage = { before: number[]; after: number[] };
export type ZkRun = {
  rollups: number;
  baselinePerSecond: number;
  canonical: PathResult;
  zk: PathResult & {
    /** Gas of each epoch the prover imported on a destination during the run. */
    epochGasPerDestination: Stats;
    epochsImported: number;
    checkpointsPerEpoch: Stats;
  };
  /** zk burst delivered rate over the canonical burst's, same run. */
  zkToCanonical: number;
  /** The machine's 1-minute load average before and after each devnet's measurements. */
  loadAverage: { canonical: LoadAverage; zk: LoadAverage };
};

const started = performance.now();
function progress(what: string): void {
  process.stderr.write(`bench:zk: ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}

async function withLoad<T>(work: () => Promise<T>): Promise<{ value: T; load: LoadAverage }> {
  const before = loadavg();
  const value = await work();
  return { value, load: { before, after: loadavg() } };
}

async function runFor(rollups: number): Promise<ZkRun> {
  const canonical = await withLoad(async () => {
    const devnet = await startTestDevnet({ rollups });
    try {
      const base = await measureBaseline(devnet.manifest, config.baseline);
      return { base, result: await measurePath(devnet, "canonical", config, base.perSecond) };
    } finally {
      await devnet.stop();
    }
  });
  progress(`${rollups} rollups, canonical done`);
  const baselinePerSecond = canonical.value.base.perSecond;
  const zk = await withLoad(async () => {
    const devnet = await startTestDevnet({ rollups, zk: true });
    try {
      const prover = devnet.agents.find((agent): agent is Prover => agent instanceof Prover);
      if (!prover) throw new Error("the zk devnet runs no prover");
      const result = await measurePath(devnet, "zk", config, baselinePerSecond);
      return {
        ...result,
        provingMs: stats(prover.provingMs),
        epochGasPerDestination: stats(prover.imports.map((epoch) => Number(epoch.gasUsed))),
        epochsImported: prover.imports.length,
        checkpointsPerEpoch: stats(prover.imports.map((epoch) => epoch.checkpoints)),
      };
    } finally {
      await devnet.stop();
    }
  });
  progress(`${rollups} rollups, zk done`);
  return {
    rollups,
    baselinePerSecond,
    canonical: canonical.value.result,
    zk: zk.value,
    zkToCanonical: zk.value.burst.deliveredPerSecond / canonical.value.result.burst.deliveredPerSecond,
    loadAverage: { canonical: canonical.load, zk: zk.load },
  };
}

const f = (value: number) => value.toFixed(1);
const pct = (value: number) => `${(value * 100).toFixed(0)}%`;
const avg = (load: LoadAverage) => `${f(load.before[0] ?? 0)}→${f(load.after[0] ?? 0)}`;

function toMarkdown(report: {
  date: string;
  commit: string;
  machine: { cores: number };
  config: typeof config;
  runs: ZkRun[];
  epochGas: CommitteeGasResult["zk"];
  constraints: number;
}): string {
  const lines = [
    `# Zk path: one proof per epoch (${report.date}, ${report.commit}, ${report.machine.cores} cores)`,
    "",
    `${report.config.messages}-message all-to-all bursts; ${report.config.paced} paced messages; circuit ${report.constraints} constraints; proving in worker threads.`,
    "Load average = the machine's 1-minute load average before→after each devnet's measurements (other work on the machine included).",
    "",
    "| rollups | canonical burst msg/s | zk burst msg/s | zk / canonical | zk latency p50 / p95 ms | proving p50 / max ms | zk paced p50 ms | epochs imported | checkpoints per epoch p50 | gas per destination per epoch p50 | zk main thread busy | process cores | load avg canonical | load avg zk |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...report.runs
      .map((run) =>
        [
          run.rollups,
          f(run.canonical.burst.deliveredPerSecond),
          f(run.zk.burst.deliveredPerSecond),
          pct(run.zkToCanonical),
          `${f(run.zk.burst.latencyMs.p50)} / ${f(run.zk.burst.latencyMs.p95)}`,
          `${f(run.zk.provingMs?.p50 ?? 0)} / ${f(run.zk.provingMs?.max ?? 0)}`,
          f(run.zk.paced.latencyMs.p50),
          run.zk.epochsImported,
          run.zk.checkpointsPerEpoch.p50,
          Math.round(run.zk.epochGasPerDestination.p50),
          pct(run.zk.burst.load.mainThread),
          run.zk.burst.load.processCores.toFixed(2),
          avg(run.loadAverage.canonical),
          avg(run.loadAverage.zk),
        ].join(" | "),
      )
      .map((row) => `| ${row} |`),
    "",
    ...epochGasTable(report.epochGas.epochGas),
    "",
  ];
  return `${lines.join("\n")}\n`;
}

async function main() {
  const runs: ZkRun[] = [];
  for (const rollups of config.rollups) runs.push(await runFor(rollups));
  const setup = JSON.parse(readFileSync(new URL("../circuits/build/setup.json", import.meta.url), "utf8"));
  const gas = await measureCommitteeGas([4], setup.constraints, config.epochs);
  progress("epoch gas done");
  const report = { ...runStamp(), config, runs, epochGas: gas.zk, constraints: setup.constraints };
  writeResults(values.out, "-zk", report, toMarkdown(report));
}

await main();
