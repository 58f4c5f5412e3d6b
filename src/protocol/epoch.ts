// The zk path's epoch tree: once per epoch the committee signs the root of a tree of every rollup's
// newest Outbox checkpoint, so one proof imports them all and a message proves its source's checkpoint
// with a path in the tree. Twin of ZkVerifier.epochRootOf / verifyRoot: leaves are the hub's checkpoint
// leaves in increasing chain id order, hashed in pairs with the smaller first (OpenZeppelin's
// commutativeKeccak256, so MerkleProof.verify checks a path), an odd node carried up unchanged.
import { concatHex, encodeAbiParameters, type Hex, hexToBigInt, keccak256 } from "viem";
import { type Checkpoint, checkpointLeaf } from "./checkpoint.js";

/** ZkVerifier.MAX_EPOCH_CHECKPOINTS. */
export const MAX_EPOCH_CHECKPOINTS = 256;

export class EpochTreeError extends Error {
  override name = "EpochTreeError" as const;
}

/** What a message carries on the zk path: the epoch, who signed it, and its checkpoint's path. */
export type EpochEvidence = { epochRoot: Hex; committeeRoot: bigint; signerCount: bigint; path: Hex[] };

function pair(a: Hex, b: Hex): Hex {
  return hexToBigInt(a) < hexToBigInt(b) ? keccak256(concatHex([a, b])) : keccak256(concatHex([b, a]));
}

/** An epoch's tree over `checkpoints` (strictly increasing chain ids, 1 to 256 of them). */
export class EpochTree {
  readonly checkpoints: readonly Checkpoint[];
  readonly #levels: Hex[][];

  constructor(checkpoints: readonly Checkpoint[]) {
    if (checkpoints.length === 0 || checkpoints.length > MAX_EPOCH_CHECKPOINTS) {
      throw new EpochTreeError(`an epoch carries 1 to ${MAX_EPOCH_CHECKPOINTS} checkpoints`);
    }
    checkpoints.forEach((checkpoint, i) => {
      const before = checkpoints[i - 1];
      if (before && checkpoint.chainId <= before.chainId) {
        throw new EpochTreeError(`checkpoint ${i} is not in increasing chain id order`);
      }
    });
    this.checkpoints = checkpoints;
    const levels: Hex[][] = [checkpoints.map(checkpointLeaf)];
    for (let nodes = levels[0] as Hex[]; nodes.length > 1; ) {
      const above: Hex[] = [];
      for (let i = 0; i + 1 < nodes.length; i += 2) above.push(pair(nodes[i] as Hex, nodes[i + 1] as Hex));
      if (nodes.length % 2 === 1) above.push(nodes[nodes.length - 1] as Hex);
      levels.push(above);
      nodes = above;
    }
    this.#levels = levels;
  }

  /** Sorts the checkpoints by chain id first (one per rollup). */
  static of(checkpoints: readonly Checkpoint[]): EpochTree {
    return new EpochTree([...checkpoints].sort((a, b) => (a.chainId < b.chainId ? -1 : 1)));
  }

  get root(): Hex {
    return (this.#levels[this.#levels.length - 1] as Hex[])[0] as Hex;
  }

  /** The path of `chainId`'s checkpoint, or null when the epoch has none for it. */
  path(chainId: bigint): Hex[] | null {
    let index = this.checkpoints.findIndex((checkpoint) => checkpoint.chainId === chainId);
    if (index < 0) return null;
    const path: Hex[] = [];
    for (const nodes of this.#levels.slice(0, -1)) {
      const sibling = nodes[index ^ 1];
      // The last node of an odd level has no sibling: it is carried up as it is.
      if (sibling !== undefined) path.push(sibling);
      index >>= 1;
    }
    return path;
  }
}

/** ZkVerifier.verifyRoot's `data`. */
export function encodeEpochEvidence({ epochRoot, committeeRoot, signerCount, path }: EpochEvidence): Hex {
  return encodeAbiParameters(
    [{ type: "bytes32" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes32[]" }],
    [epochRoot, committeeRoot, signerCount, path],
  );
}
