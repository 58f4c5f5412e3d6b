// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Message
/// @notice The one envelope every Junction route carries, and how its id is derived.
/// @dev `id = keccak256(abi.encode(message))`. The TypeScript twin lives in `src/protocol/message.ts`;
///      both must change together.
struct Message {
    uint8 version;
    uint64 nonce;
    uint64 sourceChainId;
    address sender;
    uint64 destinationChainId;
    address recipient;
    uint64 gasLimit;
    uint64 deadline;
    bytes body;
}

library MessageLib {
    /// @notice Envelope version this deployment writes and accepts.
    uint8 internal constant VERSION = 1;

    function id(Message memory message) internal pure returns (bytes32) {
        return keccak256(abi.encode(message));
    }
}
