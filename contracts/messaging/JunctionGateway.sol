// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC7786GatewaySource, IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";
import {Inbox} from "./Inbox.sol";
import {Outbox} from "./Outbox.sol";

/// @title JunctionGateway
/// @notice ERC-7786 source and destination gateway over Junction messaging. Deployed at the same address
///         on every rollup: a message is sent through the local Outbox to the gateway twin on the
///         destination, which hands it to the ERC-7786 recipient with `receiveMessage`. Recipients
///         address and are addressed by ERC-7930 binary interoperable addresses.
/// @dev Supported attributes (all optional): `gasLimit(uint256)` for the recipient call (default
///      DEFAULT_GAS_LIMIT) and `deadline(uint256)` (default now + DEFAULT_TTL). Messages use the Inbox
///      default verifier of the destination, i.e. the default trust path.
contract JunctionGateway is IERC7786GatewaySource, IMessageRecipient {
    bytes4 public constant GAS_LIMIT_ATTRIBUTE = bytes4(keccak256("gasLimit(uint256)"));
    bytes4 public constant DEADLINE_ATTRIBUTE = bytes4(keccak256("deadline(uint256)"));
    uint64 public constant DEFAULT_GAS_LIMIT = 500_000;
    uint64 public constant DEFAULT_TTL = 7 days;
    /// @dev Gas this gateway spends around the recipient call on the destination.
    uint64 public constant GATEWAY_OVERHEAD_GAS = 60_000;

    Outbox public immutable outbox;
    Inbox public immutable inbox;

    /// @notice Native value cannot travel with a message through this gateway.
    error NativeValueNotSupported();
    /// @notice An attribute appears twice or its value does not decode.
    error InvalidAttribute(bytes4 selector);
    /// @notice The caller of `handle` is not the Inbox.
    error NotInbox(address caller);
    /// @notice The message was not sent by a Junction gateway.
    error NotRemoteGateway(uint64 sourceChainId, address sender);
    /// @notice The recipient did not answer `receiveMessage` with its selector.
    error InvalidRecipientResponse(address recipient, bytes4 response);
    /// @notice A value does not fit the field it is meant for.
    error ValueOutOfRange(bytes4 selector, uint256 value);

    constructor(Outbox outbox_, Inbox inbox_) {
        outbox = outbox_;
        inbox = inbox_;
    }

    /// @inheritdoc IERC7786GatewaySource
    function supportsAttribute(bytes4 selector) public pure returns (bool) {
        return selector == GAS_LIMIT_ATTRIBUTE || selector == DEADLINE_ATTRIBUTE;
    }

    /// @inheritdoc IERC7786GatewaySource
    /// @return sendId The Junction message id; the message still has to be proven and relayed.
    function sendMessage(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        external
        payable
        returns (bytes32 sendId)
    {
        if (msg.value != 0) revert NativeValueNotSupported();
        (uint256 chainId, address target) = InteroperableAddress.parseEvmV1Calldata(recipient);
        (uint64 gasLimit, uint64 deadline) = _readAttributes(attributes);
        if (chainId > type(uint64).max) revert ValueOutOfRange(bytes4(0), chainId);
        sendId = outbox.send(
            uint64(chainId), address(this), abi.encode(msg.sender, target, payload), gasLimit + GATEWAY_OVERHEAD_GAS, deadline
        );
        emit MessageSent(
            sendId, InteroperableAddress.formatEvmV1(block.chainid, msg.sender), recipient, payload, 0, attributes
        );
    }

    /// @notice Inbox entry point: unwraps a gateway message and calls the ERC-7786 recipient.
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != address(inbox)) revert NotInbox(msg.sender);
        if (sender != address(this)) revert NotRemoteGateway(sourceChainId, sender);
        (address origin, address target, bytes memory payload) = abi.decode(body, (address, address, bytes));
        bytes4 response = IERC7786Recipient(target).receiveMessage(
            inbox.currentMessageId(), InteroperableAddress.formatEvmV1(sourceChainId, origin), payload
        );
        if (response != IERC7786Recipient.receiveMessage.selector) revert InvalidRecipientResponse(target, response);
    }

    function _readAttributes(bytes[] calldata attributes) private view returns (uint64 gasLimit, uint64 deadline) {
        for (uint256 i = 0; i < attributes.length; i++) {
            bytes calldata attribute = attributes[i];
            if (attribute.length < 4) revert InvalidAttribute(bytes4(0));
            bytes4 selector = bytes4(attribute[:4]);
            if (!supportsAttribute(selector)) revert UnsupportedAttribute(selector);
            if (attribute.length != 36) revert InvalidAttribute(selector);
            uint256 value = abi.decode(attribute[4:], (uint256));
            if (value == 0 || value > type(uint64).max) revert ValueOutOfRange(selector, value);
            if (selector == GAS_LIMIT_ATTRIBUTE) {
                if (gasLimit != 0) revert InvalidAttribute(selector);
                gasLimit = uint64(value);
            } else {
                if (deadline != 0) revert InvalidAttribute(selector);
                deadline = uint64(value);
            }
        }
        if (gasLimit == 0) gasLimit = DEFAULT_GAS_LIMIT;
        if (deadline == 0) deadline = uint64(block.timestamp + DEFAULT_TTL);
    }
}
