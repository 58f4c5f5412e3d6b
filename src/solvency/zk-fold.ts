// Proof of solvency's fold (circuits/solvency-fold.circom, artifacts from
// `npm run zk:setup -- --circuit solvency-fold`): a Groth16 proof that eight nodes of the liabilities tree
// at one height hash to their ancestor three levels up, every sum below 2^128 and the total at most
// `reserves`, revealing no sum. With the batches (zk.ts) it proves a tree of any size in range, one
// subtree at a time (foldPlan). Verified on chain by the generated SolvencyFoldVerifier.
import { fileURLToPath } from "node:url";
import { groth16 } from "snarkjs";
import { type SolidityProof, toSolidityProof } from "../agents/prover/groth16.js";
import {
  FIELD_MODULUS,
  type SumLeaf,
  type SumNode,
  type SumTree,
  type SumTreeHasher,
} from "../protocol/sum-tree.js";
import { BATCH_DEPTH, BATCH_SIZE, BatchNotProvableError } from "./zk.js";

export const SOLVENCY_FOLD_WASM = fileURLToPath(
  new URL("../../circuits/build/solvency-fold.wasm", import.meta.url),
);
export const SOLVENCY_FOLD_ZKEY = fileURLToPath(
  new URL("../../circuits/build/solvency-fold.zkey", import.meta.url),
);
/** Children per fold: a fold spans 3 levels, as a batch does. */
export const FOLD_WIDTH = 8;

/** One child of a fold: its hash (public) and its two children, the preimage of that hash (private). */
export type FoldChild = { hash: bigint; left: SumNode; right: SumNode };

export type FoldProof = {
  proof: SolidityProof;
  /** [8 child hashes, parent hash, reserves], as the verifier takes them. */
  publicSignals: bigint[];
  provingMs: number;
};

const field = (value: bigint) => (((value % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS).toString();

/** The fold circuit's input. Negative sums enter the field as p − x, as an attacker would give them. */
export function foldInput(children: readonly FoldChild[], parentHash: bigint, reserves: bigint) {
  if (children.length !== FOLD_WIDTH) {
    throw new BatchNotProvableError(`a fold takes ${FOLD_WIDTH} children, got ${children.length}`);
  }
  return {
    child: children.map((child) => field(child.hash)),
    parent: field(parentHash),
    reserves: field(reserves),
    grandHash: children.map((child) => [field(child.left.hash), field(child.right.hash)]),
    grandSum: children.map((child) => [field(child.left.sum), field(child.right.sum)]),
  };
}

/**
 * Proves that `children` (8 nodes at one height, each with its two children) hash to `parentHash` three
 * levels up, with every sum in range and a total ≤ `reserves`. Throws BatchNotProvableError otherwise.
 *
 * @example
 * const step = foldPlan(h, tree).folds[0];
 * const { proof } = await proveFold(step.children, step.node.hash, reserves);
 */
export async function proveFold(
  children: readonly FoldChild[],
  parentHash: bigint,
  reserves: bigint,
): Promise<FoldProof> {
  const started = performance.now();
  try {
    const { proof, publicSignals } = await groth16.fullProve(
      foldInput(children, parentHash, reserves),
      SOLVENCY_FOLD_WASM,
      SOLVENCY_FOLD_ZKEY,
    );
    return {
      proof: toSolidityProof(proof),
      publicSignals: publicSignals.map(BigInt),
      provingMs: performance.now() - started,
    };
  } catch (cause) {
    if (cause instanceof BatchNotProvableError) throw cause;
    throw new BatchNotProvableError("the solvency fold circuit refused the children", {
      details:
        "a child whose hash is not its children's, a sum outside [0, 2^128), or a total above the reserves",
      cause,
    });
  }
}

/** A batch of the plan: the leaves under one node of height 3. */
export type BatchStep = { index: number; leaves: SumLeaf[]; node: SumNode };
/** A fold of the plan: the node at `height + 3` over eight nodes at `height`. */
export type FoldStep = { height: number; index: number; children: FoldChild[]; node: SumNode };

/**
 * Every proof that shows `tree` in range, in the order the registry takes them: one batch per height-3
 * node that holds a user (all-padding ones are public constants and need none; an empty tree is one
 * batch of padding), then, level by level, one fold per node of height 6, 9, … up to the root. The
 * tree's depth must be a multiple of 3 (epochTreeDepth).
 */
export function foldPlan(h: SumTreeHasher, tree: SumTree): { batches: BatchStep[]; folds: FoldStep[] } {
  if (tree.depth % BATCH_DEPTH !== 0) {
    throw new BatchNotProvableError(
      `a tree of depth ${tree.depth} does not fold: its depth must be a multiple of 3`,
    );
  }
  const nodeAt = (height: number, index: number) => tree.levels[height]?.[index] ?? h.padding(height);
  const batchCount = Math.max(1, tree.levels[BATCH_DEPTH]?.length ?? 0);
  const batches: BatchStep[] = Array.from({ length: batchCount }, (_, index) => ({
    index,
    leaves: tree.leaves.slice(index * BATCH_SIZE, (index + 1) * BATCH_SIZE),
    node: nodeAt(BATCH_DEPTH, index),
  }));
  const folds: FoldStep[] = [];
  for (let height = BATCH_DEPTH; height < tree.depth; height += BATCH_DEPTH) {
    const parents = tree.levels[height + BATCH_DEPTH]?.length ?? 0;
    for (let index = 0; index < parents; index++) {
      const children = Array.from({ length: FOLD_WIDTH }, (_, i) => {
        const at = index * FOLD_WIDTH + i;
        return {
          hash: nodeAt(height, at).hash,
          left: nodeAt(height - 1, 2 * at),
          right: nodeAt(height - 1, 2 * at + 1),
        };
      });
      folds.push({ height, index, children, node: nodeAt(height + BATCH_DEPTH, index) });
    }
  }
  return { batches, folds };
}
