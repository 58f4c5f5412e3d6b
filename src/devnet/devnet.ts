// The local network: an L1 and N rollups as anvil processes on 127.0.0.1, every contract deployed, and
// the agents (proposer, root importer, relayers, watchtower …) running in this process. `stop` undoes
// all of it, also when start-up fails halfway.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Address, type Hex, parseEther } from "viem";
import type { Agent } from "../agents/agent.js";
import { Attester } from "../agents/attester/attester.js";
import { Proposer } from "../agents/proposer/proposer.js";
import { Prover } from "../agents/prover/prover.js";
import { Relayer } from "../agents/relayer/relayer.js";
import { RootImporter } from "../agents/root-importer/root-importer.js";
import type { Sequencer } from "../agents/sequencer/sequencer.js";
import { Watchtower } from "../agents/watchtower/watchtower.js";
import { ApiServer } from "../api/server.js";
import { type AnvilNode, setBalance, startAnvil } from "../chain/anvil.js";
import { publicClientFor } from "../chain/clients.js";
import {
  type Manifest,
  manifestPath,
  type OptimisticSettings,
  type RollupEntry,
  saveManifest,
} from "../chain/manifest.js";
import { ConfigError } from "../errors.js";
import type { Logger } from "../log.js";
import { devCommitteeKeys } from "../protocol/committee.js";
import type { IntentPath } from "../protocol/intents.js";
import { clearPostgresStores, isPostgresUrl, openRelayerStore, openWatchtowerStore } from "../store/open.js";
import type { RelayerStore } from "../store/store.js";
import type { WatchtowerStore } from "../store/watchtower-store.js";
import { devnetAccounts, extraRelayerAccounts, solvencyPublisherAccount } from "./accounts.js";
import { DevnetStoppingError, growDevnet, startAdminServer } from "./add-rollup.js";
import { applyDependencySet, type DependencySet, parseDependencySet } from "./dependency-set.js";
import { deployNetwork } from "./deploy.js";
import { routeMarginMessages } from "./deploy-margin.js";
import { routeOrderbookMessages } from "./deploy-orderbook.js";
import { createKeeper, createPriceAgent, keeperDatabase } from "./margin-agents.js";
import { createMatcher, matcherDatabase } from "./orderbook-agents.js";
import { createFiller, createRebalancer, fillerDatabase, provenPaths } from "./router-agents.js";
import { sequencedManifest, sequencerOf } from "./sequencer.js";
import { devnetSolvencyPublisher } from "./solvency-agent.js";
import {
  assertSaveTarget,
  assertStateSupported,
  chainStatePath,
  readDevnetState,
  rebaseManifest,
  restoreStores,
  saveDevnetState,
} from "./state.js";

export const L1_CHAIN_ID = 900;
export const FIRST_ROLLUP_CHAIN_ID = 901;
export const DEFAULT_L1_PORT = 8545;
export const DEFAULT_ROLLUP_PORT = 9545;
/** With a shared sequencer, the rollup nodes sit behind it on these ports. */
export const DEFAULT_NODE_PORT = 10545;
export const DEFAULT_SUPERBLOCK_TIME_MS = 500;
/** The devnet's zk committee: 4 members, 3 must sign. */
export const DEVNET_COMMITTEE_THRESHOLD = 3;

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
  /** Relayer agents to run (default 1), each with its own funded key, all sharing one store. */
  relayers?: number;
  watchtower?: boolean;
  /**
   * Run a filler (the manifest's filler account, state in `dataDir`/filler.sqlite) and the pools'
   * rebalancer. Off by default here (tests and benchmarks use those accounts themselves);
   * `junction devnet` turns both on.
   */
  filler?: boolean;
  rebalancer?: boolean;
  /**
   * Run the margin engine's keeper (the manifest's keeper account, state in `dataDir`/keeper.sqlite) and
   * its price agent (a seeded random walk of ETH). Off by default here, like the filler; `junction
   * devnet` turns both on.
   */
  keeper?: boolean;
  prices?: boolean;
  /**
   * Run the order book's matcher (the manifest's matcher account, state in `dataDir`/matcher.sqlite). Off
   * by default here, like the filler; `junction devnet` turns it on.
   */
  matcher?: boolean;
  /**
   * Run the proof-of-solvency publisher (an epoch every 10 s at a posted superblock; archives and its
   * secret in `dataDir`/solvency). Needs the shared sequencer; off by default here, `junction devnet`
   * turns it on.
   */
  solvency?: boolean;
  /** The relayers' and watchtower's PostgreSQL database; SQLite files in `dataDir` when absent. */
  databaseUrl?: string;
  /** Optimistic path: challenge window in seconds (default 4). */
  challengeWindow?: number;
  /**
   * One sequencing domain under the shared sequencer: the rollup nodes listen on `nodePort`, … and mine
   * only when it seals a superblock; `rollupPort`, … are the sequencer's endpoints. Off when absent.
   */
  /** Run the zk path's prover (one proof per epoch of every rollup's checkpoint, in worker threads; CPU-heavy). */
  zk?: boolean;
  /**
   * Run the HTTP/WebSocket API and dashboard on 127.0.0.1:`port` (index in `dataDir`/api.sqlite); its URL
   * goes into the manifest. Off when absent; `junction devnet` turns it on.
   */
  api?: { port: number };
  /**
   * Serve the admin endpoint on 127.0.0.1:`port` (0: any free port; `junction devnet add-rollup` posts
   * to it, see src/devnet/add-rollup.ts); its URL goes into the manifest. Off when absent; `Devnet.addRollup`
   * works either way.
   */
  admin?: { port: number };
  /**
   * Which rollups may message which, symmetric (see src/devnet/dependency-set.ts), enforced by every
   * Outbox and Inbox and sealed there at start; every rollup may message every other when absent.
   */
  dependencySet?: DependencySet;
  /**
   * On stop, save every chain, the agents' SQLite stores and the manifest to this directory (see
   * src/devnet/state.ts); not with `databaseUrl`.
   */
  dumpState?: string;
  /**
   * Start from a devnet saved with `dumpState`: its chains (nothing redeployed, same addresses) and its
   * agents' stores. Its rollup count, sequencing and dependency set are the saved ones.
   */
  loadState?: string;
  sequencer?: {
    superblockTimeMs: number;
    nodePort?: number;
    /** Run the sequencer in this process (default true); false leaves it to `junction sequencer`. */
    run?: boolean;
  };
  logger: Logger;
  /** Told each step of the start-up as it begins (`junction devnet` prints them). */
  progress?: (step: DevnetStep) => void;
};

/** One step of `startDevnet`: the `step`th of `of`, and what it does. */
export type DevnetStep = { step: number; of: number; what: string };

/** Devnet defaults of the optimistic path; production values are in the README. */
export function devnetOptimisticSettings(challengeWindow = 4): OptimisticSettings {
  return {
    challengeWindow,
    challengeBond: parseEther("0.1").toString(),
    minBond: parseEther("1").toString(),
    // Several canonical round trips: a root report settles a challenge well inside it.
    settlementTimeout: challengeWindow + 30,
    // At least the window plus the settlement timeout, plus time for the bond update to reach every destination.
    withdrawalDelay: challengeWindow * 2 + 60,
  };
}

export type Devnet = {
  manifest: Manifest;
  manifestFile: string;
  nodes: AnvilNode[];
  agents: Agent[];
  /** The shared sequencer, when the devnet runs one (a new one after `addRollup`). */
  sequencer?: Sequencer;
  /**
   * Adds a rollup while the devnet runs (see src/devnet/add-rollup.ts): `manifest`, `nodes`, the
   * manifest file and the agents take it. One at a time; refused once the devnet is stopping.
   */
  addRollup(): Promise<RollupEntry>;
  stop(): Promise<void>;
};

export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const saved = options.loadState === undefined ? undefined : savedDevnet(options.loadState, options);
  if (options.dumpState !== undefined) {
    assertStateSupported(options.databaseUrl, "--dump-state");
    assertSaveTarget(options.dumpState);
  }
  const rollupCount = saved?.rollups.length ?? options.rollups ?? 2;
  if (!Number.isInteger(rollupCount) || rollupCount < 1 || rollupCount > 64) {
    throw new ConfigError(`--rollups must be an integer from 1 to 64, got ${options.rollups}`);
  }
  const relayerCount = options.relayers ?? 1;
  if (!Number.isInteger(relayerCount) || relayerCount < 1 || relayerCount > 32) {
    throw new ConfigError(`--relayers must be an integer from 1 to 32, got ${options.relayers}`);
  }
  if (options.databaseUrl !== undefined && !isPostgresUrl(options.databaseUrl)) {
    throw new ConfigError(`the database URL must start with postgres:// or postgresql://`);
  }
  const nodes: AnvilNode[] = [];
  const runAgents = options.agents ?? true;
  const runSequencer = options.sequencer !== undefined && (options.sequencer.run ?? true);
  const steps = 2 + (runSequencer ? 1 : 0) + (runAgents ? 1 : 0) + (options.api ? 1 : 0);
  let step = 0;
  const progress = (what: string) => options.progress?.({ step: ++step, of: steps, what });
  const agents: Agent[] = [];
  let sequencer: Sequencer | undefined;
  let devnet: Devnet | undefined;
  let stopping = false;
  let adding: Promise<unknown> = Promise.resolve();
  const stop = async () => {
    stopping = true;
    await adding.catch(() => undefined);
    await Promise.allSettled(agents.map((agent) => agent.stop()));
    await sequencer?.stop();
    try {
      // Only a devnet that started is saved: a half-deployed one would be loaded as if whole.
      if (devnet && options.dumpState !== undefined) {
        const stores = agentStoreFiles(options.dataDir);
        await saveDevnetState(options.dumpState, { manifest: devnet.manifest, nodes: devnet.nodes, stores });
        options.logger.info("Devnet#stop", "saved the devnet", { dir: options.dumpState });
      }
    } finally {
      await Promise.allSettled(nodes.map((node) => node.stop()));
    }
  };
  try {
    const l1Port = options.l1Port ?? DEFAULT_L1_PORT;
    const rollupPort = options.rollupPort ?? DEFAULT_ROLLUP_PORT;
    const l1BlockTime = options.l1BlockTime ?? 0;
    const blockTime = options.blockTime ?? 0;
    const nodePort = options.sequencer ? (options.sequencer.nodePort ?? DEFAULT_NODE_PORT) : rollupPort;
    progress(`starting ${rollupCount + 1} anvil nodes (L1 and ${rollupCount} rollups)`);
    const l1ChainId = saved?.l1.chainId ?? L1_CHAIN_ID;
    const node = (chainId: number, port: number, blockTime: number) =>
      startAnvil({
        chainId,
        port,
        blockTime,
        loadState: options.loadState === undefined ? undefined : chainStatePath(options.loadState, chainId),
        // A terminal's Ctrl-C must leave the nodes alive until they are saved.
        ownProcessGroup: options.dumpState !== undefined,
      });
    nodes.push(await node(l1ChainId, l1Port, l1BlockTime));
    for (let i = 0; i < rollupCount; i++) {
      nodes.push(
        await node(saved?.rollups[i]?.chainId ?? FIRST_ROLLUP_CHAIN_ID + i, nodePort + i, blockTime),
      );
    }
    const [l1Node, ...rollupNodes] = nodes as [AnvilNode, ...AnvilNode[]];
    const accounts = devnetAccounts();
    // anvil funds the mnemonic's first ten accounts; the rebalancer's, keeper's, feeder's and the extra
    // relayers' keys lie beyond them.
    const extraRelayers = extraRelayerAccounts(relayerCount - 1);
    const funded = [
      accounts.rebalancer,
      accounts.keeper,
      accounts.feeder,
      accounts.matcher,
      ...extraRelayers,
    ].map((account) => account.address);
    for (const node of rollupNodes) {
      for (const address of funded) await fund(node, address, saved !== undefined);
    }
    // The solvency publisher's key lies beyond them too; it publishes on the L1.
    await fund(l1Node, solvencyPublisherAccount().address, saved !== undefined);
    progress(
      saved
        ? `restoring the saved devnet of ${options.loadState} (${saved.createdAt})`
        : `deploying the contracts on ${rollupCount + 1} chains`,
    );
    let manifest = saved
      ? rebaseManifest(
          saved,
          withWs(l1Node, l1BlockTime),
          rollupNodes.map((node) => withWs(node, blockTime)),
        )
      : await deployContracts(options, l1Node, rollupNodes, { l1BlockTime, blockTime });
    if (options.sequencer) {
      if (!saved) await routeSequencedApps(manifest);
      // Wallets and agents reach the rollups through the sequencer's endpoints on the rollup ports.
      manifest = sequencedManifest(manifest, rollupPort, options.sequencer.superblockTimeMs);
      if (options.sequencer.run ?? true) {
        progress("starting the shared sequencer");
        sequencer = sequencerOf(manifest, options.logger);
        await sequencer.start();
      }
    }
    const manifestFile = manifestPath(options.dataDir);
    const storage = { dataDir: options.dataDir, databaseUrl: options.databaseUrl };
    if (options.loadState !== undefined) {
      // The agents carry on from the stores saved with the chains.
      restoreStores(options.loadState, agentStoreFiles(options.dataDir));
    } else {
      // The chains are new, so agent databases left by an earlier devnet describe chains that are gone;
      // their cursors would skip the new chains' first blocks.
      if (storage.databaseUrl) {
        options.logger.info("Devnet#start", "emptying the relayer and watchtower tables (new chains)", {
          database: withoutPassword(storage.databaseUrl),
        });
      }
      await clearAgentStores(storage);
    }
    if (options.api) manifest = { ...manifest, api: { url: `http://127.0.0.1:${options.api.port}` } };
    const addRollup = (): Promise<RollupEntry> => {
      const run = async () => {
        if (stopping || !devnet)
          throw new DevnetStoppingError("the devnet is starting or stopping: it takes no new rollup");
        const grown = await growDevnet({
          manifest: devnet.manifest,
          nodes,
          agents,
          sequencer,
          blockTime,
          fund: funded,
          onSequencer: (restarted) => {
            sequencer = restarted;
            if (devnet) devnet.sequencer = restarted;
          },
          reservedPorts: [options.api?.port, options.admin?.port].filter((port) => port !== undefined),
          ownProcessGroup: options.dumpState !== undefined,
          logger: options.logger,
        });
        sequencer = grown.sequencer;
        devnet.sequencer = grown.sequencer;
        devnet.manifest = grown.manifest;
        saveManifest(manifestFile, grown.manifest);
        return grown.rollup;
      };
      const result = adding.then(run, run);
      adding = result;
      return result;
    };
    if (options.admin) {
      const admin = await startAdminServer(options.admin.port, addRollup, options.logger);
      agents.push(admin);
      manifest = { ...manifest, admin: { url: admin.url } };
    } else {
      // A loaded devnet's saved manifest names the admin endpoint of the run that saved it.
      const { admin: _stale, ...rest } = manifest;
      manifest = rest;
    }
    saveManifest(manifestFile, manifest);
    if (runAgents) {
      const selection = {
        relayer: options.relayer,
        relayerKeys: [
          manifest.accounts.relayer.privateKey,
          ...extraRelayers.map((account) => account.privateKey),
        ],
        watchtower: options.watchtower,
        prover: options.zk,
        filler: options.filler,
        fillerPaths: provenPaths({ zk: options.zk === true, sequenced: options.sequencer !== undefined }),
        rebalancer: options.rebalancer,
        keeper: options.keeper,
        prices: options.prices,
        matcher: options.matcher,
        solvency: options.solvency === true && options.sequencer !== undefined,
      };
      const created = createAgents(manifest, storage, options.logger, selection);
      progress(`starting ${created.length} agents (${created.map((agent) => agent.name).join(", ")})`);
      agents.push(...created);
      for (const agent of agents) await agent.start();
    }
    if (options.api) {
      progress(`starting the API and dashboard on port ${options.api.port}`);
      const api = new ApiServer({
        network: manifest,
        database: apiDatabase(options.dataDir),
        port: options.api.port,
        logger: options.logger,
      });
      agents.push(api);
      await api.start();
    }
    devnet = { manifest, manifestFile, nodes, agents, sequencer, addRollup, stop };
    return devnet;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The saved devnet `loadState` names, checked against the options it is loaded with. */
function savedDevnet(dir: string, options: DevnetOptions): Manifest {
  assertStateSupported(options.databaseUrl, "--load-state");
  const saved = readDevnetState(dir);
  if (options.rollups !== undefined && options.rollups !== saved.rollups.length) {
    throw new ConfigError(`the saved devnet has ${saved.rollups.length} rollups, not ${options.rollups}`, {
      details: "leave out --rollups when loading a saved devnet",
    });
  }
  if ((saved.sequencer !== undefined) !== (options.sequencer !== undefined)) {
    throw new ConfigError(
      saved.sequencer
        ? "the saved devnet's rollups are sequenced: load it without --no-sequencer"
        : "the saved devnet's rollups mine on their own: load it with --no-sequencer",
    );
  }
  if (options.dependencySet !== undefined) {
    throw new ConfigError("a saved devnet keeps the dependency set it was deployed with", {
      details: "leave out --dependency-set when loading a saved devnet",
    });
  }
  return saved;
}

/** anvil funds the mnemonic's first ten accounts; a loaded chain already funded the others. */
async function fund(node: AnvilNode, address: Address, loaded: boolean): Promise<void> {
  if (loaded && (await publicClientFor(node).getBalance({ address })) > 0n) return;
  await setBalance(node, address, parseEther("10000"));
}

function withWs(node: AnvilNode, blockTime: number) {
  return { chainId: node.chainId, rpcUrl: node.rpcUrl, wsUrl: node.wsUrl, blockTime };
}

/** Deploys Junction on new chains and restricts messaging to the dependency set, if any. */
async function deployContracts(
  options: DevnetOptions,
  l1Node: AnvilNode,
  rollupNodes: AnvilNode[],
  { l1BlockTime, blockTime }: { l1BlockTime: number; blockTime: number },
): Promise<Manifest> {
  const accounts = devnetAccounts();
  const deployed = await deployNetwork({
    l1: { chainId: l1Node.chainId, rpcUrl: l1Node.rpcUrl, blockTime: l1BlockTime },
    rollups: rollupNodes.map((node) => ({ chainId: node.chainId, rpcUrl: node.rpcUrl, blockTime })),
    accounts,
    optimistic: devnetOptimisticSettings(options.challengeWindow),
    zk: { committeeKeys: devCommitteeKeys("genesis"), threshold: DEVNET_COMMITTEE_THRESHOLD },
  });
  let manifest: Manifest = {
    ...deployed,
    l1: { ...deployed.l1, wsUrl: l1Node.wsUrl },
    rollups: deployed.rollups.map((rollup, i) => ({ ...rollup, wsUrl: rollupNodes[i]?.wsUrl })),
  };
  if (options.dependencySet) {
    const rollupIds = rollupNodes.map((node) => node.chainId);
    const set = parseDependencySet(options.dependencySet, rollupIds);
    await applyDependencySet(manifest.rollups, accounts.deployer.privateKey, set);
    manifest = { ...manifest, dependencySet: set };
  }
  return manifest;
}

/** Margin and order book messages take the sequencer path (set while the nodes still mine on their own). */
async function routeSequencedApps(manifest: Manifest): Promise<void> {
  const deployer = manifest.accounts.deployer.privateKey;
  await routeMarginMessages(manifest.rollups, deployer, manifest.margin, "sequencerVerifier");
  if (manifest.orderbook) {
    await routeOrderbookMessages(manifest.rollups, deployer, manifest.orderbook, "sequencerVerifier");
  }
}

export type AgentSelection = {
  relayer?: boolean;
  /** One relayer per key (default: the manifest's relayer alone). */
  relayerKeys?: Hex[];
  watchtower?: boolean;
  prover?: boolean;
  /** The liquidity router's agents (default off). */
  filler?: boolean;
  /** The paths the filler fills for (default all): those the devnet proves. */
  fillerPaths?: IntentPath[];
  rebalancer?: boolean;
  /** The margin engine's keeper and price agent (default off). */
  keeper?: boolean;
  prices?: boolean;
  /** The order book's matcher (default off). */
  matcher?: boolean;
  /** The proof-of-solvency publisher (default off; epochs are taken at posted superblocks). */
  solvency?: boolean;
};

/** Where the relayers and the watchtower keep their state: SQLite files in dataDir, or one PostgreSQL database. */
export type AgentStorage = { dataDir: string; databaseUrl?: string };

/** The agents of one devnet, wired to its manifest and storage (all of them by default). */
export function createAgents(
  manifest: Manifest,
  storage: AgentStorage,
  logger: Logger,
  selection: AgentSelection = {},
): Agent[] {
  const agents: Agent[] = [
    new Proposer({ network: manifest, privateKey: manifest.accounts.proposer.privateKey, logger }),
    new RootImporter({ network: manifest, privateKey: manifest.accounts.system.privateKey, logger }),
    new Attester({ network: manifest, privateKey: manifest.accounts.attester.privateKey, logger }),
  ];
  if (selection.relayer ?? true) {
    const keys = selection.relayerKeys ?? [manifest.accounts.relayer.privateKey];
    agents.push(...keys.map((privateKey) => createRelayer(manifest, storage, logger, { privateKey })));
  }
  if (selection.watchtower ?? true) agents.push(createWatchtower(manifest, storage, logger));
  if (selection.prover) agents.push(createProver(manifest, logger));
  if (selection.filler) {
    const settings = { paths: selection.fillerPaths };
    agents.push(createFiller(manifest, storage.dataDir, logger, { settings }));
  }
  if (selection.rebalancer) agents.push(createRebalancer(manifest, logger));
  if (selection.prices) agents.push(createPriceAgent(manifest, logger));
  if (selection.keeper) agents.push(createKeeper(manifest, storage.dataDir, logger));
  if (selection.matcher && manifest.orderbook) agents.push(createMatcher(manifest, storage.dataDir, logger));
  if (selection.solvency) {
    const publisher = devnetSolvencyPublisher(manifest, { dataDir: storage.dataDir, logger });
    if (publisher) agents.push(publisher);
  }
  return agents;
}

/** The zk prover, standing in for the devnet's committee (it holds the members' development keys). */
export function createProver(manifest: Manifest, logger: Logger, privateKey?: Hex): Prover {
  return new Prover({
    network: manifest,
    committeeKeys: manifest.zk.committeeKeys,
    signers: manifest.zk.threshold,
    privateKey: privateKey ?? manifest.accounts.prover.privateKey,
    logger,
  });
}

export function relayerDatabase(dataDir: string): string {
  return join(dataDir, "relayer.sqlite");
}

/** The API's index of the chains' events. */
export function apiDatabase(dataDir: string): string {
  return join(dataDir, "api.sqlite");
}

export function watchtowerDatabase(dataDir: string): string {
  return join(dataDir, "watchtower.sqlite");
}

/** Every SQLite store the devnet's agents and API may keep in `dataDir`. */
function agentStoreFiles(dataDir: string): string[] {
  return [
    fillerDatabase(dataDir),
    keeperDatabase(dataDir),
    matcherDatabase(dataDir),
    apiDatabase(dataDir),
    relayerDatabase(dataDir),
    watchtowerDatabase(dataDir),
  ];
}

/** The chains are new, so what agents stored about earlier chains is gone: SQLite files or PostgreSQL rows. */
async function clearAgentStores(storage: AgentStorage): Promise<void> {
  // The filler, the keeper, the matcher and the API keep SQLite either way.
  const files = agentStoreFiles(storage.dataDir);
  if (storage.databaseUrl) await clearPostgresStores(storage.databaseUrl);
  for (const file of files) {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  }
  // The solvency publisher's archives are named by superblock height, which starts again at 1.
  const archives = join(storage.dataDir, "solvency");
  if (existsSync(archives)) {
    for (const name of readdirSync(archives)) {
      if (/^superblock-\d+\.json$/.test(name)) rmSync(join(archives, name), { force: true });
    }
  }
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** The watchtower; its store is opened at start (PostgreSQL needs a connection and its migrations). */
export function createWatchtower(
  manifest: Manifest,
  storage: AgentStorage,
  logger: Logger,
  privateKey?: Hex,
): Agent {
  let running: { watchtower: Watchtower; store: WatchtowerStore } | undefined;
  // Rollups added while it runs; a restart of this agent serves them too.
  const added: RollupEntry[] = [];
  return {
    name: "Watchtower",
    addRollup: (rollup) => {
      added.push(rollup);
      running?.watchtower.addRollup(rollup);
    },
    start: async () => {
      const store = await openWatchtowerStore({
        database: storage.databaseUrl ?? watchtowerDatabase(storage.dataDir),
      });
      const watchtower = new Watchtower({
        network: manifest,
        privateKey: privateKey ?? manifest.accounts.watchtower.privateKey,
        store,
        logger,
      });
      for (const rollup of added) watchtower.addRollup(rollup);
      running = { watchtower, store };
      await watchtower.start();
    },
    stop: async () => {
      const current = running;
      running = undefined;
      await current?.watchtower.stop();
      await current?.store.close();
    },
  };
}

export type RelayerAgentOptions = {
  /** Defaults to the manifest's relayer account. */
  privateKey?: Hex;
  /** The owner name of its leases; defaults to the relayer's own (from its address). */
  relayerId?: string;
  /** How long its leases last (default: see RelayerConfig.leaseMs). */
  leaseMs?: number;
};

/** A relayer; its store is opened at start (PostgreSQL needs a connection and its migrations). */
export function createRelayer(
  manifest: Manifest,
  storage: AgentStorage,
  logger: Logger,
  options: RelayerAgentOptions = {},
): Agent {
  let running: { relayer: Relayer; store: RelayerStore } | undefined;
  // Rollups added while it runs; a restart of this agent serves them too.
  const added: RollupEntry[] = [];
  return {
    name: "Relayer",
    addRollup: (rollup) => {
      added.push(rollup);
      running?.relayer.addRollup(rollup);
    },
    start: async () => {
      const store = await openRelayerStore({
        database: storage.databaseUrl ?? relayerDatabase(storage.dataDir),
      });
      const relayer = new Relayer({
        network: manifest,
        privateKey: options.privateKey ?? manifest.accounts.relayer.privateKey,
        store,
        logger,
        relayerId: options.relayerId,
        leaseMs: options.leaseMs,
      });
      for (const rollup of added) relayer.addRollup(rollup);
      running = { relayer, store };
      await relayer.start();
    },
    stop: async () => {
      const current = running;
      running = undefined;
      await current?.relayer.stop();
      await current?.store.close();
    },
  };
}
