// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Message, MessageLib} from "./Message.sol";
import {MerkleTree} from "./MerkleTree.sol";

/// @title Outbox
/// @notice Source side of Junction messaging on one rollup: stamps each message with a nonce, appends its
///         id to an incremental Merkle tree and keeps the root after every append, so any verifier can
///         later be asked about `rootAt(count)` for any past count. Its owner may restrict the chains it
///         sends to (the rollup's dependency set) until it seals the set, for good; by default every chain
///         is a destination.
contract Outbox is Ownable {
    using MerkleTree for MerkleTree.Tree;

    /// @notice Largest gas limit a message may ask its destination handler to receive.
    uint64 public constant MAX_GAS_LIMIT = 10_000_000;
    /// @notice Largest body, in bytes, a message may carry.
    uint256 public constant MAX_BODY_BYTES = 64 * 1024;

    MerkleTree.Tree private _tree;
    mapping(uint256 count => bytes32 root) private _roots;

    /// @notice Whether `send` accepts only destinations in the dependency set (false: every chain).
    bool public restricted;
    /// @notice This rollup's Inbox (fixed at creation): its expiry notices go back to a message's source
    ///         whatever this Outbox's set says, so a refund is never lost to a set that differs from the
    ///         Inbox's own (the Inbox only expires messages from sources it accepts).
    address public immutable inbox;
    /// @notice Whether the dependency set (and `restricted`) is fixed for good: nobody can change it since.
    bool public dependencySetSealed;
    /// @notice The dependency set: destinations `send` accepts while `restricted`.
    mapping(uint64 chainId => bool allowed) public inDependencySet;

    /// @notice A message was appended to the tree. `root` is the Outbox root right after it.
    event MessageSent(
        bytes32 indexed id, uint64 indexed destinationChainId, address indexed sender, bytes32 root, Message message
    );

    /// @notice The destination is this chain; use a local call instead.
    error DestinationIsSourceChain(uint64 chainId);
    /// @notice Chain id zero is not a chain.
    error InvalidDestinationChain();
    /// @notice The recipient is the zero address.
    error ZeroRecipient();
    /// @notice The deadline is not in the future.
    error DeadlineInPast(uint64 deadline, uint256 nowTimestamp);
    /// @notice The gas limit exceeds MAX_GAS_LIMIT or is zero.
    error InvalidGasLimit(uint64 gasLimit, uint64 max);
    /// @notice The body exceeds MAX_BODY_BYTES.
    error BodyTooLarge(uint256 size, uint256 max);
    /// @notice `rootAt` was asked about a count the Outbox has not reached.
    error CountOutOfRange(uint256 requested, uint256 current);
    /// @notice The destination is outside this rollup's dependency set.
    error DestinationNotInDependencySet(uint64 destinationChainId);

    /// @notice The owner added `chainId` to the dependency set (`allowed`) or removed it.
    event DependencySetChanged(uint64 indexed chainId, bool allowed);
    /// @notice The owner turned the dependency set on (`restricted`) or off (every chain a destination).
    event RestrictionSet(bool restricted);
    /// @notice The owner sealed the dependency set: it never changes again.
    event SealedDependencySet(bool restricted);

    /// @notice The dependency set is sealed: messages in flight can never be cut off by a later change.
    error DependencySetSealed();

    /// @param initialOwner May set and then seal the dependency set.
    /// @param inbox_ This rollup's Inbox (its address is planned before either is created).
    constructor(address initialOwner, address inbox_) Ownable(initialOwner) {
        inbox = inbox_;
        _roots[0] = _tree.root();
    }

    modifier whileUnsealed() {
        if (dependencySetSealed) revert DependencySetSealed();
        _;
    }

    /// @notice Adds destinations to the dependency set (`allowed`) or removes them, until it is sealed.
    function setDependencySet(uint64[] calldata chainIds, bool allowed) external onlyOwner whileUnsealed {
        for (uint256 i = 0; i < chainIds.length; i++) {
            inDependencySet[chainIds[i]] = allowed;
            emit DependencySetChanged(chainIds[i], allowed);
        }
    }

    /// @notice Turns the dependency set on (only its chains are destinations) or off (every chain is),
    ///         until it is sealed.
    function setRestricted(bool restricted_) external onlyOwner whileUnsealed {
        restricted = restricted_;
        emit RestrictionSet(restricted_);
    }

    /// @notice Fixes the dependency set and `restricted` for good (an unrestricted Outbox stays open to
    ///         every chain). Once only: a message in flight is never cut off by a later change.
    function sealDependencySet() external onlyOwner whileUnsealed {
        dependencySetSealed = true;
        emit SealedDependencySet(restricted);
    }

    /// @notice Whether `send` accepts `destinationChainId` from an ordinary sender.
    function maySendTo(uint64 destinationChainId) public view returns (bool) {
        return !restricted || inDependencySet[destinationChainId];
    }

    /// @notice Sends `body` to `recipient` on `destinationChainId`.
    /// @param destinationChainId Chain id of the destination rollup.
    /// @param recipient Contract on the destination implementing IMessageRecipient.
    /// @param body Opaque payload handed to the recipient.
    /// @param gasLimit Gas the destination Inbox gives the recipient's handler.
    /// @param deadline Unix time after which the message can no longer be delivered or retried.
    /// @return id keccak256(abi.encode(message)).
    function send(uint64 destinationChainId, address recipient, bytes calldata body, uint64 gasLimit, uint64 deadline)
        external
        returns (bytes32 id)
    {
        if (destinationChainId == 0) revert InvalidDestinationChain();
        if (destinationChainId == block.chainid) revert DestinationIsSourceChain(destinationChainId);
        if (!maySendTo(destinationChainId) && msg.sender != inbox) {
            revert DestinationNotInDependencySet(destinationChainId);
        }
        if (recipient == address(0)) revert ZeroRecipient();
        if (deadline <= block.timestamp) revert DeadlineInPast(deadline, block.timestamp);
        if (gasLimit == 0 || gasLimit > MAX_GAS_LIMIT) revert InvalidGasLimit(gasLimit, MAX_GAS_LIMIT);
        if (body.length > MAX_BODY_BYTES) revert BodyTooLarge(body.length, MAX_BODY_BYTES);

        Message memory message = Message({
            version: MessageLib.VERSION,
            nonce: uint64(_tree.count),
            sourceChainId: uint64(block.chainid),
            sender: msg.sender,
            destinationChainId: destinationChainId,
            recipient: recipient,
            gasLimit: gasLimit,
            deadline: deadline,
            body: body
        });
        id = MessageLib.id(message);
        _tree.append(id);
        bytes32 newRoot = _tree.root();
        _roots[_tree.count] = newRoot;
        emit MessageSent(id, destinationChainId, msg.sender, newRoot, message);
    }

    /// @notice Number of messages sent so far (also the next nonce).
    function count() external view returns (uint256) {
        return _tree.count;
    }

    /// @notice Current Merkle root over all messages sent.
    function root() external view returns (bytes32) {
        return _roots[_tree.count];
    }

    /// @notice Root as it was right after the `messageCount`-th message (the empty root for zero).
    function rootAt(uint256 messageCount) external view returns (bytes32) {
        if (messageCount > _tree.count) revert CountOutOfRange(messageCount, _tree.count);
        return _roots[messageCount];
    }
}
