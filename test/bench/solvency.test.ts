// Runs `npm run bench:solvency` once in a tiny configuration: it must work and write every field.
// Timings are not asserted (machines here are shared and noisy); only that they were measured.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";

const root = resolve(import.meta.dirname, "../..");

describe("npm run bench:solvency (tiny)", () => {
  const out = mkdtempSync(join(tmpdir(), "junction-bench-solvency-"));
  after(() => rmSync(out, { recursive: true, force: true }));

  it("writes a JSON report with every field and a Markdown table", () => {
    execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/solvency.ts",
        "--users",
        "20,300",
        "--proofs",
        "5",
        "--batches",
        "1",
        "--fold-users",
        "9",
        "--epochs",
        "1",
        "--out",
        out,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 },
    );
    const files = readdirSync(out);
    const json = files.find((file) => file.endsWith("-solvency.json"));
    const markdown = files.find((file) => file.endsWith("-solvency.md"));
    assert.ok(json && markdown, `report files: ${files.join(", ")}`);
    const report = JSON.parse(readFileSync(join(out, json), "utf8"));
    assert.deepEqual(
      report.sizes.map((size: { users: number; depth: number }) => [size.users, size.depth]),
      [
        [20, 5],
        [300, 9],
      ],
    );
    for (const size of report.sizes) {
      assert.equal(size.proof.n, 5);
      assert.ok(Number(size.verifyInclusionGas) > 0 && Number(size.publishGas) > 0);
    }
    assert.equal(report.zk.proving.n, 1);
    assert.ok(Number(report.zk.verifyGas) > 100_000, "a Groth16 verification with its pairing");
    // 9 users: depth 6, two batches and one fold, proven up to the published root.
    assert.deepEqual([report.fold.depth, report.fold.batchProving.n, report.fold.foldProving.n], [6, 2, 1]);
    assert.equal(report.fold.rangeProven, true);
    assert.ok(report.fold.proveFoldGas.p50 > 100_000, "a Groth16 verification with its pairing");
    assert.equal(report.epochs.publishMs.n, 1);
    assert.equal(report.epochs.lagSuperblocks.n, 1);
    assert.match(readFileSync(join(out, markdown), "utf8"), /\| 300 \| 9 \|/);
  });
});
