// Saving a devnet without its chains' cooperation: a save whose dump fails leaves the previous save
// whole; a save killed between any two of its steps (run here one by one, as far as a kill would let them)
// leaves a directory from which the newest complete save is recovered; a save refuses a directory that
// holds anything else; and restoring stores replaces the data directory's with the saved ones (a store
// not saved starts empty). The full round trip with real chains, and a load after a kill in the swap, are
// test/e2e/devnet-state.test.ts.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Manifest, manifestPath } from "../../src/chain/manifest.js";
import { freePort } from "../../src/chain/ports.js";
import {
  assertSaveTarget,
  COMPLETE_MARKER,
  chainStatePath,
  oldDir,
  recoverDevnetState,
  restoreStores,
  saveDevnetState,
  stageDevnetState,
  stagedDir,
  swapSteps,
} from "../../src/devnet/state.js";
import { ConfigError } from "../../src/errors.js";

// The save's files are copied whatever they hold; the schema is not what these tests are about.
const tagged = (tag: string) => ({ tag }) as unknown as Manifest;
const tagOf = (dir: string) => (JSON.parse(readFileSync(manifestPath(dir), "utf8")) as { tag: string }).tag;

describe("devnet state files", () => {
  const dir = mkdtempSync(join(tmpdir(), "junction-state-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a save that fails (its node is gone) leaves the previous save whole", async () => {
    const saved = join(dir, "saved");
    mkdirSync(join(saved, "chains"), { recursive: true });
    writeFileSync(manifestPath(saved), "previous manifest");
    writeFileSync(chainStatePath(saved, 900), "previous chain");
    const gone = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(
      // The manifest is never reached: the dump of the first node fails.
      saveDevnetState(saved, {
        manifest: {} as Manifest,
        nodes: [{ chainId: 900, rpcUrl: gone }],
        stores: [],
      }),
    );
    assert.equal(readFileSync(manifestPath(saved), "utf8"), "previous manifest");
    assert.equal(readFileSync(chainStatePath(saved, 900), "utf8"), "previous chain");
  });

  describe("a save killed between its steps", () => {
    // The previous save, then a new one staged with a store file (its chains need no node: none given).
    const prepare = async (name: string) => {
      const saved = join(dir, name);
      const store = join(dir, `${name}-relayer.sqlite`);
      writeFileSync(store, "new store");
      await saveDevnetState(saved, { manifest: tagged("previous"), nodes: [], stores: [] });
      await stageDevnetState(saved, { manifest: tagged("new"), nodes: [], stores: [store] });
      return saved;
    };
    const assertOnly = (saved: string, tag: string) => {
      assert.equal(tagOf(saved), tag);
      assert.equal(existsSync(stagedDir(saved)), false, "nothing staged left");
      assert.equal(existsSync(oldDir(saved)), false, "nothing aside left");
    };

    it("before the marker: the staged save is dropped, the previous one stays", async () => {
      const saved = await prepare("cut-staging");
      rmSync(join(stagedDir(saved), COMPLETE_MARKER));
      recoverDevnetState(saved);
      assertOnly(saved, "previous");
    });

    for (let done = 0; done < swapSteps.length; done++) {
      const after = done === 0 ? "the marker" : swapSteps[done - 1]?.name;
      it(`after ${after}: the new save is swapped in`, async () => {
        const saved = await prepare(`cut-${done}`);
        for (const step of swapSteps.slice(0, done)) step.run(saved);
        if (done === 1) assert.equal(existsSync(saved), false, "the window with no save at the path");
        recoverDevnetState(saved);
        assertOnly(saved, "new");
        assert.equal(readFileSync(join(saved, "stores", `cut-${done}-relayer.sqlite`), "utf8"), "new store");
      });
    }

    it("during the removal of the previous save: what is left of it goes", async () => {
      const saved = await prepare("cut-removal");
      for (const step of swapSteps.slice(0, 2)) step.run(saved);
      rmSync(manifestPath(oldDir(saved)));
      recoverDevnetState(saved);
      assertOnly(saved, "new");
    });

    it("the next save finishes the cut one first, then replaces it", async () => {
      const saved = await prepare("cut-then-save");
      swapSteps[0]?.run(saved);
      await saveDevnetState(saved, { manifest: tagged("next"), nodes: [], stores: [] });
      assertOnly(saved, "next");
      assert.deepEqual(readdirSync(join(saved, "stores")), [], "the next save's own stores");
    });
  });

  it("refuses to save over a directory holding anything a save does not, before deleting it", async () => {
    const data = join(dir, "not-a-save");
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, "relayer.sqlite"), "live store");
    assert.throws(() => assertSaveTarget(data), ConfigError);
    await assert.rejects(
      saveDevnetState(data, { manifest: tagged("x"), nodes: [], stores: [] }),
      ConfigError,
    );
    assert.equal(readFileSync(join(data, "relayer.sqlite"), "utf8"), "live store");
    assert.equal(existsSync(stagedDir(data)), false);
  });

  it("restores the saved stores and empties the ones not saved", () => {
    const saved = join(dir, "restore-from");
    const data = join(dir, "data");
    mkdirSync(join(saved, "stores"), { recursive: true });
    mkdirSync(data, { recursive: true });
    writeFileSync(join(saved, "stores", "relayer.sqlite"), "saved relayer");
    writeFileSync(join(saved, "stores", "relayer.sqlite-wal"), "saved wal");
    for (const name of ["relayer.sqlite", "relayer.sqlite-shm", "keeper.sqlite"]) {
      writeFileSync(join(data, name), `stale ${name}`);
    }
    restoreStores(saved, [join(data, "relayer.sqlite"), join(data, "keeper.sqlite")]);
    assert.equal(readFileSync(join(data, "relayer.sqlite"), "utf8"), "saved relayer");
    assert.equal(readFileSync(join(data, "relayer.sqlite-wal"), "utf8"), "saved wal");
    assert.equal(existsSync(join(data, "relayer.sqlite-shm")), false);
    assert.equal(existsSync(join(data, "keeper.sqlite")), false, "not saved: starts empty");
  });
});
