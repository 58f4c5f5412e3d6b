// Saving a devnet without its chains' cooperation: a save whose dump fails leaves the previous save
// whole, and restoring stores replaces the data directory's with the saved ones (a store not saved
// starts empty). The full round trip with real chains is test/e2e/devnet-state.test.ts.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Manifest, manifestPath } from "../../src/chain/manifest.js";
import { freePort } from "../../src/chain/ports.js";
import { chainStatePath, restoreStores, saveDevnetState } from "../../src/devnet/state.js";

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
