// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MerkleTree
/// @notice Append-only incremental keccak Merkle tree of fixed depth (the eth2 deposit-contract layout,
///         without mixing in the length), plus path verification for any fixed depth.
/// @dev Empty leaves are zero; the zero subtree of height h+1 is keccak(zero_h, zero_h). A fixed depth
///      means an internal node can never be presented as a leaf. The TypeScript twin is
///      `src/protocol/merkle.ts`.
library MerkleTree {
    uint256 internal constant DEPTH = 32;
    uint256 internal constant MAX_LEAVES = (1 << DEPTH) - 1;

    struct Tree {
        bytes32[DEPTH] branch;
        uint256 count;
    }

    /// @notice The tree holds 2^32 - 1 leaves and is full.
    error MerkleTreeFull();

    /// @notice Appends `leaf` and returns its index.
    function append(Tree storage tree, bytes32 leaf) internal returns (uint256 index) {
        index = tree.count;
        if (index >= MAX_LEAVES) revert MerkleTreeFull();
        uint256 size = index + 1;
        tree.count = size;
        bytes32 node = leaf;
        for (uint256 level = 0; level < DEPTH; level++) {
            if (size & 1 == 1) {
                tree.branch[level] = node;
                return index;
            }
            node = hashPair(tree.branch[level], node);
            size >>= 1;
        }
        // Unreachable: size < 2^32 always has a set bit below DEPTH.
        assert(false);
    }

    /// @notice Root over the first `count` leaves, zero-padded to the full depth.
    function root(Tree storage tree) internal view returns (bytes32 node) {
        uint256 size = tree.count;
        bytes32 zero;
        for (uint256 level = 0; level < DEPTH; level++) {
            node = size & 1 == 1 ? hashPair(tree.branch[level], node) : hashPair(node, zero);
            zero = hashPair(zero, zero);
            size >>= 1;
        }
    }

    /// @notice Root of the tree whose leaf at `index` is `leaf` and whose other nodes are `path`
    ///         (siblings from the leaf upwards). The depth is `path.length`.
    function computeRoot(bytes32 leaf, uint256 index, bytes32[] memory path) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 level = 0; level < path.length; level++) {
            node = (index >> level) & 1 == 1 ? hashPair(path[level], node) : hashPair(node, path[level]);
        }
    }

    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32 hashed) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            hashed := keccak256(0x00, 0x40)
        }
    }
}
