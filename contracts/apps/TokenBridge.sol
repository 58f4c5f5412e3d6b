// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC7802} from "@openzeppelin/contracts/interfaces/draft-IERC7802.sol";
import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";
import {IVerifier} from "../interfaces/IVerifier.sol";
import {Inbox} from "../messaging/Inbox.sol";
import {Outbox} from "../messaging/Outbox.sol";

/// @title TokenBridge
/// @notice Moves ERC-7802 tokens between rollups: burns on the source, sends a Junction message to its
///         twin (the same address on every rollup), mints to the recipient on the destination. Each
///         (token, destination) route has a cap per period (a rate limit); the guardian can pause a
///         route in either direction. A mint refused on arrival (inbound route paused) leaves the
///         message failed, retriable once the route reopens: nothing is lost.
contract TokenBridge is IMessageRecipient, Ownable {
    uint64 public constant MESSAGE_GAS_LIMIT = 150_000;
    uint64 public constant MESSAGE_TTL = 7 days;

    struct Route {
        uint256 capPerPeriod;
        uint64 period;
        uint64 periodStart;
        uint256 usedInPeriod;
        bool outboundPaused;
        bool inboundPaused;
    }

    Outbox public immutable outbox;
    address public immutable inbox;
    address public guardian;
    mapping(address token => mapping(uint64 chainId => Route)) private _routes;
    /// @notice Transfers sent from here that have not been refunded (delivery elsewhere is not seen here).
    mapping(bytes32 messageId => bool) public refundable;

    event RouteConfigured(address indexed token, uint64 indexed chainId, uint256 capPerPeriod, uint64 period);
    event RoutePausedSet(address indexed token, uint64 indexed chainId, bool outbound, bool inbound);
    event GuardianSet(address guardian);
    event TransferSent(
        bytes32 indexed messageId,
        address indexed token,
        address indexed from,
        address recipient,
        uint64 destinationChainId,
        uint256 amount
    );
    event TransferReceived(address indexed token, address indexed recipient, uint64 sourceChainId, uint256 amount);
    event TransferRefunded(bytes32 indexed messageId, address indexed token, address indexed from, uint256 amount);

    /// @notice The route has no cap configured.
    error RouteNotConfigured(address token, uint64 chainId);
    /// @notice The guardian paused the route.
    error RoutePaused(address token, uint64 chainId);
    /// @notice The transfer would exceed the route's cap for the current period.
    error RouteCapExceeded(address token, uint64 chainId, uint256 available, uint256 resetsAt);
    /// @notice Nothing to bridge, or no recipient.
    error InvalidTransfer();
    /// @notice Only the guardian pauses routes.
    error NotGuardian(address caller);
    /// @notice Messages come from the Inbox only.
    error NotInbox(address caller);
    /// @notice An expiry notice for a transfer this bridge did not send, or already refunded.
    error NotRefundable(bytes32 messageId);
    /// @notice Messages come from this contract's twin (or the Inbox's expiry notices) only.
    error UntrustedSender(uint64 sourceChainId, address sender);

    constructor(address initialOwner, Outbox outbox_, address inbox_, address guardian_) Ownable(initialOwner) {
        outbox = outbox_;
        inbox = inbox_;
        guardian = guardian_;
        emit GuardianSet(guardian_);
    }

    /// @notice Sets the cap per period of the route for `token` to `chainId`; a new period starts now.
    function configureRoute(address token, uint64 chainId, uint256 capPerPeriod, uint64 period) external onlyOwner {
        Route storage route = _routes[token][chainId];
        route.capPerPeriod = capPerPeriod;
        route.period = period;
        route.periodStart = uint64(block.timestamp);
        route.usedInPeriod = 0;
        emit RouteConfigured(token, chainId, capPerPeriod, period);
    }

    function setGuardian(address guardian_) external onlyOwner {
        guardian = guardian_;
        emit GuardianSet(guardian_);
    }

    /// @notice The guardian opens or closes a route, outbound (bridging out) and inbound (minting in).
    function setPaused(address token, uint64 chainId, bool outbound, bool inbound) external {
        if (msg.sender != guardian) revert NotGuardian(msg.sender);
        Route storage route = _routes[token][chainId];
        route.outboundPaused = outbound;
        route.inboundPaused = inbound;
        emit RoutePausedSet(token, chainId, outbound, inbound);
    }

    /// @notice The owner chooses the trust path for transfers arriving from `sourceChainId`.
    function chooseVerifier(uint64 sourceChainId, IVerifier verifier) external onlyOwner {
        Inbox(inbox).setVerifier(sourceChainId, verifier);
    }

    /// @notice Burns `amount` of `token` from the caller here and mints it to `recipient` on `destinationChainId`.
    function bridge(address token, uint256 amount, uint64 destinationChainId, address recipient)
        external
        returns (bytes32 messageId)
    {
        if (amount == 0 || recipient == address(0)) revert InvalidTransfer();
        Route storage route = _routes[token][destinationChainId];
        if (route.capPerPeriod == 0) revert RouteNotConfigured(token, destinationChainId);
        if (route.outboundPaused) revert RoutePaused(token, destinationChainId);
        if (block.timestamp >= uint256(route.periodStart) + route.period) {
            route.periodStart = uint64(block.timestamp);
            route.usedInPeriod = 0;
        }
        if (route.usedInPeriod + amount > route.capPerPeriod) {
            // The owner may have lowered the cap below what this period already used.
            uint256 available = route.usedInPeriod >= route.capPerPeriod ? 0 : route.capPerPeriod - route.usedInPeriod;
            revert RouteCapExceeded(token, destinationChainId, available, uint256(route.periodStart) + route.period);
        }
        route.usedInPeriod += amount;
        IERC7802(token).crosschainBurn(msg.sender, amount);
        messageId = outbox.send(
            destinationChainId,
            address(this),
            abi.encode(token, msg.sender, recipient, amount),
            MESSAGE_GAS_LIMIT,
            uint64(block.timestamp + MESSAGE_TTL)
        );
        refundable[messageId] = true;
        emit TransferSent(messageId, token, msg.sender, recipient, destinationChainId, amount);
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        // The Inbox has the same address on every rollup: a message from it is an expiry notice.
        if (sender == inbox) return _refund(body);
        if (sender != address(this)) revert UntrustedSender(sourceChainId, sender);
        (address token,, address recipient, uint256 amount) = abi.decode(body, (address, address, address, uint256));
        if (_routes[token][sourceChainId].inboundPaused) revert RoutePaused(token, sourceChainId);
        IERC7802(token).crosschainMint(recipient, amount);
        emit TransferReceived(token, recipient, sourceChainId, amount);
    }

    /// @dev Mints back a transfer whose message expired undelivered on its destination.
    function _refund(bytes calldata notice) private {
        (, bytes32 messageId, bytes memory transfer) = abi.decode(notice, (bytes4, bytes32, bytes));
        if (!refundable[messageId]) revert NotRefundable(messageId);
        refundable[messageId] = false;
        (address token, address from,, uint256 amount) = abi.decode(transfer, (address, address, address, uint256));
        IERC7802(token).crosschainMint(from, amount);
        emit TransferRefunded(messageId, token, from, amount);
    }

    /// @notice A route's configuration and usage.
    function routeOf(address token, uint64 chainId) external view returns (Route memory) {
        return _routes[token][chainId];
    }
}
