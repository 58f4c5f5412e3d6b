// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IBridgeReceiver} from "../../interfaces/IBridgeReceiver.sol";
import {TokenBridge} from "../TokenBridge.sol";
import {IntentSettler} from "./IntentSettler.sol";
import {JunctionOrder, Order} from "./IntentOrders.sol";

/// @title LiquidityPool
/// @notice One token's liquidity on one rollup, owned by its LPs through ERC-4626 shares. The pool is
///         the filler of last resort: once an order's exclusivity is over and its origin has proven it
///         open (`IntentSettler.requestSlowFill`), anyone may have the pool fill it from its idle
///         liquidity, if the order pays at least the pool's fee; the repayment comes back to this pool,
///         bridged from the origin with the order id, and the spread is the LPs' income, released into
///         the share price over `profitUnlockPeriod` so nobody can deposit just before a repayment and
///         take its fee. What may be out on fills through each settler is capped: the pool is exposed to
///         a trust path's failure only up to that settler's cap. The rebalancer moves liquidity between
///         this pool and its twins (the same address on every rollup) as loans: what this pool sends
///         counts as lent (still its LPs'), what it receives as borrowed (not its LPs'), and sending to
///         a pool it owes repays the debt first.
/// @dev Assets are counted internally (idle + paid out on fills awaiting repayment + lent − borrowed −
///      profit still locked), never from `balanceOf`, so a donation cannot move the share price; shares
///      round in the pool's favour (OpenZeppelin's ERC4626) with a decimals offset against the
///      first-depositor attack.
contract LiquidityPool is ERC4626, Ownable, IBridgeReceiver {
    using SafeERC20 for IERC20;

    /// @notice Highest fee the owner may set: 10 %.
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Longest the owner may make fee income take to reach the share price.
    uint32 public constant MAX_PROFIT_UNLOCK_PERIOD = 7 days;

    /// @notice A fill's repayment due: who settles it and what the pool paid.
    struct Receivable {
        address settler;
        uint256 paid;
    }

    /// @notice A transfer to a twin pool, kept until it lands or is reclaimed after expiring.
    struct TwinTransfer {
        uint64 chainId;
        uint256 repaid;
        uint256 lent;
    }

    TokenBridge public immutable tokenBridge;
    /// @notice Least spread an order must pay the pool, in basis points of its output.
    uint16 public feeBps;
    /// @notice May move liquidity to the twin pools.
    address public rebalancer;
    /// @notice Most that may be out on fills through each settler at once (zero: not trusted).
    mapping(address settler => uint256) public settlerCap;
    mapping(address settler => uint256) public outstandingBy;
    /// @notice Seconds fee income takes to be fully counted in the share price.
    uint32 public profitUnlockPeriod;
    uint64 public profitLockedAt;
    uint256 public profitLockedAtStart;

    /// @notice Liquidity here and free: what fills and withdrawals may use.
    uint256 public idle;
    /// @notice Paid out on fills whose repayment has not arrived.
    uint256 public outstanding;
    uint256 public totalLent;
    uint256 public totalBorrowed;
    mapping(bytes32 orderId => Receivable) public receivable;
    mapping(bytes32 messageId => TwinTransfer) public transfers;
    mapping(uint64 chainId => uint256) public lentTo;
    mapping(uint64 chainId => uint256) public borrowedFrom;

    event SettlerCapSet(address indexed settler, uint256 cap);
    event ProfitUnlockPeriodSet(uint32 period);
    /// @notice A transfer to a twin expired undelivered; its amount is back here and its books undone.
    event LiquidityReclaimed(bytes32 indexed messageId, uint64 chainId, uint256 amount);
    event FeeSet(uint16 feeBps);
    event RebalancerSet(address rebalancer);
    /// @notice The pool filled an order; `inputAmount` comes back when the origin repays it.
    event PoolFilled(bytes32 indexed orderId, address indexed settler, uint256 paid, uint256 inputAmount);
    /// @notice A fill's repayment arrived: `amount - paid` is the LPs' income.
    event FillRepaid(bytes32 indexed orderId, uint256 paid, uint256 amount);
    /// @notice A trusted settler paid the pool for no fill it knows (someone named it as repayment
    ///         address): the tokens join the idle liquidity rather than fail the bridge message forever.
    event UnexpectedRepayment(bytes32 indexed orderId, uint256 amount);
    /// @notice Liquidity left for the twin pool on `chainId`: `repaid` of this pool's debt, `lent` new.
    event LiquiditySent(uint64 indexed chainId, uint256 repaid, uint256 lent, bytes32 messageId);
    /// @notice Liquidity arrived from the twin pool on `chainId`.
    event LiquidityReceived(uint64 indexed chainId, uint256 repaid, uint256 lent);

    /// @notice Only settlers with a cap fill through the pool.
    error UntrustedSettler(address settler);
    /// @notice The fill would put more than the settler's cap out on fills through it.
    error SettlerCapExceeded(address settler, uint256 outstanding, uint256 cap);
    /// @notice The order's origin has not proven it open to this chain (IntentSettler.requestSlowFill).
    error OpenNotProven(bytes32 orderId);
    /// @notice Unlock period above MAX_PROFIT_UNLOCK_PERIOD.
    error UnlockPeriodTooLong(uint32 period);
    /// @notice No transfer to a twin with this message id is waiting to be reclaimed.
    error UnknownTransfer(bytes32 messageId);
    /// @notice The order's input and output must both be this pool's asset.
    error WrongAsset(address inputToken, address outputToken);
    /// @notice The order is still exclusive to a filler; the pool fills only after that.
    error StillExclusive(address exclusiveFiller, uint32 exclusivityDeadline);
    /// @notice The order pays less than the pool's fee.
    error FeeTooLow(uint256 inputAmount, uint256 minimum);
    /// @notice Not enough idle liquidity.
    error InsufficientLiquidity(uint256 requested, uint256 idle);
    /// @notice Fee above MAX_FEE_BPS.
    error FeeTooHigh(uint16 feeBps);
    /// @notice Only the rebalancer moves liquidity.
    error NotRebalancer(address caller);
    /// @notice Only the TokenBridge delivers bridged tokens.
    error NotTokenBridge(address caller);
    /// @notice Bridged tokens come from trusted settlers or the twin pools only.
    error UntrustedSender(uint64 sourceChainId, address from);
    /// @notice The twin says it repays more than this pool lent it.
    error RepaymentExceedsLoan(uint64 chainId, uint256 repaid, uint256 lent);
    /// @notice Nothing to move.
    error ZeroAmount();
    /// @notice A twin's transfer whose parts do not add up to what arrived.
    error MalformedTransfer(uint256 amount, uint256 repaid, uint256 lent);

    constructor(
        IERC20 asset_,
        string memory name_,
        string memory symbol_,
        TokenBridge tokenBridge_,
        address owner_,
        uint16 feeBps_,
        uint32 profitUnlockPeriod_
    ) ERC20(name_, symbol_) ERC4626(asset_) Ownable(owner_) {
        tokenBridge = tokenBridge_;
        _setFee(feeBps_);
        _setUnlockPeriod(profitUnlockPeriod_);
    }

    // ----------------------------------------------------------------- admin

    /// @notice How much may be out on fills through `settler` (zero: none; repayments still arrive).
    function setSettlerCap(address settler, uint256 cap) external onlyOwner {
        settlerCap[settler] = cap;
        emit SettlerCapSet(settler, cap);
    }

    function setProfitUnlockPeriod(uint32 period) external onlyOwner {
        _setUnlockPeriod(period);
    }

    function setFee(uint16 feeBps_) external onlyOwner {
        _setFee(feeBps_);
    }

    function setRebalancer(address rebalancer_) external onlyOwner {
        rebalancer = rebalancer_;
        emit RebalancerSet(rebalancer_);
    }

    function _setUnlockPeriod(uint32 period) private {
        if (period > MAX_PROFIT_UNLOCK_PERIOD) revert UnlockPeriodTooLong(period);
        // Whatever is still locked keeps unlocking from now on at the new pace.
        profitLockedAtStart = lockedProfit();
        profitLockedAt = uint64(block.timestamp);
        profitUnlockPeriod = period;
        emit ProfitUnlockPeriodSet(period);
    }

    function _setFee(uint16 feeBps_) private {
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_);
        feeBps = feeBps_;
        emit FeeSet(feeBps_);
    }

    // --------------------------------------------------------------- ERC4626

    /// @notice idle + outstanding + lent − borrowed − profit still locked (zero if that is negative).
    function totalAssets() public view override returns (uint256) {
        uint256 owned = idle + outstanding + totalLent;
        uint256 owed = totalBorrowed + lockedProfit();
        return owned > owed ? owned - owed : 0;
    }

    /// @notice Fee income not yet in the share price: it unlocks linearly over `profitUnlockPeriod`.
    function lockedProfit() public view returns (uint256) {
        uint256 elapsed = block.timestamp - profitLockedAt;
        if (elapsed >= profitUnlockPeriod) return 0;
        return profitLockedAtStart * (profitUnlockPeriod - elapsed) / profitUnlockPeriod;
    }

    /// @notice At most the idle liquidity can leave now.
    function maxWithdraw(address owner_) public view override returns (uint256) {
        return Math.min(super.maxWithdraw(owner_), idle);
    }

    function maxRedeem(address owner_) public view override returns (uint256) {
        return Math.min(super.maxRedeem(owner_), _convertToShares(idle, Math.Rounding.Floor));
    }

    function _transferIn(address from, uint256 assets) internal override {
        super._transferIn(from, assets);
        idle += assets;
    }

    function _transferOut(address to, uint256 assets) internal override {
        idle -= assets;
        super._transferOut(to, assets);
    }

    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }

    // ----------------------------------------------------------------- fills

    /// @notice Fills an order from the pool's idle liquidity, repaid to this pool. Anyone may call it
    ///         once the order is no longer exclusive to a filler and its origin proved it open here.
    function fill(IntentSettler settler, bytes32 orderId, bytes calldata originData) external {
        uint256 cap = settlerCap[address(settler)];
        if (cap == 0) revert UntrustedSettler(address(settler));
        Order memory order = abi.decode(originData, (Order));
        if (settler.openProvenFrom(orderId) != order.originChainId || keccak256(originData) != orderId) {
            revert OpenNotProven(orderId);
        }
        JunctionOrder memory data = order.data;
        if (data.inputToken != asset() || data.outputToken != asset()) {
            revert WrongAsset(data.inputToken, data.outputToken);
        }
        if (data.exclusiveFiller != address(0) && block.timestamp <= data.exclusivityDeadline) {
            revert StillExclusive(data.exclusiveFiller, data.exclusivityDeadline);
        }
        uint256 minimum = data.outputAmount + Math.mulDiv(data.outputAmount, feeBps, 10_000, Math.Rounding.Ceil);
        if (data.inputAmount < minimum) revert FeeTooLow(data.inputAmount, minimum);
        if (data.outputAmount > idle) revert InsufficientLiquidity(data.outputAmount, idle);

        uint256 through = outstandingBy[address(settler)] + data.outputAmount;
        if (through > cap) revert SettlerCapExceeded(address(settler), outstandingBy[address(settler)], cap);

        idle -= data.outputAmount;
        outstanding += data.outputAmount;
        outstandingBy[address(settler)] = through;
        receivable[orderId] = Receivable(address(settler), data.outputAmount);
        IERC20(asset()).forceApprove(address(settler), data.outputAmount);
        settler.fill(orderId, originData, abi.encode(uint64(block.chainid), address(this), true));
        emit PoolFilled(orderId, address(settler), data.outputAmount, data.inputAmount);
    }

    // ------------------------------------------------------------ rebalancing

    /// @notice Sends `amount` of idle liquidity to the twin pool on `chainId`: first as repayment of what
    ///         this pool borrowed from it, the rest as a loan.
    function sendLiquidity(uint64 chainId, uint256 amount) external returns (bytes32 messageId) {
        if (msg.sender != rebalancer) revert NotRebalancer(msg.sender);
        if (amount == 0) revert ZeroAmount();
        if (amount > idle) revert InsufficientLiquidity(amount, idle);
        uint256 repaid = Math.min(amount, borrowedFrom[chainId]);
        uint256 lent = amount - repaid;
        borrowedFrom[chainId] -= repaid;
        totalBorrowed -= repaid;
        lentTo[chainId] += lent;
        totalLent += lent;
        idle -= amount;
        messageId = tokenBridge.bridgeAndCall(asset(), amount, chainId, address(this), abi.encode(repaid, lent));
        transfers[messageId] = TwinTransfer(chainId, repaid, lent);
        emit LiquiditySent(chainId, repaid, lent, messageId);
    }

    /// @notice A transfer to a twin that expired undelivered: claims its refund from the bridge and
    ///         undoes its books (the debt it repaid is owed again, the loan it made is gone). Anyone may
    ///         call it with the transfer as sent (the body of its message).
    function reclaimLiquidity(bytes32 messageId, bytes calldata transfer) external {
        TwinTransfer memory sent = transfers[messageId];
        if (sent.repaid + sent.lent == 0) revert UnknownTransfer(messageId);
        delete transfers[messageId];
        tokenBridge.claimRefund(messageId, transfer);
        borrowedFrom[sent.chainId] += sent.repaid;
        totalBorrowed += sent.repaid;
        lentTo[sent.chainId] -= sent.lent;
        totalLent -= sent.lent;
        idle += sent.repaid + sent.lent;
        emit LiquidityReclaimed(messageId, sent.chainId, sent.repaid + sent.lent);
    }

    /// @inheritdoc IBridgeReceiver
    function onTokensBridged(uint64 sourceChainId, address from, address token, uint256 amount, bytes calldata data)
        external
        returns (bytes4)
    {
        if (msg.sender != address(tokenBridge)) revert NotTokenBridge(msg.sender);
        if (token != asset()) revert WrongAsset(token, token);
        if (from == address(this)) {
            _receiveLiquidity(sourceChainId, amount, data);
        } else {
            _receiveRepayment(sourceChainId, from, amount, abi.decode(data, (bytes32)));
        }
        return IBridgeReceiver.onTokensBridged.selector;
    }

    /// @dev A repayment is accepted from the settler the pool filled through (even if its cap was
    ///      lowered since), or from a settler with a cap for a fill the pool does not know.
    function _receiveRepayment(uint64 sourceChainId, address from, uint256 amount, bytes32 orderId) private {
        Receivable memory due = receivable[orderId];
        if (due.settler != from) {
            if (settlerCap[from] == 0) revert UntrustedSender(sourceChainId, from);
            idle += amount;
            emit UnexpectedRepayment(orderId, amount);
            return;
        }
        delete receivable[orderId];
        outstanding -= due.paid;
        outstandingBy[from] -= due.paid;
        idle += amount;
        if (amount > due.paid) _lockProfit(amount - due.paid);
        emit FillRepaid(orderId, due.paid, amount);
    }

    function _lockProfit(uint256 profit) private {
        profitLockedAtStart = lockedProfit() + profit;
        profitLockedAt = uint64(block.timestamp);
    }

    function _receiveLiquidity(uint64 sourceChainId, uint256 amount, bytes calldata data) private {
        (uint256 repaid, uint256 lent) = abi.decode(data, (uint256, uint256));
        if (repaid + lent != amount) revert MalformedTransfer(amount, repaid, lent);
        if (repaid > lentTo[sourceChainId]) revert RepaymentExceedsLoan(sourceChainId, repaid, lentTo[sourceChainId]);
        lentTo[sourceChainId] -= repaid;
        totalLent -= repaid;
        borrowedFrom[sourceChainId] += lent;
        totalBorrowed += lent;
        idle += amount;
        emit LiquidityReceived(sourceChainId, repaid, lent);
    }
}
