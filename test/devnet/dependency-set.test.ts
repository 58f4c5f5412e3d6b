// The dependency set file: what it means (source → destinations, both directions derived) and what it
// refuses before any chain is touched (a one-way pair among them, named).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  destinationsOf,
  parseDependencySet,
  readDependencySet,
  sourcesOf,
} from "../../src/devnet/dependency-set.js";
import { ConfigError } from "../../src/errors.js";

const ROLLUPS = [901, 902, 903];

describe("dependency set file", () => {
  const dir = mkdtempSync(join(tmpdir(), "junction-deps-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("maps each source to its destinations and each destination to its sources", () => {
    const set = parseDependencySet({ "901": [902, 903], "902": [901], "903": [901] }, ROLLUPS);
    assert.deepEqual(destinationsOf(set, 901), [902, 903]);
    assert.deepEqual(destinationsOf(set, 902), [901]);
    assert.deepEqual(sourcesOf(set, 901), [902, 903]);
    assert.deepEqual(sourcesOf(set, 903), [901]);
    assert.deepEqual(sourcesOf(set, 902), [901]);
    const apart = parseDependencySet({ "901": [902], "902": [901] }, ROLLUPS);
    assert.deepEqual(destinationsOf(apart, 903), [], "a rollup that is no key messages nobody");
    assert.deepEqual(sourcesOf(apart, 903), [], "and nobody messages it");
  });

  it("refuses a one-way set, naming the first pair that is one-way", () => {
    for (const [set, pair] of [
      [{ "901": [902] }, "901 may message 902 but 902 may not message 901"],
      [{ "901": [902], "902": [901, 903] }, "902 may message 903 but 903 may not message 902"],
      [{ "901": [902, 903], "902": [901], "903": [902] }, "901 may message 903 but 903 may not message 901"],
    ] as const) {
      assert.throws(
        () => parseDependencySet(set, ROLLUPS),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.ok(error.message.includes(pair), error.message);
          return true;
        },
      );
    }
  });

  it("refuses chains that are not rollups of the devnet, self-messaging and malformed files", () => {
    for (const bad of [
      { "901": [904] },
      { "900": [901] },
      { "901": [901] },
      { "901": "902" },
      { abc: [902] },
      [901, 902],
    ]) {
      assert.throws(() => parseDependencySet(bad, ROLLUPS), ConfigError, JSON.stringify(bad));
    }
  });

  it("reads a file and names it when it cannot", () => {
    const file = join(dir, "deps.json");
    writeFileSync(file, JSON.stringify({ "902": [903], "903": [902] }));
    assert.deepEqual(readDependencySet(file, ROLLUPS), { "902": [903], "903": [902] });
    writeFileSync(file, "{ not json");
    assert.throws(
      () => readDependencySet(file, ROLLUPS),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /deps\.json/);
        return true;
      },
    );
    assert.throws(() => readDependencySet(join(dir, "missing.json"), ROLLUPS), ConfigError);
  });
});
