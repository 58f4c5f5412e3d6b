// Runs the benchmark once in a tiny configuration: it must work and write every field. Timings are
// not asserted (machines here are shared and noisy); only that they were measured.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";

const root = resolve(import.meta.dirname, "../..");

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
        "--out",
        out,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 },
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
      assert.equal(result.burst.messages, 4);
      assert.equal(result.burst.latencyMs.n, 4);
      assert.ok(result.burst.perSecond > 0 && result.burst.ratioToBaseline > 0);
      assert.equal(result.destinationGasPerMessage.n, 4, `${path}: gas of every delivery`);
      assert.ok(result.destinationGasPerMessage.p50 > 50_000);
      assert.ok(result.checkpointGas.n > 0 && result.checkpointGas.p50 > 20_000);
    }
    assert.ok(run.paths.zk.provingMs.n > 0 && run.paths.zk.provingMs.p50 > 0, "proving time measured");
    const unbatched = run.unbatched.canonical;
    assert.equal(unbatched.burst.messages, 4);
    assert.ok(unbatched.burst.perSecond > 0);
    assert.equal(unbatched.destinationGasPerMessage.n, 4, "gas of every unbatched delivery");
    assert.deepEqual(
      report.committeeGas.multisig.map((row: { members: number }) => row.members),
      [4, 8],
    );
    assert.ok(report.committeeGas.multisig.every((row: { multisigGas: number }) => row.multisigGas > 21_000));
    assert.ok(report.committeeGas.zk.oneCheckpointGas > 100_000);
    assert.ok(report.committeeGas.zk.constraints > 0);
    const { superblock, bundles } = run.paths.sequencer;
    assert.ok(superblock.targetMs > 0);
    assert.ok(superblock.cadenceMs.n > 0 && superblock.cadenceMs.p50 > 0);
    assert.equal(superblock.superblocksToDelivery.n, 6, "paced and burst messages both counted");
    assert.ok(superblock.superblocksToDelivery.max <= 1, "delivered within one superblock after the send");
    assert.equal(bundles.count, 3);
    assert.ok(bundles.perSecond > 0 && bundles.superblocks >= 1);
    const table = readFileSync(join(out, markdown), "utf8");
    assert.match(table, /\| 2 \| canonical, burst all-to-all \| 4 \|/);
    assert.match(table, /\| 2 \| canonical, burst, one transaction per message \(no batching\) \| 4 \|/);
    assert.match(table, /Optimistic bridges \| challenge windows \| high \| \d/);
    assert.match(table, /Shared sequencers \| atomic ordering \| minimal \| \d/);
    assert.match(table, /ZK proofs \| cryptographic verification \| low \| \d/);
    assert.match(table, /\| 8 \| 6 \| \d+ \| \d+ \|/);
  });
});
