// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IVerifier} from "../interfaces/IVerifier.sol";

/// @title RecordedCheckpoints
/// @notice What the committee light clients (ZkVerifier, MultisigVerifier) share: the checkpoints they
///         imported, final once recorded, and the IVerifier answer from them.
abstract contract RecordedCheckpoints is IVerifier {
    mapping(uint64 sourceChainId => mapping(uint256 count => bytes32 root)) public verifiedRoot;

    /// @notice No checkpoint at this count was imported.
    error CheckpointNotVerified(uint64 sourceChainId, uint256 count);
    /// @notice The imported checkpoint at this count has another root.
    error RootMismatch(uint64 sourceChainId, uint256 count, bytes32 root);

    /// @inheritdoc IVerifier
    function verifyRoot(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata) external view {
        bytes32 verified = verifiedRoot[sourceChainId][count];
        if (verified == bytes32(0)) revert CheckpointNotVerified(sourceChainId, count);
        if (verified != root) revert RootMismatch(sourceChainId, count, root);
    }
}
