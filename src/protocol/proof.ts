// Builds the Inbox's MessageProof for the canonical path from pure inputs: the source Outbox's message
// ids and the hub history. Used alike by the relayer (from its store) and the SDK (from chain logs).
import { encodeAbiParameters, type Hex } from "viem";
import type { GlobalInclusion } from "./checkpoint.js";
import { buildLevels, MESSAGE_TREE_DEPTH, pathOf, rootOf } from "./merkle.js";

/** The Inbox's `MessageProof` struct. */
export type MessageProof = { count: bigint; root: Hex; path: Hex[]; verifierData: Hex };

export class ProofInputError extends Error {
  override name = "ProofInputError" as const;
}

/** CanonicalVerifier's verifierData: abi.encode(globalRoot, leafIndex, path). */
export function encodeCanonicalVerifierData(inclusion: GlobalInclusion): Hex {
  return encodeAbiParameters(
    [{ type: "bytes32" }, { type: "uint256" }, { type: "bytes32[]" }],
    [inclusion.globalRoot, BigInt(inclusion.leafIndex), inclusion.path],
  );
}

/**
 * Prover for every message covered by the checkpoint in `inclusion`: builds the Outbox tree once and
 * answers each nonce with its proof. `ids` are the Outbox's message ids in nonce order, at least
 * `inclusion.checkpoint.count` of them.
 */
export function canonicalProver(
  ids: readonly Hex[],
  inclusion: GlobalInclusion,
): (nonce: bigint) => MessageProof {
  const { count, root } = inclusion.checkpoint;
  if (BigInt(ids.length) < count) throw new ProofInputError(`need ${count} message ids, have ${ids.length}`);
  const levels = buildLevels(ids.slice(0, Number(count)), MESSAGE_TREE_DEPTH);
  const rebuilt = rootOf(levels);
  if (rebuilt !== root) {
    throw new ProofInputError(`message ids rebuild root ${rebuilt}, but the checkpoint says ${root}`);
  }
  const verifierData = encodeCanonicalVerifierData(inclusion);
  return (nonce) => {
    if (nonce >= count)
      throw new ProofInputError(`message ${nonce} is not covered by checkpoint count ${count}`);
    return { count, root, path: pathOf(levels, Number(nonce)), verifierData };
  };
}

/** Proof that message number `nonce` of a source Outbox is covered by the checkpoint in `inclusion`. */
export function buildCanonicalProof(
  ids: readonly Hex[],
  nonce: bigint,
  inclusion: GlobalInclusion,
): MessageProof {
  return canonicalProver(ids, inclusion)(nonce);
}
