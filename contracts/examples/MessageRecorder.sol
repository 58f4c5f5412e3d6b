// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";

/// @title MessageRecorder
/// @notice Example recipient, deployed by the devnet on every rollup: accepts any message and keeps the
///         latest one, so `junction send` has somewhere to go out of the box.
contract MessageRecorder is IMessageRecipient {
    address public immutable inbox;

    uint256 public messagesReceived;
    uint64 public lastSourceChainId;
    address public lastSender;
    bytes public lastBody;

    /// @notice A message was handled.
    event MessageRecorded(uint64 indexed sourceChainId, address indexed sender, bytes body);

    /// @notice Only the Inbox delivers messages.
    error NotInbox(address caller);

    constructor(address inbox_) {
        inbox = inbox_;
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        messagesReceived += 1;
        lastSourceChainId = sourceChainId;
        lastSender = sender;
        lastBody = body;
        emit MessageRecorded(sourceChainId, sender, body);
    }
}
