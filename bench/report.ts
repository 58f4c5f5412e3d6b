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
      }
    >;
  }[];
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
  }
  const first = report.runs[0];
  if (first) {
    const paced = (path: string) => first.paths[path]?.paced.latencyMs.p50;
    lines.push(
      "",
      `The seed's latency table, measured (paced p50, ${first.rollups} rollups):`,
      "",
      "| architecture | security mechanism | seed says | measured |",
      "| --- | --- | --- | --- |",
      `| Optimistic bridges | challenge windows | high | ${f(paced("optimistic") ?? 0)} ms (window ${report.config.challengeWindow} s) |`,
      "| ZK proofs | cryptographic verification | low | not implemented yet |",
      "| Shared sequencers | atomic ordering | minimal | not implemented yet |",
      `| (canonical, through the L1) | L1 finality | — | ${f(paced("canonical") ?? 0)} ms |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
