// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";
import {Outbox} from "../messaging/Outbox.sol";

/// @title CrossRollupGreeter
/// @notice Example app, deployed at the same address on every rollup: `greet` on one rollup sets the
///         greeting of its twin on another rollup. Only its twin may set it.
contract CrossRollupGreeter is IMessageRecipient {
    uint64 public constant GREETING_GAS = 200_000;

    Outbox public immutable outbox;
    address public immutable inbox;

    string public greeting;
    address public lastGreeter;
    uint64 public lastSourceChainId;
    uint256 public greetingsReceived;

    /// @notice A greeting left for `destinationChainId`.
    event GreetingSent(bytes32 indexed messageId, uint64 indexed destinationChainId, address greeter, string greeting);
    /// @notice A greeting arrived from `sourceChainId`.
    event GreetingReceived(uint64 indexed sourceChainId, address indexed greeter, string greeting);

    /// @notice Only the Inbox delivers greetings.
    error NotInbox(address caller);
    /// @notice Greetings come only from this contract's twin.
    error UntrustedSender(uint64 sourceChainId, address sender);

    constructor(Outbox outbox_, address inbox_) {
        outbox = outbox_;
        inbox = inbox_;
    }

    /// @notice Sets the greeting of the twin on `destinationChainId`; it lands when the message is delivered.
    function greet(uint64 destinationChainId, string calldata newGreeting) external returns (bytes32 messageId) {
        messageId = outbox.send(
            destinationChainId,
            address(this),
            abi.encode(msg.sender, newGreeting),
            GREETING_GAS,
            uint64(block.timestamp + 1 days)
        );
        emit GreetingSent(messageId, destinationChainId, msg.sender, newGreeting);
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        if (sender != address(this)) revert UntrustedSender(sourceChainId, sender);
        (address greeter, string memory newGreeting) = abi.decode(body, (address, string));
        greeting = newGreeting;
        lastGreeter = greeter;
        lastSourceChainId = sourceChainId;
        greetingsReceived += 1;
        emit GreetingReceived(sourceChainId, greeter, newGreeting);
    }
}
