// The pino-backed logger keeps the Logger API every module uses: JSON lines with time, level, at,
// message and fields (bigints as strings, errors as name and message), levels below the minimum
// dropped, and the readable one-line format for terminals.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger, prettyLine } from "../../src/log.js";

describe("createLogger", () => {
  it("writes one JSON line per event with at, message and serialisable fields", () => {
    const lines: string[] = [];
    const logger = createLogger("info", (line) => lines.push(line));
    logger.debug("Relayer#tick", "below the minimum");
    logger.info("Relayer#deliver", "message delivered", { amount: 10n ** 20n, nested: { count: 3n } });
    logger.error("Relayer#tick", "tick failed", { error: new TypeError("boom") });
    assert.equal(lines.length, 2);
    const [delivered, failed] = lines.map((line) => JSON.parse(line));
    assert.equal(delivered.level, "info");
    assert.equal(delivered.at, "Relayer#deliver");
    assert.equal(delivered.message, "message delivered");
    assert.equal(delivered.amount, "100000000000000000000");
    assert.deepEqual(delivered.nested, { count: "3" });
    assert.ok(!Number.isNaN(Date.parse(delivered.time)));
    assert.equal(failed.level, "error");
    assert.deepEqual(failed.error, { name: "TypeError", message: "boom" });
  });

  it("keeps at and message when fields carry the same names", () => {
    const lines: string[] = [];
    createLogger("debug", (line) => lines.push(line)).warn("Keeper#tick", "real", {
      message: "fake",
      at: "x",
    });
    const entry = JSON.parse(lines[0] ?? "{}");
    assert.equal(entry.message, "real");
    assert.equal(entry.at, "Keeper#tick");
  });

  it("silent writes nothing; pretty writes one readable line", () => {
    const lines: string[] = [];
    createLogger("silent", (line) => lines.push(line)).error("A#b", "never");
    assert.equal(lines.length, 0);
    createLogger("info", (line) => lines.push(line), "pretty").info("Proposer#post", "checkpoint posted", {
      chainId: 901,
      count: 4n,
    });
    assert.match(
      lines[0] ?? "",
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}Proposer#post {2}checkpoint posted {2}chainId=901 count=4$/,
    );
    assert.equal(prettyLine("not json"), "not json");
  });
});
