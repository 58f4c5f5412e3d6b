// Pure checks of the TypeScript Merkle code: every path leads to the root, and edge cases hold.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Hex, keccak256, toHex } from "viem";
import {
  buildLevels,
  hashPair,
  IncrementalTree,
  merkleRoot,
  pathOf,
  rootFromPath,
  rootOf,
  ZERO_HASH,
  zeroHash,
} from "../../src/protocol/merkle.js";

const leaf = (i: number): Hex => keccak256(toHex(`leaf ${i}`));

describe("merkle", () => {
  it("the empty tree's root is the zero subtree of full height", () => {
    assert.equal(merkleRoot([], 32), zeroHash(32));
    assert.equal(zeroHash(1), hashPair(ZERO_HASH, ZERO_HASH));
  });

  it("a one-leaf depth-1 tree pairs the leaf with zero", () => {
    assert.equal(merkleRoot([leaf(0)], 1), hashPair(leaf(0), ZERO_HASH));
  });

  it("every leaf's path leads to the root, for every size up to 33", () => {
    for (let size = 1; size <= 33; size++) {
      const leaves = Array.from({ length: size }, (_, i) => leaf(i));
      const levels = buildLevels(leaves, 32);
      const root = rootOf(levels);
      for (let i = 0; i < size; i++) {
        const path = pathOf(levels, i);
        assert.equal(path.length, 32);
        assert.equal(rootFromPath(leaves[i] as Hex, i, path), root, `size ${size} leaf ${i}`);
      }
      // The same path with the wrong index or wrong leaf leads elsewhere.
      assert.notEqual(rootFromPath(leaf(999), 0, pathOf(levels, 0)), root);
    }
  });

  it("refuses more leaves than the depth holds", () => {
    assert.throws(() => buildLevels([leaf(0), leaf(1), leaf(2)], 1), RangeError);
  });

  it("an incremental tree has the same root and paths as a rebuild after every append", () => {
    const tree = new IncrementalTree(32);
    const leaves: Hex[] = [];
    assert.equal(tree.root(), merkleRoot([], 32));
    for (let size = 1; size <= 70; size++) {
      const next = leaf(1000 + size);
      leaves.push(next);
      tree.append(next);
      const levels = buildLevels(leaves, 32);
      assert.equal(tree.root(), rootOf(levels), `root after ${size}`);
      for (const index of [0, size >> 1, size - 1]) {
        assert.deepEqual(tree.path(index), pathOf(levels, index), `path ${index} of ${size}`);
      }
    }
    assert.throws(() => tree.path(70), RangeError);
  });
});
