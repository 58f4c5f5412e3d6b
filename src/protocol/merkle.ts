// Fixed-depth keccak Merkle trees with zero-padded empty leaves; twin of contracts/messaging/MerkleTree.sol.
import { concatHex, type Hex, keccak256 } from "viem";

export const MESSAGE_TREE_DEPTH = 32;
export const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

export function hashPair(left: Hex, right: Hex): Hex {
  return keccak256(concatHex([left, right]));
}

const zeroCache: Hex[] = [ZERO_HASH];

/** Root of an all-empty subtree of the given height. */
export function zeroHash(height: number): Hex {
  while (zeroCache.length <= height) {
    const below = zeroCache[zeroCache.length - 1] as Hex;
    zeroCache.push(hashPair(below, below));
  }
  return zeroCache[height] as Hex;
}

/** Every level of the tree over `leaves`, from the leaves (level 0) to the root (level `depth`). */
export function buildLevels(leaves: readonly Hex[], depth: number): Hex[][] {
  if (leaves.length > 2 ** depth)
    throw new RangeError(`${leaves.length} leaves exceed a depth-${depth} tree`);
  const levels: Hex[][] = [[...leaves]];
  for (let height = 0; height < depth; height++) {
    const below = levels[height] as Hex[];
    const above: Hex[] = [];
    for (let i = 0; i < below.length; i += 2) {
      above.push(hashPair(below[i] as Hex, below[i + 1] ?? zeroHash(height)));
    }
    levels.push(above);
  }
  return levels;
}

export function rootOf(levels: Hex[][]): Hex {
  const top = levels[levels.length - 1] as Hex[];
  return top[0] ?? zeroHash(levels.length - 1);
}

/** Siblings from leaf `index` up to the root. */
export function pathOf(levels: Hex[][], index: number): Hex[] {
  const path: Hex[] = [];
  for (let height = 0; height < levels.length - 1; height++) {
    const sibling = (index >> height) ^ 1;
    path.push((levels[height] as Hex[])[sibling] ?? zeroHash(height));
  }
  return path;
}

export function merkleRoot(leaves: readonly Hex[], depth: number): Hex {
  return rootOf(buildLevels(leaves, depth));
}

/** Root reached from `leaf` at `index` through `path`, as the contracts compute it. */
export function rootFromPath(leaf: Hex, index: number, path: readonly Hex[]): Hex {
  let node = leaf;
  path.forEach((sibling, height) => {
    node = (index >> height) & 1 ? hashPair(sibling, node) : hashPair(node, sibling);
  });
  return node;
}

/**
 * A tree that grows one leaf at a time and keeps every level, so appending costs `depth` hashes and a
 * path is read, not rebuilt: the relayer's persistent copy of an Outbox. Same nodes as `buildLevels`.
 */
export class IncrementalTree {
  readonly #levels: Hex[][];

  constructor(readonly depth: number) {
    this.#levels = Array.from({ length: depth + 1 }, () => []);
  }

  get size(): number {
    return (this.#levels[0] as Hex[]).length;
  }

  append(leaf: Hex): void {
    if (this.size >= 2 ** this.depth) throw new RangeError(`a depth-${this.depth} tree is full`);
    (this.#levels[0] as Hex[]).push(leaf);
    let index = this.size - 1;
    for (let height = 0; height < this.depth; height++) {
      const level = this.#levels[height] as Hex[];
      const left = index & ~1;
      (this.#levels[height + 1] as Hex[])[index >> 1] = hashPair(
        level[left] as Hex,
        level[left + 1] ?? zeroHash(height),
      );
      index >>= 1;
    }
  }

  root(): Hex {
    return rootOf(this.#levels);
  }

  path(index: number): Hex[] {
    if (index >= this.size) throw new RangeError(`leaf ${index} is not in a tree of ${this.size}`);
    return pathOf(this.#levels, index);
  }
}
