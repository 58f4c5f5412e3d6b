// The manifest `junction deploy` writes holds every role's private key: saveManifest creates it readable
// by its owner only from the first byte (whatever the umask), and a file it replaces ends up the same.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Manifest, saveManifest } from "../../src/chain/manifest.js";

// saveManifest writes whatever it is given; the schema is not what these tests are about.
const manifest = {
  version: 1,
  accounts: { deployer: { privateKey: `0x${"11".repeat(32)}` } },
} as unknown as Manifest;
const modeOf = (file: string) => statSync(file).mode & 0o777;

describe("saveManifest file mode", () => {
  const dir = mkdtempSync(join(tmpdir(), "junction-manifest-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates the manifest with mode 0600 even under a umask that lets everyone read and write", () => {
    const file = join(dir, "fresh", "devnet.json");
    const previous = process.umask(0);
    try {
      saveManifest(file, manifest);
    } finally {
      process.umask(previous);
    }
    assert.equal(modeOf(file), 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), manifest);
  });

  it("replaces a world-readable manifest, and a stale temporary file of the same pid, with an owner-only one", () => {
    const file = join(dir, "devnet.json");
    writeFileSync(file, "{}");
    chmodSync(file, 0o644);
    const stale = `${file}.tmp-${process.pid}`;
    writeFileSync(stale, "stale");
    chmodSync(stale, 0o666);
    saveManifest(file, manifest);
    assert.equal(modeOf(file), 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), manifest);
  });
});
