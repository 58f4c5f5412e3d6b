// Proving with the committee circuit's committed artifacts (circuits/build, made by `npm run zk:setup`),
// and the conversion of a snarkjs proof to what the Solidity verifier takes.
import { fileURLToPath } from "node:url";
import { type Groth16Proof, groth16 } from "snarkjs";
import {
  type Committee,
  type MemberSignature,
  signStatement,
  witnessInput,
} from "../../protocol/committee.js";
import { ProvingPool } from "./pool.js";

export const CIRCUIT_WASM = fileURLToPath(new URL("../../../circuits/build/committee.wasm", import.meta.url));
export const CIRCUIT_ZKEY = fileURLToPath(new URL("../../../circuits/build/committee.zkey", import.meta.url));

/** ZkVerifier.Proof. */
export type SolidityProof = {
  a: readonly [bigint, bigint];
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
};

export type StatementProof = {
  proof: SolidityProof;
  committeeRoot: bigint;
  signerCount: bigint;
  publicSignals: bigint[];
  provingMs: number;
};

/** snarkjs gives G2 coordinates as [c0, c1]; the EVM pairing precompile takes [c1, c0]. */
export function toSolidityProof(proof: Groth16Proof): SolidityProof {
  const big = (value: string) => BigInt(value);
  return {
    a: [big(proof.pi_a[0]), big(proof.pi_a[1])],
    b: [
      [big(proof.pi_b[0][1]), big(proof.pi_b[0][0])],
      [big(proof.pi_b[1][1]), big(proof.pi_b[1][0])],
    ],
    c: [big(proof.pi_c[0]), big(proof.pi_c[1])],
  };
}

/**
 * Proves that the given members' signatures over `fields` are valid and from `committee`: in a worker of
 * `pool` when one is given (the agent's thread stays free), else on this thread.
 */
export async function proveSignatures(
  committee: Committee,
  fields: readonly bigint[],
  signatures: readonly MemberSignature[],
  pool?: ProvingPool,
): Promise<StatementProof> {
  const started = performance.now();
  const input = witnessInput(committee, fields, signatures);
  const { proof, publicSignals, provingMs } = pool
    ? await pool.prove(input)
    : { ...(await groth16.fullProve(input, CIRCUIT_WASM, CIRCUIT_ZKEY)), provingMs: undefined };
  return {
    proof: toSolidityProof(proof),
    committeeRoot: committee.root,
    signerCount: BigInt(signatures.length),
    publicSignals: publicSignals.map(BigInt),
    provingMs: provingMs ?? performance.now() - started,
  };
}

/** A pool of proving threads for the committee circuit (`timeoutMs`: the longest a proof may run). */
export function committeeProvingPool(size?: number, timeoutMs?: number): ProvingPool {
  return new ProvingPool(CIRCUIT_WASM, CIRCUIT_ZKEY, size, { timeoutMs });
}

/** Has the first `signers` members sign `fields`, then proves it: the devnet stands in for the committee. */
export async function proveStatement(
  committee: Committee,
  fields: readonly bigint[],
  signers: readonly number[],
  pool?: ProvingPool,
): Promise<StatementProof> {
  const signatures = await Promise.all(signers.map((index) => signStatement(committee, index, fields)));
  return proveSignatures(committee, fields, signatures, pool);
}

/**
 * snarkjs keeps the worker threads of its BN254 curve alive between proofs (in `globalThis`); a process
 * that is done proving releases them, or it never exits. The next proof starts them again.
 */
export async function releaseProvingThreads(): Promise<void> {
  const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  await holder.curve_bn128?.terminate();
}
