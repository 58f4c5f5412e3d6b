// The user's path: `junction devnet` in one process, `junction send --wait` and `junction status` in
// others; a busy port gives a clear error; SIGTERM (and a failed start) leave no process behind.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Address } from "viem";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { loadManifest, manifestPath, rollupOf } from "../../src/chain/manifest.js";
import { isPortFree } from "../../src/chain/ports.js";
import {
  crosschainTokenAbi,
  optimisticVerifierAbi,
  testRecipientAbi,
  testRecipientBytecode,
} from "../../src/contracts/generated/index.js";
import { devnetPorts, type LongRunning, runCli, startCli, stopCli, waitFor } from "../helpers/cli.js";

/** Command lines of running anvil processes that listen on one of `ports`. */
function anvilsOn(ports: number[]): string[] {
  const lines = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n");
  return lines.filter(
    (line) => line.includes("anvil") && ports.some((port) => line.includes(`--port ${port} `)),
  );
}

describe("junction devnet CLI", () => {
  let base: number;
  let ports: number[];
  let dataDir: string;
  let devnet: LongRunning;

  before(async () => {
    ({ base, ports } = await devnetPorts());
    dataDir = mkdtempSync(join(tmpdir(), "junction-cli-"));
    devnet = startCli([
      "devnet",
      "--port",
      String(base),
      "--data-dir",
      dataDir,
      "--l1-block-time",
      "1",
      "--log-level",
      "warn",
    ]);
    await waitFor(
      () => devnet.output().includes("Junction devnet is running"),
      60_000,
      "the devnet to start",
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; its output:\n${devnet.output()}`);
    });
  });

  after(async () => {
    // SIGTERM, not SIGKILL: a devnet killed outright would leave its anvil nodes behind (when a filter
    // skipped the test that stops it).
    if (devnet) await stopCli(devnet);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints chains and contracts and writes the manifest", () => {
    assert.ok(existsSync(manifestPath(dataDir)));
    const manifest = loadManifest(manifestPath(dataDir));
    assert.deepEqual(
      manifest.rollups.map((rollup) => [rollup.chainId, rollup.rpcUrl]),
      [
        [901, `http://127.0.0.1:${base + 1000}`],
        [902, `http://127.0.0.1:${base + 1001}`],
      ],
    );
    assert.equal(manifest.l1.chainId, 900);
    assert.match(devnet.output(), new RegExp(manifest.rollups[0]?.contracts.gateway ?? "missing"));
  });

  it("send --wait delivers and status reports it", async () => {
    const manifest = loadManifest(manifestPath(dataDir));
    const target = rollupOf(manifest, 902);
    const wallet = walletClientFor(target, manifest.accounts.deployer.privateKey);
    const hash = await wallet.deployContract({
      abi: testRecipientAbi,
      bytecode: testRecipientBytecode,
      args: [target.contracts.inbox],
    });
    const recipient = (await publicClientFor(target).waitForTransactionReceipt({ hash }))
      .contractAddress as Address;

    const sent = await runCli([
      "send",
      "--from",
      "901",
      "--to",
      "902",
      "--recipient",
      recipient,
      "--body",
      "0x68656c6c6f",
      "--wait",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    const delivered = JSON.parse(sent.stdout);
    assert.equal(delivered.status, "delivered");
    assert.equal(delivered.path, "canonical");
    assert.ok(delivered.measuredLatencyMs > 0);
    assert.match(delivered.delivery.tx, /^0x[0-9a-f]{64}$/);

    const status = await runCli(["status", delivered.id, "--data-dir", dataDir]);
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout);
    assert.equal(parsed.status, "delivered");
    assert.equal(parsed.source.tx, delivered.source.tx);
    assert.equal(parsed.delivery.tx, delivered.delivery.tx);
    assert.equal(typeof parsed.latencySeconds, "number");
    const received = await publicClientFor(target).readContract({
      address: recipient,
      abi: testRecipientAbi,
      functionName: "received",
      args: [0n],
    });
    assert.equal(received.body, "0x68656c6c6f");
  });

  it("send --wait to the devnet's recorder works out of the box, and a failing handler exits 1", async () => {
    const manifest = loadManifest(manifestPath(dataDir));
    const target = rollupOf(manifest, 901);
    const ok = await runCli([
      "send",
      "--from",
      "902",
      "--to",
      "901",
      "--recipient",
      target.contracts.recorder,
      "--body",
      "0x6869",
      "--wait",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).status, "delivered");
    // The greeter only accepts its twin, so a raw message to it fails in the handler: reported, not hung.
    const failing = await runCli([
      "send",
      "--from",
      "902",
      "--to",
      "901",
      "--recipient",
      target.contracts.greeter,
      "--body",
      "0x6869",
      "--wait",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(failing.code, 1);
    const status = JSON.parse(failing.stdout);
    assert.equal(status.status, "failed");
    assert.equal(status.failures.length, 1);
    assert.match(status.failures[0].reason, /^0x/);
  });

  it("send --path optimistic goes through the attester's checkpoint after the window, and refuses a mismatched path", async () => {
    const manifest = loadManifest(manifestPath(dataDir));
    const target = rollupOf(manifest, 902);
    const optimistic = await runCli([
      "send",
      "--from",
      "901",
      "--to",
      "902",
      "--recipient",
      target.contracts.optimisticRecorder,
      "--body",
      "0x6f7074",
      "--path",
      "optimistic",
      "--wait",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(optimistic.code, 0, optimistic.stderr);
    const delivered = JSON.parse(optimistic.stdout);
    assert.equal(delivered.status, "delivered");
    assert.equal(delivered.path, "optimistic");
    // The window runs on 902's clock from the first checkpoint that covers the message (the source's clock
    // may run a second or two ahead of 902's, so the cross-chain latency alone can look shorter).
    const client = publicClientFor(target);
    const posted = await client.getContractEvents({
      address: target.contracts.optimisticVerifier,
      abi: optimisticVerifierAbi,
      eventName: "CheckpointSubmitted",
      args: { sourceChainId: 901n },
      fromBlock: 0n,
      strict: true,
    });
    const covering = posted.find((event) => event.args.count > BigInt(delivered.message.nonce));
    assert.ok(covering, "a checkpoint covers the message");
    const postedAt = (await client.getBlock({ blockNumber: covering.blockNumber })).timestamp;
    assert.ok(
      delivered.delivery.timestamp - Number(postedAt) >= manifest.optimistic.challengeWindow,
      `not before the window (posted at ${postedAt}, delivered at ${delivered.delivery.timestamp})`,
    );

    const mismatch = await runCli([
      "send",
      "--from",
      "901",
      "--to",
      "902",
      "--recipient",
      target.contracts.recorder,
      "--body",
      "0x00",
      "--path",
      "optimistic",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /accepts the canonical path from chain 901, not optimistic/);
  });

  it("junction bridge --wait moves JUSD from 901 to 902", async () => {
    const manifest = loadManifest(manifestPath(dataDir));
    const target = rollupOf(manifest, 902);
    const moved = await runCli([
      "bridge",
      "--path",
      "canonical",
      "--amount",
      "2500",
      "--from",
      "901",
      "--to",
      "902",
      "--wait",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(JSON.parse(moved.stdout).status, "delivered");
    const balance = await publicClientFor(target).readContract({
      address: target.contracts.bridgedToken,
      abi: crosschainTokenAbi,
      functionName: "balanceOf",
      args: [manifest.accounts.user.address],
    });
    assert.equal(balance, 2500n);
    const wrongPath = await runCli([
      "bridge",
      "--amount",
      "1",
      "--from",
      "901",
      "--to",
      "902",
      "--path",
      "optimistic",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(wrongPath.code, 1);
    assert.match(wrongPath.stderr, /accepts the canonical path from chain 901, not optimistic/);
    const eth = await runCli([
      "bridge",
      "--lock",
      "--amount",
      "1000",
      "--from",
      "901",
      "--to",
      "902",
      "--wait",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(eth.code, 0, eth.stderr);
    assert.equal(JSON.parse(eth.stdout).status, "delivered");
    const bad = await runCli([
      "bridge",
      "--amount",
      "1.5",
      "--from",
      "901",
      "--to",
      "902",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--amount must be a positive integer in wei/);
  });

  it("publishes proof-of-solvency epochs: status shows every asset solvent, and an LP's proof verifies", async () => {
    const manifest = loadManifest(manifestPath(dataDir));
    let epoch: { epoch: string; solvency: { asset: string; solvent: boolean }[] } | undefined;
    await waitFor(
      async () => {
        const status = await runCli(["solvency", "status", "--data-dir", dataDir]);
        if (status.code === 0) epoch = JSON.parse(status.stdout);
        else await new Promise((resolve) => setTimeout(resolve, 1_000)); // none yet: the first takes ~10 s
        return epoch !== undefined;
      },
      60_000,
      "the devnet's publisher to post an epoch",
    );
    assert.ok(epoch && BigInt(epoch.epoch) >= 1n);
    assert.ok(epoch.solvency.length >= 2, "every listed asset is reported");
    assert.ok(
      epoch.solvency.every((asset) => asset.solvent),
      JSON.stringify(epoch.solvency),
    );
    const verified = await runCli([
      "solvency",
      "verify",
      // The deployer seeded every liquidity pool: it is owed its shares' value.
      ...["--user", manifest.accounts.deployer.address, "--epoch", epoch.epoch, "--data-dir", dataDir],
    ]);
    assert.equal(verified.code, 0, verified.stderr);
  });

  it("send --path sequencer delivers within the superblock, and bundle lands all legs or none", async () => {
    const manifest = loadManifest(manifestPath(dataDir));
    const [a, b] = [rollupOf(manifest, 901), rollupOf(manifest, 902)];
    const sent = await runCli([
      "send",
      "--from",
      "901",
      "--to",
      "902",
      "--recipient",
      b.contracts.sequencerRecorder,
      "--body",
      "0x5e0e",
      "--path",
      "sequencer",
      "--wait",
      "--timeout",
      "60",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    const delivered = JSON.parse(sent.stdout);
    assert.equal(delivered.path, "sequencer");
    assert.equal(delivered.status, "delivered");

    const spender = manifest.accounts.relayer.address;
    const approve = (chainId: number, token: Address, amount: string) => ({
      chainId,
      to: token,
      function: "approve(address spender, uint256 amount)",
      args: [spender, amount],
    });
    const good = join(dataDir, "bundle-good.json");
    const bad = join(dataDir, "bundle-bad.json");
    writeFileSync(
      good,
      JSON.stringify({
        transactions: [
          approve(901, a.contracts.bridgedToken, "7"),
          approve(902, b.contracts.bridgedToken, "8"),
        ],
      }),
    );
    const landed = await runCli(["bundle", good, "--data-dir", dataDir]);
    assert.equal(landed.code, 0, landed.stderr);
    const result = JSON.parse(landed.stdout);
    assert.equal(result.state, "included");
    assert.deepEqual(
      result.transactions.map((leg: { status: string }) => leg.status),
      ["success", "success"],
    );
    // The second leg calls an owner-only function as the user: it reverts, so the first must not land.
    writeFileSync(
      bad,
      JSON.stringify({
        transactions: [
          approve(901, a.contracts.bridgedToken, "9"),
          {
            chainId: 902,
            to: b.contracts.recorder,
            function: "chooseVerifier(uint64 source, address verifier)",
            args: ["901", b.contracts.recorder],
          },
        ],
      }),
    );
    const refused = await runCli(["bundle", bad, "--data-dir", dataDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /leg 1 on chain 902 reverted: NotOwner/);
    const allowance = await publicClientFor(a).readContract({
      address: a.contracts.bridgedToken,
      abi: crosschainTokenAbi,
      functionName: "allowance",
      args: [manifest.accounts.user.address, spender],
    });
    assert.equal(allowance, 7n);
    const malformed = await runCli(["bundle", good, "extra", "--data-dir", dataDir]);
    assert.equal(malformed.code, 2);
  });

  it("refuses bad input with a clear error and exit code", async () => {
    const badAddress = await runCli([
      "send",
      "--from",
      "901",
      "--to",
      "902",
      "--recipient",
      "0x1234",
      "--body",
      "0x00",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(badAddress.code, 2);
    assert.match(badAddress.stderr, /--recipient must be a 20-byte hex address/);
    const unknownChain = await runCli([
      "send",
      "--from",
      "901",
      "--to",
      "999",
      "--recipient",
      `0x${"11".repeat(20)}`,
      "--body",
      "0x00",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(unknownChain.code, 1);
    assert.match(unknownChain.stderr, /chain 999 is not a rollup of this devnet/);
    const missing = await runCli(["status", `0x${"ab".repeat(32)}`, "--data-dir", dataDir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /was not found/);
    const noManifest = await runCli([
      "status",
      `0x${"ab".repeat(32)}`,
      "--data-dir",
      join(dataDir, "nowhere"),
    ]);
    assert.match(noManifest.stderr, /no devnet manifest/);
  });

  it("a second devnet on the same ports fails naming the port, and leaves the first running", async () => {
    const second = await runCli(["devnet", "--port", String(base), "--data-dir", join(dataDir, "second")]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`port ${base} on 127.0.0.1 is already in use`));
    assert.equal(anvilsOn(ports).length, 3);
  });

  it("stops every child on SIGTERM", async () => {
    assert.equal(anvilsOn(ports).length, 3);
    devnet.child.kill("SIGTERM");
    assert.equal(await devnet.exited, 0);
    assert.deepEqual(anvilsOn(ports), []);
    assert.ok((await Promise.all(ports.map(isPortFree))).every(Boolean));
  });

  it("a start that fails halfway stops what it started", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(base + 1001, "127.0.0.1", resolve));
    try {
      const failed = await runCli(["devnet", "--port", String(base), "--data-dir", join(dataDir, "third")]);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, new RegExp(`port ${base + 1001}`));
      assert.deepEqual(anvilsOn(ports), []);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
