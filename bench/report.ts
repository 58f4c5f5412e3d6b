// Summary statistics and the Markdown report of a benchmark run.
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

type Report = {
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
  };
  runs: {
    rollups: number;
    baseline: { calls: number; perSecond: number; pipelinedPerSecond: number; latencyMs: Stats };
    paths: Record<
      string,
      {
        paced: { latencyMs: Stats };
        burst: { messages: number; perSecond: number; ratioToBaseline: number; latencyMs: Stats };
        destinationGasPerMessage: Stats;
        checkpointGas: Stats;
        superblock?: { targetMs: number; cadenceMs: Stats; superblocksToDelivery: Stats };
        provingMs?: Stats;
        bundles?: { count: number; perSecond: number; superblocks: number };
      }
    >;
    unbatched?: {
      canonical: {
        burst: { messages: number; perSecond: number; ratioToBaseline: number; latencyMs: Stats };
        destinationGasPerMessage: Stats;
      };
    };
  }[];
  committeeGas?: {
    multisig: { members: number; threshold: number; multisigGas: number }[];
    zk: { oneCheckpointGas: number; twoCheckpointsGasEach: number; constraints: number; provingMs: Stats };
    crossoverSigners: number;
  };
};

const f = (value: number) => value.toFixed(1);
const lat = (s: Stats) => `${f(s.p50)} / ${f(s.p95)} / ${f(s.p99)} / ${f(s.max)}`;

export function toMarkdown(report: Report): string {
  const lines = [
    `Benchmark ${report.date.slice(0, 10)}, commit ${report.commit}, ${report.machine.cores} cores, Node ${report.machine.node}; rollup blocks ${report.config.blockTime || "on demand"}${report.config.blockTime ? " s" : ""}, L1 blocks ${report.config.l1BlockTime || "on demand"}${report.config.l1BlockTime ? " s" : ""}, challenge window ${report.config.challengeWindow} s.`,
    "",
    "| rollups | workload | n | per second | latency ms p50 / p95 / p99 / max | destination gas / msg | gas / checkpoint |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const run of report.runs) {
    lines.push(
      `| ${run.rollups} | baseline: same-rollup call, sequential | ${run.baseline.calls} | ${f(run.baseline.perSecond)} | ${lat(run.baseline.latencyMs)} | — | — |`,
      `| ${run.rollups} | baseline: same-rollup call, pipelined | ${run.baseline.calls} | ${f(run.baseline.pipelinedPerSecond)} | — | — | — |`,
    );
    for (const [path, result] of Object.entries(run.paths)) {
      lines.push(
        `| ${run.rollups} | ${path}, paced | ${result.paced.latencyMs.n} | — | ${lat(result.paced.latencyMs)} | — | — |`,
      );
      lines.push(
        `| ${run.rollups} | ${path}, burst all-to-all | ${result.burst.messages} | ${f(result.burst.perSecond)} (${(result.burst.ratioToBaseline * 100).toFixed(0)}% of baseline) | ${lat(result.burst.latencyMs)} | ${Math.round(result.destinationGasPerMessage.p50)} | ${Math.round(result.checkpointGas.p50)} |`,
      );
    }
    const unbatched = run.unbatched?.canonical;
    if (unbatched) {
      lines.push(
        `| ${run.rollups} | canonical, burst, one transaction per message (no batching) | ${unbatched.burst.messages} | ${f(unbatched.burst.perSecond)} (${(unbatched.burst.ratioToBaseline * 100).toFixed(0)}% of baseline) | ${lat(unbatched.burst.latencyMs)} | ${Math.round(unbatched.destinationGasPerMessage.p50)} | — |`,
      );
    }
  }
  const first = report.runs[0];
  if (first) {
    const paced = (path: string) => first.paths[path]?.paced.latencyMs.p50;
    lines.push(
      "",
      "Shared sequencer (superblock target, cadence achieved under the burst, superblocks from send to delivery, atomic bundles):",
      "",
    );
    lines.push(
      "| rollups | target ms | cadence ms p50 / p95 / p99 / max | superblocks to delivery p50 / max | bundles | bundles / s | superblocks used |",
    );
    lines.push("| --- | --- | --- | --- | --- | --- | --- |");
    for (const run of report.runs) {
      const sequencer = run.paths.sequencer;
      if (!sequencer?.superblock || !sequencer.bundles) continue;
      lines.push(
        `| ${run.rollups} | ${sequencer.superblock.targetMs} | ${lat(sequencer.superblock.cadenceMs)} | ${sequencer.superblock.superblocksToDelivery.p50} / ${sequencer.superblock.superblocksToDelivery.max} | ${sequencer.bundles.count} | ${f(sequencer.bundles.perSecond)} | ${sequencer.bundles.superblocks} |`,
      );
    }
    lines.push(
      "",
      `The seed's latency table, measured (paced p50, ${first.rollups} rollups):`,
      "",
      "| architecture | security mechanism | seed says | measured |",
      "| --- | --- | --- | --- |",
      `| Optimistic bridges | challenge windows | high | ${f(paced("optimistic") ?? 0)} ms (window ${report.config.challengeWindow} s) |`,
      `| ZK proofs | cryptographic verification | low | ${f(paced("zk") ?? 0)} ms (Groth16 proving p50 ${f(first.paths.zk?.provingMs?.p50 ?? 0)} ms) |`,
      `| Shared sequencers | atomic ordering | minimal | ${f(paced("sequencer") ?? 0)} ms (superblock ${report.config.superblockTime * 1000} ms) |`,
      `| (canonical, through the L1) | L1 finality | — | ${f(paced("canonical") ?? 0)} ms |`,
    );
  }
  const gas = report.committeeGas;
  if (gas) {
    const zk = Math.round(gas.zk.oneCheckpointGas);
    lines.push(
      "",
      `Gas to import one checkpoint through a committee light client (ZkVerifier: one Groth16 proof, ${gas.zk.constraints} constraints, proving p50 ${f(gas.zk.provingMs.p50)} ms; ${Math.round(gas.zk.twoCheckpointsGasEach)} per checkpoint when one proof carries two sources):`,
      "",
      "| committee | threshold | multisig (ECDSA one by one) | zk (Groth16) | cheaper |",
      "| --- | --- | --- | --- | --- |",
      ...gas.multisig.map(
        (row) =>
          `| ${row.members} | ${row.threshold} | ${row.multisigGas} | ${zk} | ${row.multisigGas < zk ? "multisig" : "zk"} |`,
      ),
      "",
      `The lines cross at about ${gas.crossoverSigners} signers; the zk cost does not depend on the committee size (a larger committee needs a larger circuit: more proving time, the same verification gas).`,
    );
  }
  return `${lines.join("\n")}\n`;
}
