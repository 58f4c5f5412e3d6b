// Summary statistics, the shape of a benchmark run's results, and its Markdown report.
import type { BatchGasResult } from "./batch-gas.js";
import type { Load } from "./load.js";
import type { PathBurst, PathName, PathResult } from "./paths.js";
import type { RelayersResult } from "./relayers.js";
import type { SequencerResult } from "./sequencer.js";

export type Stats = { n: number; p50: number; p95: number; p99: number; max: number; mean: number };

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  const mean = sorted.length === 0 ? 0 : sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return {
    n: sorted.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted[sorted.length - 1] ?? 0,
    mean,
  };
}

export type RunResult = {
  rollups: number;
  baseline: { calls: number; perSecond: number; pipelinedPerSecond: number; latencyMs: Stats };
  paths: Record<PathName, PathResult> & { sequencer: SequencerResult };
  /** The canonical path again with a relayer that sends one transaction per message (no deliverBatch). */
  unbatched: { canonical: PathResult };
  /** The canonical burst with 1 and with 3 relayers sharing one PostgreSQL database. */
  relayers: RelayersResult;
  /** Gas per message in one deliverBatch of 20 against single deliveries (canonical path). */
  batchGas: BatchGasResult;
};

export type Report = {
  date: string;
  commit: string;
  machine: { cores: number; node: string };
  config: {
    blockTime: number;
    l1BlockTime: number;
    challengeWindow: number;
    superblockTime: number;
    bundles: number;
    paced: number;
    messages: number;
    pollMs: number;
  };
  runs: RunResult[];
  committeeGas?: {
    multisig: { members: number; threshold: number; multisigGas: number }[];
    zk: {
      oneCheckpointGas: number;
      epochGas: { rollups: number; gas: number; verifyRootGas: number }[];
      constraints: number;
      provingMs: Stats;
    };
    crossoverSigners: number;
  };
};

const f = (value: number) => value.toFixed(1);
const pct = (value: number) => `${(value * 100).toFixed(0)}%`;
const lat = (s: Stats) => `${f(s.p50)} / ${f(s.p95)} / ${f(s.p99)} / ${f(s.max)}`;
const round = (value: number) => String(Math.round(value));

/** One burst's row cells: offered, delivered (share of the baseline), latency, gas, messages per transaction. */
function burstCells(burst: PathBurst | SequencerResult["burst"], gas: Stats, checkpointGas: string): string {
  return `${burst.messages} | ${f(burst.offeredPerSecond)} | ${f(burst.deliveredPerSecond)} (${pct(burst.ratioToBaseline)}) | ${lat(burst.latencyMs)} | ${round(gas.p50)} | ${f(burst.messagesPerTransaction.mean)} | ${checkpointGas}`;
}

function loadCells(load: Load): string {
  return `${f(load.seconds)} | ${pct(load.mainThread)} | ${load.processCores.toFixed(2)} | ${load.nodeCores === null ? "—" : load.nodeCores.toFixed(2)}`;
}

function throughputTable(report: Report): string[] {
  const lines = [
    "| rollups | workload | n | offered / s | delivered / s (of baseline) | latency ms p50 / p95 / p99 / max | destination gas / msg | msgs / delivery tx | gas / checkpoint |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const run of report.runs) {
    lines.push(
      `| ${run.rollups} | baseline: same-rollup call, sequential | ${run.baseline.calls} | — | ${f(run.baseline.perSecond)} | ${lat(run.baseline.latencyMs)} | — | — | — |`,
      `| ${run.rollups} | baseline: same-rollup call, pipelined | ${run.baseline.calls} | — | ${f(run.baseline.pipelinedPerSecond)} | — | — | — | — |`,
    );
    for (const [path, result] of Object.entries(run.paths)) {
      lines.push(
        `| ${run.rollups} | ${path}, paced | ${result.paced.latencyMs.n} | — | — | ${lat(result.paced.latencyMs)} | — | — | — |`,
        `| ${run.rollups} | ${path}, burst all-to-all | ${burstCells(result.burst, result.destinationGasPerMessage, round(result.checkpointGas.p50))} |`,
      );
    }
    const unbatched = run.unbatched.canonical;
    lines.push(
      `| ${run.rollups} | canonical, burst, one transaction per message (no batching) | ${burstCells(unbatched.burst, unbatched.destinationGasPerMessage, "—")} |`,
    );
    if (!("skipped" in run.relayers)) {
      for (const { relayers, canonical } of run.relayers.runs) {
        lines.push(
          `| ${run.rollups} | canonical, burst, ${relayers} relayer${relayers === 1 ? "" : "s"} on PostgreSQL | ${burstCells(canonical.burst, canonical.destinationGasPerMessage, "—")} |`,
        );
      }
    }
  }
  return lines;
}

function loadTable(report: Report): string[] {
  const lines = [
    "| rollups | burst | seconds | main thread busy | bench process cores | anvil nodes cores |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const run of report.runs) {
    for (const [path, result] of Object.entries(run.paths)) {
      lines.push(`| ${run.rollups} | ${path} | ${loadCells(result.burst.load)} |`);
    }
    lines.push(
      `| ${run.rollups} | canonical, unbatched | ${loadCells(run.unbatched.canonical.burst.load)} |`,
    );
    if (!("skipped" in run.relayers)) {
      for (const { relayers, canonical } of run.relayers.runs) {
        lines.push(
          `| ${run.rollups} | canonical, ${relayers} on PostgreSQL | ${loadCells(canonical.burst.load)} |`,
        );
      }
    }
  }
  return lines;
}

function relayersTable(report: Report): string[] {
  const lines = [
    "| rollups | relayers | delivered / s | vs 1 relayer | delivery txs | msgs / tx | txs per relayer | L1 checkpoints during the burst | main thread busy |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const run of report.runs) {
    if ("skipped" in run.relayers) {
      lines.push(`| ${run.rollups} | skipped: ${run.relayers.skipped} | | | | | | | |`);
      continue;
    }
    const one = run.relayers.runs[0]?.canonical.burst.deliveredPerSecond ?? 1;
    for (const { relayers, canonical } of run.relayers.runs) {
      const burst = canonical.burst;
      lines.push(
        `| ${run.rollups} | ${relayers} | ${f(burst.deliveredPerSecond)} | ${(burst.deliveredPerSecond / one).toFixed(2)}× | ${burst.deliveryTransactions} | ${f(burst.messagesPerTransaction.mean)} | ${burst.transactionsBySender.join(" / ")} | ${burst.checkpoints ?? "—"} in ${f(burst.load.seconds)} s | ${pct(burst.load.mainThread)} |`,
      );
    }
  }
  return lines;
}

function sequencerTables(report: Report): string[] {
  const lines = [
    "| rollups | target ms | idle: cadence p50 / max, seal p50, main thread busy | burst: cadence ms p50 / p95 / max | superblocks to delivery p50 / max | bundles | bundles / s | superblocks used |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const run of report.runs) {
    const { superblock, bundles } = run.paths.sequencer;
    const idle = superblock.idle;
    lines.push(
      `| ${run.rollups} | ${superblock.targetMs} | ${f(idle.cadenceMs.p50)} / ${f(idle.cadenceMs.max)}, ${f(idle.sealMs.p50)}, ${pct(idle.load.mainThread)} | ${f(superblock.cadenceMs.p50)} / ${f(superblock.cadenceMs.p95)} / ${f(superblock.cadenceMs.max)} | ${superblock.superblocksToDelivery.p50} / ${superblock.superblocksToDelivery.max} | ${bundles.count} | ${f(bundles.perSecond)} | ${bundles.superblocks} |`,
    );
  }
  lines.push(
    "",
    "Where a seal's time went under the burst (ms per superblock, p50 / mean; phases summed over the rollups; `post` is the L1 post, off the seal path):",
    "",
    "| rollups | superblocks | queue | sign | assemble + mine | read back | plan | snapshots | total | post |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const run of report.runs) {
    const seal = run.paths.sequencer.superblock.sealMs;
    const cell = (s: Stats) => `${f(s.p50)} / ${f(s.mean)}`;
    lines.push(
      `| ${run.rollups} | ${seal.total.n} | ${cell(seal.queue)} | ${cell(seal.sign)} | ${cell(seal.assemble)} | ${cell(seal.read)} | ${cell(seal.plan)} | ${cell(seal.snapshots)} | ${cell(seal.total)} | ${cell(seal.post)} |`,
    );
  }
  return lines;
}

function canonicalTimeTable(report: Report): string[] {
  const lines = [
    "| rollups | canonical burst | messages | wait for a covering global root, ms p50 / p95 | then to delivery, ms p50 / p95 |",
    "| --- | --- | --- | --- | --- |",
  ];
  const row = (rollups: number, name: string, burst: PathBurst) => {
    if (!burst.proof) return;
    const { waitMs, relayMs } = burst.proof;
    lines.push(
      `| ${rollups} | ${name} | ${waitMs.n} | ${f(waitMs.p50)} / ${f(waitMs.p95)} | ${f(relayMs.p50)} / ${f(relayMs.p95)} |`,
    );
  };
  for (const run of report.runs) {
    row(run.rollups, "batched (devnet relayer, SQLite)", run.paths.canonical.burst);
    row(run.rollups, "one transaction per message", run.unbatched.canonical.burst);
    if ("skipped" in run.relayers) continue;
    for (const { relayers, canonical } of run.relayers.runs) {
      row(run.rollups, `${relayers} relayer${relayers === 1 ? "" : "s"} on PostgreSQL`, canonical.burst);
    }
  }
  return lines;
}

function batchGasTable(report: Report): string[] {
  const lines = [
    "| rollups | single `deliver`: gas p50 (n) | one `deliverBatch` of 20: gas per message | saving per message |",
    "| --- | --- | --- | --- |",
  ];
  for (const run of report.runs) {
    const gas = run.batchGas;
    lines.push(
      `| ${run.rollups} | ${round(gas.singleGas.p50)} (${gas.singleGas.n}) | ${round(gas.batchGasPerMessage)} | ${pct(gas.saving)} |`,
    );
  }
  return lines;
}

function seedTable(report: Report, first: RunResult): string[] {
  const paced = (path: PathName | "sequencer") => first.paths[path].paced.latencyMs.p50;
  return [
    `The seed's latency table, measured (paced p50, ${first.rollups} rollups):`,
    "",
    "| architecture | security mechanism | seed says | measured |",
    "| --- | --- | --- | --- |",
    `| Optimistic bridges | challenge windows | high | ${f(paced("optimistic"))} ms (window ${report.config.challengeWindow} s) |`,
    `| ZK proofs | cryptographic verification | low | ${f(paced("zk"))} ms (Groth16 proving p50 ${f(first.paths.zk.provingMs?.p50 ?? 0)} ms) |`,
    `| Shared sequencers | atomic ordering | minimal | ${f(paced("sequencer"))} ms (superblock ${report.config.superblockTime * 1000} ms) |`,
    `| (canonical, through the L1) | L1 finality | — | ${f(paced("canonical"))} ms |`,
  ];
}

function committeeTable(gas: NonNullable<Report["committeeGas"]>): string[] {
  const zk = Math.round(gas.zk.oneCheckpointGas);
  return [
    `Gas to import one checkpoint through a committee light client (ZkVerifier: one Groth16 proof, ${gas.zk.constraints} constraints, proving p50 ${f(gas.zk.provingMs.p50)} ms):`,
    "",
    "| committee | threshold | multisig (ECDSA one by one) | zk (Groth16) | cheaper |",
    "| --- | --- | --- | --- | --- |",
    ...gas.multisig.map(
      (row) =>
        `| ${row.members} | ${row.threshold} | ${row.multisigGas} | ${zk} | ${row.multisigGas < zk ? "multisig" : "zk"} |`,
    ),
    "",
    `The lines cross at about ${gas.crossoverSigners} signers; the zk cost does not depend on the committee size (a larger committee needs a larger circuit: more proving time, the same verification gas).`,
    "",
    ...epochGasTable(gas.zk.epochGas),
  ];
}

/** The zk path's gas per destination per epoch (one proof for every rollup in it). */
export function epochGasTable(
  rows: readonly { rollups: number; gas: number; verifyRootGas: number }[],
): string[] {
  return [
    "Gas per destination per epoch on the zk path (one `submitEpoch`, one proof for every rollup's checkpoint), and what a message's `verifyRoot` costs with its path in the epoch tree:",
    "",
    "| rollups in the epoch | submitEpoch gas | per rollup | verifyRoot gas |",
    "| --- | --- | --- | --- |",
    ...rows.map(
      (row) =>
        `| ${row.rollups} | ${row.gas} | ${Math.round(row.gas / row.rollups)} | ${row.verifyRootGas} |`,
    ),
  ];
}

export function toMarkdown(report: Report): string {
  const { config } = report;
  const lines = [
    `Benchmark ${report.date.slice(0, 10)}, commit ${report.commit}, ${report.machine.cores} cores, Node ${report.machine.node}; rollup blocks ${config.blockTime || "on demand"}${config.blockTime ? " s" : ""}, L1 blocks ${config.l1BlockTime || "on demand"}${config.l1BlockTime ? " s" : ""}, challenge window ${config.challengeWindow} s; bursts of ${config.messages} messages, one sender loop per source rollup in a worker thread, sends and deliveries read off the chains every ${config.pollMs} ms.`,
    "",
    "Offered: messages per second the sender loops got accepted (first send to last accepted). Delivered: messages per second from the first send to the last delivery seen, and its share of the sequential same-rollup baseline of the same run.",
    "",
    ...throughputTable(report),
    "",
    "How busy the machine was during each burst (the devnet's agents and the sequencer run on the bench process's main thread; the senders and the watch in its worker):",
    "",
    ...loadTable(report),
    "",
    "1 against 3 relayers on one PostgreSQL database (canonical burst, a fresh devnet each):",
    "",
    ...relayersTable(report),
    "",
    "Where a canonical message's time went: until a global root covering it reached its destination (proposer, L1, root importer), then until a relayer delivered it:",
    "",
    ...canonicalTimeTable(report),
    "",
    "Gas per message delivered in one batch of 20 against one message per transaction (canonical path, measured directly):",
    "",
    ...batchGasTable(report),
    "",
    "Shared sequencer (superblock target; cadence and seal time with no traffic; cadence under the burst; superblocks from send to delivery; atomic bundles):",
    "",
    ...sequencerTables(report),
  ];
  const first = report.runs[0];
  if (first) lines.push("", ...seedTable(report, first));
  if (report.committeeGas) lines.push("", ...committeeTable(report.committeeGas));
  return `${lines.join("\n")}\n`;
}
