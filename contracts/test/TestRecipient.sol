// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";
import {IVerifier} from "../interfaces/IVerifier.sol";
import {Inbox} from "../messaging/Inbox.sol";
import {Outbox} from "../messaging/Outbox.sol";

/// @title TestRecipient
/// @notice Test-only recipient: records every message it handles (expiry notices included), and reverts
///         while `failing` is set so tests can exercise the failed-then-retried path. It can also send,
///         so tests can make it the sender of a message.
contract TestRecipient is IMessageRecipient {
    struct Received {
        uint64 sourceChainId;
        address sender;
        bytes body;
    }

    address public immutable inbox;
    bool public failing;
    /// @notice The verifier the Inbox says proved the last message handled (on a retry: the first prover).
    address public lastVerifier;
    Received[] private _received;

    event Handled(uint64 indexed sourceChainId, address indexed sender, bytes body);

    error NotInbox(address caller);
    error RecipientFailing();

    constructor(address inbox_) {
        inbox = inbox_;
    }

    /// @notice Chooses the trust path for messages from `sourceChainId` (the recipient's own call).
    function chooseVerifier(uint64 sourceChainId, IVerifier verifier) external {
        Inbox(inbox).setVerifier(sourceChainId, verifier);
    }

    /// @notice Sends a message from this contract.
    function send(Outbox outbox, uint64 destinationChainId, address recipient, bytes calldata body, uint64 deadline)
        external
        returns (bytes32)
    {
        return outbox.send(destinationChainId, recipient, body, 200_000, deadline);
    }

    function setFailing(bool value) external {
        failing = value;
    }

    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        if (failing) revert RecipientFailing();
        _received.push(Received(sourceChainId, sender, body));
        lastVerifier = address(Inbox(inbox).currentVerifier());
        emit Handled(sourceChainId, sender, body);
    }

    function receivedCount() external view returns (uint256) {
        return _received.length;
    }

    function received(uint256 index) external view returns (Received memory) {
        return _received[index];
    }
}
