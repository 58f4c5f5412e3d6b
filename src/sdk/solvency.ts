// Proof of solvency in the SDK: read an epoch (liabilities, reserves, ratio per asset), turn the
// publisher's archive into a user's proof, and check a proof both here and with the L1's verifyInclusion.
import { type Address, erc20Abi, getAbiItem, getAddress, hexToBigInt, zeroAddress } from "viem";
import { solvencyRegistryAbi, superblockLogAbi } from "../contracts/generated/index.js";
import { JunctionError } from "../errors.js";
import {
  checkUserInclusion,
  indexOfUser,
  type SumProof,
  sumProof,
  sumTreeHasher,
  UserNotIncludedError,
} from "../protocol/sum-tree.js";
import { collectLiabilities, DEFAULT_LIABILITY_SOURCES } from "../solvency/app-sources.js";
import { assetId, assetSymbol } from "../solvency/assets.js";
import { buildEpochTrees, type EpochArchive } from "../solvency/epoch.js";
import { getPostedSuperblock } from "../solvency/instant.js";
import { type SolvencyNetwork, solvencyOf, sourceContext } from "../solvency/publish.js";
import { holdersOf } from "../solvency/reserves.js";
import type { LiabilitySource } from "../solvency/sources.js";
import { clientOf, rollupOf } from "./network.js";

export type SolvencyAsset = {
  asset: string;
  root: bigint;
  liabilities: bigint;
  reserves: bigint;
  solvent: boolean;
  /** reserves / liabilities, or null when nothing is owed. */
  ratio: number | null;
  /** Whether zk proofs (batches folded into the root) showed every leaf in range and the total covered. */
  rangeProven: boolean;
};

export type GetSolvencyEpochReturnType = {
  epoch: bigint;
  superblockHeight: bigint;
  publishedAt: bigint;
  /** The newest superblock on the L1 when read, and how many superblocks the epoch is behind it. */
  latestSuperblock: bigint;
  superblocksBehind: bigint;
  assets: SolvencyAsset[];
};

/** No epoch is published yet, or not the one asked for. */
export class SolvencyEpochNotFoundError extends JunctionError {
  override name = "SolvencyEpochNotFoundError" as const;
}

/** A user's proof of inclusion in every asset's tree of one epoch, as `junction solvency prove` prints it. */
export type SolvencyProof = {
  epoch: bigint;
  superblockHeight: bigint;
  user: Address;
  salt: bigint;
  proofs: Record<string, SumProof>;
};

function ratioOf(reserves: bigint, liabilities: bigint): number | null {
  if (liabilities === 0n) return null;
  return Number((reserves * 1_000_000n) / liabilities) / 1_000_000;
}

/**
 * An epoch as the SolvencyRegistry recorded it (the newest when `epoch` is omitted).
 *
 * @example
 * const { assets } = await getSolvencyEpoch(manifest);
 * for (const a of assets) console.log(a.asset, a.ratio);
 */
export async function getSolvencyEpoch(
  network: SolvencyNetwork,
  { epoch }: { epoch?: bigint } = {},
): Promise<GetSolvencyEpochReturnType> {
  const registry = { address: solvencyOf(network).registry, abi: solvencyRegistryAbi } as const;
  const client = clientOf(network.l1);
  const count = await client.readContract({ ...registry, functionName: "epochCount" });
  const wanted = epoch ?? count;
  if (wanted === 0n || wanted > count) {
    throw new SolvencyEpochNotFoundError(`epoch ${wanted} is not published (latest ${count})`);
  }
  const [superblockHeight, publishedAt] = await client.readContract({
    ...registry,
    functionName: "epochs",
    args: [wanted],
  });
  const ids = await client.readContract({ ...registry, functionName: "assetsOf", args: [wanted] });
  const assets = await Promise.all(
    ids.map(async (id) => {
      const [root, liabilities, reserves] = await client.readContract({
        ...registry,
        functionName: "solvencyOf",
        args: [wanted, id],
      });
      const rangeProven = await client.readContract({
        ...registry,
        functionName: "rangeProven",
        args: [wanted, id],
      });
      return {
        asset: assetSymbol(id),
        root,
        liabilities,
        reserves,
        solvent: reserves >= liabilities,
        ratio: ratioOf(reserves, liabilities),
        rangeProven,
      };
    }),
  );
  // Staleness: the registry only refuses heights going backwards, not an old superblock.
  const latestSuperblock = await client.readContract({
    address: network.l1.contracts.superblockLog,
    abi: superblockLogAbi,
    functionName: "latestHeight",
  });
  return {
    epoch: wanted,
    superblockHeight,
    publishedAt,
    latestSuperblock,
    superblocksBehind: latestSuperblock - superblockHeight,
    assets,
  };
}

/**
 * A user's proof from the publisher's archive of the epoch (one proof per asset the user is owed);
 * `UserNotIncludedError` when the archive has no leaf for the user.
 */
export async function proveSolvency(
  archive: EpochArchive,
  { epoch, user }: { epoch: bigint; user: Address },
): Promise<SolvencyProof> {
  const h = await sumTreeHasher();
  const entry = archive.users.find((candidate) => candidate.user === getAddress(user));
  if (!entry) {
    throw new UserNotIncludedError(
      `the epoch at superblock ${archive.superblockHeight} has no leaf for ${user}`,
      {
        details: "the publisher counted nothing owed to this address",
      },
    );
  }
  const trees = buildEpochTrees(h, archive);
  const proofs: Record<string, SumProof> = {};
  for (const [asset, tree] of trees) {
    if ((entry.balances[asset] ?? 0n) === 0n) continue;
    proofs[asset] = sumProof(h, tree, indexOfUser(tree, h.saltedId(hexToBigInt(entry.user), entry.salt)));
  }
  return { epoch, superblockHeight: archive.superblockHeight, user: entry.user, salt: entry.salt, proofs };
}

export type VerifySolvencyProofReturnType = GetSolvencyEpochReturnType & {
  /** Per asset in the proof: the balance the tree counts for the user, checked here and on the L1. */
  included: { asset: string; balance: bigint; verifiedOffChain: true; verifiedOnChain: true }[];
};

/**
 * Checks a user's proof against the published roots: in TypeScript (the user's own check: their address
 * and salt, ranges, path) and with the registry's `verifyInclusion`. With `expected.balances` (see
 * `getOwedBalances`), each leaf must show that balance (`BalanceMismatchError`) and every asset owed must
 * have a leaf (`UserNotIncludedError`). Throws the named error of the first failure (RootMismatchError,
 * UserNotIncludedError, … or the contract's InclusionRootMismatch, …).
 *
 * @example
 * const { included, assets } = await verifySolvencyProof(manifest, proof);
 */
export async function verifySolvencyProof(
  network: SolvencyNetwork,
  proof: SolvencyProof,
  expected: { balances?: Record<string, bigint> } = {},
): Promise<VerifySolvencyProofReturnType> {
  const h = await sumTreeHasher();
  const epoch = await getSolvencyEpoch(network, { epoch: proof.epoch });
  if (epoch.superblockHeight !== proof.superblockHeight) {
    throw new SolvencyEpochNotFoundError(
      `epoch ${proof.epoch} was taken at superblock ${epoch.superblockHeight}, the proof at ${proof.superblockHeight}`,
    );
  }
  const registry = { address: solvencyOf(network).registry, abi: solvencyRegistryAbi } as const;
  const included: VerifySolvencyProofReturnType["included"] = [];
  for (const [asset, assetProof] of Object.entries(proof.proofs)) {
    const published = epoch.assets.find((entry) => entry.asset === asset);
    if (!published) throw new SolvencyEpochNotFoundError(`epoch ${proof.epoch} reports no ${asset}`);
    checkUserInclusion(
      h,
      assetProof,
      { hash: published.root, sum: published.liabilities },
      { id: hexToBigInt(proof.user), salt: proof.salt, balance: expected.balances?.[asset] },
    );
    await clientOf(network.l1).readContract({
      ...registry,
      functionName: "verifyInclusion",
      args: [
        proof.epoch,
        assetId(asset),
        assetProof.leaf.saltedId,
        assetProof.leaf.balance,
        BigInt(assetProof.index),
        assetProof.siblings.map((sibling) => sibling.hash),
        assetProof.siblings.map((sibling) => sibling.sum),
      ],
    });
    included.push({ asset, balance: assetProof.leaf.balance, verifiedOffChain: true, verifiedOnChain: true });
  }
  // A publisher that drops the user from a whole tree hands out a proof without that asset.
  for (const [asset, balance] of Object.entries(expected.balances ?? {})) {
    if (balance > 0n && !proof.proofs[asset]) {
      throw new UserNotIncludedError(`the proof has no ${asset} leaf, the user is owed ${balance} ${asset}`, {
        details: `epoch ${proof.epoch} leaves ${proof.user} out of its ${asset} tree`,
      });
    }
  }
  return { ...epoch, included };
}

/**
 * What the apps owed `user` at an epoch's instant, per asset: every liability source re-read at the
 * blocks of the superblock the epoch was taken at, filtered to the user. This is the user's own
 * expectation, computed from the chains, not from the publisher: pass it to `verifySolvencyProof` so a
 * dropped asset (`UserNotIncludedError`) or a lowered balance (`BalanceMismatchError`) is caught. Needs
 * nodes that serve state at those blocks (archive state; anvil does).
 *
 * @example
 * const balances = await getOwedBalances(manifest, { epoch: proof.epoch, user: proof.user });
 * await verifySolvencyProof(manifest, proof, { balances });
 */
export async function getOwedBalances(
  network: SolvencyNetwork,
  {
    epoch,
    user,
    sources = DEFAULT_LIABILITY_SOURCES,
  }: { epoch?: bigint; user: Address; sources?: readonly LiabilitySource[] },
): Promise<Record<string, bigint>> {
  const { superblockHeight } = await getSolvencyEpoch(network, { epoch });
  const instant = await getPostedSuperblock(
    clientOf(network.l1),
    network.l1.contracts.superblockLog,
    network.l1.deployBlock,
    superblockHeight,
  );
  const liabilities = await collectLiabilities(sourceContext(network, instant), sources);
  const balances: Record<string, bigint> = {};
  for (const entry of liabilities) {
    if (getAddress(entry.user) !== getAddress(user)) continue;
    balances[entry.asset] = (balances[entry.asset] ?? 0n) + entry.amount;
  }
  return balances;
}

/** A reserve the registry recorded differs from the holder's balance at that block. */
export class ReserveMismatchError extends JunctionError {
  override name = "ReserveMismatchError" as const;
}

/** A reserve's holder is not one of the manifest's holding contracts (a wallet padding the reserves). */
export class UnlistedHolderError extends JunctionError {
  override name = "UnlistedHolderError" as const;
}

/** The rollup's block at a reserve's height is not the block the superblock committed. */
export class BlockHashMismatchError extends JunctionError {
  override name = "BlockHashMismatchError" as const;
}

const publishedEvent = getAbiItem({ abi: solvencyRegistryAbi, name: "EpochPublished" });

/**
 * Anyone's check of an epoch's reserves against the chains: for each reserve the registry recorded,
 * the holder must be one of the manifest's holding contracts (`holdersOf`: `UnlistedHolderError`), the
 * rollup's block at its height must be the one the posted superblock committed (same hash), and the
 * holder's balance there must be the amount claimed. The L1 checks heights, not amounts; this checks
 * amounts, trusting the node it reads (an eth_getProof check against the block's state root would not).
 *
 * @example
 * await auditEpochReserves(manifest, { epoch: 3n }); // throws ReserveMismatchError on a false claim
 */
export async function auditEpochReserves(
  network: SolvencyNetwork,
  { epoch }: { epoch: bigint },
): Promise<{ reserves: number }> {
  const l1 = clientOf(network.l1);
  const logs = await l1.getLogs({
    address: solvencyOf(network).registry,
    event: publishedEvent,
    args: { epoch },
    fromBlock: BigInt(network.l1.deployBlock),
    strict: true,
  });
  const published = logs[0];
  if (!published) throw new SolvencyEpochNotFoundError(`no EpochPublished event for epoch ${epoch}`);
  const instant = await getPostedSuperblock(
    l1,
    network.l1.contracts.superblockLog,
    network.l1.deployBlock,
    published.args.superblockHeight,
  );
  for (const reserve of published.args.reserves) {
    // The registry's owner lists holders; the user's manifest says which contracts keep users' money.
    const holders = holdersOf(network, Number(reserve.chainId)).map((holder) => holder.toLowerCase());
    if (!holders.includes(reserve.holder.toLowerCase())) {
      throw new UnlistedHolderError(
        `${reserve.holder} on chain ${reserve.chainId} is not a holding contract of this network`,
        { details: "its balance is no reserve of users' money, whatever the registry's owner listed" },
      );
    }
    const rollup = rollupOf(network, reserve.chainId);
    const client = clientOf(rollup);
    const block = await client.getBlock({ blockNumber: reserve.blockNumber });
    const posted = instant.blocks.find((entry) => entry.chainId === reserve.chainId);
    if (!posted || posted.blockHash !== block.hash) {
      throw new BlockHashMismatchError(
        `block ${reserve.blockNumber} of chain ${reserve.chainId} is not the superblock's`,
        { details: `node ${block.hash}, posted ${posted?.blockHash}` },
      );
    }
    const amount =
      reserve.token === zeroAddress
        ? await client.getBalance({ address: reserve.holder, blockNumber: reserve.blockNumber })
        : await client.readContract({
            address: reserve.token,
            abi: erc20Abi,
            functionName: "balanceOf",
            args: [reserve.holder],
            blockNumber: reserve.blockNumber,
          });
    if (amount !== reserve.amount) {
      throw new ReserveMismatchError(
        `${reserve.holder} held ${amount} of ${reserve.token} on chain ${reserve.chainId}, the epoch claims ${reserve.amount}`,
      );
    }
  }
  return { reserves: published.args.reserves.length };
}
