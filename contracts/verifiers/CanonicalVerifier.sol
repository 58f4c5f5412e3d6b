// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IVerifier} from "../interfaces/IVerifier.sol";
import {MerkleTree} from "../messaging/MerkleTree.sol";
import {CheckpointLeaf, GLOBAL_TREE_DEPTH} from "../hub/CheckpointLeaf.sol";
import {GlobalRootOracle} from "../hub/GlobalRootOracle.sol";

/// @title CanonicalVerifier
/// @notice The canonical trust path: a source Outbox root is genuine if it is the checkpoint of its rollup
///         inside a global root that the L1 hub produced and this rollup's oracle imported.
/// @dev verifierData = abi.encode(bytes32 globalRoot, uint256 leafIndex, bytes32[] path).
contract CanonicalVerifier is IVerifier {
    GlobalRootOracle public immutable oracle;

    /// @notice The global root has not been imported on this rollup.
    error UnknownGlobalRoot(bytes32 globalRoot);
    /// @notice The path to the global root has the wrong number of siblings.
    error InvalidGlobalPathLength(uint256 length, uint256 expected);
    /// @notice The checkpoint is not a leaf of the global root.
    error CheckpointNotInGlobalRoot(uint64 sourceChainId, uint256 count, bytes32 root, bytes32 globalRoot);

    constructor(GlobalRootOracle oracle_) {
        oracle = oracle_;
    }

    /// @inheritdoc IVerifier
    function verifyRoot(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata data) external view {
        (bytes32 globalRoot, uint256 leafIndex, bytes32[] memory path) = abi.decode(data, (bytes32, uint256, bytes32[]));
        if (!oracle.isKnown(globalRoot)) revert UnknownGlobalRoot(globalRoot);
        if (path.length != GLOBAL_TREE_DEPTH) {
            revert InvalidGlobalPathLength(path.length, GLOBAL_TREE_DEPTH);
        }
        bytes32 leaf = CheckpointLeaf.hash(sourceChainId, count, root);
        if (MerkleTree.computeRoot(leaf, leafIndex, path) != globalRoot) revert CheckpointNotInGlobalRoot(sourceChainId, count, root, globalRoot);
    }
}
