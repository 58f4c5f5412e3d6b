// Proves an epoch's liabilities trees in range on the L1 from the publisher's archive: every batch of
// 8 leaves (zk.ts) and every fold up to the root (zk-fold.ts), each submitted to the SolvencyRegistry
// (`proveBatch`, `proveFold`), which sets `rangeProven` when the proven node is the published root.
import type { Address, Hex } from "viem";
import type { SolidityProof } from "../agents/prover/groth16.js";
import { type Endpoint, type JunctionWalletClient, publicClientFor } from "../chain/clients.js";
import { solvencyRegistryAbi } from "../contracts/generated/index.js";
import { type SumTree, sumTreeHasher } from "../protocol/sum-tree.js";
import { assetId } from "./assets.js";
import { buildEpochTrees, type EpochArchive } from "./epoch.js";
import { type SolvencyNetwork, solvencyOf } from "./publish.js";
import { BatchNotProvableError, proveBatch } from "./zk.js";
import { type FoldChild, foldPlan, proveFold } from "./zk-fold.js";

/** What proving needs of a network: the L1 and its SolvencyRegistry (a manifest will do). */
export type RegistryNetwork = { l1: Endpoint } & Pick<SolvencyNetwork, "solvency">;

export type EpochRangeProof = {
  transactionHashes: Hex[];
  batches: number;
  folds: number;
  /** Proving time of every batch and fold together (the transactions not included). */
  provingMs: number;
};

/** Where a range proof goes: the registry, the epoch and the asset (by symbol) its tree belongs to. */
export type RangeProofTarget = { registry: Address; epoch: bigint; asset: string };

/**
 * Sends a batch's proof (`proveBatch`) that the batch's node `nodeHash` covers leaves in range; returns
 * the transaction's hash without waiting for it. A refusal the node's simulation finds is thrown.
 *
 * @example
 * const { proof } = await proveBatch(batch.leaves, batch.node.hash, reserves);
 * await sendBatchProof(wallet, { registry, epoch: 1n, asset: "JUSD" }, { nodeHash: batch.node.hash, proof });
 */
export function sendBatchProof(
  wallet: JunctionWalletClient,
  { registry, epoch, asset }: RangeProofTarget,
  { nodeHash, proof }: { nodeHash: bigint; proof: SolidityProof },
): Promise<Hex> {
  return wallet.writeContract({
    address: registry,
    abi: solvencyRegistryAbi,
    functionName: "proveBatch",
    args: [epoch, assetId(asset), nodeHash, proof.a, proof.b, proof.c],
  });
}

/**
 * Sends a fold's proof (`proveFold`) that `parentHash`, at `height`, folds the 8 `children`; returns the
 * transaction's hash without waiting for it. The children named on chain are the ones given, whether or
 * not the proof was made for them (the registry checks).
 *
 * @example
 * const { proof } = await proveFold(fold.children, fold.node.hash, reserves);
 * await sendFoldProof(wallet, target, { height: fold.height, children: fold.children, parentHash: fold.node.hash, proof });
 */
export function sendFoldProof(
  wallet: JunctionWalletClient,
  { registry, epoch, asset }: RangeProofTarget,
  fold: { height: number; children: readonly FoldChild[]; parentHash: bigint; proof: SolidityProof },
): Promise<Hex> {
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
  const { proof } = fold;
  return wallet.writeContract({
    address: registry,
    abi: solvencyRegistryAbi,
    functionName: "proveFold",
    args: [epoch, assetId(asset), BigInt(fold.height), children, fold.parentHash, proof.a, proof.b, proof.c],
  });
}

/** One proof sent by `proveTreeInRange`, in the order sent. */
export type RangeProofStep = { kind: "batch" | "fold"; hash: Hex; provingMs: number };

/**
 * Proves a published tree in range on the registry: every batch of 8 leaves, then every fold up to the
 * root, each proof sent and its receipt awaited in order (a reverted one throws BatchNotProvableError).
 * Nodes the registry already holds as proven (an interrupted run) are skipped.
 *
 * @example
 * const steps = await proveTreeInRange(wallet, manifest.l1, { registry, epoch: 1n, asset: "JUSD" }, { tree, reserves });
 */
export async function proveTreeInRange(
  wallet: JunctionWalletClient,
  l1: Endpoint,
  target: RangeProofTarget,
  { tree, reserves }: { tree: SumTree; reserves: bigint },
): Promise<RangeProofStep[]> {
  const client = publicClientFor(l1);
  const { batches, folds } = foldPlan(await sumTreeHasher(), tree);
  const steps: RangeProofStep[] = [];
  const proven = (nodeHash: bigint) =>
    client.readContract({
      address: target.registry,
      abi: solvencyRegistryAbi,
      functionName: "provenHeight",
      args: [target.epoch, assetId(target.asset), nodeHash],
    });
  const submit = async (kind: RangeProofStep["kind"], hash: Hex, provingMs: number) => {
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") {
      throw new BatchNotProvableError(`${kind === "batch" ? "proveBatch" : "proveFold"} ${hash} reverted`);
    }
    steps.push({ kind, hash, provingMs });
  };
  for (const batch of batches) {
    if ((await proven(batch.node.hash)) !== 0n) continue;
    const { proof, provingMs } = await proveBatch(batch.leaves, batch.node.hash, reserves);
    await submit(
      "batch",
      await sendBatchProof(wallet, target, { nodeHash: batch.node.hash, proof }),
      provingMs,
    );
  }
  for (const fold of folds) {
    if ((await proven(fold.node.hash)) !== 0n) continue;
    const { proof, provingMs } = await proveFold(fold.children, fold.node.hash, reserves);
    const { height, children } = fold;
    const hash = await sendFoldProof(wallet, target, { height, children, parentHash: fold.node.hash, proof });
    await submit("fold", hash, provingMs);
  }
  return steps;
}

/**
 * Proves an epoch's tree of `asset` in range with the publisher's archive — every balance below 2^96 and
 * the total at most the reserves the registry recorded — one batch per 8 users and one fold per 8 nodes,
 * and submits each proof in order (`proveTreeInRange`). Nodes already proven (an interrupted run) are
 * skipped, and a tree already proven in range submits nothing. An insolvent asset cannot be proven
 * (BatchNotProvableError).
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
  const tree = buildEpochTrees(await sumTreeHasher(), archive).get(asset) as SumTree | undefined;
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
  const result: EpochRangeProof = { transactionHashes: [], batches: 0, folds: 0, provingMs: 0 };
  if (await client.readContract({ ...registry, functionName: "rangeProven", args: [epoch, id] }))
    return result;
  const target = { registry: registry.address, epoch, asset };
  for (const step of await proveTreeInRange(wallet, network.l1, target, { tree, reserves })) {
    result.transactionHashes.push(step.hash);
    result.provingMs += step.provingMs;
    if (step.kind === "batch") result.batches += 1;
    else result.folds += 1;
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
