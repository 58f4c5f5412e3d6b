// The local network: an L1 and N rollups as anvil processes on 127.0.0.1, every contract deployed, and
// the agents (proposer, root importer, relayer) running in this process. `stop` undoes all of it, also
// when start-up fails halfway.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Agent } from "../agents/agent.js";
import { Proposer } from "../agents/proposer/proposer.js";
import { Relayer } from "../agents/relayer/relayer.js";
import { RootImporter } from "../agents/root-importer/root-importer.js";
import { type AnvilNode, startAnvil } from "../chain/anvil.js";
import { type Manifest, manifestPath, saveManifest } from "../chain/manifest.js";
import { ConfigError } from "../errors.js";
import type { Logger } from "../log.js";
import { SqliteStore } from "../store/sqlite/sqlite-store.js";
import { devnetAccounts } from "./accounts.js";
import { deployNetwork } from "./deploy.js";

export const L1_CHAIN_ID = 900;
export const FIRST_ROLLUP_CHAIN_ID = 901;
export const DEFAULT_L1_PORT = 8545;
export const DEFAULT_ROLLUP_PORT = 9545;

export type DevnetOptions = {
  rollups?: number;
  /** Rollup block time in seconds; 0 mines one block per transaction. */
  blockTime?: number;
  l1BlockTime?: number;
  dataDir: string;
  /** L1 port; rollups use `rollupPort`, `rollupPort + 1`, ... */
  l1Port?: number;
  rollupPort?: number;
  /** Start the agents (default true); tests may drive them by hand. */
  agents?: boolean;
  relayer?: boolean;
  logger: Logger;
};

export type Devnet = {
  manifest: Manifest;
  manifestFile: string;
  nodes: AnvilNode[];
  agents: Agent[];
  stop(): Promise<void>;
};

export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const rollupCount = options.rollups ?? 2;
  if (!Number.isInteger(rollupCount) || rollupCount < 1 || rollupCount > 64) {
    throw new ConfigError(`--rollups must be an integer from 1 to 64, got ${options.rollups}`);
  }
  const nodes: AnvilNode[] = [];
  const agents: Agent[] = [];
  const stop = async () => {
    await Promise.allSettled(agents.map((agent) => agent.stop()));
    await Promise.allSettled(nodes.map((node) => node.stop()));
  };
  try {
    const l1Port = options.l1Port ?? DEFAULT_L1_PORT;
    const rollupPort = options.rollupPort ?? DEFAULT_ROLLUP_PORT;
    const l1BlockTime = options.l1BlockTime ?? 0;
    const blockTime = options.blockTime ?? 0;
    nodes.push(await startAnvil({ chainId: L1_CHAIN_ID, port: l1Port, blockTime: l1BlockTime }));
    for (let i = 0; i < rollupCount; i++) {
      nodes.push(await startAnvil({ chainId: FIRST_ROLLUP_CHAIN_ID + i, port: rollupPort + i, blockTime }));
    }
    const [l1Node, ...rollupNodes] = nodes as [AnvilNode, ...AnvilNode[]];
    const accounts = devnetAccounts();
    const manifest = await deployNetwork({
      l1: { chainId: l1Node.chainId, rpcUrl: l1Node.rpcUrl, blockTime: l1BlockTime },
      rollups: rollupNodes.map((node) => ({ chainId: node.chainId, rpcUrl: node.rpcUrl, blockTime })),
      accounts,
    });
    const manifestFile = manifestPath(options.dataDir);
    // The chains are new, so a relayer database left by an earlier devnet describes chains that are
    // gone; its cursors would skip the new chains' first blocks.
    removeRelayerDatabase(options.dataDir);
    saveManifest(manifestFile, manifest);
    if (options.agents ?? true) {
      agents.push(...createAgents(manifest, options.dataDir, options.logger, options.relayer ?? true));
      for (const agent of agents) await agent.start();
    }
    return { manifest, manifestFile, nodes, agents, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The agents of one devnet, wired to its manifest and data directory. */
export function createAgents(
  manifest: Manifest,
  dataDir: string,
  logger: Logger,
  withRelayer = true,
): Agent[] {
  const agents: Agent[] = [
    new Proposer({ network: manifest, privateKey: manifest.accounts.proposer.privateKey, logger }),
    new RootImporter({ network: manifest, privateKey: manifest.accounts.system.privateKey, logger }),
  ];
  if (withRelayer) agents.push(createRelayer(manifest, dataDir, logger));
  return agents;
}

export function relayerDatabase(dataDir: string): string {
  return join(dataDir, "relayer.sqlite");
}

function removeRelayerDatabase(dataDir: string): void {
  const file = relayerDatabase(dataDir);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
}

export function createRelayer(manifest: Manifest, dataDir: string, logger: Logger): Agent {
  const store = new SqliteStore(relayerDatabase(dataDir));
  const relayer = new Relayer({
    network: manifest,
    privateKey: manifest.accounts.relayer.privateKey,
    store,
    logger,
  });
  return {
    name: relayer.name,
    start: () => relayer.start(),
    stop: async () => {
      await relayer.stop();
      await store.close();
    },
  };
}
