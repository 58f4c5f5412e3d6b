// EIP-712 typed data of a signed Outbox checkpoint; twin of contracts/verifiers/CheckpointSignature.sol.
// The domain has no chain id: one signature is checked on the source (fraud proofs) and on every destination.
import type { Hex } from "viem";

export const checkpointDomain = { name: "Junction", version: "1" } as const;

export const checkpointTypes = {
  Checkpoint: [
    { name: "sourceChainId", type: "uint64" },
    { name: "count", type: "uint256" },
    { name: "root", type: "bytes32" },
  ],
} as const;

export type SignedCheckpoint = { sourceChainId: bigint; count: bigint; root: Hex; signature: Hex };

/** Parameters for viem's `signTypedData` / `hashTypedData` over a checkpoint. */
export function checkpointTypedData(checkpoint: { sourceChainId: bigint; count: bigint; root: Hex }) {
  return {
    domain: checkpointDomain,
    types: checkpointTypes,
    primaryType: "Checkpoint" as const,
    message: { sourceChainId: checkpoint.sourceChainId, count: checkpoint.count, root: checkpoint.root },
  };
}
