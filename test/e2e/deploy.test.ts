// `junction deploy` and `junction agents` against chains someone else runs: three bare anvil nodes this
// test starts itself (no `junction devnet`, no anvil-only RPC), the L1 with 12 s blocks and the rollups
// with 1 s blocks, one of them without the deterministic deployment proxy. Deploys through the CLI (the
// manifest owner-only), re-runs it (nothing changes, no transaction; a rotated attester refused), runs the
// agents with `junction agents` and delivers one message over the canonical path and one over the
// optimistic path between the two rollups.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AnvilNode, startAnvil } from "../../src/chain/anvil.js";
import { publicClientFor } from "../../src/chain/clients.js";
import { loadManifest, type Manifest } from "../../src/chain/manifest.js";
import { consecutiveFreePorts } from "../../src/chain/ports.js";
import { inboxAbi, outboxAbi } from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { DETERMINISTIC_DEPLOYMENT_PROXY } from "../../src/devnet/deploy-steps.js";
import { devnetOptimisticSettings } from "../../src/devnet/devnet.js";
import { devCommitteeKeys } from "../../src/protocol/committee.js";
import { type LongRunning, runCli, startCli, stopCli, waitFor } from "../helpers/cli.js";

const L1 = 31_337_900;
const [ROLLUP_A, ROLLUP_B] = [31_337_901, 31_337_902];

describe("junction deploy and junction agents on bare nodes", () => {
  const dir = mkdtempSync(join(tmpdir(), "junction-deploy-"));
  const configFile = join(dir, "network.json");
  const manifestFile = join(dir, "network-manifest.json");
  const nodes: AnvilNode[] = [];
  let agents: LongRunning | undefined;
  const accounts = devnetAccounts();

  before(async () => {
    const port = await consecutiveFreePorts(3);
    nodes.push(await startAnvil({ chainId: L1, port, blockTime: 12 }));
    nodes.push(await startAnvil({ chainId: ROLLUP_A, port: port + 1, blockTime: 1 }));
    // The second rollup lacks the deterministic deployment proxy (anvil has it from genesis otherwise).
    nodes.push(
      await startAnvil({ chainId: ROLLUP_B, port: port + 2, blockTime: 1, withoutCreate2Proxy: true }),
    );
    const [l1, a, b] = nodes as [AnvilNode, AnvilNode, AnvilNode];
    const config = {
      l1: { chainId: L1, rpcUrl: l1.rpcUrl, blockTime: 12 },
      rollups: [
        { chainId: ROLLUP_A, rpcUrl: a.rpcUrl, blockTime: 1 },
        { chainId: ROLLUP_B, rpcUrl: b.rpcUrl, blockTime: 1 },
      ],
      deployer: { env: "JUNCTION_TEST_DEPLOYER_KEY" },
      roles: {
        system: accounts.system.privateKey,
        proposer: accounts.proposer.privateKey,
        attester: accounts.attester.privateKey,
        sequencer: accounts.sequencer.privateKey,
        relayer: accounts.relayer.privateKey,
        watchtower: accounts.watchtower.privateKey,
        user: accounts.user.privateKey,
        prover: accounts.prover.privateKey,
      },
      committee: { keys: devCommitteeKeys("genesis"), threshold: 3 },
      optimistic: devnetOptimisticSettings(4),
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    // The CLI children inherit the environment: the deployer's key reaches them only this way.
    process.env.JUNCTION_TEST_DEPLOYER_KEY = accounts.deployer.privateKey;
  });

  after(async () => {
    if (agents) await stopCli(agents);
    await Promise.allSettled(nodes.map((node) => node.stop()));
    delete process.env.JUNCTION_TEST_DEPLOYER_KEY;
    rmSync(dir, { recursive: true, force: true });
  });

  const deploy = (file = configFile) =>
    runCli(["deploy", "--config", file, "--manifest", manifestFile], 400_000);
  const deployerNonces = () =>
    Promise.all(
      nodes.map((node) =>
        publicClientFor(node).getTransactionCount({
          address: accounts.deployer.address,
          blockTag: "pending",
        }),
      ),
    );

  it("refuses a config whose chain id is not what the RPC URL serves, naming the field", async () => {
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    config.rollups[1].chainId = 5;
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(config));
    const refused = await deploy(bad);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /rollups\[1\]\.chainId is 5, but .* serves chain 31337902/);
    config.rollups[1].chainId = ROLLUP_B;
    config.roles.proposer = config.roles.relayer;
    writeFileSync(bad, JSON.stringify(config));
    const twin = await deploy(bad);
    assert.equal(twin.code, 1);
    assert.match(twin.stderr, /roles\.relayer uses the same key as roles\.proposer/);
    assert.deepEqual(await deployerNonces(), [0, 0, 0], "nothing was sent");
  });

  let manifest: Manifest;

  it("deploys to every chain at the same addresses and writes the manifest", async () => {
    // anvil has the deterministic deployment proxy from genesis; the second rollup was started without
    // it, so deploy sends the proxy's published keyless transaction there first.
    const proxyCode = (node: AnvilNode) =>
      publicClientFor(node).getCode({ address: DETERMINISTIC_DEPLOYMENT_PROXY });
    const [withProxy, withoutProxy] = [nodes[0], nodes[2]] as [AnvilNode, AnvilNode];
    assert.ok(((await proxyCode(withProxy)) ?? "0x").length > 2);
    assert.equal((await proxyCode(withoutProxy)) ?? "0x", "0x");
    const deployed = await deploy();
    assert.equal(deployed.code, 0, deployed.stderr);
    const report = JSON.parse(deployed.stdout);
    assert.equal(report.written, true);
    for (const chainId of [L1, ROLLUP_A, ROLLUP_B]) assert.ok(report.transactions[chainId] > 0);
    assert.equal(await proxyCode(withoutProxy), await proxyCode(withProxy), "the proxy was deployed");
    assert.equal(statSync(manifestFile).mode & 0o777, 0o600, "the manifest holds keys: owner only");
    // The deployer's key came from the environment: the manifest names the variable, not the key.
    const written = readFileSync(manifestFile, "utf8");
    assert.equal(written.includes(accounts.deployer.privateKey.slice(2)), false);
    assert.deepEqual(JSON.parse(written).accounts.deployer.privateKey, { env: "JUNCTION_TEST_DEPLOYER_KEY" });
    manifest = loadManifest(manifestFile);
    const [a, b] = manifest.rollups as [Manifest["rollups"][number], Manifest["rollups"][number]];
    assert.deepEqual(a.contracts, b.contracts, "every rollup contract at one address");
    // No dependency set: every Outbox and Inbox sealed open to every chain (the owner cannot strand
    // messages in flight by restricting a pair later).
    for (const rollup of manifest.rollups) {
      const client = publicClientFor(rollup);
      const { outbox, inbox } = rollup.contracts;
      const sealed = await Promise.all([
        client.readContract({ address: outbox, abi: outboxAbi, functionName: "dependencySetSealed" }),
        client.readContract({ address: inbox, abi: inboxAbi, functionName: "dependencySetSealed" }),
      ]);
      assert.deepEqual(sealed, [true, true], `Outbox and Inbox on ${rollup.chainId} sealed`);
    }
    assert.equal(manifest.accounts.proposer.address, accounts.proposer.address);
    assert.equal(
      manifest.accounts.filler.address,
      accounts.deployer.address,
      "an unset role is the deployer's",
    );
    for (const rollup of manifest.rollups) {
      const code = await publicClientFor(rollup).getCode({ address: rollup.contracts.gateway });
      assert.ok(code && code.length > 2, `gateway on ${rollup.chainId}`);
    }
  });

  it("a second run verifies the deployment, sends nothing and leaves the manifest as it was", async () => {
    const before = await deployerNonces();
    const text = readFileSync(manifestFile, "utf8");
    chmodSync(manifestFile, 0o644); // say, copied around: the re-run protects it again
    const again = await deploy();
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout);
    assert.equal(report.written, false);
    assert.deepEqual(report.transactions, { [L1]: 0, [ROLLUP_A]: 0, [ROLLUP_B]: 0 });
    assert.deepEqual(await deployerNonces(), before);
    assert.equal(readFileSync(manifestFile, "utf8"), text);
    assert.equal(statSync(manifestFile).mode & 0o777, 0o600);
  });

  it("a re-run with a rotated attester key fails naming the attester, sends nothing and keeps the manifest", async () => {
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    config.roles.attester = accounts.keeper.privateKey;
    const rotated = join(dir, "rotated.json");
    writeFileSync(rotated, JSON.stringify(config));
    const before = await deployerNonces();
    const text = readFileSync(manifestFile, "utf8");
    const refused = await deploy(rotated);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /OptimisticVerifier\.setAttester/);
    assert.match(
      refused.stderr,
      new RegExp(`attester ${accounts.keeper.address} is not registered for source`),
    );
    assert.deepEqual(await deployerNonces(), before, "nothing was sent");
    assert.equal(readFileSync(manifestFile, "utf8"), text);
  });

  it("junction agents delivers a message over the canonical path and one over the optimistic path", async () => {
    agents = startCli(["agents", "--manifest", manifestFile, "--data-dir", dir, "--log-format", "json"]);
    await waitFor(() => agents?.output().includes('"running"') ?? false, 60_000, "the agents to start");
    const target = manifest.rollups[1] as Manifest["rollups"][number];
    const send = (recipient: string, path: string, key: string) =>
      runCli(
        [
          "send",
          ...["--from", String(ROLLUP_A), "--to", String(ROLLUP_B), "--recipient", recipient],
          ...["--body", "0x6869", "--path", path, "--private-key", key, "--wait", "--timeout", "300"],
          ...["--manifest", manifestFile],
        ],
        320_000,
      );
    const [canonical, optimistic] = await Promise.all([
      send(target.contracts.recorder, "canonical", accounts.user.privateKey),
      send(target.contracts.optimisticRecorder, "optimistic", accounts.prover.privateKey),
    ]);
    for (const [sent, path] of [
      [canonical, "canonical"],
      [optimistic, "optimistic"],
    ] as const) {
      assert.equal(sent.code, 0, `${path}: ${sent.stderr}\n${agents.output().slice(-3000)}`);
      const delivered = JSON.parse(sent.stdout);
      assert.equal(delivered.status, "delivered");
      assert.equal(delivered.path, path);
    }
    const running = agents;
    agents = undefined;
    running.child.kill("SIGTERM");
    assert.equal(await running.exited, 0, running.output().slice(-3000));
    assert.match(running.output(), /"stopped": "SIGTERM"/);
  });
});
