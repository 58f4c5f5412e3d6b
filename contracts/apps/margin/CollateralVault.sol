// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";
import {IVerifier} from "../../interfaces/IVerifier.sol";
import {Inbox} from "../../messaging/Inbox.sol";
import {Outbox} from "../../messaging/Outbox.sol";
import {SafePayments} from "../SafePayments.sol";
import {MarginMessages} from "./MarginMessages.sol";

/// @notice What the vault on the hub rollup calls on the engine next to it (no message within one chain).
interface IMarginEngineCredit {
    function creditLocalDeposit(address account, address token, uint256 amount) external;
}

/// @title CollateralVault
/// @notice Holds margin collateral on one rollup, at the same address on every rollup. A deposit is
///         taken in here and credited to the account at the hub's MarginEngine: by a Junction message
///         from any other rollup, by a direct call on the hub itself. Money leaves only on the engine's
///         word: a release (withdrawal) or a seizure (liquidation) message from the engine on the hub
///         (or its direct call on the hub). A payout the token refuses (a blocklisted receiver, a paused
///         token) never fails the message: it is owed to the receiver, who claims it later. A deposit
///         whose credit message expires undelivered is refunded to the depositor on the Inbox's notice.
///         What the engine's messages may pay out per token is capped per period (`setReleaseLimit`), so a
///         broken trust path that forges releases drains at most the cap per period; a payout over what
///         is left this period is held for its receiver and paid by `claimHeldPayout` once the period
///         resets (nothing is lost, it only waits).
contract CollateralVault is IMessageRecipient, Ownable, SafePayments {
    using SafeERC20 for IERC20;

    /// @notice Native ETH, as a token address.
    address public constant NATIVE = address(0);

    Outbox public immutable outbox;
    address public immutable inbox;
    /// @notice The rollup the MarginEngine lives on.
    uint64 public immutable hubChainId;
    /// @notice The MarginEngine's address on the hub rollup.
    address public immutable engine;

    mapping(address token => bool) public tokenEnabled;
    /// @notice Tokens owed to receivers whose payout the token refused; pulled with `claimOwedTokens`.
    mapping(address receiver => mapping(address token => uint256)) public owedTokens;
    /// @notice keccak256(depositor, token, amount) of each deposit whose credit message is on its way: an
    ///         expired one is refunded to whoever paid it, not to the account it was to credit.
    mapping(bytes32 messageId => bytes32 depositHash) public pendingDeposit;

    /// @notice A cap on what the engine's messages may pay out of one token per period, and what the
    ///         current period used. A token without one (period 0) is paid without a cap.
    struct ReleaseLimit {
        uint256 capPerPeriod;
        uint64 period;
        uint64 periodStart;
        uint256 usedInPeriod;
    }

    mapping(address token => ReleaseLimit) public releaseLimit;
    /// @notice Payouts that arrived over the period's cap, held for their receivers (`claimHeldPayout`).
    mapping(address receiver => mapping(address token => uint256)) public heldPayouts;

    event TokenEnabled(address indexed token, bool enabled);
    /// @notice `account` deposited; `messageId` carries the credit to the hub (zero on the hub itself).
    event Deposited(address indexed account, address indexed token, uint256 amount, bytes32 messageId);
    /// @notice The engine's release or seizure paid `receiver` here.
    event Paid(uint8 indexed kind, address indexed receiver, address indexed token, uint256 amount);
    /// @notice The token refused a payout; it is owed to `receiver`.
    event PayoutOwed(address indexed receiver, address indexed token, uint256 amount, bytes reason);
    event OwedTokensClaimed(address indexed receiver, address indexed token, uint256 amount);
    /// @notice A deposit's credit message expired undelivered at the hub; the depositor got it back.
    event DepositRefunded(bytes32 indexed messageId, address indexed depositor, address indexed token, uint256 amount);
    /// @notice The owner capped what messages may pay out of `token` per `period` seconds; a period starts now.
    event ReleaseLimitSet(address indexed token, uint256 capPerPeriod, uint64 period);
    /// @notice A release or seizure arrived over what the cap leaves this period: held for `receiver`
    ///         until `resetsAt`, then paid by `claimHeldPayout`.
    event PayoutHeld(uint8 indexed kind, address indexed receiver, address indexed token, uint256 amount, uint256 resetsAt);
    event HeldPayoutClaimed(address indexed receiver, address indexed token, uint256 amount);
    /// @notice The owner voided what was held for `receiver` (a payout a broken trust path forged).
    event HeldPayoutVoided(address indexed receiver, address indexed token, uint256 amount);

    /// @notice The owner has not enabled this token as collateral here.
    error TokenNotEnabled(address token);
    /// @notice A deposit of nothing, or for the zero account.
    error ZeroAmount();
    /// @notice Native value must equal the amount for ETH and be zero otherwise.
    error WrongValue(uint256 sent, uint256 expected);
    /// @notice Messages come from the Inbox only.
    error NotInbox(address caller);
    /// @notice Payout messages come from the MarginEngine on the hub only; notices from the hub's Inbox.
    error UntrustedSender(uint64 sourceChainId, address sender);
    /// @notice Only the MarginEngine next to this vault (on the hub) pays out directly.
    error NotEngine(address caller);
    /// @notice The body is no payout this vault knows.
    error UnknownKind(uint8 kind);
    /// @notice The expiry notice names no deposit of this vault waiting for its credit, or the deposit
    ///         given does not hash to the one sent.
    error NotRefundable(bytes32 messageId);
    /// @notice Nothing of this token is owed to the caller.
    error NothingOwedHere(address receiver, address token);
    /// @notice Only this contract calls it (to try a payout without failing the message).
    error OnlySelf(address caller);
    /// @notice A cap needs a period: zero would turn a cap per period into none.
    error InvalidPeriod();
    /// @notice Nothing of this token is held for this receiver.
    error NothingHeld(address receiver, address token);
    /// @notice The cap leaves nothing of this token to pay this period; it resets at `resetsAt`.
    error ReleaseCapExhausted(address token, uint256 resetsAt);

    constructor(address initialOwner, Outbox outbox_, address inbox_, uint64 hubChainId_, address engine_)
        Ownable(initialOwner)
    {
        outbox = outbox_;
        inbox = inbox_;
        hubChainId = hubChainId_;
        engine = engine_;
    }

    /// @notice The owner enables (or disables) `token` for deposits here. Disabling never blocks payouts.
    function setTokenEnabled(address token, bool enabled) external onlyOwner {
        tokenEnabled[token] = enabled;
        emit TokenEnabled(token, enabled);
    }

    /// @notice Caps what the engine's messages may pay out of `token` per `period` seconds (releases and
    ///         seizures together; the hub's direct payouts need no message and are not capped). A new
    ///         period starts now, with nothing used.
    function setReleaseLimit(address token, uint256 capPerPeriod, uint64 period) external onlyOwner {
        if (period == 0) revert InvalidPeriod();
        releaseLimit[token] =
            ReleaseLimit({capPerPeriod: capPerPeriod, period: period, periodStart: uint64(block.timestamp), usedInPeriod: 0});
        emit ReleaseLimitSet(token, capPerPeriod, period);
    }

    /// @notice What messages may still pay out of `token` this period, and when the period resets (zero
    ///         for a token without a cap, whose payouts are unlimited).
    function releasable(address token) public view returns (uint256 available, uint256 resetsAt) {
        ReleaseLimit storage limit = releaseLimit[token];
        if (limit.period == 0) return (type(uint256).max, 0);
        uint256 start = _currentPeriodStart(limit);
        uint256 used = start == limit.periodStart ? limit.usedInPeriod : 0;
        available = limit.capPerPeriod > used ? limit.capPerPeriod - used : 0;
        resetsAt = start + limit.period;
    }

    /// @notice Pays `receiver` what is held for it in `token`, as much as the cap leaves this period
    ///         (anyone may call it; the payment goes to the receiver). The rest stays held.
    function claimHeldPayout(address receiver, address token) external {
        uint256 held = heldPayouts[receiver][token];
        if (held == 0) revert NothingHeld(receiver, token);
        (uint256 available, uint256 resetsAt) = releasable(token);
        if (available == 0) revert ReleaseCapExhausted(token, resetsAt);
        uint256 amount = held < available ? held : available;
        heldPayouts[receiver][token] = held - amount;
        _useRelease(token, amount);
        emit HeldPayoutClaimed(receiver, token, amount);
        _payOut(receiver, token, amount);
    }

    /// @notice The owner voids `amount` of what is held for `receiver` in `token`: a payout a broken trust
    ///         path forged stays in the vault instead of draining it cap by cap after the path is repaired.
    ///         (An honest held payout voided by mistake is the owner's to make good: the engine debited it.)
    function voidHeldPayout(address receiver, address token, uint256 amount) external onlyOwner {
        uint256 held = heldPayouts[receiver][token];
        if (amount == 0 || amount > held) revert NothingHeld(receiver, token);
        heldPayouts[receiver][token] = held - amount;
        emit HeldPayoutVoided(receiver, token, amount);
    }

    /// @notice The owner chooses the trust path for the engine's messages from the hub (and its notices).
    function chooseVerifier(uint64 sourceChainId, IVerifier verifier) external onlyOwner {
        Inbox(inbox).setVerifier(sourceChainId, verifier);
    }

    /// @notice Deposits `amount` of an enabled ERC-20 (exactly that amount must arrive) and credits it to
    ///         the caller's margin account at the hub.
    /// @return messageId The credit message to the hub (zero when this vault is on the hub).
    function deposit(address token, uint256 amount) external returns (bytes32 messageId) {
        _checkDeposit(token, amount);
        _pullExact(IERC20(token), amount);
        messageId = _credit(msg.sender, token, amount);
    }

    /// @notice As `deposit`, crediting `account` at the hub: for a depositor whose address on the hub is
    ///         another (a contract wallet deployed at different addresses on different rollups). Should the
    ///         credit expire, the refund goes to the caller, who paid, not to `account`.
    function depositFor(address token, uint256 amount, address account) external returns (bytes32 messageId) {
        if (account == address(0)) revert ZeroAmount();
        _checkDeposit(token, amount);
        _pullExact(IERC20(token), amount);
        messageId = _credit(account, token, amount);
    }

    /// @notice Deposits the native ETH sent (if the owner enabled NATIVE) and credits it at the hub.
    function depositNative() external payable returns (bytes32 messageId) {
        _checkDeposit(NATIVE, msg.value);
        messageId = _credit(msg.sender, NATIVE, msg.value);
    }

    /// @notice On the hub, the engine pays a release or seizure directly (no message within one chain).
    ///         A refusal reverts the engine's transaction (the caller picks another receiver): catching it
    ///         here would let a caller starve the payment of gas and turn it into a debt on purpose.
    function payFromEngine(uint8 kind, address receiver, address token, uint256 amount) external {
        if (msg.sender != engine || block.chainid != hubChainId) revert NotEngine(msg.sender);
        _payOut(receiver, token, amount);
        emit Paid(kind, receiver, token, amount);
    }

    /// @inheritdoc IMessageRecipient
    /// @dev A release or seizure from the engine on the hub pays its receiver; an expiry notice from the
    ///      hub's Inbox refunds the deposit whose credit can no longer arrive.
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        if (sourceChainId != hubChainId) revert UntrustedSender(sourceChainId, sender);
        // The Inbox has the same address on every rollup: a message from it is an expiry notice.
        if (sender == inbox) return _refundExpired(body);
        if (sender != engine) revert UntrustedSender(sourceChainId, sender);
        (uint8 kind, address receiver, address token, uint256 amount) = MarginMessages.decode(body);
        if (kind != MarginMessages.RELEASE && kind != MarginMessages.SEIZE) revert UnknownKind(kind);
        (uint256 available, uint256 resetsAt) = releasable(token);
        if (amount > available) {
            heldPayouts[receiver][token] += amount;
            emit PayoutHeld(kind, receiver, token, amount, resetsAt);
            return;
        }
        _useRelease(token, amount);
        _payOrOwe(kind, receiver, token, amount);
    }

    /// @notice Refunds a deposit whose credit message expired to its depositor (the caller of `deposit`,
    ///         `depositFor` or `depositNative`): the expiry notice arrived, and anyone calls this with the
    ///         deposit as sent. (Split from the notice so a refused refund can wait.)
    function claimDepositRefund(bytes32 messageId, address depositor, address token, uint256 amount) external {
        if (pendingDeposit[messageId] != _depositHash(true, depositor, token, amount)) revert NotRefundable(messageId);
        delete pendingDeposit[messageId];
        emit DepositRefunded(messageId, depositor, token, amount);
        _payOut(depositor, token, amount);
    }

    /// @notice Pays the caller what a refused payout left owed to it in `token`.
    function claimOwedTokens(address token) external {
        uint256 amount = owedTokens[msg.sender][token];
        if (amount == 0) revert NothingOwedHere(msg.sender, token);
        owedTokens[msg.sender][token] = 0;
        emit OwedTokensClaimed(msg.sender, token, amount);
        _payOut(msg.sender, token, amount);
    }

    /// @dev Called through an external call by `_payOrOwe`, so a refusal can be caught.
    function payFromHandler(address receiver, address token, uint256 amount) external {
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        _payOut(receiver, token, amount);
    }

    /// @dev The start of the period `block.timestamp` is in (periods follow each other from the first).
    function _currentPeriodStart(ReleaseLimit storage limit) private view returns (uint256) {
        uint256 elapsed = block.timestamp - limit.periodStart;
        return limit.periodStart + elapsed - (elapsed % limit.period);
    }

    /// @dev Counts `amount` against the cap of `token` (a token without a cap counts nothing).
    function _useRelease(address token, uint256 amount) private {
        ReleaseLimit storage limit = releaseLimit[token];
        if (limit.period == 0) return;
        uint256 start = _currentPeriodStart(limit);
        if (start != limit.periodStart) {
            limit.periodStart = uint64(start);
            limit.usedInPeriod = 0;
        }
        limit.usedInPeriod += amount;
    }

    function _checkDeposit(address token, uint256 amount) private view {
        if (amount == 0) revert ZeroAmount();
        if (!tokenEnabled[token]) revert TokenNotEnabled(token);
    }

    function _credit(address account, address token, uint256 amount) private returns (bytes32 messageId) {
        if (block.chainid == hubChainId) {
            IMarginEngineCredit(engine).creditLocalDeposit(account, token, amount);
        } else {
            messageId = outbox.send(
                hubChainId,
                engine,
                MarginMessages.encode(MarginMessages.DEPOSIT, account, token, amount),
                MarginMessages.GAS_LIMIT,
                uint64(block.timestamp + MarginMessages.TTL)
            );
            pendingDeposit[messageId] = _depositHash(false, msg.sender, token, amount);
        }
        emit Deposited(account, token, amount, messageId);
    }

    /// @dev The notice proves the credit never arrived at the hub, so the deposit is the depositor's again.
    function _refundExpired(bytes calldata notice) private {
        (, bytes32 messageId) = abi.decode(notice, (bytes4, bytes32));
        bytes32 sent = pendingDeposit[messageId];
        // Only a deposit still waiting for its notice (flag false) may be marked refundable.
        if (sent == bytes32(0) || uint256(sent) & 1 == 1) revert NotRefundable(messageId);
        pendingDeposit[messageId] = bytes32(uint256(sent) | 1);
    }

    /// @dev The deposit's hash with its lowest bit as the "expiry noticed" flag.
    function _depositHash(bool expired, address depositor, address token, uint256 amount)
        private
        pure
        returns (bytes32)
    {
        uint256 hash = uint256(keccak256(abi.encode(depositor, token, amount))) & ~uint256(1);
        return bytes32(expired ? hash | 1 : hash);
    }

    function _payOrOwe(uint8 kind, address receiver, address token, uint256 amount) private {
        try this.payFromHandler(receiver, token, amount) {
            emit Paid(kind, receiver, token, amount);
        } catch (bytes memory reason) {
            owedTokens[receiver][token] += amount;
            emit PayoutOwed(receiver, token, amount, reason);
        }
    }

    function _payOut(address receiver, address token, uint256 amount) private {
        if (token == NATIVE) _sendOrOwe(receiver, amount);
        else IERC20(token).safeTransfer(receiver, amount);
    }
}
