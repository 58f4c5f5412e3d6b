// EIP-712 typed data of a signed Outbox checkpoint; twin of contracts/verifiers/CheckpointSignature.sol.
// The domain has no chain id (one signature is checked on the source, for fraud proofs, and on every
// destination) but names the source Outbox as `verifyingContract`, so a signature is bound to one
// deployment and cannot be replayed into another that reuses the chain ids.
import { type Address, encodePacked, type Hex, keccak256 } from "viem";

/** The EIP-712 domain of the deployment whose Outbox (the same on every rollup) is `outbox`. */
export function checkpointDomain(outbox: Address) {
  return { name: "Junction", version: "1", verifyingContract: outbox } as const;
}

export const checkpointTypes = {
  Checkpoint: [
    { name: "sourceChainId", type: "uint64" },
    { name: "count", type: "uint256" },
    { name: "root", type: "bytes32" },
  ],
} as const;

export type SignedCheckpoint = { sourceChainId: bigint; count: bigint; root: Hex; signature: Hex };

/** Parameters for viem's `signTypedData` / `hashTypedData` over a checkpoint of the Outbox at `outbox`. */
export function checkpointTypedData(checkpoint: {
  outbox: Address;
  sourceChainId: bigint;
  count: bigint;
  root: Hex;
}) {
  return {
    domain: checkpointDomain(checkpoint.outbox),
    types: checkpointTypes,
    primaryType: "Checkpoint" as const,
    message: { sourceChainId: checkpoint.sourceChainId, count: checkpoint.count, root: checkpoint.root },
  };
}

export const rotationTypes = {
  Rotation: [
    { name: "sourceChainId", type: "uint64" },
    { name: "currentMembersHash", type: "bytes32" },
    { name: "membersHash", type: "bytes32" },
    { name: "threshold", type: "uint64" },
    { name: "epoch", type: "uint64" },
  ],
} as const;

/**
 * Typed data of a multisig committee hand-over (MultisigVerifier.rotateCommittee): the outgoing
 * committee `current` hands `sourceChainId` to `next` with `threshold`, as `epoch`. Members hash as
 * `keccak256(abi.encodePacked(address[]))`.
 */
export function rotationTypedData(rotation: {
  outbox: Address;
  sourceChainId: bigint;
  current: readonly Address[];
  next: readonly Address[];
  threshold: bigint;
  epoch: bigint;
}) {
  return {
    domain: checkpointDomain(rotation.outbox),
    types: rotationTypes,
    primaryType: "Rotation" as const,
    message: {
      sourceChainId: rotation.sourceChainId,
      currentMembersHash: membersHash(rotation.current),
      membersHash: membersHash(rotation.next),
      threshold: rotation.threshold,
      epoch: rotation.epoch,
    },
  };
}

function membersHash(members: readonly Address[]): Hex {
  return keccak256(encodePacked(["address[]"], [members]));
}
