// The agents of a deployed network, chosen by name and keyed per role: what `junction agents` runs.
// Keys come from the manifest's accounts unless the caller overrides a role's (the CLI reads
// JUNCTION_<ROLE>_KEY from the environment).
import type { Hex } from "viem";
import type { Agent } from "../agents/agent.js";
import { Attester } from "../agents/attester/attester.js";
import { Proposer } from "../agents/proposer/proposer.js";
import { RootImporter } from "../agents/root-importer/root-importer.js";
import type { Manifest } from "../chain/manifest.js";
import { type AgentStorage, createProver, createRelayer, createWatchtower } from "../devnet/devnet.js";
import { ConfigError } from "../errors.js";
import type { Logger } from "../log.js";

/** Every agent `junction agents` runs, with the manifest role whose key it signs with. */
export const NETWORK_AGENTS = {
  proposer: "proposer",
  "root-importer": "system",
  attester: "attester",
  relayer: "relayer",
  watchtower: "watchtower",
  prover: "prover",
} as const satisfies Record<string, keyof Manifest["accounts"]>;
export type NetworkAgentName = keyof typeof NETWORK_AGENTS;
export type AgentRole = (typeof NETWORK_AGENTS)[NetworkAgentName];

/** What runs without --only: the canonical and optimistic paths (the zk prover is CPU-heavy, opt in). */
export const DEFAULT_NETWORK_AGENTS: NetworkAgentName[] = [
  "proposer",
  "root-importer",
  "attester",
  "relayer",
  "watchtower",
];

export function parseAgentNames(list: string): NetworkAgentName[] {
  const names = list
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const known = Object.keys(NETWORK_AGENTS);
  for (const name of names) {
    if (!known.includes(name)) {
      throw new ConfigError(`unknown agent "${name}"`, { details: `agents: ${known.join(", ")}` });
    }
  }
  if (names.length === 0) throw new ConfigError("no agent named", { details: `agents: ${known.join(", ")}` });
  return [...new Set(names)] as NetworkAgentName[];
}

export type NetworkAgentsOptions = {
  names: readonly NetworkAgentName[];
  storage: AgentStorage;
  logger: Logger;
  /** A role's key instead of the manifest's. */
  keys?: Partial<Record<AgentRole, Hex>>;
};

export function createNetworkAgents(manifest: Manifest, options: NetworkAgentsOptions): Agent[] {
  const key = (role: AgentRole) => options.keys?.[role] ?? manifest.accounts[role].privateKey;
  const { storage, logger } = options;
  const network = manifest;
  const factories: Record<NetworkAgentName, () => Agent> = {
    proposer: () => new Proposer({ network, privateKey: key("proposer"), logger }),
    "root-importer": () => new RootImporter({ network, privateKey: key("system"), logger }),
    attester: () => new Attester({ network, privateKey: key("attester"), logger }),
    relayer: () => createRelayer(manifest, storage, logger, { privateKey: key("relayer") }),
    watchtower: () => createWatchtower(manifest, storage, logger, key("watchtower")),
    prover: () => createProver(manifest, logger, key("prover")),
  };
  return options.names.map((name) => factories[name]());
}
