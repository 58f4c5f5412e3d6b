// Runs `npm run bench:orderbook` once in a tiny configuration (the engine on 1,000 orders; one canonical
// devnet, 2 paced pairs and a burst of 4 per placement): it must work and write every field. Timings are
// not asserted (machines here are shared and noisy); only that they were measured, and the gas (which is
// deterministic enough to bound).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";

const root = resolve(import.meta.dirname, "../..");

type StatsLike = { n: number; p50: number; mean: number };

describe("npm run bench:orderbook (tiny)", () => {
  const out = mkdtempSync(join(tmpdir(), "junction-bench-orderbook-"));
  after(() => rmSync(out, { recursive: true, force: true }));

  it("writes a JSON report with every field and a Markdown table", () => {
    execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/orderbook.ts",
        "--orders",
        "1000",
        "--devnets",
        "canonical",
        "--paced",
        "2",
        "--burst",
        "4",
        "--traders",
        "4",
        "--out",
        out,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], timeout: 180_000 },
    );
    const files = readdirSync(out);
    const json = files.find((file) => file.endsWith("-orderbook.json"));
    const markdown = files.find((file) => file.endsWith("-orderbook.md"));
    assert.ok(json && markdown, `report files: ${files.join(", ")}`);
    const report = JSON.parse(readFileSync(join(out, json), "utf8"));
    assert.equal(typeof report.commit, "string");
    assert.ok(report.machine.cores > 0);

    // The engine is deterministic (seeded): the same orders give the same fills every run.
    assert.equal(report.engine.length, 1);
    const [engine] = report.engine;
    assert.equal(engine.orders, 1000);
    assert.ok(engine.fills > 0 && engine.fills < 1000);
    assert.ok(engine.ordersPerSecond > 0 && engine.fillsPerSecond > 0);

    assert.equal(report.devnets.length, 1);
    const [devnet] = report.devnets;
    assert.equal(devnet.devnet, "canonical");
    assert.deepEqual(
      devnet.runs.map((run: { placement: string }) => run.placement),
      ["same-rollup", "cross-rollup"],
    );
    for (const run of devnet.runs) {
      const { paced, burst } = run;
      for (const name of ["settledMs", "matchedMs", "landedMs", "matcherSettledMs"]) {
        assert.equal((paced[name] as StatsLike).n, 2, `${run.placement} paced ${name}`);
      }
      assert.ok(paced.settledMs.p50 > 0);
      assert.equal(burst.fills, 4, `${run.placement}: every burst pair filled once`);
      assert.equal(burst.fillMs.n, 4);
      assert.ok(burst.fillsPerSecond > 0 && burst.batches >= 1 && burst.batches <= 4);
      assert.equal(burst.gas.settle.n, 4);
      assert.ok(burst.gas.settle.mean > 21_000, `${run.placement}: settle gas per fill`);
    }
    const [local, cross] = devnet.runs;
    assert.equal(local.burst.gas.counterpartyDelivery.n, 0, "a same-rollup fill has no delivery");
    assert.equal(cross.burst.gas.counterpartyDelivery.n, 4);
    assert.equal(cross.burst.gas.answerDelivery.n, 4);
    assert.ok(
      cross.burst.gas.counterpartyDelivery.mean > 21_000 && cross.burst.gas.answerDelivery.mean > 21_000,
    );
    assert.ok(cross.burst.gas.total.mean > local.burst.gas.total.mean, "a cross-rollup fill costs more gas");
    assert.match(readFileSync(join(out, markdown), "utf8"), /\| canonical \| cross-rollup \|/);
  });
});
