// Adding a rollup to a running devnet (2 rollups behind the shared sequencer, every default agent
// running, its admin endpoint on): `junction devnet add-rollup` (the real CLI, against the devnet's
// admin endpoint, which refuses what a web page could send) adds rollup 903, which the hub, the sequencing domain and the manifest file then
// list; messages go to it and from it over the canonical, optimistic and sequencer paths, delivered by
// the agents that were running before it existed. The refusals are named: a full
// devnet or a port out of range (RollupLimitError), and a devnet that is stopping (DevnetStoppingError).
// Saved on stop (--dump-state), the devnet loads with the added rollup and delivers from it.
// A second devnet (no sequencer) takes two rollups asked for at once, one after the other. (A devnet
// with a dependency set refuses to grow, by name: see test/e2e/devnet-state.test.ts.)
// A third (no sequencer, the zk prover running, as with `--zk`) delivers to and from the added rollup
// over the zk path: the running prover's epochs then carry its checkpoint and are imported there too.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toHex } from "viem";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { loadManifest, type Manifest, type RollupEntry, rollupOf } from "../../src/chain/manifest.js";
import { consecutiveFreePorts, freePort } from "../../src/chain/ports.js";
import { rollupHubAbi, superblockLogAbi } from "../../src/contracts/generated/index.js";
import {
  DevnetStoppingError,
  MAX_DEVNET_ROLLUPS,
  planNextRollup,
  RollupLimitError,
  requestAddRollup,
} from "../../src/devnet/add-rollup.js";
import { type Devnet, startDevnet } from "../../src/devnet/devnet.js";
import { silentLogger } from "../../src/log.js";
import { sendMessage, type TrustPath, waitForDelivery } from "../../src/sdk/index.js";
import { runCli } from "../helpers/cli.js";

const NEW_ROLLUP = 903;

describe("junction devnet add-rollup", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "junction-add-rollup-"));
  const stateDir = mkdtempSync(join(tmpdir(), "junction-add-rollup-state-"));
  let devnet: Devnet;
  let stopped = false;

  before(async () => {
    // Three ports in each range: the third is the added rollup's.
    devnet = await startDevnet({
      rollups: 2,
      dataDir,
      l1Port: await freePort(),
      rollupPort: await consecutiveFreePorts(3),
      challengeWindow: 2,
      sequencer: { superblockTimeMs: 250, nodePort: await consecutiveFreePorts(3) },
      admin: { port: 0 },
      dumpState: stateDir,
      logger: silentLogger,
    });
  });

  after(async () => {
    if (!stopped) await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("adds rollup 903 through the CLI: the hub, the sequencing domain and the manifest file list it", async () => {
    const result = await runCli(["devnet", "add-rollup", "--manifest", devnet.manifestFile, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const added = JSON.parse(result.stdout) as RollupEntry;
    assert.equal(added.chainId, NEW_ROLLUP);
    assert.ok(added.nodeRpcUrl, "behind the shared sequencer");
    const first = rollupOf(devnet.manifest, 901);
    assert.equal(Number(new URL(added.rpcUrl).port), Number(new URL(first.rpcUrl).port) + 2);
    const fromFile = loadManifest(devnet.manifestFile);
    assert.deepEqual(
      fromFile.rollups.map((rollup) => rollup.chainId),
      [901, 902, NEW_ROLLUP],
    );
    assert.deepEqual(devnet.manifest, fromFile);
    const l1 = publicClientFor(devnet.manifest.l1);
    const hubChains = await l1.readContract({
      address: devnet.manifest.l1.contracts.rollupHub,
      abi: rollupHubAbi,
      functionName: "chainIds",
    });
    assert.deepEqual(hubChains, [901n, 902n, BigInt(NEW_ROLLUP)]);
    const inDomain = await l1.readContract({
      address: devnet.manifest.l1.contracts.superblockLog,
      abi: superblockLogAbi,
      functionName: "inDomain",
      args: [BigInt(NEW_ROLLUP)],
    });
    assert.equal(inDomain, true);
    // The same contracts at the same addresses as on every other rollup (CREATE2-placed factories).
    assert.deepEqual(rollupOf(devnet.manifest, NEW_ROLLUP).contracts, first.contracts);
  });

  it("delivers to and from the new rollup over the canonical, optimistic and sequencer paths", async () => {
    const manifest: Manifest = devnet.manifest;
    const recipients: Record<"canonical" | "optimistic" | "sequencer", keyof RollupEntry["contracts"]> = {
      canonical: "recorder",
      optimistic: "optimisticRecorder",
      sequencer: "sequencerRecorder",
    };
    const user = manifest.accounts.user.privateKey;
    const routes = [
      [901, NEW_ROLLUP],
      [NEW_ROLLUP, 902],
    ] as const;
    const sent: { path: string; from: number; to: number; id: `0x${string}` }[] = [];
    for (const [path, recipient] of Object.entries(recipients)) {
      for (const [from, to] of routes) {
        const destination = rollupOf(manifest, to);
        const message = await sendMessage(walletClientFor(rollupOf(manifest, from), user), manifest, {
          destinationChainId: to,
          recipient: destination.contracts[recipient] as `0x${string}`,
          body: toHex(`${path} from ${from} to ${to}`),
          path: path as TrustPath,
        });
        sent.push({ path, from, to, id: message.id });
      }
    }
    const delivered = await Promise.all(
      sent.map((message) =>
        waitForDelivery(manifest, { id: message.id, sourceChainId: BigInt(message.from), timeoutMs: 90_000 }),
      ),
    );
    assert.deepEqual(
      delivered.map((result, i) => `${sent[i]?.from}→${sent[i]?.to} ${result.status} ${result.path}`),
      sent.map((message) => `${message.from}→${message.to} delivered ${message.path}`),
    );
  });

  it("the admin endpoint refuses what a web page could send: a plain POST, another Host", async () => {
    const adminUrl = devnet.manifest.admin?.url as string;
    const plain = await fetch(`${adminUrl}/rollups`, { method: "POST", body: "x" });
    assert.equal(plain.status, 403);
    // fetch sets Host itself; node:http sends the one a rebound name would carry.
    const rebound = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(
        `${adminUrl}/rollups`,
        { method: "POST", headers: { "content-type": "application/json", host: "attacker.example" } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      request.on("error", reject);
      request.end("{}");
    });
    assert.equal(rebound, 403);
    assert.equal((await fetch(`${adminUrl}/rollups`)).status, 405);
    assert.equal(devnet.manifest.rollups.length, 3, "nothing added");
  });

  it("refuses by name a rollup past the most a devnet has, or past the port range", () => {
    const manifest = devnet.manifest;
    const full = {
      ...manifest,
      rollups: Array.from({ length: MAX_DEVNET_ROLLUPS }, () => manifest.rollups[0]),
    };
    assert.throws(() => planNextRollup(full as Manifest), RollupLimitError);
    // The same devnet started with its sequencer endpoints at 65533: the fourth would be on 65536.
    const high = {
      ...manifest,
      rollups: manifest.rollups.map((rollup, i) => ({ ...rollup, rpcUrl: `http://127.0.0.1:${65_533 + i}` })),
    };
    assert.throws(
      () => planNextRollup(high),
      (error: unknown) => {
        assert.ok(error instanceof RollupLimitError);
        assert.match(error.message, /port 65536, above 65535/);
        return true;
      },
    );
    // The next port is the API's: refused rather than fail at start.
    const next = Number(new URL(manifest.rollups[0]?.rpcUrl ?? "").port) + manifest.rollups.length;
    assert.throws(() => planNextRollup(manifest, [next]), RollupLimitError);
    assert.equal(planNextRollup(manifest).chainId, NEW_ROLLUP + 1);
  });

  it("refuses a rollup once the devnet is stopping, in process and through the admin endpoint", async () => {
    const adminUrl = devnet.manifest.admin?.url;
    assert.ok(adminUrl);
    const stopping = devnet.stop();
    stopped = true;
    await assert.rejects(devnet.addRollup(), DevnetStoppingError);
    await stopping;
    await assert.rejects(requestAddRollup(adminUrl), DevnetStoppingError);
    assert.equal(devnet.nodes.length, 4, "the added node was stopped with the others");
  });

  it("saves the added rollup on stop: a devnet loaded from the save has it, and delivers from it", async () => {
    const saved = loadManifest(join(stateDir, "devnet.json"));
    assert.deepEqual(
      saved.rollups.map((rollup) => rollup.chainId),
      [901, 902, NEW_ROLLUP],
    );
    const loadedData = mkdtempSync(join(tmpdir(), "junction-add-rollup-loaded-"));
    const loaded = await startDevnet({
      dataDir: loadedData,
      l1Port: await freePort(),
      rollupPort: await consecutiveFreePorts(3),
      sequencer: { superblockTimeMs: 250, nodePort: await consecutiveFreePorts(3) },
      loadState: stateDir,
      logger: silentLogger,
    });
    try {
      const manifest = loaded.manifest;
      assert.deepEqual(rollupOf(manifest, NEW_ROLLUP).contracts, rollupOf(saved, NEW_ROLLUP).contracts);
      const sent = await sendMessage(
        walletClientFor(rollupOf(manifest, NEW_ROLLUP), manifest.accounts.user.privateKey),
        manifest,
        {
          destinationChainId: 901,
          recipient: rollupOf(manifest, 901).contracts.recorder,
          body: toHex("loaded"),
        },
      );
      const delivered = await waitForDelivery(manifest, {
        id: sent.id,
        sourceChainId: BigInt(NEW_ROLLUP),
        timeoutMs: 60_000,
      });
      assert.equal(delivered.status, "delivered");
    } finally {
      await loaded.stop();
      rmSync(loadedData, { recursive: true, force: true });
    }
  });
});

describe("devnet.addRollup on a devnet without a sequencer", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "junction-add-rollup-set-"));
  let devnet: Devnet | undefined;

  after(async () => {
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("adds two rollups asked for at once, one after the other", async () => {
    const rollupPort = await consecutiveFreePorts(4);
    devnet = await startDevnet({
      rollups: 2,
      dataDir,
      l1Port: await freePort(),
      rollupPort,
      logger: silentLogger,
    });
    const added = await Promise.all([devnet.addRollup(), devnet.addRollup()]);
    assert.deepEqual(
      added.map((rollup) => [rollup.chainId, rollup.rpcUrl, rollup.nodeRpcUrl]),
      [
        [903, `http://127.0.0.1:${rollupPort + 2}`, undefined],
        [904, `http://127.0.0.1:${rollupPort + 3}`, undefined],
      ],
    );
    assert.deepEqual(
      loadManifest(devnet.manifestFile).rollups.map((rollup) => rollup.chainId),
      [901, 902, 903, 904],
    );
  });
});

describe("devnet.addRollup with the zk prover running", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "junction-add-rollup-zk-"));
  let devnet: Devnet | undefined;

  after(async () => {
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("delivers to and from the new rollup over the zk path", async () => {
    devnet = await startDevnet({
      rollups: 2,
      dataDir,
      l1Port: await freePort(),
      rollupPort: await consecutiveFreePorts(3),
      zk: true,
      logger: silentLogger,
    });
    assert.equal((await devnet.addRollup()).chainId, NEW_ROLLUP);
    const manifest = devnet.manifest;
    const user = manifest.accounts.user.privateKey;
    const sent = [];
    for (const [from, to] of [
      [901, NEW_ROLLUP],
      [NEW_ROLLUP, 902],
    ] as const) {
      const message = await sendMessage(walletClientFor(rollupOf(manifest, from), user), manifest, {
        destinationChainId: to,
        recipient: rollupOf(manifest, to).contracts.zkRecorder,
        body: toHex(`zk from ${from} to ${to}`),
        path: "zk",
      });
      sent.push({ from, id: message.id });
    }
    const delivered = await Promise.all(
      sent.map((message) =>
        waitForDelivery(manifest, {
          id: message.id,
          sourceChainId: BigInt(message.from),
          timeoutMs: 180_000,
        }),
      ),
    );
    assert.deepEqual(
      delivered.map((result) => `${result.status} ${result.path}`),
      ["delivered zk", "delivered zk"],
    );
  });
});
