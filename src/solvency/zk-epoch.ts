// Proves an epoch's liabilities trees in range on the L1 from the publisher's archive: every batch of
// 8 leaves (zk.ts) and every fold up to the root (zk-fold.ts), each submitted to the SolvencyRegistry
// (`proveBatch`, `proveFold`), which sets `rangeProven` when the proven node is the published root.
import type { Hex } from "viem";
import { type Endpoint, type JunctionWalletClient, publicClientFor } from "../chain/clients.js";
import { solvencyRegistryAbi } from "../contracts/generated/index.js";
import { type SumTree, sumTreeHasher } from "../protocol/sum-tree.js";
import { assetId } from "./assets.js";
import { buildEpochTrees, type EpochArchive } from "./epoch.js";
import { type SolvencyNetwork, solvencyOf } from "./publish.js";
import { BatchNotProvableError, proveBatch } from "./zk.js";
import { foldPlan, proveFold } from "./zk-fold.js";

/** What proving needs of a network: the L1 and its SolvencyRegistry (a manifest will do). */
export type RegistryNetwork = { l1: Endpoint } & Pick<SolvencyNetwork, "solvency">;

export type EpochRangeProof = {
  transactionHashes: Hex[];
  batches: number;
  folds: number;
  /** Proving time of every batch and fold together (the transactions not included). */
  provingMs: number;
};

/**
 * Proves an epoch's tree of `asset` in range with the publisher's archive — every balance below 2^96 and
 * the total at most the reserves the registry recorded — one batch per 8 users and one fold per 8 nodes,
 * and submits each proof in order. Nodes already proven (an interrupted run) are skipped, and a tree
 * already proven in range submits nothing. An insolvent
 * asset cannot be proven (BatchNotProvableError).
 *
 * @example
 * await proveEpochRange(wallet, manifest, archive, { epoch: 1n, asset: "JUSD" });
 */
export async function proveEpochRange(
  wallet: JunctionWalletClient,
  network: RegistryNetwork,
  archive: EpochArchive,
  { epoch, asset }: { epoch: bigint; asset: string },
): Promise<EpochRangeProof> {
  const h = await sumTreeHasher();
  const tree = buildEpochTrees(h, archive).get(asset) as SumTree | undefined;
  if (!tree) throw new BatchNotProvableError(`the epoch's archive has no ${asset} tree`);
  const registry = { address: solvencyOf(network).registry, abi: solvencyRegistryAbi } as const;
  const client = publicClientFor(network.l1);
  const id = assetId(asset);
  const [root, , reserves] = await client.readContract({
    ...registry,
    functionName: "solvencyOf",
    args: [epoch, id],
  });
  if (root !== tree.root.hash) {
    throw new BatchNotProvableError(`the archive's ${asset} tree is not the one published in epoch ${epoch}`);
  }
  const { batches, folds } = foldPlan(h, tree);
  const result: EpochRangeProof = { transactionHashes: [], batches: 0, folds: 0, provingMs: 0 };
  if (await client.readContract({ ...registry, functionName: "rangeProven", args: [epoch, id] }))
    return result;
  const proven = (nodeHash: bigint) =>
    client.readContract({ ...registry, functionName: "provenHeight", args: [epoch, id, nodeHash] });
  const submit = async (hash: Hex, what: string) => {
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new BatchNotProvableError(`${what} ${hash} reverted`);
    result.transactionHashes.push(hash);
  };
  for (const batch of batches) {
    if ((await proven(batch.node.hash)) !== 0n) continue;
    const { proof, provingMs } = await proveBatch(batch.leaves, batch.node.hash, reserves);
    result.provingMs += provingMs;
    result.batches += 1;
    const hash = await wallet.writeContract({
      ...registry,
      functionName: "proveBatch",
      args: [epoch, id, batch.node.hash, proof.a, proof.b, proof.c],
    });
    await submit(hash, "proveBatch");
  }
  for (const fold of folds) {
    if ((await proven(fold.node.hash)) !== 0n) continue;
    const { proof, provingMs } = await proveFold(fold.children, fold.node.hash, reserves);
    result.provingMs += provingMs;
    result.folds += 1;
    const children = fold.children.map((child) => child.hash) as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    const hash = await wallet.writeContract({
      ...registry,
      functionName: "proveFold",
      args: [epoch, id, BigInt(fold.height), children, fold.node.hash, proof.a, proof.b, proof.c],
    });
    await submit(hash, "proveFold");
  }
  return result;
}

export type EpochRangeResult = { proven: string[]; skipped: { asset: string; reason: string }[] };

/**
 * After a publish: proves every asset of the epoch in range whose reserves cover it, whatever its number
 * of users (batches folded into the root); an insolvent asset is skipped with the reason (no proof exists).
 */
export async function proveEpochRanges(
  wallet: JunctionWalletClient,
  network: RegistryNetwork,
  archive: EpochArchive,
  epoch: bigint,
): Promise<EpochRangeResult> {
  const result: EpochRangeResult = { proven: [], skipped: [] };
  const client = publicClientFor(network.l1);
  for (const asset of archive.assets) {
    const solvent = await client.readContract({
      address: solvencyOf(network).registry,
      abi: solvencyRegistryAbi,
      functionName: "isSolvent",
      args: [epoch, assetId(asset)],
    });
    if (!solvent) {
      result.skipped.push({ asset, reason: "insolvent: no proof exists" });
      continue;
    }
    await proveEpochRange(wallet, network, archive, { epoch, asset });
    result.proven.push(asset);
  }
  return result;
}
