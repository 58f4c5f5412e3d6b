// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";
import {IVerifier} from "../../interfaces/IVerifier.sol";
import {Inbox} from "../../messaging/Inbox.sol";
import {Outbox} from "../../messaging/Outbox.sol";
import {SafePayments} from "../SafePayments.sol";
import {TokenBridge} from "../TokenBridge.sol";
import {
    FillInstruction,
    GaslessCrossChainOrder,
    IDestinationSettler,
    IOriginSettler,
    OnchainCrossChainOrder,
    Output,
    ResolvedCrossChainOrder
} from "./IERC7683.sol";
import {IntentOrders, JunctionOrder, Order, SettlementTerms} from "./IntentOrders.sol";

/// @title IntentSettler
/// @notice ERC-7683 settler for one trust path, deployed at the same address on every rollup; each
///         instance is both the origin settler (escrows a user's input when an order opens) and the
///         destination settler (records fills). A filler pays the user on the destination from its own
///         tokens at once; the fill travels back to the origin as a Junction message over this settler's
///         trust path, and only when the path proves it does the origin release the escrow to the
///         filler. An order nobody filled is refunded only on the destination's certificate that it was
///         not filled, which also makes any later fill impossible: an order is repaid or refunded, never
///         both, and never on a timer alone. Settlement never gets stuck on a refusal: a proven fill or
///         certificate closes the order at once and its payout, if the token or bridge refuses it now
///         (cap reached, route paused, receiver blocked), waits as pending for anyone to complete; a
///         bridged repayment whose transfer expires is reclaimed and paid again; a fill or certificate
///         whose message never arrived can be sent again from the destination.
contract IntentSettler is IOriginSettler, IDestinationSettler, IMessageRecipient, EIP712, Ownable, SafePayments {
    using SafeERC20 for IERC20;
    using IntentOrders for Order;

    /// @notice Where an order stands on its origin.
    enum OrderState {
        None,
        Open,
        Repaid,
        Refunded
    }

    /// @notice Where an order stands on its destination.
    enum FillState {
        None,
        Filled,
        CertifiedUnfilled
    }

    /// @notice An open order's escrow on the origin.
    struct Escrow {
        address user;
        address inputToken;
        uint256 inputAmount;
        uint64 destinationChainId;
        OrderState state;
    }

    /// @notice A fill (or not-filled certificate) on the destination.
    struct FillRecord {
        FillState state;
        address filler;
        uint64 repaymentChainId;
        address repaymentAddress;
        bool notify;
        uint64 settledAt;
    }

    /// @notice What a closed order pays on its origin: the filler's repayment or the user's refund.
    /// @param pending Not paid yet (the token or bridge refused it): `completePayout` pays it.
    /// @param messageId The bridge transfer that carries a repayment to another chain (zero: paid here).
    struct Payout {
        uint64 chainId;
        address to;
        bool notify;
        bool pending;
        bytes32 messageId;
    }

    uint8 private constant FILLED = 1;
    uint8 private constant NOT_FILLED = 2;
    uint8 private constant OPENED = 3;
    /// @notice Longest an order may stay fillable: a bound on how long a user's input can be locked.
    uint32 public constant MAX_FILL_WINDOW = 7 days;
    /// @notice Gas the origin's handler gets for a repayment (it may bridge the input on) or a refund.
    uint64 public constant SETTLE_GAS_LIMIT = 600_000;
    /// @notice How long a fill or certificate message stays deliverable: the filler's repayment rides
    ///         on it, so relayers have a month to get it through.
    uint64 public constant MESSAGE_TTL = 30 days;
    /// @dev On-chain orders take nonces with the top bit set; gasless orders' nonces must leave it clear.
    uint256 private constant ONCHAIN_NONCE_FLAG = 1 << 255;

    Outbox public immutable outbox;
    address public immutable inbox;
    TokenBridge public immutable tokenBridge;
    /// @notice The trust path this settler's messages travel over ("canonical", "optimistic", …).
    bytes32 public immutable path;
    /// @notice Seconds the path is expected to take to prove a fill (the order's settlement terms).
    uint32 public immutable repaymentDelay;

    mapping(bytes32 orderId => Escrow) private _escrows;
    mapping(bytes32 orderId => FillRecord) private _fills;
    mapping(address user => mapping(uint256 nonce => bool)) public nonceUsed;
    mapping(address user => uint256) public onchainOrders;
    mapping(bytes32 orderId => Payout) private _payouts;
    /// @notice Destinations this settler's twin is deployed on, with a verifier chosen for it here:
    ///         an order to any other chain could be neither filled nor refunded.
    mapping(uint64 chainId => bool) public destinationEnabled;
    /// @notice On a destination: the origin chain that proved the order open (zero: not proven). A
    ///         pool fills only proven orders, so nobody can have it pay for an order never opened.
    mapping(bytes32 orderId => uint64 originChainId) public openProvenFrom;

    /// @notice The filler paid the recipient; `messageId` carries the fill back to the origin.
    event Filled(
        bytes32 indexed orderId,
        address indexed filler,
        address recipient,
        address outputToken,
        uint256 outputAmount,
        uint64 repaymentChainId,
        address repaymentAddress,
        bytes32 messageId
    );
    /// @notice The order can no longer be filled here; `messageId` carries the certificate to the origin.
    event CertifiedUnfilled(bytes32 indexed orderId, bytes32 messageId);
    /// @notice The proven fill released the escrow to the filler's repayment address (here or bridged).
    event Repaid(bytes32 indexed orderId, address repaymentAddress, uint64 repaymentChainId, uint256 amount);
    /// @notice The destination's certificate returned the escrow to the user.
    event Refunded(bytes32 indexed orderId, address indexed user, uint256 amount);
    event NonceInvalidated(address indexed user, uint256 nonce);
    event DestinationEnabled(uint64 indexed chainId, bool enabled);
    /// @notice A payout could not be made now; `completePayout` makes it. `reason` is the refusal.
    event PayoutPending(bytes32 indexed orderId, bytes reason);
    /// @notice A bridged repayment's transfer expired and came back here; it is pending again.
    event PayoutReclaimed(bytes32 indexed orderId, bytes32 messageId);
    /// @notice A settlement message for an order closed already (a resent copy): nothing to do.
    event DuplicateSettlement(bytes32 indexed orderId, uint8 kind);
    /// @notice A not-filled certificate arrived for an order never opened here: its id is closed, so it
    ///         can never be opened (and then neither filled nor refunded).
    event ClosedUnopened(bytes32 indexed orderId);
    /// @notice The origin asked the destination to record the order as open (for a pool's slow fill).
    event SlowFillRequested(bytes32 indexed orderId, bytes32 messageId);
    /// @notice The destination recorded the order as proven open on `originChainId`.
    event OpenProven(bytes32 indexed orderId, uint64 originChainId);
    /// @notice A fill's or certificate's message was sent again.
    event SettlementResent(bytes32 indexed orderId, bytes32 messageId);

    /// @notice The order is for another settler (address or trust path) or another origin chain.
    error WrongSettler(address settler, bytes32 path, uint256 originChainId);
    /// @notice The order data type is not Junction's.
    error UnknownOrderDataType(bytes32 orderDataType);
    /// @notice An order field is out of range: zero amounts or addresses, a destination that is this
    ///         chain, deadlines in the past or beyond MAX_FILL_WINDOW, exclusivity past the fill deadline.
    error InvalidOrder(string reason);
    /// @notice A gasless order must be opened before its open deadline.
    error OpenDeadlinePassed(uint32 openDeadline);
    /// @notice The user's signature does not sign this gasless order.
    error InvalidSignature(address user);
    /// @notice This nonce was used (or invalidated) by the user; gasless nonces must not set the top bit.
    error NonceAlreadyUsed(address user, uint256 nonce);
    /// @notice Orders are filled on their destination chain only.
    error WrongDestination(uint64 destinationChainId);
    /// @notice `orderId` is not keccak256 of the order data given.
    error OrderIdMismatch(bytes32 orderId);
    /// @notice The order was filled, or certified unfilled, already.
    error AlreadySettledHere(bytes32 orderId, FillState state);
    /// @notice The fill deadline has passed.
    error FillDeadlinePassed(uint32 fillDeadline);
    /// @notice Another filler holds the order exclusively until `exclusivityDeadline`.
    error ExclusiveToAnother(address exclusiveFiller, uint32 exclusivityDeadline);
    /// @notice An order may be certified unfilled only after its fill deadline.
    error FillDeadlineNotPassed(uint32 fillDeadline);
    /// @notice Repayment goes to the origin or the destination chain, to a nonzero address.
    error InvalidRepayment(uint64 repaymentChainId, address repaymentAddress);
    /// @notice Messages come from the Inbox only.
    error NotInbox(address caller);
    /// @notice Settlement messages come from this settler's twin on the order's destination only.
    error UntrustedSender(uint64 sourceChainId, address sender);
    /// @notice The order is not open here (unknown, repaid or refunded).
    error OrderNotOpen(bytes32 orderId, OrderState state);
    /// @notice This order id exists here already (open, settled, or certified unfilled before it opened).
    error OrderExists(bytes32 orderId, OrderState state);
    /// @notice No twin settler is set up for this destination.
    error DestinationNotEnabled(uint64 chainId);
    /// @notice Nothing is pending for this order (never closed, or paid already).
    error NoPendingPayout(bytes32 orderId);
    /// @notice The order's payout was not bridged, or its transfer was reclaimed already.
    error NothingToReclaim(bytes32 orderId);
    /// @notice The order was neither filled nor certified unfilled here: there is nothing to resend.
    error NotSettledHere(bytes32 orderId);
    /// @notice Only this contract calls it (to try a payout without failing the message).
    error OnlySelf(address caller);

    constructor(
        address initialOwner,
        Outbox outbox_,
        address inbox_,
        TokenBridge tokenBridge_,
        bytes32 path_,
        uint32 repaymentDelay_
    ) EIP712("Junction IntentSettler", "1") Ownable(initialOwner) {
        outbox = outbox_;
        inbox = inbox_;
        tokenBridge = tokenBridge_;
        path = path_;
        repaymentDelay = repaymentDelay_;
    }

    /// @notice The owner chooses the trust path's verifier for settlement messages from `sourceChainId`.
    function chooseVerifier(uint64 sourceChainId, IVerifier verifier) external onlyOwner {
        Inbox(inbox).setVerifier(sourceChainId, verifier);
    }

    /// @notice The owner opens (or closes) `chainId` as a destination, once the twin is deployed there and
    ///         a verifier is chosen for it on both sides. Open orders are not affected.
    function enableDestination(uint64 chainId, bool enabled) external onlyOwner {
        destinationEnabled[chainId] = enabled;
        emit DestinationEnabled(chainId, enabled);
    }

    // ---------------------------------------------------------------- origin

    /// @inheritdoc IOriginSettler
    function open(OnchainCrossChainOrder calldata order) external {
        Order memory full = _onchainOrder(order, msg.sender);
        onchainOrders[msg.sender] += 1;
        _open(full);
    }

    /// @inheritdoc IOriginSettler
    function openFor(GaslessCrossChainOrder calldata order, bytes calldata signature, bytes calldata)
        external
    {
        Order memory full = _gaslessOrder(order);
        if (block.timestamp > order.openDeadline) revert OpenDeadlinePassed(order.openDeadline);
        bytes32 digest = _hashTypedDataV4(
            IntentOrders.hashGasless(
                order.originSettler,
                order.user,
                order.nonce,
                order.originChainId,
                order.openDeadline,
                order.fillDeadline,
                full.data
            )
        );
        if (!SignatureChecker.isValidSignatureNow(order.user, digest, signature)) {
            revert InvalidSignature(order.user);
        }
        nonceUsed[order.user][order.nonce] = true;
        _open(full);
    }

    /// @notice Cancels a signed gasless order before anyone opens it.
    function invalidateNonce(uint256 nonce) external {
        if (nonce & ONCHAIN_NONCE_FLAG != 0 || nonceUsed[msg.sender][nonce]) {
            revert NonceAlreadyUsed(msg.sender, nonce);
        }
        nonceUsed[msg.sender][nonce] = true;
        emit NonceInvalidated(msg.sender, nonce);
    }

    /// @inheritdoc IOriginSettler
    function resolve(OnchainCrossChainOrder calldata order) external view returns (ResolvedCrossChainOrder memory) {
        return _resolve(_onchainOrder(order, msg.sender));
    }

    /// @inheritdoc IOriginSettler
    function resolveFor(GaslessCrossChainOrder calldata order, bytes calldata)
        external
        view
        returns (ResolvedCrossChainOrder memory)
    {
        return _resolve(_gaslessOrder(order));
    }

    /// @notice An order's escrow on this (its origin) chain.
    function escrowOf(bytes32 orderId) external view returns (Escrow memory) {
        return _escrows[orderId];
    }

    function _onchainOrder(OnchainCrossChainOrder calldata order, address user) private view returns (Order memory) {
        if (order.orderDataType != IntentOrders.ORDER_DATA_TYPEHASH) {
            revert UnknownOrderDataType(order.orderDataType);
        }
        return Order({
            settler: address(this),
            user: user,
            nonce: ONCHAIN_NONCE_FLAG | onchainOrders[user],
            originChainId: block.chainid,
            openDeadline: uint32(block.timestamp),
            fillDeadline: order.fillDeadline,
            data: abi.decode(order.orderData, (JunctionOrder)),
            terms: _terms()
        });
    }

    function _gaslessOrder(GaslessCrossChainOrder calldata order) private view returns (Order memory) {
        if (order.originSettler != address(this) || order.originChainId != block.chainid) {
            revert WrongSettler(order.originSettler, path, order.originChainId);
        }
        if (order.orderDataType != IntentOrders.ORDER_DATA_TYPEHASH) {
            revert UnknownOrderDataType(order.orderDataType);
        }
        if (order.nonce & ONCHAIN_NONCE_FLAG != 0 || nonceUsed[order.user][order.nonce]) {
            revert NonceAlreadyUsed(order.user, order.nonce);
        }
        return Order({
            settler: address(this),
            user: order.user,
            nonce: order.nonce,
            originChainId: block.chainid,
            openDeadline: order.openDeadline,
            fillDeadline: order.fillDeadline,
            data: abi.decode(order.orderData, (JunctionOrder)),
            terms: _terms()
        });
    }

    function _terms() private view returns (SettlementTerms memory) {
        return SettlementTerms({path: path, repaymentDelay: repaymentDelay});
    }

    /// @dev Checks the order, escrows the input and announces it.
    function _open(Order memory order) private {
        _check(order);
        bytes32 orderId = order.id();
        OrderState state = _escrows[orderId].state;
        if (state != OrderState.None) revert OrderExists(orderId, state);
        _escrows[orderId] = Escrow({
            user: order.user,
            inputToken: order.data.inputToken,
            inputAmount: order.data.inputAmount,
            destinationChainId: order.data.destinationChainId,
            state: OrderState.Open
        });
        _pullExactFrom(IERC20(order.data.inputToken), order.user, order.data.inputAmount);
        emit Open(orderId, _resolve(order));
    }

    function _check(Order memory order) private view {
        JunctionOrder memory data = order.data;
        if (data.inputAmount == 0 || data.outputAmount == 0) revert InvalidOrder("zero amount");
        if (data.inputToken == address(0) || data.outputToken == address(0)) revert InvalidOrder("zero token");
        if (data.recipient == address(0)) revert InvalidOrder("zero recipient");
        if (!destinationEnabled[data.destinationChainId]) revert DestinationNotEnabled(data.destinationChainId);
        if (order.fillDeadline <= block.timestamp) revert InvalidOrder("fill deadline passed");
        if (order.fillDeadline > block.timestamp + MAX_FILL_WINDOW) revert InvalidOrder("fill window too long");
        if (data.exclusivityDeadline > order.fillDeadline) revert InvalidOrder("exclusivity past fill deadline");
    }

    function _resolve(Order memory order) private pure returns (ResolvedCrossChainOrder memory resolved) {
        JunctionOrder memory data = order.data;
        resolved.user = order.user;
        resolved.originChainId = order.originChainId;
        resolved.openDeadline = order.openDeadline;
        resolved.fillDeadline = order.fillDeadline;
        resolved.orderId = order.id();
        resolved.maxSpent = new Output[](1);
        resolved.maxSpent[0] = Output({
            token: _b32(data.outputToken),
            amount: data.outputAmount,
            recipient: _b32(data.recipient),
            chainId: data.destinationChainId
        });
        // The filler is not known until it fills: its repayment address is the fill's to name.
        resolved.minReceived = new Output[](1);
        resolved.minReceived[0] = Output({
            token: _b32(data.inputToken),
            amount: data.inputAmount,
            recipient: bytes32(0),
            chainId: order.originChainId
        });
        resolved.fillInstructions = new FillInstruction[](1);
        resolved.fillInstructions[0] = FillInstruction({
            destinationChainId: data.destinationChainId,
            destinationSettler: _b32(order.settler),
            originData: abi.encode(order)
        });
    }

    /// @notice Proves to the destination that an open order exists here, so a pool there may fill it
    ///         (a pool cannot check the origin itself). Anyone may call it, once per order.
    function requestSlowFill(bytes32 orderId) external {
        Escrow storage escrow = _escrows[orderId];
        if (escrow.state != OrderState.Open) revert OrderNotOpen(orderId, escrow.state);
        bytes32 messageId = outbox.send(
            escrow.destinationChainId,
            address(this),
            abi.encode(OPENED, orderId, address(0), uint64(0), address(0), false),
            SETTLE_GAS_LIMIT,
            uint64(block.timestamp + MESSAGE_TTL)
        );
        emit SlowFillRequested(orderId, messageId);
    }

    /// @notice A closed order's payout: where to, and whether it is still pending or was bridged.
    function payoutOf(bytes32 orderId) external view returns (Payout memory) {
        return _payouts[orderId];
    }

    /// @notice Makes a pending payout (one the token or bridge refused when the order closed). Anyone
    ///         may call it; it reverts with the refusal if it still cannot be made.
    function completePayout(bytes32 orderId) external {
        if (!_payouts[orderId].pending) revert NoPendingPayout(orderId);
        _pay(orderId);
    }

    /// @notice A bridged repayment whose transfer expired undelivered: claims its refund back here from
    ///         the bridge and makes the payout pending again. Anyone may call it with the transfer as
    ///         sent (the body of its message).
    function reclaimPayout(bytes32 orderId, bytes calldata transfer) external {
        Payout storage payout = _payouts[orderId];
        bytes32 messageId = payout.messageId;
        if (messageId == bytes32(0) || payout.pending) revert NothingToReclaim(orderId);
        payout.messageId = bytes32(0);
        payout.pending = true;
        tokenBridge.claimRefund(messageId, transfer);
        emit PayoutReclaimed(orderId, messageId);
    }

    /// @dev Called by `handle` through an external call, so a refusal leaves the payout pending instead
    ///      of failing the message.
    function payFromHandler(bytes32 orderId) external {
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        _pay(orderId);
    }

    /// @dev Pays the input here, or bridges it to the destination (where the filler spent).
    function _pay(bytes32 orderId) private {
        Payout storage payout = _payouts[orderId];
        Escrow storage escrow = _escrows[orderId];
        payout.pending = false;
        uint256 amount = escrow.inputAmount;
        address token = escrow.inputToken;
        if (payout.chainId == block.chainid) {
            IERC20(token).safeTransfer(payout.to, amount);
        } else if (payout.notify) {
            payout.messageId =
                tokenBridge.bridgeAndCall(token, amount, payout.chainId, payout.to, abi.encode(orderId));
        } else {
            payout.messageId = tokenBridge.bridge(token, amount, payout.chainId, payout.to);
        }
        if (escrow.state == OrderState.Refunded) emit Refunded(orderId, payout.to, amount);
        else emit Repaid(orderId, payout.to, payout.chainId, amount);
    }

    // ----------------------------------------------------------- destination

    /// @inheritdoc IDestinationSettler
    /// @param originData The order as opened (`abi.encode(Order)`), from the `Open` event.
    /// @param fillerData `abi.encode(uint64 repaymentChainId, address repaymentAddress, bool notify)`, or
    ///        empty for repayment to the caller on the origin. The repayment chain is the origin or this
    ///        chain (the input is bridged here); `notify` has the bridge call the repayment address's
    ///        `onTokensBridged` with the order id, so a contract filler (a pool) can book it.
    function fill(bytes32 orderId, bytes calldata originData, bytes calldata fillerData) external {
        Order memory order = _destinationOrder(orderId, originData);
        if (block.timestamp > order.fillDeadline) revert FillDeadlinePassed(order.fillDeadline);
        JunctionOrder memory data = order.data;
        if (
            data.exclusiveFiller != address(0) && data.exclusiveFiller != msg.sender
                && block.timestamp <= data.exclusivityDeadline
        ) revert ExclusiveToAnother(data.exclusiveFiller, data.exclusivityDeadline);
        (uint64 repaymentChainId, address repaymentAddress, bool notify) = _repayment(order, fillerData);

        _fills[orderId] = FillRecord({
            state: FillState.Filled,
            filler: msg.sender,
            repaymentChainId: repaymentChainId,
            repaymentAddress: repaymentAddress,
            notify: notify,
            settledAt: uint64(block.timestamp)
        });
        _pullExact(IERC20(data.outputToken), data.outputAmount);
        IERC20(data.outputToken).safeTransfer(data.recipient, data.outputAmount);
        bytes32 messageId = _notifyOrigin(
            order, abi.encode(FILLED, orderId, msg.sender, repaymentChainId, repaymentAddress, notify)
        );
        emit Filled(
            orderId,
            msg.sender,
            data.recipient,
            data.outputToken,
            data.outputAmount,
            repaymentChainId,
            repaymentAddress,
            messageId
        );
    }

    /// @notice After its fill deadline, certifies to the origin that the order was not filled here, so
    ///         the origin refunds the user; no fill is possible afterwards. Anyone may call it.
    function certifyUnfilled(bytes32 orderId, bytes calldata originData) external {
        Order memory order = _destinationOrder(orderId, originData);
        if (block.timestamp <= order.fillDeadline) revert FillDeadlineNotPassed(order.fillDeadline);
        _fills[orderId].state = FillState.CertifiedUnfilled;
        _fills[orderId].settledAt = uint64(block.timestamp);
        bytes32 messageId =
            _notifyOrigin(order, abi.encode(NOT_FILLED, orderId, address(0), uint64(0), address(0), false));
        emit CertifiedUnfilled(orderId, messageId);
    }

    /// @notice Sends an order's fill or certificate to the origin again, for when the first message can
    ///         no longer arrive (expired). Anyone may call it; the origin acts on the first copy only.
    function resendSettlement(bytes32 orderId, bytes calldata originData) external {
        if (keccak256(originData) != orderId) revert OrderIdMismatch(orderId);
        FillRecord storage record = _fills[orderId];
        if (record.state == FillState.None) revert NotSettledHere(orderId);
        Order memory order = abi.decode(originData, (Order));
        bytes memory body = record.state == FillState.Filled
            ? abi.encode(FILLED, orderId, record.filler, record.repaymentChainId, record.repaymentAddress, record.notify)
            : abi.encode(NOT_FILLED, orderId, address(0), uint64(0), address(0), false);
        emit SettlementResent(orderId, _notifyOrigin(order, body));
    }

    /// @notice An order's fill record on this (its destination) chain.
    function fillOf(bytes32 orderId) external view returns (FillRecord memory) {
        return _fills[orderId];
    }

    /// @dev Decodes the order and checks it is this settler's, meant for this chain, and not settled here.
    function _destinationOrder(bytes32 orderId, bytes calldata originData) private view returns (Order memory order) {
        if (keccak256(originData) != orderId) revert OrderIdMismatch(orderId);
        order = abi.decode(originData, (Order));
        if (order.settler != address(this) || order.terms.path != path || order.originChainId == block.chainid) {
            revert WrongSettler(order.settler, order.terms.path, order.originChainId);
        }
        if (order.data.destinationChainId != block.chainid) revert WrongDestination(order.data.destinationChainId);
        FillState state = _fills[orderId].state;
        if (state != FillState.None) revert AlreadySettledHere(orderId, state);
    }

    function _repayment(Order memory order, bytes calldata fillerData)
        private
        view
        returns (uint64 chainId, address to, bool notify)
    {
        if (fillerData.length == 0) return (uint64(order.originChainId), msg.sender, false);
        (chainId, to, notify) = abi.decode(fillerData, (uint64, address, bool));
        if (to == address(0) || (chainId != order.originChainId && chainId != block.chainid)) {
            revert InvalidRepayment(chainId, to);
        }
    }

    function _notifyOrigin(Order memory order, bytes memory body) private returns (bytes32) {
        return outbox.send(
            uint64(order.originChainId), address(this), body, SETTLE_GAS_LIMIT, uint64(block.timestamp + MESSAGE_TTL)
        );
    }

    // ------------------------------------------------------------ settlement

    /// @inheritdoc IMessageRecipient
    /// @dev On the origin, a fill repays the filler and a certificate refunds the user: either closes the
    ///      order at once, and its payout is tried (pending if refused). On the destination, an OPENED
    ///      message proves an order open for a pool's slow fill.
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        if (sender != address(this)) revert UntrustedSender(sourceChainId, sender);
        (uint8 kind, bytes32 orderId,, uint64 repaymentChainId, address repaymentAddress, bool notify) =
            abi.decode(body, (uint8, bytes32, address, uint64, address, bool));
        if (kind == OPENED) {
            openProvenFrom[orderId] = sourceChainId;
            emit OpenProven(orderId, sourceChainId);
            return;
        }
        Escrow storage escrow = _escrows[orderId];
        if (escrow.state == OrderState.None) {
            // A fill of an order never opened here waits (the message fails, retriable) until it opens;
            // a certificate closes the id for good, so a late open cannot lock funds unrefundably.
            if (kind == FILLED) revert OrderNotOpen(orderId, OrderState.None);
            escrow.state = OrderState.Refunded;
            escrow.destinationChainId = sourceChainId;
            emit ClosedUnopened(orderId);
            return;
        }
        if (sourceChainId != escrow.destinationChainId) revert UntrustedSender(sourceChainId, sender);
        if (escrow.state != OrderState.Open) {
            emit DuplicateSettlement(orderId, kind);
            return;
        }
        if (kind == FILLED) {
            escrow.state = OrderState.Repaid;
            _payouts[orderId] = Payout(repaymentChainId, repaymentAddress, notify, true, bytes32(0));
        } else {
            escrow.state = OrderState.Refunded;
            _payouts[orderId] = Payout(uint64(block.chainid), escrow.user, false, true, bytes32(0));
        }
        try this.payFromHandler(orderId) {}
        catch (bytes memory reason) {
            emit PayoutPending(orderId, reason);
        }
    }

    function _b32(address account) private pure returns (bytes32) {
        return bytes32(uint256(uint160(account)));
    }
}
