// `junction devnet --dump-state` stopped the way a terminal stops it: Ctrl-C sends SIGINT to the whole
// foreground process group, nodes included. The nodes run in their own group, so the devnet still saves
// them (a rollup added while it ran too), then stops them; `--load-state` brings the delivered message
// and the added rollup back.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadManifest, manifestPath, rollupOf } from "../../src/chain/manifest.js";
import { isPortFree } from "../../src/chain/ports.js";
import { chainStatePath } from "../../src/devnet/state.js";
import { devnetPorts, junctionBin, runCli, startCli, stopCli, waitFor } from "../helpers/cli.js";

function anvilsOn(ports: number[]): string[] {
  const lines = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n");
  return lines.filter(
    (line) => line.includes("anvil") && ports.some((port) => line.includes(`--port ${port} `)),
  );
}

describe("junction devnet --dump-state under a terminal's Ctrl-C, then --load-state", () => {
  const dirs = ["data", "saved", "data-2"].map((name) =>
    mkdtempSync(join(tmpdir(), `junction-cli-${name}-`)),
  );
  const [dataDir, savedDir, secondDataDir] = dirs as [string, string, string];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("saves on Ctrl-C to the whole group and loads with the message delivered", async () => {
    const { base, ports } = await devnetPorts();
    const flags = ["--port", String(base), "--no-api", "--log-level", "warn"];
    // Its own process group, like a shell's foreground job, so the test can signal the group.
    const child = spawn(
      process.execPath,
      [junctionBin, "devnet", ...flags, "--data-dir", dataDir, "--dump-state", savedDir],
      { stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    let id: string;
    try {
      await waitFor(
        () => output.includes("Junction devnet is running"),
        180_000,
        "the devnet to start",
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; its output:\n${output}`);
      });
      const manifest = loadManifest(manifestPath(dataDir));
      const sent = await runCli([
        "send",
        ...["--from", "901", "--to", "902", "--body", "0x73617665"],
        ...["--recipient", rollupOf(manifest, 902).contracts.recorder, "--wait", "--data-dir", dataDir],
      ]);
      assert.equal(sent.code, 0, sent.stderr);
      id = JSON.parse(sent.stdout).id;
      // A rollup added while it runs is saved too: its node must also survive the group's SIGINT.
      const added = await runCli(["devnet", "add-rollup", "--data-dir", dataDir]);
      assert.equal(added.code, 0, added.stderr);
      process.kill(-(child.pid as number), "SIGINT");
      assert.equal(await exited, 0, output);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    }
    const withAdded = [...ports, base + 1002, base + 2002];
    assert.deepEqual(anvilsOn(withAdded), [], "the devnet stopped its nodes after saving them");
    assert.ok((await Promise.all(withAdded.map(isPortFree))).every(Boolean));
    for (const chainId of [900, 901, 902, 903])
      assert.ok(existsSync(chainStatePath(savedDir, chainId)), `${chainId}`);

    const loaded = startCli(["devnet", ...flags, "--data-dir", secondDataDir, "--load-state", savedDir]);
    try {
      await waitFor(
        () => loaded.output().includes("Junction devnet is running"),
        180_000,
        "the loaded devnet",
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; its output:\n${loaded.output()}`);
      });
      const status = await runCli(["status", id, "--data-dir", secondDataDir]);
      assert.equal(status.code, 0, status.stderr);
      assert.equal(JSON.parse(status.stdout).status, "delivered");
      assert.ok(loadManifest(manifestPath(secondDataDir)).rollups.some((rollup) => rollup.chainId === 903));
    } finally {
      await stopCli(loaded);
    }
    assert.deepEqual(anvilsOn([...ports, base + 1002, base + 2002]), []);
  });
});
