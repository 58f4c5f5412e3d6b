// Keys `junction deploy` was given as environment variables stay out of the manifest: the file names the
// variable, a process reads the key when it first signs with it (so an agent needs only its own
// variables), an unset variable is named when its key is used, and saving a loaded manifest again keeps
// the references.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Address, type Hex, zeroAddress } from "viem";
import {
  loadManifest,
  type Manifest,
  manifestSchema,
  saveManifest,
  withKeyReferences,
} from "../../src/chain/manifest.js";
import { resolveNetworkConfig } from "../../src/deploy/config.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { devnetOptimisticSettings } from "../../src/devnet/devnet.js";
import { ConfigError } from "../../src/errors.js";
import { devCommitteeKeys } from "../../src/protocol/committee.js";

const accounts = devnetAccounts();
const committee = devCommitteeKeys("genesis");
const ONE = "0x0000000000000000000000000000000000000001" as Address;

/** A manifest of one rollup whose contracts all sit at one made-up address (only its keys matter here). */
function manifestWith(network: ReturnType<typeof resolveNetworkConfig>): Manifest {
  const contractNames = Object.keys(manifestSchema.shape.rollups.element.shape.contracts.shape);
  const contracts = Object.fromEntries(contractNames.map((name) => [name, ONE]));
  contracts.settlers = { canonical: ONE, optimistic: ONE, sequencer: ONE, zk: ONE } as never;
  return manifestSchema.parse({
    version: 1,
    createdAt: new Date(0).toISOString(),
    l1: {
      chainId: 1,
      rpcUrl: "http://127.0.0.1:8545",
      blockTime: 12,
      deployBlock: 0,
      contracts: { rollupHub: ONE, superblockLog: ONE },
    },
    rollups: [{ chainId: 10, rpcUrl: "http://127.0.0.1:9545", blockTime: 2, deployBlock: 0, contracts }],
    optimistic: network.optimistic,
    zk: { committeeKeys: network.committeeKeys, threshold: network.threshold },
    margin: { hubChainId: 10, engine: ONE, oracle: ONE, vault: ONE, testAsset: zeroAddress },
    accounts: network.accounts,
  });
}

describe("key references in a deployed manifest", () => {
  const dir = mkdtempSync(join(tmpdir(), "junction-manifest-keys-"));
  const file = join(dir, "devnet.json");
  after(() => rmSync(dir, { recursive: true, force: true }));

  const env = { DEPLOYER: accounts.deployer.privateKey, RELAYER: accounts.relayer.privateKey };
  const network = resolveNetworkConfig(
    {
      l1: { chainId: 1, rpcUrl: "http://127.0.0.1:8545", blockTime: 12 },
      rollups: [{ chainId: 10, rpcUrl: "http://127.0.0.1:9545", blockTime: 2 }],
      deployer: { env: "DEPLOYER" },
      roles: {
        system: accounts.system.privateKey,
        proposer: accounts.proposer.privateKey,
        attester: accounts.attester.privateKey,
        sequencer: accounts.sequencer.privateKey,
        relayer: { env: "RELAYER" },
        watchtower: accounts.watchtower.privateKey,
      },
      committee: { keys: [{ env: "MEMBER0" }, ...committee.slice(1)], threshold: 3 },
      optimistic: devnetOptimisticSettings(4),
    },
    { ...env, MEMBER0: committee[0] as Hex },
  );

  it("writes the variable's name, never the key, for the deployer, the roles that default to it and the committee", () => {
    saveManifest(file, withKeyReferences(manifestWith(network), network.keyReferences));
    const text = readFileSync(file, "utf8");
    for (const secret of [accounts.deployer.privateKey, accounts.relayer.privateKey, committee[0] as Hex]) {
      assert.equal(text.includes(secret.slice(2)), false, `${secret.slice(0, 10)}… is not in the file`);
    }
    const json = JSON.parse(text);
    assert.deepEqual(json.accounts.deployer.privateKey, { env: "DEPLOYER" });
    assert.deepEqual(json.accounts.filler.privateKey, { env: "DEPLOYER" }, "an unset role is the deployer's");
    assert.deepEqual(json.accounts.relayer.privateKey, { env: "RELAYER" });
    assert.equal(
      json.accounts.proposer.privateKey,
      accounts.proposer.privateKey,
      "an inline key stays inline",
    );
    assert.deepEqual(json.zk.committeeKeys[0], { env: "MEMBER0" });
    assert.equal(json.accounts.relayer.address, accounts.relayer.address);
  });

  it("reads a key when it is used, so a process needs only its own variables", () => {
    const manifest = loadManifest(file, { RELAYER: accounts.relayer.privateKey });
    assert.equal(manifest.accounts.relayer.privateKey, accounts.relayer.privateKey);
    assert.equal(manifest.accounts.deployer.address, accounts.deployer.address, "addresses need no variable");
    assert.equal(manifest.zk.committeeKeys[1], committee[1]);
    assert.throws(
      () => manifest.accounts.deployer.privateKey,
      (error: unknown) =>
        error instanceof ConfigError &&
        /accounts\.deployer of .* is read from environment variable DEPLOYER, which is not set/.test(
          error.shortMessage,
        ),
    );
    assert.throws(() => manifest.zk.committeeKeys[0], /zk\.committeeKeys\[0\].*MEMBER0, which is not set/);
    const wrong = loadManifest(file, { DEPLOYER: "0x1234" });
    assert.throws(
      () => wrong.accounts.deployer.privateKey,
      /DEPLOYER \(accounts\.deployer\) is not a 32-byte/,
    );
  });

  it("keeps the references when a loaded manifest is saved again", () => {
    const before = readFileSync(file, "utf8");
    const manifest = loadManifest(file, { ...env, MEMBER0: committee[0] as Hex });
    assert.equal(manifest.accounts.deployer.privateKey, accounts.deployer.privateKey, "resolved in memory");
    saveManifest(file, manifest);
    assert.equal(readFileSync(file, "utf8"), before);
  });
});
