// Proof of solvency's private batch check (circuits/solvency.circom, artifacts from
// `npm run zk:setup -- --circuit solvency`): a Groth16 proof that up to 8 leaves form the Merkle-sum
// subtree with a given root hash, every balance below 2^96 and their total at most `reserves`, revealing
// neither the balances nor the total. Verified on chain by the generated SolvencyBatchVerifier. Larger
// trees fold their batches into the root (zk-fold.ts); zk-epoch.ts proves an epoch's tree on the L1.
import { fileURLToPath } from "node:url";
import { groth16 } from "snarkjs";
import { type SolidityProof, toSolidityProof } from "../agents/prover/groth16.js";
import { JunctionError } from "../errors.js";
import type { SumLeaf } from "../protocol/sum-tree.js";

export const SOLVENCY_WASM = fileURLToPath(new URL("../../circuits/build/solvency.wasm", import.meta.url));
export const SOLVENCY_ZKEY = fileURLToPath(new URL("../../circuits/build/solvency.zkey", import.meta.url));
/** Leaves per batch: the circuit's subtree depth is 3. */
export const BATCH_DEPTH = 3;
export const BATCH_SIZE = 2 ** BATCH_DEPTH;

/** The circuit refused the witness: a leaf out of range, a wrong root, or a total above the reserves. */
export class BatchNotProvableError extends JunctionError {
  override name = "BatchNotProvableError" as const;
}

export type BatchProof = {
  proof: SolidityProof;
  /** [rootHash, reserves], as the verifier takes them. */
  publicSignals: [bigint, bigint];
  provingMs: number;
};

/** The circuit's input: the leaves, padded with (0, 0) to BATCH_SIZE. */
export function batchInput(leaves: readonly SumLeaf[], rootHash: bigint, reserves: bigint) {
  if (leaves.length > BATCH_SIZE) {
    throw new BatchNotProvableError(`a batch holds at most ${BATCH_SIZE} leaves, got ${leaves.length}`);
  }
  const padded = [
    ...leaves,
    ...Array.from({ length: BATCH_SIZE - leaves.length }, () => ({ saltedId: 0n, balance: 0n })),
  ];
  // A negative balance enters the field as p - x: the circuit sees what an attacker would give it.
  const field = (value: bigint) => (value < 0n ? value + FIELD : value).toString();
  return {
    saltedId: padded.map((leaf) => field(leaf.saltedId)),
    balance: padded.map((leaf) => field(leaf.balance)),
    rootHash: field(rootHash),
    reserves: field(reserves),
  };
}

const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/**
 * Proves that `leaves` (the subtree of depth 3 built by buildSumTree(h, leaves, 3)) has root hash
 * `rootHash`, every balance in range and a total ≤ `reserves`. Throws BatchNotProvableError otherwise.
 *
 * @example
 * const tree = buildSumTree(h, leaves, BATCH_DEPTH);
 * const { proof, publicSignals } = await proveBatch(leaves, tree.root.hash, reserves);
 */
export async function proveBatch(
  leaves: readonly SumLeaf[],
  rootHash: bigint,
  reserves: bigint,
): Promise<BatchProof> {
  const started = performance.now();
  try {
    const { proof, publicSignals } = await groth16.fullProve(
      batchInput(leaves, rootHash, reserves),
      SOLVENCY_WASM,
      SOLVENCY_ZKEY,
    );
    const [root, bound] = publicSignals.map(BigInt) as [bigint, bigint];
    return {
      proof: toSolidityProof(proof),
      publicSignals: [root, bound],
      provingMs: performance.now() - started,
    };
  } catch (cause) {
    if (cause instanceof BatchNotProvableError) throw cause;
    throw new BatchNotProvableError("the solvency circuit refused the batch", {
      details: "a balance outside [0, 2^96), a root that is not these leaves', or a total above the reserves",
      cause,
    });
  }
}
