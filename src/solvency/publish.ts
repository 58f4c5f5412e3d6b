// Taking and publishing one epoch: the newest superblock posted to the L1 fixes the instant; every
// liability source and every holder's reserves are read at its blocks; the trees are built, audited and
// archived; the SolvencyRegistry gets the roots, totals and reserves.
import { type Hex, zeroAddress } from "viem";
import { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
import type { Manifest } from "../chain/manifest.js";
import { solvencyRegistryAbi } from "../contracts/generated/index.js";
import { ConfigError } from "../errors.js";
import { type SumTree, sumTreeHasher } from "../protocol/sum-tree.js";
import { collectLiabilities, DEFAULT_LIABILITY_SOURCES } from "./app-sources.js";
import { assetSymbol, assetsOf, reserveTokens } from "./assets.js";
import {
  aggregateLiabilities,
  buildEpochTrees,
  type EpochArchive,
  liabilitiesArgument,
  owedBySource,
  saveArchive,
} from "./epoch.js";
import { getPostedSuperblock, type Instant } from "./instant.js";
import { readReserves } from "./reserves.js";
import type { LiabilitySource, SourceContext } from "./sources.js";

export type SolvencyNetwork = Pick<Manifest, "l1" | "rollups" | "margin" | "solvency" | "orderbook">;

export function solvencyOf(network: Pick<Manifest, "solvency">): NonNullable<Manifest["solvency"]> {
  if (!network.solvency) {
    throw new ConfigError("this network has no SolvencyRegistry", {
      details: "the manifest predates proof of solvency: start a fresh devnet",
    });
  }
  return network.solvency;
}

/**
 * The network's rollups that `instant`'s superblock has a block of: a rollup added to the devnet after
 * it was posted is read from the first superblock that includes it.
 */
export function coveredNetwork<N extends Pick<SolvencyNetwork, "rollups">>(network: N, instant: Instant): N {
  const chains = new Set(instant.blocks.map((block) => block.chainId));
  return { ...network, rollups: network.rollups.filter((rollup) => chains.has(BigInt(rollup.chainId))) };
}

/** What the liability sources and the reserves read: the network's rollups at `instant`. */
export function sourceContext(all: SolvencyNetwork, instant: Instant): SourceContext {
  const network = coveredNetwork(all, instant);
  const tokens = reserveTokens(network);
  const clients = new Map(network.rollups.map((rollup) => [rollup.chainId, publicClientFor(rollup)]));
  return {
    manifest: network,
    instant,
    clientOf: (chainId) => {
      const client = clients.get(chainId);
      if (!client) throw new ConfigError(`chain ${chainId} is not a rollup of this network`);
      return client;
    },
    assetOf: (chainId, token) =>
      tokens.find((entry) => entry.chainId === chainId && entry.token.toLowerCase() === token.toLowerCase())
        ?.symbol,
  };
}

/**
 * Reads everything at `instant` and builds the epoch (no transaction): a tree for every asset of the
 * network's reserve tokens and every one of `listed` (the registry's listed assets, which each epoch
 * must report; an asset nobody is owed gets an empty tree).
 */
export async function takeEpoch(
  network: SolvencyNetwork,
  instant: Instant,
  secret: Hex,
  sources: readonly LiabilitySource[] = DEFAULT_LIABILITY_SOURCES,
  listed: readonly string[] = [],
): Promise<{ archive: EpochArchive; trees: Map<string, SumTree> }> {
  const context = sourceContext(network, instant);
  const tokens = reserveTokens(context.manifest);
  const [liabilities, reserves] = await Promise.all([
    collectLiabilities(context, sources),
    readReserves(context, tokens),
  ]);
  const archive: EpochArchive = {
    superblockHeight: instant.superblockHeight,
    blocks: instant.blocks,
    assets: assetsOf([...tokens, ...listed.map((symbol) => ({ chainId: 0, token: zeroAddress, symbol }))]),
    users: aggregateLiabilities(liabilities, secret, instant.superblockHeight),
    reserves,
  };
  const h = await sumTreeHasher();
  const owed = owedBySource(h, liabilities, secret, instant.superblockHeight);
  const trees = buildEpochTrees(h, archive, owed);
  // Rebuilding the trees later (user proofs, zk proofs) uses the depths they were published with.
  archive.depths = Object.fromEntries([...trees].map(([asset, tree]) => [asset, tree.depth]));
  return { archive, trees };
}

export type PublishEpochResult =
  | { published: false; reason: string; superblockHeight: bigint }
  | {
      published: true;
      epoch: bigint;
      superblockHeight: bigint;
      users: number;
      transactionHash: Hex;
      gasUsed: bigint;
      archiveFile: string;
    };

/** Publishes an epoch at the newest posted superblock, unless the registry already has it. */
export async function publishEpoch(
  network: SolvencyNetwork,
  {
    publisherKey,
    secret,
    dataDir,
    sources,
  }: { publisherKey: Hex; secret: Hex; dataDir: string; sources?: readonly LiabilitySource[] },
): Promise<PublishEpochResult> {
  const { registry } = solvencyOf(network);
  const l1: Endpoint = network.l1;
  const client = publicClientFor(l1);
  const instant = await getPostedSuperblock(
    client,
    network.l1.contracts.superblockLog,
    network.l1.deployBlock,
  );
  const last = await client.readContract({
    address: registry,
    abi: solvencyRegistryAbi,
    functionName: "epochCount",
  });
  const [lastHeight] = await client.readContract({
    address: registry,
    abi: solvencyRegistryAbi,
    functionName: "epochs",
    args: [last],
  });
  if (instant.superblockHeight <= lastHeight) {
    return {
      published: false,
      reason: "no new superblock on the L1",
      superblockHeight: instant.superblockHeight,
    };
  }
  const listed = await client.readContract({
    address: registry,
    abi: solvencyRegistryAbi,
    functionName: "listedAssets",
  });
  const { archive, trees } = await takeEpoch(network, instant, secret, sources, listed.map(assetSymbol));
  const archiveFile = saveArchive(dataDir, archive);
  const wallet = walletClientFor(l1, publisherKey);
  const hash = await wallet.writeContract({
    address: registry,
    abi: solvencyRegistryAbi,
    functionName: "publish",
    args: [instant.superblockHeight, instant.blocks, liabilitiesArgument(trees), archive.reserves],
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  const epoch = await client.readContract({
    address: registry,
    abi: solvencyRegistryAbi,
    functionName: "epochCount",
  });
  return {
    published: true,
    epoch,
    superblockHeight: instant.superblockHeight,
    users: archive.users.length,
    transactionHash: hash,
    gasUsed: receipt.gasUsed,
    archiveFile,
  };
}
