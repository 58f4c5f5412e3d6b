// Runs the benchmark once in a tiny configuration: it must work and write every field. Timings are
// not asserted (machines here are shared and noisy); only that they were measured.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { postgresBinaries } from "../helpers/postgres.js";

const root = resolve(import.meta.dirname, "../..");

/** Each burst writes its rates, latencies, the machine's load and what every delivery cost. */
function assertBurst(
  result: {
    burst: {
      messages: number;
      latencyMs: { n: number };
      offeredPerSecond: number;
      deliveredPerSecond: number;
      ratioToBaseline: number;
      load: { seconds: number; mainThread: number; processCores: number };
      deliveryTransactions: number;
      messagesPerTransaction: { n: number };
    };
    destinationGasPerMessage: { n: number; p50: number };
  },
  name: string,
): void {
  const { burst } = result;
  assert.equal(burst.messages, 4, name);
  assert.equal(burst.latencyMs.n, 4, name);
  assert.ok(burst.offeredPerSecond > 0 && burst.deliveredPerSecond > 0 && burst.ratioToBaseline > 0, name);
  assert.ok(burst.load.seconds > 0 && burst.load.mainThread > 0 && burst.load.processCores > 0, name);
  assert.ok(burst.deliveryTransactions >= 1 && burst.deliveryTransactions <= 4, name);
  assert.equal(burst.messagesPerTransaction.n, burst.deliveryTransactions, name);
  assert.equal(result.destinationGasPerMessage.n, 4, `${name}: gas of every delivery`);
  assert.ok(result.destinationGasPerMessage.p50 > 50_000, name);
}

function postgresInstalled(): boolean {
  try {
    postgresBinaries();
    return true;
  } catch {
    return false;
  }
}

describe("npm run bench (tiny)", () => {
  const out = mkdtempSync(join(tmpdir(), "junction-bench-"));
  after(() => rmSync(out, { recursive: true, force: true }));

  it("writes a JSON report with every field and a Markdown table", () => {
    execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/run.ts",
        "--rollups",
        "2",
        "--paced",
        "2",
        "--messages",
        "4",
        "--baseline",
        "5",
        "--challenge-window",
        "2",
        "--bundles",
        "3",
        "--committees",
        "4,8",
        "--epochs",
        "1,2",
        "--out",
        out,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], timeout: 420_000 },
    );
    const files = readdirSync(out);
    const json = files.find((file) => file.endsWith(".json"));
    const markdown = files.find((file) => file.endsWith(".md"));
    assert.ok(json && markdown, `report files: ${files.join(", ")}`);
    const report = JSON.parse(readFileSync(join(out, json), "utf8"));
    assert.equal(typeof report.commit, "string");
    assert.ok(report.machine.cores > 0);
    assert.match(report.machine.node, /^v\d+/);
    assert.equal(report.runs.length, 1);
    const [run] = report.runs;
    assert.equal(run.rollups, 2);
    assert.ok(run.baseline.perSecond > 0);
    assert.ok(run.baseline.pipelinedPerSecond > 0);
    assert.equal(run.baseline.latencyMs.n, 5);
    for (const path of ["canonical", "optimistic", "zk", "sequencer"]) {
      const result = run.paths[path];
      assert.ok(result, `${path} measured`);
      assert.equal(result.paced.latencyMs.n, 2);
      assert.ok(result.paced.latencyMs.p50 > 0);
      assertBurst(result, path);
      assert.ok(result.checkpointGas.n > 0 && result.checkpointGas.p50 > 20_000);
    }
    assert.ok(run.paths.zk.provingMs.n > 0 && run.paths.zk.provingMs.p50 > 0, "proving time measured");
    assert.ok(
      run.paths.canonical.burst.checkpoints >= 0,
      "L1 checkpoints during the canonical burst counted",
    );
    const { proof } = run.paths.canonical.burst;
    assert.equal(proof.waitMs.n, 4, "every canonical message's wait for a covering root");
    assert.equal(proof.relayMs.n, 4);
    assert.ok(proof.waitMs.p50 > 0);
    const unbatched = run.unbatched.canonical;
    assertBurst(unbatched, "unbatched");
    assert.equal(unbatched.burst.deliveryTransactions, 4, "one transaction per message");
    const { batchGas } = run;
    assert.equal(batchGas.batchSize, 20);
    assert.equal(batchGas.singleGas.n, 5);
    // Gas is deterministic: one proof context for 20 messages must cost each of them less.
    assert.ok(batchGas.batchGasPerMessage > 50_000 && batchGas.batchGasPerMessage < batchGas.singleGas.p50);
    assert.ok(batchGas.saving > 0 && batchGas.saving < 1);
    if (postgresInstalled()) {
      assert.deepEqual(
        run.relayers.runs.map((entry: { relayers: number }) => entry.relayers),
        [1, 3],
      );
      for (const entry of run.relayers.runs) assertBurst(entry.canonical, `${entry.relayers} relayers`);
      assert.ok(run.relayers.ratio > 0);
    } else {
      assert.match(run.relayers.skipped, /PostgreSQL not found/);
    }
    assert.deepEqual(
      report.committeeGas.multisig.map((row: { members: number }) => row.members),
      [4, 8],
    );
    assert.ok(report.committeeGas.multisig.every((row: { multisigGas: number }) => row.multisigGas > 21_000));
    assert.ok(report.committeeGas.zk.oneCheckpointGas > 100_000);
    assert.deepEqual(
      report.committeeGas.zk.epochGas.map((row: { rollups: number }) => row.rollups),
      [1, 2],
    );
    assert.ok(report.committeeGas.zk.epochGas.every((row: { gas: number }) => row.gas > 100_000));
    assert.ok(report.committeeGas.zk.constraints > 0);
    const { superblock, bundles } = run.paths.sequencer;
    assert.ok(superblock.targetMs > 0);
    assert.ok(superblock.cadenceMs.n > 0 && superblock.cadenceMs.p50 > 0);
    assert.ok(superblock.idle.cadenceMs.n > 0 && superblock.idle.sealMs.p50 > 0);
    assert.ok(superblock.idle.load.seconds > 0);
    for (const phase of [
      "queue",
      "snapshots",
      "sign",
      "assemble",
      "read",
      "plan",
      "bundleCheck",
      "total",
      "post",
    ]) {
      assert.ok(superblock.sealMs[phase], `seal phase ${phase} reported`);
    }
    assert.ok(superblock.sealMs.total.n > 0 && superblock.sealMs.total.p50 > 0);
    assert.ok(superblock.sealMs.assemble.p50 > 0, "every seal mines");
    assert.equal(superblock.superblocksToDelivery.n, 6, "paced and burst messages both counted");
    assert.ok(superblock.superblocksToDelivery.max <= 1, "delivered within one superblock after the send");
    assert.equal(bundles.count, 3);
    assert.ok(bundles.perSecond > 0 && bundles.superblocks >= 1);
    const table = readFileSync(join(out, markdown), "utf8");
    assert.match(table, /\| 2 \| canonical, burst all-to-all \| 4 \| [\d.]+ \| [\d.]+ \(\d+%\) \|/);
    assert.match(table, /\| 2 \| canonical, burst, one transaction per message \(no batching\) \| 4 \|/);
    assert.match(table, /\| 2 \| \d+ \(5\) \| \d+ \| \d+% \|/, "batch gas row");
    assert.match(table, /\| 2 \| sequencer \| [\d.]+ \| \d+% \|/, "load row");
    assert.match(
      table,
      /\| 2 \| batched \(devnet relayer, SQLite\) \| 4 \| [\d.]+ \/ [\d.]+ \|/,
      "canonical time row",
    );
    if (postgresInstalled()) {
      assert.match(table, /\| 2 \| canonical, burst, 3 relayers on PostgreSQL \| 4 \|/);
      assert.match(table, /\| 2 \| 3 \| [\d.]+ \| [\d.]+× \|/, "relayers row");
    }
    assert.match(table, /Optimistic bridges \| challenge windows \| high \| \d/);
    assert.match(table, /Shared sequencers \| atomic ordering \| minimal \| \d/);
    assert.match(table, /ZK proofs \| cryptographic verification \| low \| \d/);
    assert.match(table, /\| 8 \| 6 \| \d+ \| \d+ \|/);
    assert.match(table, /\| 2 \| \d+ \| [\d.]+ \/ [\d.]+ \| /, "seal phases row");
  });
});
