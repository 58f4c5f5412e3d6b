// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";
import {IVerifier} from "../../interfaces/IVerifier.sol";
import {Inbox} from "../../messaging/Inbox.sol";
import {Outbox} from "../../messaging/Outbox.sol";
import {SafePayments} from "../SafePayments.sol";
import {CollateralVault} from "./CollateralVault.sol";
import {MarginAccounts} from "./MarginAccounts.sol";
import {MarginMessages} from "./MarginMessages.sol";
import {PriceOracle} from "./PriceOracle.sol";

/// @title MarginEngine
/// @notice One margin account per address across every rollup, kept on the hub rollup. Deposits on any
///         rollup are credited here by their vault's message; positions are opened and closed here
///         against the engine at the oracle price, by delayed orders (requested, then executed by anyone at
///         the first price published in a later block, so an oracle update seen coming cannot be traded
///         ahead of); a withdrawal is debited here first (with the account's
///         health checked as if it were gone) and only then is the vault told to release it, in the same
///         transaction, so the same collateral can back neither two withdrawals nor a withdrawal and a
///         liquidation. Anyone may liquidate an account under health 1: the liquidation closes half its
///         position in a market (all of it below `fullLiquidationHealth`, or when the rest would be dust),
///         and the liquidator may repay the account's debt in the settlement token here in exchange for
///         collateral worth the repayment plus the collateral's bonus, paid by the vault of the rollup
///         that holds it. Debt left when nothing backs it any more is covered by the insurance fund, and
///         past it recorded as bad debt. Realised profit (positive cash) is paid out in the settlement
///         token by `withdrawCash`, from what losers repaid, never from the insurance fund. New risk needs
///         fresh prices; a liquidation on a stale position
///         price needs the account to be clearly unhealthy (under `staleLiquidationHealth`), and stale
///         collateral counts for nothing toward it.
contract MarginEngine is IMessageRecipient, MarginAccounts, SafePayments, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice A release or seizure sent to a vault by message, kept until its message would expire.
    struct Payout {
        address creditBack;
        uint64 chainId;
        address token;
        uint256 amount;
        bool returned;
    }

    Outbox public immutable outbox;
    address public immutable inbox;
    /// @notice The CollateralVault, at this address on every rollup (the hub's included).
    CollateralVault public immutable vault;
    /// @notice What debt is repaid in, positive cash paid out in and the insurance fund held in: a USD
    ///         token with 18 decimals, held by this engine on the hub.
    IERC20 public immutable settlementToken;

    /// @notice Settlement tokens set aside to cover debt that nothing backs; the engine always holds at
    ///         least this much (`withdrawCash` pays only what it holds beyond it).
    uint256 public insuranceFund;
    /// @notice Debt (USD x 1e18) that neither collateral nor the insurance fund covered.
    uint256 public badDebt;
    mapping(bytes32 messageId => Payout) public payouts;

    /// @notice A position change asked for and not yet executed (`sizeDelta` 0: none).
    /// @param priceRound The oracle's latest round of the market's asset at the request.
    struct Order {
        int256 sizeDelta;
        uint256 limitPrice;
        uint64 priceRound;
        uint64 requestedBlock;
        uint64 requestedAt;
        /// @dev Only reduces the position (a close): trimmed to it at execution, never flips it.
        bool reduceOnly;
    }

    /// @notice Each account's pending order per market.
    mapping(address account => mapping(uint256 marketId => Order)) public orders;
    /// @notice How many orders the account has pending (no withdrawal while any is).
    mapping(address account => uint256) public pendingOrders;
    /// @notice Seconds an order waits for its price; past it, it expires (then its owner may cancel it).
    uint64 public orderExpiry = 120;

    /// @notice Collateral was credited to `account` (`messageId` zero: a deposit on the hub itself).
    event CollateralCredited(
        address indexed account, uint64 indexed chainId, address indexed token, uint256 amount, bytes32 messageId
    );
    /// @notice A position changed at `price`; `realisedPnl` went to the account's cash.
    event PositionModified(
        address indexed account,
        uint256 indexed marketId,
        int256 sizeDelta,
        int256 size,
        uint256 entryPrice,
        uint256 price,
        int256 realisedPnl
    );
    /// @notice Collateral left the account for `receiver` on `chainId` (`messageId` zero: paid on the hub).
    event WithdrawalRequested(
        address indexed account,
        uint64 indexed chainId,
        address indexed token,
        uint256 amount,
        address receiver,
        bytes32 messageId
    );
    /// @notice `liquidator` closed `closedSize` of the account's position at `price`, repaid `repaid` of
    ///         its debt, and was sent `seized` of `token` on `chainId`.
    event Liquidated(
        address indexed account,
        address indexed liquidator,
        uint256 indexed marketId,
        int256 closedSize,
        uint256 price,
        uint64 chainId,
        address token,
        uint256 repaid,
        uint256 seized,
        bytes32 messageId
    );
    /// @notice `account` asked to change its position in `marketId`; it executes at a price after `round`.
    event OrderRequested(
        address indexed account,
        uint256 indexed marketId,
        int256 sizeDelta,
        uint256 limitPrice,
        uint64 round,
        uint256 expiresAt
    );
    /// @notice `executor` executed the order at round `round`'s `price` (see `PositionModified`).
    event OrderExecuted(
        address indexed account,
        uint256 indexed marketId,
        address indexed executor,
        int256 sizeDelta,
        uint256 price,
        uint64 round
    );
    /// @notice The order was cancelled by `by`; `reason` is the error that refused it (ABI-encoded).
    event OrderCancelled(address indexed account, uint256 indexed marketId, address indexed by, bytes reason);
    event OrderExpirySet(uint64 orderExpiry);
    event DebtRepaid(address indexed account, address indexed payer, uint256 amount);
    /// @notice `amount` of the account's positive cash was paid to `receiver` in the settlement token.
    event CashWithdrawn(address indexed account, address indexed receiver, uint256 amount);
    event InsuranceFunded(address indexed funder, uint256 amount);
    /// @notice Debt nothing backed any more: `covered` by the insurance fund, `uncovered` is bad debt.
    event ShortfallSettled(address indexed account, uint256 covered, uint256 uncovered);
    /// @notice Dust collateral (under the dust floor) left in an account whose debt was settled went to
    ///         the engine's own account (`collateralOf[engine]`), so the debtor cannot withdraw it.
    event DustSwept(address indexed account, uint64 indexed chainId, address indexed token, uint256 amount);
    /// @notice A release or seizure message expired undelivered; its amount is credited back here.
    event PayoutReturned(bytes32 indexed messageId, address indexed account, uint256 amount);

    /// @notice Messages come from the Inbox only.
    error NotInbox(address caller);
    /// @notice Deposits come from the vault of a rollup this engine trusts; notices from an Inbox.
    error UntrustedSender(uint64 sourceChainId, address sender);
    /// @notice Only the vault on the hub credits deposits by direct call.
    error NotVault(address caller);
    /// @notice The body is no message this engine handles.
    error UnknownKind(uint8 kind);
    /// @notice A trade of size zero, or a withdrawal of nothing, or to nobody.
    error ZeroAmount();
    /// @notice The market is closed to new risk; positions in it can only be reduced.
    error MarketDisabled(uint256 marketId);
    /// @notice A price the action needs is older than the oracle's maxAge.
    error StalePrice(bytes32 asset);
    /// @notice After the action the account's equity would be below its initial margin requirement.
    error InsufficientMargin(int256 equity, uint256 required);
    /// @notice The account's cash (realised profit) is less than asked, or negative.
    error InsufficientCash(int256 cash, uint256 requested);
    /// @notice The engine holds fewer settlement tokens beyond the insurance fund than asked: profit is
    ///         paid as losers' debt is repaid (or covered), first come, first served.
    error InsufficientLiquidity(uint256 available, uint256 requested);
    /// @notice The account holds less of this collateral than asked.
    error InsufficientCollateral(uint256 available, uint256 requested);
    /// @notice The rollup has no vault this engine trusts.
    error UnknownVaultChain(uint64 chainId);
    /// @notice The account's health is not under what a liquidation needs (1, or the stale threshold).
    error AccountHealthy(address account, uint256 health, uint256 threshold);
    /// @notice The call would close nothing and repay nothing.
    error NothingToLiquidate(address account);
    /// @notice The account holds a position, but not in `marketId`: while it holds any, a liquidation must
    ///         close some (repaying debt alone would take the bonus and leave the risk open, again and again).
    error MustClosePosition(address account, uint256 marketId);
    /// @notice The expiry notice names no payout of this engine sent to that rollup, or a returned one.
    error NotReturnable(bytes32 messageId);
    /// @notice The account already has an order pending in this market (or, for a withdrawal, in any).
    error OrderPending(address account, uint256 marketId);
    /// @notice No withdrawal while the account has orders pending (`count`): execute them first.
    error OrdersPending(address account, uint256 count);
    /// @notice The account has no pending order in this market.
    error NoOrder(address account, uint256 marketId);
    /// @notice A reduce-only order found no position to reduce in its direction when it executed.
    error NothingToReduce(address account, uint256 marketId);
    /// @notice No price of `asset` was published in a block after the order's request (`requestedBlock`)
    ///         yet: an order never trades at a price that existed when it was made.
    error PriceNotFresh(bytes32 asset, uint64 requestedBlock);
    /// @notice Cancel reason: the execution price is beyond the order's limit.
    error LimitPrice(uint256 price, uint256 limitPrice);
    /// @notice Cancel reason: no price came before the order's expiry (`expiresAt`, seconds).
    error OrderExpired(uint256 expiresAt);
    /// @notice Its owner may cancel an order only after it expired.
    error OrderNotExpired(uint256 expiresAt);
    /// @notice A price came in time: the order can be executed, so it cannot be cancelled.
    error OrderExecutable(address account, uint256 marketId);
    /// @notice The order's trade ran out of gas: the execution reverts rather than cancel the order.
    error ExecutionOutOfGas();
    /// @notice Only the engine itself applies an order's trade.
    error NotSelf(address caller);
    /// @notice An order expiry of zero would expire every order at once.
    error InvalidOrderExpiry();
    /// @notice Repaying more than the account owes.
    error RepayExceedsDebt(uint256 debt, uint256 amount);
    /// @notice The account still holds collateral or positions, or owes nothing: no shortfall to settle.
    error NoShortfall(address account);

    constructor(
        address initialOwner,
        Outbox outbox_,
        address inbox_,
        PriceOracle oracle_,
        CollateralVault vault_,
        IERC20 settlementToken_
    ) Ownable(initialOwner) MarginAccounts(oracle_) {
        outbox = outbox_;
        inbox = inbox_;
        vault = vault_;
        settlementToken = settlementToken_;
    }

    /// @notice The owner chooses the trust path for deposit messages from `sourceChainId` (never zero,
    ///         which would fall back to the Inbox's default).
    function chooseVerifier(uint64 sourceChainId, IVerifier verifier) external onlyOwner {
        _chooseVerifier(sourceChainId, verifier);
    }

    /// @dev Refuses zero (the Inbox's default) and sets the verifier at the Inbox.
    function _chooseVerifier(uint64 chainId, IVerifier verifier) internal override {
        if (address(verifier) == address(0)) revert VerifierRequired(chainId);
        Inbox(inbox).setVerifier(chainId, verifier);
    }

    // ------------------------------------------------------------------ deposits

    /// @notice The vault on the hub credits a deposit made there.
    function creditLocalDeposit(address account, address token, uint256 amount) external {
        if (msg.sender != address(vault)) revert NotVault(msg.sender);
        _credit(account, uint64(block.chainid), token, amount, bytes32(0));
    }

    /// @inheritdoc IMessageRecipient
    /// @dev A deposit from a trusted vault credits the account once (the Inbox refuses replays). An
    ///      expiry notice for a release or seizure credits its amount back: the vault never paid it. A
    ///      deposit of a token not listed here is credited all the same (it counts for nothing, and can
    ///      be withdrawn): the vault took it, so refusing would strand it.
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        // The Inbox has the same address on every rollup: a message from it is an expiry notice.
        if (sender == inbox) return _returnExpired(sourceChainId, body);
        if (!vaultChain[sourceChainId] || sender != address(vault)) revert UntrustedSender(sourceChainId, sender);
        (uint8 kind, address account, address token, uint256 amount) = MarginMessages.decode(body);
        if (kind != MarginMessages.DEPOSIT) revert UnknownKind(kind);
        _credit(account, sourceChainId, token, amount, Inbox(inbox).currentMessageId());
    }

    function _credit(address account, uint64 chainId, address token, uint256 amount, bytes32 messageId) private {
        collateralOf[account][chainId][token] += amount;
        emit CollateralCredited(account, chainId, token, amount, messageId);
    }

    function _returnExpired(uint64 sourceChainId, bytes calldata notice) private {
        (, bytes32 messageId) = abi.decode(notice, (bytes4, bytes32));
        Payout storage payout = payouts[messageId];
        if (payout.amount == 0 || payout.returned || payout.chainId != sourceChainId) revert NotReturnable(messageId);
        payout.returned = true;
        _credit(payout.creditBack, sourceChainId, payout.token, payout.amount, messageId);
        emit PayoutReturned(messageId, payout.creditBack, payout.amount);
    }

    // -------------------------------------------------------- positions (orders)

    /// @notice Asks to change the caller's position in `marketId` by `sizeDelta` (whole units x 1e18;
    ///         positive buys). Nothing trades now: the order executes at the first price of the market's
    ///         asset published in a block after this one (see `executeOrder`), so no price known when it was
    ///         made, or seen in a mempool on its way, can be traded at. `limitPrice` (0: none) is the worst
    ///         price accepted: at most it for a buy, at least it for a sell. One pending order per account
    ///         and market. Refused at once: a stale market price (`StalePrice`: the feeder is down, nothing
    ///         could execute) and new risk in a closed market (`MarketDisabled`); margin is checked when it
    ///         executes.
    function requestOrder(uint256 marketId, int256 sizeDelta, uint256 limitPrice) external nonReentrant {
        _requestOrder(marketId, sizeDelta, limitPrice, false);
    }

    /// @notice As `requestOrder`, for an order that only reduces the position (a close): at execution it
    ///         is trimmed to the position then (a liquidation may have shrunk it meanwhile), so it never
    ///         opens the other side; an order that would not reduce it then is cancelled (`NothingToReduce`).
    function requestReduceOrder(uint256 marketId, int256 sizeDelta, uint256 limitPrice) external nonReentrant {
        _requestOrder(marketId, sizeDelta, limitPrice, true);
    }

    function _requestOrder(uint256 marketId, int256 sizeDelta, uint256 limitPrice, bool reduceOnly) private {
        if (sizeDelta == 0) revert ZeroAmount();
        Market storage market = _market(marketId);
        (, bool stale) = _price(market.asset);
        if (stale) revert StalePrice(market.asset);
        if (orders[msg.sender][marketId].sizeDelta != 0) revert OrderPending(msg.sender, marketId);
        if (!market.enabled && _addsRisk(_positions[msg.sender][marketId].size, sizeDelta)) {
            revert MarketDisabled(marketId);
        }
        uint64 round = oracle.latestRound(market.asset);
        orders[msg.sender][marketId] =
            Order(sizeDelta, limitPrice, round, uint64(block.number), uint64(block.timestamp), reduceOnly);
        pendingOrders[msg.sender] += 1;
        emit OrderRequested(msg.sender, marketId, sizeDelta, limitPrice, round, block.timestamp + orderExpiry);
    }

    /// @notice Executes `account`'s pending order in `marketId`; anyone may call it (a keeper, the account).
    ///         The price is the first round of the market's asset published in a block after the request's
    ///         (`PriceNotFresh` until there is one), fixed by the order, not chosen by the caller. The order
    ///         is cancelled instead (`OrderCancelled` with the reason's error, nothing else changes) when that
    ///         price is beyond its limit (`LimitPrice`), came after the order's expiry or none came before it
    ///         (`OrderExpired`), or the position change fails its checks at that price (`InsufficientMargin`,
    ///         `StalePrice` of another price the account uses, `MarketDisabled`): a keeper's call never sticks.
    /// @return executed Whether the order traded (false: cancelled).
    function executeOrder(address account, uint256 marketId) external nonReentrant returns (bool executed) {
        Order memory order = orders[account][marketId];
        if (order.sizeDelta == 0) revert NoOrder(account, marketId);
        bytes32 asset = _market(marketId).asset;
        uint256 expiresAt = uint256(order.requestedAt) + orderExpiry;
        (uint64 round, PriceOracle.PricePoint memory point) = _executionRound(asset, order);
        if (round == 0 && block.timestamp <= expiresAt) revert PriceNotFresh(asset, order.requestedBlock);
        _removeOrder(account, marketId);
        if (round == 0 || point.updatedAt > expiresAt) {
            emit OrderCancelled(account, marketId, msg.sender, abi.encodeWithSelector(OrderExpired.selector, expiresAt));
            return false;
        }
        uint256 price = point.price;
        if (order.limitPrice != 0 && (order.sizeDelta > 0 ? price > order.limitPrice : price < order.limitPrice)) {
            emit OrderCancelled(
                account, marketId, msg.sender, abi.encodeWithSelector(LimitPrice.selector, price, order.limitPrice)
            );
            return false;
        }
        int256 sizeDelta = order.sizeDelta;
        if (order.reduceOnly) {
            int256 size = _positions[account][marketId].size;
            if (size == 0 || (size > 0) == (sizeDelta > 0)) {
                emit OrderCancelled(
                    account, marketId, msg.sender, abi.encodeWithSelector(NothingToReduce.selector, account, marketId)
                );
                return false;
            }
            if (_abs(sizeDelta) > _abs(size)) sizeDelta = -size;
        }
        try this.tradeForOrder(account, marketId, sizeDelta, price) {
            emit OrderExecuted(account, marketId, msg.sender, sizeDelta, price, round);
            return true;
        } catch (bytes memory reason) {
            // No reason: the call ran out of gas. A caller must not cancel someone's order by starving it.
            if (reason.length == 0) revert ExecutionOutOfGas();
            emit OrderCancelled(account, marketId, msg.sender, reason);
            return false;
        }
    }

    /// @notice The account cancels its own order, only once it expired with no price to execute at: a
    ///         price published in time makes the order executable (`OrderExecutable`), so seeing it is no
    ///         reason to walk away.
    function cancelOrder(uint256 marketId) external nonReentrant {
        Order memory order = orders[msg.sender][marketId];
        if (order.sizeDelta == 0) revert NoOrder(msg.sender, marketId);
        uint256 expiresAt = uint256(order.requestedAt) + orderExpiry;
        if (block.timestamp <= expiresAt) revert OrderNotExpired(expiresAt);
        (uint64 round, PriceOracle.PricePoint memory point) = _executionRound(_market(marketId).asset, order);
        if (round != 0 && point.updatedAt <= expiresAt) revert OrderExecutable(msg.sender, marketId);
        _removeOrder(msg.sender, marketId);
        emit OrderCancelled(msg.sender, marketId, msg.sender, abi.encodeWithSelector(OrderExpired.selector, expiresAt));
    }

    /// @notice Whether `account`'s order in `marketId` can execute now (a price after its request exists),
    ///         and that price's round and value; `expired` when it is past its expiry.
    function orderStatus(address account, uint256 marketId)
        external
        view
        returns (bool pending, bool ready, bool expired, uint64 round, uint256 price)
    {
        Order memory order = orders[account][marketId];
        if (order.sizeDelta == 0) return (false, false, false, 0, 0);
        PriceOracle.PricePoint memory point;
        (round, point) = _executionRound(_market(marketId).asset, order);
        uint256 expiresAt = uint256(order.requestedAt) + orderExpiry;
        return (true, round != 0, block.timestamp > expiresAt, round, point.price);
    }

    /// @notice The engine itself applies an order's trade (called by `executeOrder` so that a failed check
    ///         rolls back only the trade and the order is cancelled with its reason).
    function tradeForOrder(address account, uint256 marketId, int256 sizeDelta, uint256 price) external {
        if (msg.sender != address(this)) revert NotSelf(msg.sender);
        _trade(account, marketId, sizeDelta, price);
    }

    /// @notice The owner sets how long (seconds) an order waits for its price before it expires.
    function setOrderExpiry(uint64 seconds_) external onlyOwner {
        if (seconds_ == 0) revert InvalidOrderExpiry();
        orderExpiry = seconds_;
        emit OrderExpirySet(seconds_);
    }

    /// @dev The first round of `asset` published in a block after the order's (0 when there is none yet):
    ///      the round after the one current at the request, or the next one when that was published in the
    ///      request's own block (after the request, maybe seen in the mempool before it); one round per block.
    function _executionRound(bytes32 asset, Order memory order)
        private
        view
        returns (uint64 round, PriceOracle.PricePoint memory point)
    {
        for (round = order.priceRound + 1; round <= order.priceRound + 2; round++) {
            point = oracle.roundOf(asset, round);
            if (point.price == 0) return (0, point);
            if (point.updatedBlock > order.requestedBlock) return (round, point);
        }
        return (0, point);
    }

    /// @dev A withdrawal waits for the account's orders: taking margin away after seeing an order's price
    ///      would cancel an unfavourable order (`InsufficientMargin`) and keep a favourable one.
    function _requireNoPendingOrder(address account) private view {
        uint256 count = pendingOrders[account];
        if (count != 0) revert OrdersPending(account, count);
    }

    function _removeOrder(address account, uint256 marketId) private {
        delete orders[account][marketId];
        pendingOrders[account] -= 1;
    }

    /// @dev Changes `account`'s position by `sizeDelta` at `price`. A change that adds risk (grows or flips
    ///      the position) needs the market enabled, every price of the account fresh, and equity >= the
    ///      initial margin requirement afterwards; a reduction needs nothing more (its price is fresh: the
    ///      order's round came after the request).
    function _trade(address account, uint256 marketId, int256 sizeDelta, uint256 price) private {
        Market storage market = _market(marketId);
        Position storage position = _positions[account][marketId];
        int256 size = position.size;
        int256 next = size + sizeDelta;
        int256 realised;
        if (size == 0 || (size > 0) == (sizeDelta > 0)) {
            // Opening or growing: the entry moves to the size-weighted average.
            position.entryPrice = (_abs(size) * position.entryPrice + _abs(sizeDelta) * price) / _abs(next);
        } else if (_abs(sizeDelta) <= _abs(size)) {
            realised = -sizeDelta * (int256(price) - int256(position.entryPrice)) / int256(WAD);
            if (next == 0) position.entryPrice = 0;
        } else {
            // Flipping: the whole old position closes, the rest opens at the price.
            realised = size * (int256(price) - int256(position.entryPrice)) / int256(WAD);
            position.entryPrice = price;
        }
        position.size = next;
        cashOf[account] += realised;
        if (_addsRisk(size, sizeDelta)) {
            if (!market.enabled) revert MarketDisabled(marketId);
            // At the order's price: the check passes or fails the same whenever the order executes.
            _requireInitialMargin(account, PinnedPrice(market.asset, price));
        }
        emit PositionModified(account, marketId, sizeDelta, next, position.entryPrice, price, realised);
    }

    function _addsRisk(int256 size, int256 sizeDelta) private pure returns (bool) {
        int256 next = size + sizeDelta;
        return _abs(next) > _abs(size) || (size > 0 && next < 0) || (size < 0 && next > 0);
    }

    // --------------------------------------------------------------- withdrawals

    /// @notice Takes `amount` of the caller's collateral (`token` on `chainId`) out of its account and has
    ///         the vault there pay it to `receiver`. The debit comes first and the account must still meet
    ///         its initial margin without it (on fresh prices; an account with no position and no debt
    ///         needs no price at all); the release message (or, on the hub, the payment) follows in the
    ///         same transaction. If the message expires undelivered, the amount is credited back.
    function requestWithdrawal(uint64 chainId, address token, uint256 amount, address receiver)
        external
        nonReentrant
        returns (bytes32 messageId)
    {
        if (amount == 0 || receiver == address(0)) revert ZeroAmount();
        _requireNoPendingOrder(msg.sender);
        uint256 available = collateralOf[msg.sender][chainId][token];
        if (amount > available) revert InsufficientCollateral(available, amount);
        collateralOf[msg.sender][chainId][token] = available - amount;
        if (cashOf[msg.sender] < 0 || !_isFlat(msg.sender)) _requireInitialMargin(msg.sender, _latestPrices());
        messageId = _pay(MarginMessages.RELEASE, msg.sender, receiver, chainId, token, amount);
        emit WithdrawalRequested(msg.sender, chainId, token, amount, receiver, messageId);
    }

    /// @notice Pays `amount` of the caller's positive cash (realised profit) to `receiver` in the
    ///         settlement token, here on the hub. Only out of what the engine holds beyond the insurance
    ///         fund; every price the account uses must be fresh and the account must still meet its
    ///         initial margin with the cash gone (the debit comes first). Trades fill at the oracle price
    ///         with no fee, so this is where front-running the oracle would be cashed: see
    ///         docs/margin-review.md.
    function withdrawCash(uint256 amount, address receiver) external nonReentrant {
        if (amount == 0 || receiver == address(0)) revert ZeroAmount();
        _requireNoPendingOrder(msg.sender);
        int256 cash = cashOf[msg.sender];
        if (cash < 0 || amount > uint256(cash)) revert InsufficientCash(cash, amount);
        uint256 available = freeSettlement();
        if (amount > available) revert InsufficientLiquidity(available, amount);
        cashOf[msg.sender] = cash - int256(amount);
        _requireInitialMargin(msg.sender, _latestPrices());
        settlementToken.safeTransfer(receiver, amount);
        emit CashWithdrawn(msg.sender, receiver, amount);
    }

    /// @notice Settlement tokens the engine holds beyond the insurance fund: what `withdrawCash` can pay.
    function freeSettlement() public view returns (uint256) {
        uint256 balance = settlementToken.balanceOf(address(this));
        return balance > insuranceFund ? balance - insuranceFund : 0;
    }

    /// @notice Repays `amount` of an account's debt in the settlement token (anyone may repay for anyone).
    function repayDebt(address account, uint256 amount) external nonReentrant {
        int256 cash = cashOf[account];
        uint256 debt = cash < 0 ? uint256(-cash) : 0;
        if (amount == 0 || amount > debt) revert RepayExceedsDebt(debt, amount);
        cashOf[account] = cash + int256(amount);
        _pullExact(settlementToken, amount);
        emit DebtRepaid(account, msg.sender, amount);
    }

    /// @notice Adds `amount` of the settlement token to the insurance fund.
    function fundInsurance(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        insuranceFund += amount;
        _pullExact(settlementToken, amount);
        emit InsuranceFunded(msg.sender, amount);
    }

    // -------------------------------------------------------------- liquidations

    /// @notice Liquidates `account`, whose liquidation health (stale collateral at zero) must be under 1
    ///         (under `staleLiquidationHealth` when a position's price is stale). Closes half of its position in `marketId` at the oracle price, or
    ///         all of it when health is under `fullLiquidationHealth` or the other half would be dust;
    ///         then repays up to `maxRepay` of its debt (the same half-or-all share of it) from the
    ///         caller's settlement tokens, and sends the caller that value plus the bonus in collateral
    ///         `token` from the vault on `chainId` (all of that collateral if it is worth less), which
    ///         needs that collateral's price fresh (`StalePrice`; `maxRepay` 0 closes without seizing).
    ///         While the account holds any position, `marketId` must be one of them (`MustClosePosition`):
    ///         the close factor caps each call, and debt is repaid alone only once every position is closed. When the
    ///         account is left with nothing but debt, the shortfall is settled.
    /// @return closedSize Size closed (signed like the position).
    /// @return repaid Debt repaid by the caller.
    /// @return seized Collateral sent to the caller on `chainId`.
    function liquidate(address account, uint256 marketId, uint64 chainId, address token, uint256 maxRepay)
        external
        nonReentrant
        returns (int256 closedSize, uint256 repaid, uint256 seized)
    {
        bool full = _checkLiquidatable(account);
        uint256 price;
        (closedSize, price) = _closeForLiquidation(account, marketId, full);
        if (closedSize == 0 && !_isFlat(account)) revert MustClosePosition(account, marketId);
        bytes32 messageId;
        (repaid, seized, messageId) = _repayAndSeize(account, chainId, token, maxRepay, full);
        if (closedSize == 0 && repaid == 0) revert NothingToLiquidate(account);
        emit Liquidated(account, msg.sender, marketId, closedSize, price, chainId, token, repaid, seized, messageId);
        if (cashOf[account] < 0 && _isEmpty(account)) _settleShortfall(account);
    }

    /// @notice Settles the debt of an account that holds nothing else (no position, no collateral worth
    ///         the dust floor): the insurance fund covers what it can, the rest is recorded as bad debt,
    ///         and the dust goes to the engine's own account. Anyone may call it.
    function settleShortfall(address account) external nonReentrant {
        if (cashOf[account] >= 0 || !_isEmpty(account)) revert NoShortfall(account);
        _settleShortfall(account);
    }

    /// @dev Reverts unless the account may be liquidated; returns whether the liquidation is full.
    function _checkLiquidatable(address account) private view returns (bool full) {
        AccountState memory state = _state(account);
        uint256 threshold = state.stalePosition ? riskParams.staleLiquidationHealth : WAD;
        if (state.liquidationHealth >= threshold) revert AccountHealthy(account, state.liquidationHealth, threshold);
        full = state.liquidationHealth < riskParams.fullLiquidationHealth;
    }

    function _closeForLiquidation(address account, uint256 marketId, bool full)
        private
        returns (int256 closed, uint256 price)
    {
        Market storage market = _market(marketId);
        Position storage position = _positions[account][marketId];
        int256 size = position.size;
        if (size == 0) return (0, 0);
        (price,) = _price(market.asset);
        closed = size / 2;
        if (full || closed == 0 || _abs(size - closed) * price / WAD < riskParams.dustFloor) closed = size;
        int256 realised = closed * (int256(price) - int256(position.entryPrice)) / int256(WAD);
        position.size = size - closed;
        if (position.size == 0) position.entryPrice = 0;
        cashOf[account] += realised;
        emit PositionModified(account, marketId, -closed, position.size, position.entryPrice, price, realised);
    }

    function _repayAndSeize(address account, uint64 chainId, address token, uint256 maxRepay, bool full)
        private
        returns (uint256 repaid, uint256 seized, bytes32 messageId)
    {
        int256 cash = cashOf[account];
        if (cash >= 0 || maxRepay == 0) return (0, 0, bytes32(0));
        uint256 debt = uint256(-cash);
        repaid = full || debt - debt / 2 < riskParams.dustFloor ? debt : debt / 2;
        if (repaid > maxRepay) repaid = maxRepay;
        uint256 available = collateralOf[account][chainId][token];
        (repaid, seized) = _seizure(_collateral(chainId, token), available, repaid);
        if (repaid == 0 || seized == 0) return (0, 0, bytes32(0));
        collateralOf[account][chainId][token] = available - seized;
        cashOf[account] = cash + int256(repaid);
        _pullExact(settlementToken, repaid);
        messageId = _pay(MarginMessages.SEIZE, msg.sender, msg.sender, chainId, token, seized);
    }

    /// @dev What `repaid` buys of a collateral: its value plus the bonus, or all of it and what it covers.
    ///      Only at a fresh price (delisted collateral included, whose staleness no valuation notices): at
    ///      a stale one the keeper or the account would be paid the gap to the real price.
    function _seizure(Collateral memory entry, uint256 available, uint256 repaid)
        private
        view
        returns (uint256, uint256 seized)
    {
        (uint256 price, bool stale) = _price(entry.asset);
        if (stale) revert StalePrice(entry.asset);
        uint256 unit = 10 ** entry.decimals;
        seized = repaid * (BPS + entry.bonusBps) / BPS * unit / price;
        if (seized < available) return (repaid, seized);
        return (available * price / unit * BPS / (BPS + entry.bonusBps), available);
    }

    function _settleShortfall(address account) private {
        _sweepDust(account);
        uint256 debt = uint256(-cashOf[account]);
        uint256 covered = debt < insuranceFund ? debt : insuranceFund;
        insuranceFund -= covered;
        badDebt += debt - covered;
        cashOf[account] = 0;
        emit ShortfallSettled(account, covered, debt - covered);
    }

    /// @dev Moves what collateral is left (dust, see `_isEmpty`) to the engine's own account: the debt it
    ///      did not pay is being covered, so its owner must not take it back.
    function _sweepDust(address account) private {
        for (uint256 i = 0; i < _collaterals.length; i++) {
            Collateral storage entry = _collaterals[i];
            uint256 amount = collateralOf[account][entry.chainId][entry.token];
            if (amount == 0) continue;
            collateralOf[account][entry.chainId][entry.token] = 0;
            collateralOf[address(this)][entry.chainId][entry.token] += amount;
            emit DustSwept(account, entry.chainId, entry.token, amount);
        }
    }

    // ------------------------------------------------------------------- helpers

    /// @dev Pays `receiver` on `chainId` through its vault: directly on the hub, else by message, keeping
    ///      what to credit back (to `creditBack`) should the message expire.
    function _pay(uint8 kind, address creditBack, address receiver, uint64 chainId, address token, uint256 amount)
        private
        returns (bytes32 messageId)
    {
        if (chainId == block.chainid) {
            vault.payFromEngine(kind, receiver, token, amount);
            return bytes32(0);
        }
        if (!vaultChain[chainId]) revert UnknownVaultChain(chainId);
        messageId = outbox.send(
            chainId,
            address(vault),
            MarginMessages.encode(kind, receiver, token, amount),
            MarginMessages.GAS_LIMIT,
            uint64(block.timestamp + MarginMessages.TTL)
        );
        payouts[messageId] = Payout(creditBack, chainId, token, amount, false);
    }

    /// @dev No pinned price: every asset at the oracle's latest.
    function _latestPrices() private pure returns (PinnedPrice memory) {
        return PinnedPrice(bytes32(0), 0);
    }

    function _requireInitialMargin(address account, PinnedPrice memory pin) private view {
        AccountState memory state = _stateWith(account, pin);
        if (state.stale) revert StalePrice(state.staleAsset);
        if (state.equity < 0 || uint256(state.equity) < state.initialRequirement) {
            revert InsufficientMargin(state.equity, state.initialRequirement);
        }
    }

    /// @dev Whether the account has no open position.
    function _isFlat(address account) private view returns (bool) {
        for (uint256 i = 0; i < _markets.length; i++) {
            if (_positions[account][i].size != 0) return false;
        }
        return true;
    }
}
