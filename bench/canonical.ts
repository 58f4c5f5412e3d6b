// Benchmark of the canonical path on a fresh devnet: a plain same-rollup call as the baseline, then
// paced messages (one at a time: end-to-end latency) and a burst (throughput). Writes
// bench/results/<date>-<commit>.json and prints a Markdown table. Measures; never asserts timings.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Address, type Hex, toHex } from "viem";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { rollupOf } from "../src/chain/manifest.js";
import { outboxAbi, testRecipientAbi, testRecipientBytecode } from "../src/contracts/generated/index.js";
import { relayerDatabase } from "../src/devnet/devnet.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { startTestDevnet } from "../test/helpers/devnet.js";

const { values } = parseArgs({
  options: {
    paced: { type: "string", default: "20" },
    burst: { type: "string", default: "200" },
    baseline: { type: "string", default: "200" },
    "block-time": { type: "string", default: "0" },
    "l1-block-time": { type: "string", default: "0" },
    out: { type: "string", default: "bench/results" },
  },
});

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
  };
};

async function main() {
  const blockTime = Number(values["block-time"]);
  const devnet = await startTestDevnet({ blockTime, l1BlockTime: Number(values["l1-block-time"]) });
  try {
    const { manifest } = devnet;
    const source = rollupOf(manifest, 901);
    const target = rollupOf(manifest, 902);
    const targetClient = publicClientFor(target);
    const sourceClient = publicClientFor(source);
    const deployer = walletClientFor(target, manifest.accounts.deployer.privateKey);
    const hash = await deployer.deployContract({
      abi: testRecipientAbi,
      bytecode: testRecipientBytecode,
      args: [target.contracts.inbox],
    });
    const recipient = (await targetClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
    const user = walletClientFor(source, manifest.accounts.user.privateKey);
    const store = new SqliteStore(relayerDatabase(devnet.dataDir));

    // Baseline: the same kind of call on one rollup, sequential (send + receipt) — the machine's limit.
    const baselineCount = Number(values.baseline);
    const baselineWallet = walletClientFor(target, manifest.accounts.deployer.privateKey);
    const baselineLatencies: number[] = [];
    const baselineStart = performance.now();
    for (let i = 0; i < baselineCount; i++) {
      const started = performance.now();
      const tx = await baselineWallet.writeContract({
        address: recipient,
        abi: testRecipientAbi,
        functionName: "setFailing",
        args: [false],
      });
      await targetClient.waitForTransactionReceipt({ hash: tx, pollingInterval: 5 });
      baselineLatencies.push(performance.now() - started);
    }
    const baselineSeconds = (performance.now() - baselineStart) / 1000;

    const send = async (i: number) => {
      const tx = await user.writeContract({
        address: source.contracts.outbox,
        abi: outboxAbi,
        functionName: "send",
        args: [902n, recipient, toHex(`bench ${i}`), 200_000n, BigInt(Math.floor(Date.now() / 1000) + 3600)],
      });
      return tx;
    };
    const idOf = async (tx: Hex) => {
      const receipt = await sourceClient.waitForTransactionReceipt({ hash: tx, pollingInterval: 5 });
      return { id: receipt.logs[0]?.topics[1] as Hex, minedAt: performance.now() };
    };
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

    // Paced: one message at a time, send mined → delivery recorded by the relayer.
    const pacedLatencies: number[] = [];
    for (let i = 0; i < Number(values.paced); i++) {
      const { id, minedAt } = await idOf(await send(i));
      const done = await deliveredAt([id]);
      pacedLatencies.push((done.get(id) as number) - minedAt);
    }

    // Burst: all sends pipelined, then wait for every delivery.
    const burstCount = Number(values.burst);
    const burstStart = performance.now();
    const txs: Hex[] = [];
    for (let i = 0; i < burstCount; i++) txs.push(await send(10_000 + i));
    const mined = await Promise.all(txs.map(idOf));
    const done = await deliveredAt(mined.map((entry) => entry.id));
    const burstSeconds = (Math.max(...done.values()) - burstStart) / 1000;
    const burstLatencies = mined.map((entry) => (done.get(entry.id) as number) - entry.minedAt);
    const gas: number[] = [];
    for (const entry of mined) {
      const row = await store.get(entry.id);
      if (row?.deliveryGas) gas.push(Number(row.deliveryGas));
    }
    await store.close();

    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const result = {
      date: new Date().toISOString(),
      commit,
      machine: { cores: cpus().length, node: process.version },
      config: { blockTime, l1BlockTime: Number(values["l1-block-time"]), rollups: 2 },
      baseline: {
        calls: baselineCount,
        perSecond: baselineCount / baselineSeconds,
        latencyMs: stats(baselineLatencies),
      },
      canonical: {
        paced: { latencyMs: stats(pacedLatencies) },
        burst: {
          messages: burstCount,
          perSecond: burstCount / burstSeconds,
          latencyMs: stats(burstLatencies),
          ratioToBaseline: burstCount / burstSeconds / (baselineCount / baselineSeconds),
        },
        deliverGas: stats(gas),
      },
    };
    mkdirSync(values.out, { recursive: true });
    const file = join(values.out, `${result.date.slice(0, 10)}-${commit}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const f = (n: number) => n.toFixed(1);
    const lat = (s: ReturnType<typeof stats>) => `${f(s.p50)} / ${f(s.p95)} / ${f(s.p99)} / ${f(s.max)}`;
    console.log(`| workload | n | per second | latency ms p50 / p95 / p99 / max |
| --- | --- | --- | --- |
| baseline: same-rollup call (sequential) | ${baselineCount} | ${f(result.baseline.perSecond)} | ${lat(result.baseline.latencyMs)} |
| canonical, paced (one at a time) | ${pacedLatencies.length} | — | ${lat(result.canonical.paced.latencyMs)} |
| canonical, burst | ${burstCount} | ${f(result.canonical.burst.perSecond)} (${(result.canonical.burst.ratioToBaseline * 100).toFixed(0)}% of baseline) | ${lat(result.canonical.burst.latencyMs)} |

Inbox.deliver gas per message: p50 ${result.canonical.deliverGas.p50}, max ${result.canonical.deliverGas.max}. Rollup block time ${blockTime}s, L1 ${result.config.l1BlockTime}s. ${result.machine.cores} cores, Node ${result.machine.node}.
Written to ${file}`);
  } finally {
    await devnet.stop();
  }
}

await main();
