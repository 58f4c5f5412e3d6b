// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {IERC7802} from "@openzeppelin/contracts/interfaces/draft-IERC7802.sol";
import {IBridgeReceiver} from "../interfaces/IBridgeReceiver.sol";
import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";
import {IVerifier} from "../interfaces/IVerifier.sol";
import {Inbox} from "../messaging/Inbox.sol";
import {Outbox} from "../messaging/Outbox.sol";
import {SafePayments} from "./SafePayments.sol";
import {WrappedToken} from "./WrappedToken.sol";

/// @title TokenBridge
/// @notice Moves tokens between rollups through its twin (the same address on every rollup), in two ways:
///         ERC-7802 tokens are burned on the source and minted on the destination (`bridge`); native ETH
///         and plain ERC-20s are locked on their home rollup and represented elsewhere by a WrappedToken
///         at one CREATE2 address, which is burned to release them again (`lockAndBridge`). Each
///         (token, destination) route has an outbound cap per period, and each (token, source) an
///         inbound cap per period, so even a forged message on a broken trust path mints or releases at
///         most the inbound cap per period; the guardian can pause a route in either direction. A
///         transfer refused on arrival (inbound paused, over the inbound cap, no inbound route) leaves
///         the message failed, retriable (the relayer retries it) once the route reopens or the period
///         resets: nothing is lost. A transfer whose message expires is refunded in two steps: the
///         Inbox's expiry notice marks it, then anyone calls `claimRefund` with the transfer.
contract TokenBridge is IMessageRecipient, Ownable, SafePayments {
    using SafeERC20 for IERC20;

    /// @notice Native ETH, as a token address.
    address public constant NATIVE = address(0);
    uint8 private constant BURN_MINT = 1;
    uint8 private constant LOCKED_ASSET = 2;
    /// @dev Burn/mint, then a call to the recipient's `onTokensBridged` with the sender's data.
    uint8 private constant BURN_MINT_CALL = 3;

    /// @notice Where a wrapped token's asset lives.
    struct Asset {
        uint64 homeChainId;
        address homeToken;
    }

    uint64 public constant MESSAGE_GAS_LIMIT = 150_000;
    /// @notice Handler gas for locked-asset transfers: the first one to a rollup deploys the WrappedToken.
    uint64 public constant ASSET_MESSAGE_GAS_LIMIT = 2_000_000;
    /// @notice Gas the recipient's `onTokensBridged` gets on top of the mint.
    uint64 public constant CALL_GAS_LIMIT = 300_000;
    /// @notice Largest data a `bridgeAndCall` may carry to its recipient.
    uint256 public constant MAX_CALL_DATA_BYTES = 1024;
    uint64 public constant MESSAGE_TTL = 7 days;

    /// @notice A cap per period and what the current period used: what may leave for one destination
    ///         (a route's `outbound`), or arrive for a local token from one source (`inboundOf`).
    struct Limit {
        uint256 capPerPeriod;
        uint64 period;
        uint64 periodStart;
        uint256 usedInPeriod;
    }

    struct Route {
        Limit outbound;
        bool outboundPaused;
        bool inboundPaused;
    }

    /// @notice Where a sent transfer stands on its way to a refund.
    enum RefundState {
        None,
        Sent,
        Expired,
        Refunded
    }

    Outbox public immutable outbox;
    address public immutable inbox;
    address public guardian;
    mapping(address token => mapping(uint64 chainId => Route)) private _routes;
    mapping(address token => mapping(uint64 sourceChainId => Limit)) private _inbound;
    /// @notice keccak256 of each transfer sent from here, kept until it is refunded (one slot per
    ///         transfer, as the old refundable flag: the refund path alone pays for more).
    mapping(bytes32 messageId => bytes32 transferHash) public sentTransfer;
    /// @dev The chain whose Inbox reported the transfer expired (zero: no notice yet).
    mapping(bytes32 messageId => uint64 chainId) private _expiredOn;
    mapping(address wrapped => Asset) private _wrapped;

    event RouteConfigured(address indexed token, uint64 indexed chainId, uint256 capPerPeriod, uint64 period);
    event InboundConfigured(
        address indexed token, uint64 indexed sourceChainId, uint256 capPerPeriod, uint64 period
    );
    /// @notice The Inbox reported the transfer's message expired undelivered; `claimRefund` pays it back.
    event TransferExpired(bytes32 indexed messageId);

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
    /// @notice An expiry notice or refund claim for a transfer this bridge did not send, that has not
    ///         expired, or was refunded already.
    error NotRefundable(bytes32 messageId, RefundState state);
    /// @notice The transfer given does not hash to the one sent with this message.
    error TransferMismatch(bytes32 messageId);
    /// @notice A cap needs a period: zero would silently turn a cap per period into a cap per transfer.
    error InvalidPeriod();
    /// @notice No inbound cap is configured for this token from this source: nothing may arrive.
    error InboundNotConfigured(address token, uint64 sourceChainId);
    /// @notice The transfer would exceed what may arrive for this token from this source this period.
    error InboundCapExceeded(address token, uint64 sourceChainId, uint256 available, uint256 resetsAt);
    /// @notice Native value must equal the amount for ETH and be zero otherwise.
    error WrongValue(uint256 sent, uint256 expected);
    /// @notice `bridgeAndCall` moves ERC-7802 tokens native to every rollup only (not wrapped assets),
    ///         with at most MAX_CALL_DATA_BYTES of data.
    error CallNotSupported(address token);
    /// @notice The recipient of a `bridgeAndCall` did not accept the tokens.
    error CallRefused(address recipient);
    /// @notice Messages come from this contract's twin (or the Inbox's expiry notices) only.
    error UntrustedSender(uint64 sourceChainId, address sender);

    constructor(address initialOwner, Outbox outbox_, address inbox_, address guardian_) Ownable(initialOwner) {
        outbox = outbox_;
        inbox = inbox_;
        guardian = guardian_;
        emit GuardianSet(guardian_);
    }

    /// @notice Sets the outbound cap per period of the route for `token` to `chainId`; a new period starts now.
    function configureRoute(address token, uint64 chainId, uint256 capPerPeriod, uint64 period) external onlyOwner {
        if (period == 0) revert InvalidPeriod();
        _routes[token][chainId].outbound =
            Limit({capPerPeriod: capPerPeriod, period: period, periodStart: uint64(block.timestamp), usedInPeriod: 0});
        emit RouteConfigured(token, chainId, capPerPeriod, period);
    }

    /// @notice Sets how much of the local `token` may arrive from `sourceChainId` per period; a new period
    ///         starts now. Worst case on a broken trust path: `capPerPeriod` per `period` per source.
    function configureInbound(address token, uint64 sourceChainId, uint256 capPerPeriod, uint64 period)
        external
        onlyOwner
    {
        if (period == 0) revert InvalidPeriod();
        _inbound[token][sourceChainId] =
            Limit({capPerPeriod: capPerPeriod, period: period, periodStart: uint64(block.timestamp), usedInPeriod: 0});
        emit InboundConfigured(token, sourceChainId, capPerPeriod, period);
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
        _spend(token, amount, destinationChainId, recipient);
        IERC7802(token).crosschainBurn(msg.sender, amount);
        Asset memory asset = _wrapped[token];
        bytes memory transfer = asset.homeChainId == 0
            ? abi.encode(BURN_MINT, uint64(0), token, msg.sender, recipient, amount)
            : abi.encode(LOCKED_ASSET, asset.homeChainId, asset.homeToken, msg.sender, recipient, amount);
        messageId = _send(token, destinationChainId, recipient, amount, transfer);
    }

    /// @notice As `bridge`, and on arrival calls `recipient.onTokensBridged(…, data)` in the same
    ///         transaction as the mint (see IBridgeReceiver): for contracts that must book what arrives,
    ///         such as a pool's repayment. A refusing recipient fails the message; an expired one is
    ///         refunded to the caller like any transfer (without a call).
    function bridgeAndCall(address token, uint256 amount, uint64 destinationChainId, address recipient, bytes calldata data)
        external
        returns (bytes32 messageId)
    {
        if (_wrapped[token].homeChainId != 0 || data.length > MAX_CALL_DATA_BYTES) revert CallNotSupported(token);
        _spend(token, amount, destinationChainId, recipient);
        IERC7802(token).crosschainBurn(msg.sender, amount);
        bytes memory transfer = abi.encode(BURN_MINT_CALL, uint64(0), token, msg.sender, recipient, amount, data);
        messageId = _send(token, destinationChainId, recipient, amount, transfer);
    }

    /// @notice Locks native ETH (`token` zero, sent as value) or a plain ERC-20 here, its home rollup,
    ///         and mints its WrappedToken to `recipient` on `destinationChainId`.
    function lockAndBridge(address token, uint256 amount, uint64 destinationChainId, address recipient)
        external
        payable
        returns (bytes32 messageId)
    {
        _spend(token, amount, destinationChainId, recipient);
        uint256 expectedValue = token == NATIVE ? amount : 0;
        if (msg.value != expectedValue) revert WrongValue(msg.value, expectedValue);
        if (token != NATIVE) _pullExact(IERC20(token), amount);
        bytes memory transfer =
            abi.encode(LOCKED_ASSET, uint64(block.chainid), token, msg.sender, recipient, amount);
        messageId = _send(token, destinationChainId, recipient, amount, transfer);
    }

    /// @notice The WrappedToken address of an asset (the same on every rollup), deployed or not.
    function wrappedTokenFor(uint64 homeChainId, address homeToken) public view returns (address) {
        bytes32 salt = keccak256(abi.encode(homeChainId, homeToken));
        return Create2.computeAddress(salt, keccak256(_wrappedInitCode(homeChainId, homeToken)));
    }

    /// @notice The home of a wrapped token (zero chain id: not a wrapped token of this bridge).
    function assetOf(address wrapped) external view returns (Asset memory) {
        return _wrapped[wrapped];
    }

    /// @dev Checks the route and its cap, and counts the amount against the period.
    function _spend(address token, uint256 amount, uint64 destinationChainId, address recipient) private {
        if (amount == 0 || recipient == address(0)) revert InvalidTransfer();
        Route storage route = _routes[token][destinationChainId];
        if (route.outbound.capPerPeriod == 0) revert RouteNotConfigured(token, destinationChainId);
        if (route.outboundPaused) revert RoutePaused(token, destinationChainId);
        (bool fits, uint256 available, uint256 resetsAt) = _use(route.outbound, amount);
        if (!fits) revert RouteCapExceeded(token, destinationChainId, available, resetsAt);
    }

    function _send(address token, uint64 destinationChainId, address recipient, uint256 amount, bytes memory transfer)
        private
        returns (bytes32 messageId)
    {
        (uint8 kind) = abi.decode(transfer, (uint8));
        uint64 gasLimit = kind == BURN_MINT
            ? MESSAGE_GAS_LIMIT
            : kind == BURN_MINT_CALL ? MESSAGE_GAS_LIMIT + CALL_GAS_LIMIT : ASSET_MESSAGE_GAS_LIMIT;
        messageId =
            outbox.send(destinationChainId, address(this), transfer, gasLimit, uint64(block.timestamp + MESSAGE_TTL));
        sentTransfer[messageId] = keccak256(transfer);
        emit TransferSent(messageId, token, msg.sender, recipient, destinationChainId, amount);
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        // The Inbox has the same address on every rollup: a message from it is an expiry notice.
        if (sender == inbox) return _markExpired(sourceChainId, body);
        if (sender != address(this)) revert UntrustedSender(sourceChainId, sender);
        (uint8 kind, uint64 home, address token, address from, address recipient, uint256 amount) =
            abi.decode(body, (uint8, uint64, address, address, address, uint256));
        address local = _localToken(kind, home, token);
        if (_routes[local][sourceChainId].inboundPaused) revert RoutePaused(local, sourceChainId);
        _countInbound(local, sourceChainId, amount);
        _credit(kind, home, token, recipient, amount);
        emit TransferReceived(local, recipient, sourceChainId, amount);
        if (kind == BURN_MINT_CALL) _call(sourceChainId, from, token, recipient, amount, body);
    }

    /// @dev Hands a `bridgeAndCall` transfer's data to its recipient, which must accept it.
    function _call(uint64 sourceChainId, address from, address token, address recipient, uint256 amount, bytes calldata body)
        private
    {
        (,,,,,, bytes memory data) = abi.decode(body, (uint8, uint64, address, address, address, uint256, bytes));
        bytes4 accepted = IBridgeReceiver(recipient).onTokensBridged(sourceChainId, from, token, amount, data);
        if (accepted != IBridgeReceiver.onTokensBridged.selector) revert CallRefused(recipient);
    }

    /// @dev Gives `amount` of the transferred asset to `to` here: mint, release, or mint its wrapper.
    function _credit(uint8 kind, uint64 home, address token, address to, uint256 amount) private {
        if (kind == BURN_MINT || kind == BURN_MINT_CALL) return IERC7802(token).crosschainMint(to, amount);
        if (home != block.chainid) return IERC7802(_deployWrapped(home, token)).crosschainMint(to, amount);
        if (token != NATIVE) return IERC20(token).safeTransfer(to, amount);
        // A receiver that refuses ETH must not block the message (or its refund) forever: it is owed.
        _sendOrOwe(to, amount);
    }

    /// @dev Counts `amount` arriving for `token` from `sourceChainId` against its inbound cap.
    function _countInbound(address token, uint64 sourceChainId, uint256 amount) private {
        Limit storage limit = _inbound[token][sourceChainId];
        if (limit.period == 0) revert InboundNotConfigured(token, sourceChainId);
        (bool fits, uint256 available, uint256 resetsAt) = _use(limit, amount);
        if (!fits) revert InboundCapExceeded(token, sourceChainId, available, resetsAt);
    }

    /// @dev Counts `amount` against `limit`, starting a new period once the old one is over. When it does
    ///      not fit, counts nothing and says what was left and when the period resets.
    function _use(Limit storage limit, uint256 amount)
        private
        returns (bool fits, uint256 available, uint256 resetsAt)
    {
        if (block.timestamp >= uint256(limit.periodStart) + limit.period) {
            limit.periodStart = uint64(block.timestamp);
            limit.usedInPeriod = 0;
        }
        if (limit.usedInPeriod + amount > limit.capPerPeriod) {
            // The owner may have lowered the cap below what this period already used.
            available = limit.usedInPeriod >= limit.capPerPeriod ? 0 : limit.capPerPeriod - limit.usedInPeriod;
            return (false, available, uint256(limit.periodStart) + limit.period);
        }
        limit.usedInPeriod += amount;
        return (true, 0, 0);
    }

    /// @dev The token a transfer credits here: the token itself (burn/mint, or an asset at home), or the
    ///      WrappedToken of an asset whose home is elsewhere.
    function _localToken(uint8 kind, uint64 home, address token) private view returns (address) {
        return kind != LOCKED_ASSET || home == block.chainid ? token : wrappedTokenFor(home, token);
    }

    /// @notice Deploys the WrappedToken of an asset ahead of its first transfer (anyone may; idempotent).
    function deployWrapped(uint64 home, address token) external returns (address) {
        return _deployWrapped(home, token);
    }

    function _deployWrapped(uint64 home, address token) private returns (address wrapped) {
        wrapped = wrappedTokenFor(home, token);
        if (wrapped.code.length == 0) {
            Create2.deploy(0, keccak256(abi.encode(home, token)), _wrappedInitCode(home, token));
            _wrapped[wrapped] = Asset(home, token);
        }
    }

    function _wrappedInitCode(uint64 homeChainId, address homeToken) private pure returns (bytes memory) {
        return abi.encodePacked(type(WrappedToken).creationCode, abi.encode(homeChainId, homeToken));
    }

    /// @dev The Inbox's expiry notice: the transfer's message can never be delivered on `destination`.
    function _markExpired(uint64 destination, bytes calldata notice) private {
        (, bytes32 messageId) = abi.decode(notice, (bytes4, bytes32));
        RefundState state = refundState(messageId);
        if (state != RefundState.Sent) revert NotRefundable(messageId, state);
        _expiredOn[messageId] = destination;
        emit TransferExpired(messageId);
    }

    /// @notice Pays back (mints back, or releases) a transfer whose message expired undelivered, to its
    ///         sender. Anyone may call it with the transfer as sent (the body of its message). A refund
    ///         counts against the inbound cap from the chain that sent the notice — a forged notice is a
    ///         forged message like any other — so one over the cap waits for the next period.
    function claimRefund(bytes32 messageId, bytes calldata transfer) external {
        RefundState state = refundState(messageId);
        if (state != RefundState.Expired) revert NotRefundable(messageId, state);
        if (keccak256(transfer) != sentTransfer[messageId]) revert TransferMismatch(messageId);
        delete sentTransfer[messageId];
        (uint8 kind, uint64 home, address token, address from,, uint256 amount) =
            abi.decode(transfer, (uint8, uint64, address, address, address, uint256));
        _countInbound(_localToken(kind, home, token), _expiredOn[messageId], amount);
        _credit(kind, home, token, from, amount);
        emit TransferRefunded(messageId, token, from, amount);
    }

    /// @notice Where a transfer sent from here stands on its way to a refund (delivery elsewhere is not
    ///         seen here: a delivered transfer stays `Sent`).
    function refundState(bytes32 messageId) public view returns (RefundState) {
        bool sent = sentTransfer[messageId] != bytes32(0);
        if (_expiredOn[messageId] != 0) return sent ? RefundState.Expired : RefundState.Refunded;
        return sent ? RefundState.Sent : RefundState.None;
    }

    /// @notice What may arrive for `token` from `sourceChainId`, and what arrived this period.
    function inboundOf(address token, uint64 sourceChainId) external view returns (Limit memory) {
        return _inbound[token][sourceChainId];
    }

    /// @notice A route's configuration and usage.
    function routeOf(address token, uint64 chainId) external view returns (Route memory) {
        return _routes[token][chainId];
    }
}
