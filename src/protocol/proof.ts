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

/** Proves any message whose nonce is below `count` against an Outbox root, for one verifier. */
export type OutboxProver = { count: bigint; root: Hex; prove: (nonce: bigint) => MessageProof };

/**
 * Builds the Outbox tree over the first `count` ids once and answers each nonce with its proof, carrying
 * `verifierData` for the verifier. Refuses when the ids do not rebuild `root` (a wrong checkpoint).
 */
export function outboxProver(ids: readonly Hex[], count: bigint, root: Hex, verifierData: Hex): OutboxProver {
  if (BigInt(ids.length) < count) throw new ProofInputError(`need ${count} message ids, have ${ids.length}`);
  const levels = buildLevels(ids.slice(0, Number(count)), MESSAGE_TREE_DEPTH);
  const rebuilt = rootOf(levels);
  if (rebuilt !== root) {
    throw new ProofInputError(`message ids rebuild root ${rebuilt}, but the checkpoint says ${root}`);
  }
  return proverOver(count, root, verifierData, (index) => pathOf(levels, index));
}

/** A prover for `(count, root)` whose Merkle paths come from `pathTo` (a tree the caller keeps). */
export function proverOver(
  count: bigint,
  root: Hex,
  verifierData: Hex,
  pathTo: (index: number) => Hex[],
): OutboxProver {
  return {
    count,
    root,
    prove: (nonce) => {
      if (nonce >= count)
        throw new ProofInputError(`message ${nonce} is not covered by checkpoint count ${count}`);
      return { count, root, path: pathTo(Number(nonce)), verifierData };
    },
  };
}

/** Canonical-path prover: the checkpoint and its path come from a global root. */
export function canonicalProver(ids: readonly Hex[], inclusion: GlobalInclusion): OutboxProver {
  const { count, root } = inclusion.checkpoint;
  return outboxProver(ids, count, root, encodeCanonicalVerifierData(inclusion));
}

/** Proof that message number `nonce` of a source Outbox is covered by the checkpoint in `inclusion`. */
export function buildCanonicalProof(
  ids: readonly Hex[],
  nonce: bigint,
  inclusion: GlobalInclusion,
): MessageProof {
  return canonicalProver(ids, inclusion).prove(nonce);
}
