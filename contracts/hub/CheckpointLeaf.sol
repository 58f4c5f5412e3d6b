// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Depth of the global tree: room for 2^8 = 256 rollups.
uint256 constant GLOBAL_TREE_DEPTH = 8;

/// @title CheckpointLeaf
/// @notice The leaf of the hub's global tree: one rollup's latest Outbox checkpoint.
/// @dev Shared by RollupHub (which builds the tree) and CanonicalVerifier (which proves against it).
///      The TypeScript twin is `checkpointLeaf` in `src/protocol/checkpoint.ts`.
library CheckpointLeaf {
    function hash(uint64 chainId, uint256 count, bytes32 root) internal pure returns (bytes32) {
        return keccak256(abi.encode(chainId, count, root));
    }
}
