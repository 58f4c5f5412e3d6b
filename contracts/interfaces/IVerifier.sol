// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IVerifier
/// @notice One trust path. Every verifier answers a single question: is `root` the Outbox root of
///         `sourceChainId` after `count` messages? The Inbox proves the message itself against that root.
/// @dev A new trust path adds a contract behind this interface (and an agent) and touches nothing else.
interface IVerifier {
    /// @notice Reverts with the verifier's own named error unless it vouches for `(sourceChainId, count, root)`.
    /// @param sourceChainId Chain whose Outbox produced `root`.
    /// @param count Number of messages in that Outbox when its root was `root`.
    /// @param root The Outbox Merkle root after `count` messages.
    /// @param data Path-specific evidence (for the canonical path: a global root and a path to it).
    function verifyRoot(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata data) external view;
}
