// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";
import {IVerifier} from "../interfaces/IVerifier.sol";
import {Inbox} from "../messaging/Inbox.sol";

/// @title MessageRecorder
/// @notice Example recipient, deployed by the devnet on every rollup: accepts any message and keeps the
///         latest one, so `junction send` has somewhere to go out of the box. Its owner may choose the
///         trust path per source (the devnet deploys one recorder per path).
contract MessageRecorder is IMessageRecipient {
    address public immutable inbox;
    address public immutable owner;

    uint256 public messagesReceived;
    uint64 public lastSourceChainId;
    address public lastSender;
    bytes public lastBody;

    /// @notice A message was handled.
    event MessageRecorded(uint64 indexed sourceChainId, address indexed sender, bytes body);

    /// @notice Only the Inbox delivers messages.
    error NotInbox(address caller);
    /// @notice Only the owner chooses the trust path.
    error NotOwner(address caller);

    constructor(address inbox_, address owner_) {
        inbox = inbox_;
        owner = owner_;
    }

    /// @notice Accept messages from `sourceChainId` only when `verifier` proves them.
    function chooseVerifier(uint64 sourceChainId, IVerifier verifier) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        Inbox(inbox).setVerifier(sourceChainId, verifier);
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
