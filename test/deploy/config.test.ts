// The network config of `junction deploy`: every refusal names its field, keys resolve from the
// environment, unset app roles fall back to the deployer, and agents' keys must differ.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ResolvedNetwork, resolveNetworkConfig } from "../../src/deploy/config.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { devnetOptimisticSettings } from "../../src/devnet/devnet.js";
import { ConfigError } from "../../src/errors.js";
import { devCommitteeKeys } from "../../src/protocol/committee.js";

const accounts = devnetAccounts();

function config(): Record<string, unknown> & { roles: Record<string, unknown> } {
  return {
    l1: { chainId: 1, rpcUrl: "http://127.0.0.1:8545", blockTime: 12 },
    rollups: [
      { chainId: 10, rpcUrl: "http://127.0.0.1:9545", blockTime: 2 },
      { chainId: 11, rpcUrl: "http://127.0.0.1:9546", blockTime: 2 },
    ],
    deployer: { env: "DEPLOYER" },
    roles: {
      system: accounts.system.privateKey,
      proposer: accounts.proposer.privateKey,
      attester: accounts.attester.privateKey,
      sequencer: accounts.sequencer.privateKey,
      relayer: accounts.relayer.privateKey,
      watchtower: accounts.watchtower.privateKey,
    },
    committee: { keys: devCommitteeKeys("genesis"), threshold: 3 },
    optimistic: devnetOptimisticSettings(4),
  };
}

const env = { DEPLOYER: accounts.deployer.privateKey };

function refusal(json: unknown, pattern: RegExp, environment: Record<string, string> = env): void {
  assert.throws(
    () => resolveNetworkConfig(json, environment),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(`${error.shortMessage}\n${error.details ?? ""}`, pattern);
      return true;
    },
  );
}

describe("network config", () => {
  it("resolves keys from the environment and gives unset app roles the deployer's key", () => {
    const resolved: ResolvedNetwork = resolveNetworkConfig(config(), env);
    assert.equal(resolved.accounts.deployer.address, accounts.deployer.address);
    assert.equal(resolved.accounts.proposer.privateKey, accounts.proposer.privateKey);
    assert.equal(resolved.accounts.filler.address, accounts.deployer.address);
    assert.equal(resolved.solvencyPublisher, accounts.deployer.address);
    assert.equal(resolved.committeeKeys.length, 4);
    assert.equal(resolved.threshold, 3);
  });

  it("refuses a missing or malformed environment key, naming the field and the variable", () => {
    refusal(config(), /deployer: environment variable DEPLOYER is not set/, {});
    refusal(config(), /deployer: environment variable DEPLOYER is not a 32-byte/, { DEPLOYER: "0x12" });
  });

  it("names the field of every schema refusal", () => {
    const missing = config();
    delete missing.roles.proposer;
    refusal(missing, /roles\.proposer/);
    const badKey = config();
    badKey.roles.attester = "0x1234";
    refusal(badKey, /32-byte[\s\S]*roles\.attester/);
    const badUrl = config();
    (badUrl.rollups as { rpcUrl: string }[])[1] = {
      ...(badUrl.rollups as { rpcUrl: string }[])[1],
      rpcUrl: "nope",
    } as never;
    refusal(badUrl, /rollups\[1\]\.rpcUrl/);
    const unknown = { ...config(), salt: "x" };
    refusal(unknown, /salt/);
    const noRollups = { ...config(), rollups: [] };
    refusal(noRollups, /rollups/);
  });

  it("refuses a chain id twice, a threshold above the committee, a window past the withdrawal delay", () => {
    const twice = config();
    (twice.rollups as { chainId: number }[])[1] = { ...(twice.rollups as object[])[1], chainId: 1 } as never;
    refusal(twice, /chain id 1 appears twice[\s\S]*rollups\[1\]\.chainId/);
    const threshold = { ...config(), committee: { keys: devCommitteeKeys("genesis"), threshold: 5 } };
    refusal(threshold, /threshold 5 exceeds the 4 members[\s\S]*committee\.threshold/);
    const delay = { ...config(), optimistic: { ...devnetOptimisticSettings(4), withdrawalDelay: 5 } };
    refusal(delay, /optimistic\.withdrawalDelay/);
  });

  it("refuses two agents on one key", () => {
    const shared = config();
    shared.roles.watchtower = accounts.relayer.privateKey;
    refusal(shared, /roles\.watchtower uses the same key as roles\.relayer/);
    const deployer = config();
    deployer.roles.system = accounts.deployer.privateKey;
    refusal(deployer, /roles\.system uses the same key as the deployer/);
  });
});
