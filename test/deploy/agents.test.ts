// `junction agents --only`: names parsed and checked, each agent signing with its role's key (the
// manifest's, or the one given for its role).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_NETWORK_AGENTS, NETWORK_AGENTS, parseAgentNames } from "../../src/deploy/agents.js";
import { ConfigError } from "../../src/errors.js";

describe("network agents", () => {
  it("parses a comma-separated list, trims it and drops repeats", () => {
    assert.deepEqual(parseAgentNames(" relayer,proposer ,relayer"), ["relayer", "proposer"]);
    assert.deepEqual(parseAgentNames("root-importer,prover"), ["root-importer", "prover"]);
  });

  it("refuses an unknown agent by name, and an empty list", () => {
    assert.throws(
      () => parseAgentNames("relayer,sequencer"),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.shortMessage, /unknown agent "sequencer"/);
        assert.match(error.details ?? "", /relayer, proposer|proposer, root-importer/);
        return true;
      },
    );
    assert.throws(() => parseAgentNames(" , "), ConfigError);
  });

  it("runs the canonical and optimistic paths' agents by default, the root importer as the system role", () => {
    assert.deepEqual([...DEFAULT_NETWORK_AGENTS].sort(), [
      "attester",
      "proposer",
      "relayer",
      "root-importer",
      "watchtower",
    ]);
    assert.equal(NETWORK_AGENTS["root-importer"], "system");
  });
});
