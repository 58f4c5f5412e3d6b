// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IMessageRecipient
/// @notice What a contract implements to receive Junction messages from the Inbox.
/// @dev Implementations must check `msg.sender` is the Inbox and should check `sender` is a contract
///      they trust on `sourceChainId`. A revert marks the message failed; anyone may retry it later.
interface IMessageRecipient {
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external;
}
