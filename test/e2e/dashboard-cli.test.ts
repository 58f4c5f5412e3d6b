// `junction devnet` as a user starts it: progress lines while it starts, then the table with the API's
// and dashboard's URL, not buried under log lines (those go to DIR/devnet.log as JSON); the page and
// the API answer at that URL; `junction api` serves the same network on its own port.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadManifest, manifestPath } from "../../src/chain/manifest.js";
import { freePort } from "../../src/chain/ports.js";
import { devnetPorts, type LongRunning, runCli, startCli, stopCli, waitFor } from "../helpers/cli.js";

/** The status of GET `path` sent exactly as written. */
function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("junction devnet with its API, dashboard and log file", () => {
  let base: number;
  let dataDir: string;
  let devnet: LongRunning;

  before(async () => {
    // L1 on base, sequencer endpoints on base+1000.., nodes on base+2000.., the API on base+3000.
    ({ base } = await devnetPorts());
    dataDir = mkdtempSync(join(tmpdir(), "junction-api-cli-"));
    devnet = startCli(["devnet", "--port", String(base), "--data-dir", dataDir, "--l1-block-time", "1"]);
    await waitFor(
      () => {
        if (devnet.child.exitCode !== null) throw new Error(`the devnet exited:\n${devnet.output()}`);
        return devnet.output().includes("Junction devnet is running");
      },
      90_000,
      "the devnet to start",
    );
  });

  after(async () => {
    if (devnet) await stopCli(devnet);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows its progress, then the table with the API's URL and no log lines", () => {
    const output = devnet.output();
    assert.match(output, /\[1\/5\] starting 3 anvil nodes/);
    assert.match(output, /\[2\/5\] deploying the contracts on 3 chains/);
    assert.match(output, /\[5\/5\] starting the API and dashboard/);
    assert.ok(output.includes(`API and dashboard: http://127.0.0.1:${base + 3000}/`), output);
    assert.ok(output.includes(`logs:     ${join(dataDir, "devnet.log")}`), output);
    // The agents log at info level, but into the file: no log line on the terminal.
    assert.ok(!output.split("\n").some((line) => line.startsWith('{"level"')), output);
    assert.equal(loadManifest(manifestPath(dataDir)).api?.url, `http://127.0.0.1:${base + 3000}`);
  });

  it("writes the agents' logs as JSON lines to DIR/devnet.log", async () => {
    const file = join(dataDir, "devnet.log");
    await waitFor(
      () => existsSync(file) && readFileSync(file, "utf8").includes('"at":"Proposer#'),
      30_000,
      "the proposer's log lines",
    );
    const lines = readFileSync(file, "utf8").trim().split("\n");
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.ok(typeof entry.at === "string" && typeof entry.message === "string", line);
      assert.ok(["debug", "info", "warn", "error"].includes(String(entry.level)), line);
    }
  });

  it("serves the dashboard and the API at that URL", async () => {
    const url = `http://127.0.0.1:${base + 3000}`;
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    const html = await page.text();
    assert.match(html, /<title>Junction dashboard<\/title>/);
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, "the page loads its built script");
    const js = await fetch(`${url}/${script}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /javascript/);
    // Paths that climb out of the page's directory, sent raw (fetch would normalise them away).
    for (const path of [
      "/../../package.json",
      "/%2e%2e/%2e%2e/package.json",
      "/assets/../../../package.json",
    ]) {
      assert.equal(await rawStatus(base + 3000, path), 404, path);
    }
    const chains = (await (await fetch(`${url}/v1/chains`)).json()) as { chains: { chainId: number }[] };
    assert.deepEqual(
      chains.chains.map((chain) => chain.chainId),
      [900, 901, 902],
    );
  });

  it("junction api serves the same network on another port, fails naming a busy one, and a bad --log-format is refused", async () => {
    const port = await freePort();
    const api = startCli([
      "api",
      "--port",
      String(port),
      "--data-dir",
      dataDir,
      "--database",
      join(dataDir, "second-api.sqlite"),
    ]);
    try {
      await waitFor(
        () => api.output().includes(`Junction API on http://127.0.0.1:${port}/`),
        30_000,
        "junction api",
      );
      const response = await fetch(`http://127.0.0.1:${port}/v1/chains`);
      assert.equal(response.status, 200);
      const body = (await response.json()) as { chains: unknown[] };
      assert.equal(body.chains.length, 3);
    } finally {
      await stopCli(api);
    }
    assert.equal(await api.exited, 0);
    // The devnet's own API holds base+3000: a second one there fails naming the port.
    const busy = await runCli([
      "api",
      "--port",
      String(base + 3000),
      "--data-dir",
      dataDir,
      "--database",
      join(dataDir, "busy.sqlite"),
    ]);
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, new RegExp(`port ${base + 3000} on 127.0.0.1 is already in use`));
    const bad = await runCli(["devnet", "--log-format", "xml", "--data-dir", join(dataDir, "never")]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--log-format must be json or pretty, got xml/);
  });
});
