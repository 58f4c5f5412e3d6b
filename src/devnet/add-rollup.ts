// Growing a running devnet by one rollup (`junction devnet add-rollup`, or `Devnet.addRollup`): a new
// anvil node, Junction deployed on it with the devnet's own deployment steps, the rollup registered at
// the L1 hub (and in the sequencing domain), every existing rollup told about it on every trust path,
// the manifest rewritten, and the running agents handed the new rollup. The admin endpoint the devnet
// serves on 127.0.0.1 takes the request from another process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Address, type Hex, parseEther } from "viem";
import type { Agent } from "../agents/agent.js";
import type { Sequencer } from "../agents/sequencer/sequencer.js";
import { type AnvilNode, setBalance, startAnvil } from "../chain/anvil.js";
import { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
import type { Manifest, RollupEntry } from "../chain/manifest.js";
import { PortInUseError } from "../chain/ports.js";
import * as artifacts from "../contracts/generated/index.js";
import { ConfigError, JunctionError } from "../errors.js";
import type { Logger } from "../log.js";
import { buildCommittee } from "../protocol/committee.js";
import { INTENT_PATHS, type IntentPath } from "../protocol/intents.js";
import { configureBridge, configurePaths, deployRollup, rollupDeployOptions } from "./deploy.js";
import { listRollupInRegistry } from "./deploy-solvency.js";
import { confirmAll } from "./deploy-steps.js";
import { sequencerOf } from "./sequencer.js";

/** The devnet is stopping (or stopped): it takes no new rollup. */
export class DevnetStoppingError extends JunctionError {
  override name = "DevnetStoppingError" as const;
}

/** The devnet cannot take another rollup: it has the most it may have, or the next one has no free port. */
export class RollupLimitError extends JunctionError {
  override name = "RollupLimitError" as const;
}

/** The admin endpoint answered with an error this client does not know by name. */
export class AdminRequestError extends JunctionError {
  override name = "AdminRequestError" as const;
}

/** Most rollups a devnet has (as at start): every BondManager broadcasts to at most 64 destinations. */
export const MAX_DEVNET_ROLLUPS = 64;

/** Where the next rollup goes: its chain id, its node's port and the port wallets use (the same unsequenced). */
export type RollupPlan = { index: number; chainId: number; nodePort: number; rpcPort: number };

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/**
 * The next rollup's chain id (one above the highest) and ports (the next in each range the devnet's
 * rollups use), refused by name when the devnet is full or a port is out of range or already used by
 * the devnet (its L1, rollups, sequencer endpoints or `reservedPorts`: the API, the admin endpoint).
 */
export function planNextRollup(manifest: Manifest, reservedPorts: readonly number[] = []): RollupPlan {
  const index = manifest.rollups.length;
  if (index + 1 > MAX_DEVNET_ROLLUPS) {
    throw new RollupLimitError(
      `the devnet has ${index} rollups, the most it may have is ${MAX_DEVNET_ROLLUPS}`,
    );
  }
  const first = manifest.rollups[0] as RollupEntry;
  const rpcPort = portOf(first.rpcUrl) + index;
  const nodePort = first.nodeRpcUrl ? portOf(first.nodeRpcUrl) + index : rpcPort;
  const taken = new Set([
    portOf(manifest.l1.rpcUrl),
    ...manifest.rollups.flatMap((rollup) => [
      portOf(rollup.rpcUrl),
      ...(rollup.nodeRpcUrl ? [portOf(rollup.nodeRpcUrl)] : []),
    ]),
    ...reservedPorts,
  ]);
  for (const port of new Set([rpcPort, nodePort])) {
    if (port > 65_535) {
      throw new RollupLimitError(`rollup ${index + 1} would listen on port ${port}, above 65535`, {
        details: "start the devnet on a lower --port to leave room for more rollups",
      });
    }
    if (taken.has(port)) {
      throw new RollupLimitError(`rollup ${index + 1} would listen on port ${port}, which the devnet uses`, {
        details: "the rollups' port ranges (BASE+1000…, BASE+2000…) ran into another of the devnet's ports",
      });
    }
  }
  const chainId = Math.max(...manifest.rollups.map((rollup) => rollup.chainId)) + 1;
  return { index, chainId, nodePort, rpcPort };
}

export type GrowDevnetOptions = {
  manifest: Manifest;
  /** The devnet's nodes: the new one is added as soon as it runs, so the devnet's stop ends it. */
  nodes: AnvilNode[];
  /** The running agents: those with `addRollup` take the new rollup. */
  agents: readonly Agent[];
  /** The sequencer this process runs, when the rollups are sequenced: replaced by one with the new rollup. */
  sequencer?: Sequencer;
  /** The new node's block time when unsequenced (seconds, 0: a block per transaction). */
  blockTime: number;
  /** Accounts beyond anvil's ten funded ones that the devnet funds on every rollup. */
  fund: readonly Address[];
  /** Told of a sequencer started in place of the old one when adding fails after the old one stopped. */
  onSequencer?: (sequencer: Sequencer) => void;
  /** Ports of the devnet's own servers (API, admin endpoint) the new rollup must not take. */
  reservedPorts?: readonly number[];
  /**
   * Start the node in its own process group, as the devnet's others under `--dump-state`: a terminal's
   * Ctrl-C must not kill it before the devnet saves it.
   */
  ownProcessGroup?: boolean;
  logger: Logger;
};

export type GrownDevnet = { manifest: Manifest; rollup: RollupEntry; sequencer?: Sequencer };

/**
 * Adds one rollup to a running devnet and returns the new manifest (the caller saves it). A failure
 * part-way leaves the new node running (the devnet's stop ends it) and the manifest as it was.
 */
export async function growDevnet(options: GrowDevnetOptions): Promise<GrownDevnet> {
  const { manifest, logger } = options;
  if (manifest.sequencer && !options.sequencer) {
    throw new ConfigError(
      "this devnet's sequencer runs as `junction sequencer`: it cannot take a new rollup",
      {
        details: "start the devnet without --external-sequencer to add rollups while it runs",
      },
    );
  }
  if (manifest.dependencySet) {
    // Every rollup's set is sealed at start: a newcomer could never be messaged, nor message anyone.
    throw new ConfigError("this devnet was started with --dependency-set: it cannot take a new rollup", {
      details:
        "the dependency set is sealed on every rollup when the devnet starts; start it with as many rollups (--rollups N) as the set names",
    });
  }
  const plan = planNextRollup(manifest, options.reservedPorts);
  logger.info("Devnet#addRollup", "adding a rollup", { ...plan });
  const node = await startAnvil({
    chainId: plan.chainId,
    port: plan.nodePort,
    blockTime: options.blockTime,
    ownProcessGroup: options.ownProcessGroup,
  });
  options.nodes.push(node);
  for (const address of options.fund) await setBalance(node, address, parseEther("10000"));

  const { accounts } = manifest;
  const deployer = accounts.deployer.privateKey;
  const peers = manifest.rollups.map((rollup) => rollup.chainId);
  const committee = {
    root: (await buildCommittee(manifest.zk.committeeKeys)).root,
    threshold: manifest.zk.threshold,
  };
  const settings = (rollupPeers: readonly number[]) =>
    rollupDeployOptions({
      accounts,
      optimistic: manifest.optimistic,
      committee,
      peers: rollupPeers,
      first: false,
    });
  // The new rollup, deployed straight on its node (it mines on its own until a sequencer takes it over).
  const deployed = await deployRollup(
    { chainId: plan.chainId, rpcUrl: node.rpcUrl },
    deployer,
    settings(peers),
  );
  await registerAtHub(manifest, plan.chainId);
  // Every existing rollup learns the newcomer on every path (through the running sequencer, if any).
  await Promise.all(
    manifest.rollups.map((rollup) =>
      welcomePeer(rollup, manifest, plan.chainId, {
        attester: accounts.attester.address,
        committee,
        capPerHour: settings(peers).token.capPerHour,
        others: peers.filter((peer) => peer !== rollup.chainId),
      }),
    ),
  );
  const entry: RollupEntry = manifest.sequencer
    ? {
        chainId: plan.chainId,
        rpcUrl: `http://127.0.0.1:${plan.rpcPort}`,
        wsUrl: `ws://127.0.0.1:${plan.rpcPort}`,
        nodeRpcUrl: node.rpcUrl,
        blockTime: manifest.sequencer.superblockTimeMs / 1000,
        deployBlock: deployed.deployBlock,
        contracts: deployed.contracts,
      }
    : {
        chainId: plan.chainId,
        rpcUrl: node.rpcUrl,
        wsUrl: node.wsUrl,
        blockTime: options.blockTime,
        deployBlock: deployed.deployBlock,
        contracts: deployed.contracts,
      };
  const grown: Manifest = { ...manifest, rollups: [...manifest.rollups, entry] };
  // Proof of solvency counts its reserves from the first epoch whose superblock includes it.
  // Read through its node: the sequencer serves the new rollup only once it restarts below.
  await listRollupInRegistry(
    { ...manifest, rollups: [{ ...entry, rpcUrl: node.rpcUrl }] },
    plan.chainId,
    deployer,
  );
  let sequencer = options.sequencer;
  if (sequencer) {
    // The sequencer is the one agent that restarts: its endpoints, sealer and order book are built for
    // a fixed set of rollups. Its stop posts every sealed superblock; the new one carries on from there.
    await sequencer.stop();
    try {
      await joinSequencingDomain(grown, plan.chainId);
      sequencer = sequencerOf(grown, logger);
      await sequencer.start();
    } catch (error) {
      // The devnet keeps sequencing its rollups as before; the newcomer stays out of the manifest.
      await sequencer.stop().catch(() => undefined);
      sequencer = sequencerOf(manifest, logger);
      await sequencer.start();
      options.onSequencer?.(sequencer);
      throw error;
    }
  }
  const taken: string[] = [];
  for (const agent of options.agents) {
    if (!agent.addRollup) continue;
    agent.addRollup(entry);
    taken.push(agent.name);
  }
  logger.info("Devnet#addRollup", "rollup added", {
    chainId: plan.chainId,
    rpcUrl: entry.rpcUrl,
    agents: taken.join(", "),
    unchanged: options.agents
      .filter((agent) => !agent.addRollup)
      .map((agent) => agent.name)
      .join(", "),
  });
  return { manifest: grown, rollup: entry, sequencer };
}

/** The L1 hub takes the new rollup's checkpoints from the devnet's proposer. */
async function registerAtHub(manifest: Manifest, chainId: number): Promise<void> {
  const wallet = walletClientFor(manifest.l1, manifest.accounts.deployer.privateKey);
  const hash = await wallet.writeContract({
    address: manifest.l1.contracts.rollupHub,
    abi: artifacts.rollupHubAbi,
    functionName: "registerRollup",
    args: [BigInt(chainId), manifest.accounts.proposer.address],
  });
  await confirmAll(publicClientFor(manifest.l1), [hash], `registering rollup ${chainId} on the hub failed`);
}

/** The SuperblockLog accepts forced transactions for the new rollup (only the sequencer may add it). */
async function joinSequencingDomain(manifest: Manifest, chainId: number): Promise<void> {
  const wallet = walletClientFor(manifest.l1, manifest.accounts.sequencer.privateKey);
  const hash = await wallet.writeContract({
    address: manifest.l1.contracts.superblockLog,
    abi: artifacts.superblockLogAbi,
    functionName: "addRollup",
    args: [BigInt(chainId)],
  });
  await confirmAll(
    publicClientFor(manifest.l1),
    [hash],
    `adding rollup ${chainId} to the sequencing domain failed`,
  );
}

/**
 * One existing rollup takes `newcomer` as a peer: the attester and zk committee for it, the optimistic,
 * sequencer and zk recorders, the token bridge's routes, the intent settlers, and its BondManager's
 * destinations, to which the bonds made before (the attester's, the sequencer's) are announced again.
 */
async function welcomePeer(
  rollup: RollupEntry,
  manifest: Manifest,
  newcomer: number,
  {
    attester,
    committee,
    capPerHour,
    others,
  }: {
    attester: Address;
    committee: { root: bigint; threshold: number };
    capPerHour: bigint;
    others: readonly number[];
  },
): Promise<void> {
  const endpoint: Endpoint = rollup;
  const deployerKey = manifest.accounts.deployer.privateKey;
  const { contracts } = rollup;
  await configurePaths(endpoint, deployerKey, contracts, [newcomer], { attester, committee });
  // Every route to every peer again, the newcomer's and its wrapped ETH's among them (setting a cap is idempotent).
  await configureBridge(endpoint, deployerKey, contracts, [...others, newcomer], capPerHour);
  const wallet = walletClientFor(endpoint, deployerKey);
  const client = publicClientFor(endpoint);
  const verifiers: Record<IntentPath, Address> = {
    canonical: contracts.canonicalVerifier,
    optimistic: contracts.optimisticVerifier,
    sequencer: contracts.sequencerVerifier,
    zk: contracts.zkVerifier,
  };
  const hashes: Hex[] = [];
  for (const path of INTENT_PATHS) {
    hashes.push(
      await wallet.writeContract({
        address: contracts.settlers[path],
        abi: artifacts.intentSettlerAbi,
        functionName: "chooseVerifier",
        args: [BigInt(newcomer), verifiers[path]],
      }),
      await wallet.writeContract({
        address: contracts.settlers[path],
        abi: artifacts.intentSettlerAbi,
        functionName: "enableDestination",
        args: [BigInt(newcomer), true],
      }),
    );
  }
  hashes.push(
    await wallet.writeContract({
      address: contracts.bondManager,
      abi: artifacts.bondManagerAbi,
      functionName: "addDestination",
      args: [BigInt(newcomer)],
    }),
  );
  await confirmAll(client, hashes, `welcoming rollup ${newcomer} on chain ${rollup.chainId} failed`);
  // Bonds made before the newcomer was a destination reach it only when announced again. A bond made
  // from now on is broadcast to it anyway.
  const announced: Hex[] = [];
  for (const bonder of [attester, manifest.accounts.sequencer.address]) {
    const bond = await client.readContract({
      address: contracts.bondManager,
      abi: artifacts.bondManagerAbi,
      functionName: "bondOf",
      args: [bonder],
    });
    if (bond.amount === 0n && !bond.slashed && bond.withdrawableAt === 0n) continue; // never bonded here
    announced.push(
      await wallet.writeContract({
        address: contracts.bondManager,
        abi: artifacts.bondManagerAbi,
        functionName: "announceBond",
        args: [bonder],
      }),
    );
  }
  await confirmAll(
    client,
    announced,
    `announcing bonds to rollup ${newcomer} on chain ${rollup.chainId} failed`,
  );
}

/** What the admin endpoint answers to POST /rollups: the new rollup as the manifest lists it. */
export type AddRollupResponse = { rollup: RollupEntry };

/** Errors the admin endpoint names, rebuilt as the same types by `requestAddRollup`. */
const NAMED_ERRORS = {
  DevnetStoppingError,
  RollupLimitError,
  ConfigError,
} as const;

/**
 * The devnet's admin endpoint on 127.0.0.1:`port` (0: any free port): POST /rollups adds a rollup.
 * Like every devnet port it is for this machine only; any local process may use it.
 */
export async function startAdminServer(
  port: number,
  addRollup: () => Promise<RollupEntry>,
  logger: Logger,
): Promise<Agent & { url: string }> {
  const server: Server = createServer((request, response) => {
    void handle(request, response, addRollup, logger);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port) : error),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: "Admin",
    url,
    start: async () => undefined,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  addRollup: () => Promise<RollupEntry>,
  logger: Logger,
): Promise<void> {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  request.resume();
  if (request.url !== "/rollups")
    return reply(404, { error: { name: "NotFound", message: "no such route" } });
  if (request.method !== "POST") {
    return reply(405, { error: { name: "MethodNotAllowed", message: "POST /rollups adds a rollup" } });
  }
  // A web page may send a plain POST to 127.0.0.1 from any browser on this machine; it cannot send this
  // content type without a CORS preflight (never granted here), nor a Host of 127.0.0.1 from a rebound name.
  const host = (request.headers.host ?? "").replace(/:\d+$/, "");
  if (
    !["127.0.0.1", "localhost"].includes(host) ||
    !request.headers["content-type"]?.startsWith("application/json")
  ) {
    return reply(403, {
      error: {
        name: "Forbidden",
        message: "send POST /rollups to 127.0.0.1 with content-type application/json",
      },
    });
  }
  try {
    const rollup = await addRollup();
    reply(200, { rollup } satisfies AddRollupResponse);
  } catch (error) {
    const named = error instanceof JunctionError && error.name in NAMED_ERRORS;
    if (!named) logger.error("Devnet#addRollup", "adding a rollup failed", { error: String(error) });
    const message = error instanceof JunctionError ? error.shortMessage : String(error);
    const details = error instanceof JunctionError ? error.details : undefined;
    reply(error instanceof DevnetStoppingError ? 409 : named ? 400 : 500, {
      error: { name: error instanceof Error ? error.name : "Error", message, details },
    });
  }
}

/** Asks the devnet at `adminUrl` to add a rollup; its refusals come back as the same error types. */
export async function requestAddRollup(adminUrl: string): Promise<RollupEntry> {
  let response: Response;
  try {
    response = await fetch(`${adminUrl}/rollups`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
  } catch (cause) {
    throw new DevnetStoppingError(`no devnet answers at ${adminUrl}`, {
      details: "is `junction devnet` running with this data directory?",
      cause,
    });
  }
  const body = (await response.json()) as Partial<AddRollupResponse> & {
    error?: { name: string; message: string; details?: string };
  };
  if (response.ok && body.rollup) return body.rollup;
  const error = body.error ?? { name: "AdminRequestError", message: `HTTP ${response.status}` };
  const Type = NAMED_ERRORS[error.name as keyof typeof NAMED_ERRORS] ?? AdminRequestError;
  throw new Type(error.message, { details: error.details });
}
