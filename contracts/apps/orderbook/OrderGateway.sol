// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";
import {IVerifier} from "../../interfaces/IVerifier.sol";
import {Inbox} from "../../messaging/Inbox.sol";
import {Outbox} from "../../messaging/Outbox.sol";
import {SafePayments} from "../SafePayments.sol";
import {OrderMessages} from "./OrderMessages.sol";

/// @title OrderGateway
/// @notice One rollup's door to the unified order book, at the same address on every rollup. It escrows
///         what a limit order can spend (a buy: amount x price in the quote token; a sell: the base amount)
///         and settles the fills an off-chain matcher submits in strictly sequential batches, checking
///         every fill against its own orders: the price within the limit, the quantity within what
///         remains, the order not cancelled, the batch the next one. A fill whose counterparty lives on
///         another rollup reserves this order's leg and asks the counterparty's gateway, which checks its
///         order the same way, pays its leg to this order's owner there and answers; the answer pays the
///         reserved leg here (or, refused or expired, releases it). Neither leg pays without the other's
///         checks. The owner can cancel at any time, on this rollup alone, in two steps (no "last look"):
///         `requestCancel` takes the order out of matching at once (no fill created more than
///         `clockSkew` later takes it), and `completeCancel` (anyone, after `cancelDelay` = `fillTtl` + `clockSkew`) pays back everything not
///         reserved; fills created before the request and delivered meanwhile are honoured, and a reserved
///         part comes back once its fill is answered or expired.
///         Sealed orders: a commitment (hiding side, price and amount) with deposits made during a round's
///         commit window, revealed in the reveal window that follows, and filled only by the matcher's
///         auction batches for that round, at one clearing price, once the reveal window has closed.
/// @dev Order ids are `chainId << 64 | sequence`, so every gateway knows where an order lives. Prices
///      are quote units per whole base unit x 1e18; a fill of `amount` base at `price` moves exactly
///      `amount x price / 1e18` quote: a fill for which that is not a whole number is refused (`InexactFill`),
///      so no seller is paid below its limit through rounding (the TypeScript twin is `src/protocol/orderbook.ts`).
contract OrderGateway is IMessageRecipient, Ownable, ReentrancyGuard, SafePayments {
    using SafeERC20 for IERC20;

    uint256 public constant PRICE_SCALE = 1e18;
    /// @notice Most fills one batch may carry (bounds a batch's gas).
    uint256 public constant MAX_FILLS = 64;
    /// @dev `_refusal`'s creation time of a fill created here, now (after any cancel request here).
    uint64 private constant NOW = type(uint64).max;
    /// @notice Longest `cancelDelay` (`fillTtl + clockSkew`) a gateway may have: a cancel always completes.
    uint64 public constant MAX_CANCEL_DELAY = 30 days;

    struct Market {
        address base;
        address quote;
    }

    struct Order {
        address owner;
        bytes32 marketId;
        bool isBuy;
        bool cancelled;
        /// @notice The limit: most a buy pays, least a sell takes (quote per whole base x 1e18).
        uint256 price;
        /// @notice Base units to buy or sell.
        uint256 amount;
        /// @notice Base units settled.
        uint256 filled;
        /// @notice Base units in fills waiting for the counterparty's answer.
        uint256 reserved;
        /// @notice Tokens still held for this order (quote for a buy, base for a sell).
        uint256 escrow;
        /// @notice 0 for the continuous book; a revealed sealed order's round + 1 (filled only by its auction).
        uint64 auction;
        /// @notice A buy's quote its reserved fills may still pay (the sum of their exact quotes): what a
        ///         cancel keeps in escrow for them.
        uint256 reservedQuote;
        /// @notice When the owner asked to cancel (this rollup's clock; 0: never): from then on no fill created
        ///         later takes the order; `cancelled` once the cancel completed.
        uint64 cancelRequestedAt;
    }

    /// @notice A sealed order before its reveal: who committed, when, and what it deposited (no side,
    ///         price or amount).
    struct Sealed {
        address owner;
        bytes32 marketId;
        uint64 round;
        bool settled;
        bytes32 commitment;
        uint256 baseDeposit;
        uint256 quoteDeposit;
    }

    /// @notice One fill of a batch: `order` (on this rollup) trades `amount` base at `price` with `counter`.
    struct Fill {
        uint256 order;
        uint256 counter;
        uint256 price;
        uint256 amount;
    }

    /// @notice A reserved leg waiting for the counterparty gateway's answer, keyed by the fill message id.
    struct PendingFill {
        uint256 order;
        uint256 counter;
        uint64 counterChain;
        uint256 price;
        uint256 amount;
    }

    Outbox public immutable outbox;
    address public immutable inbox;
    /// @notice Seconds a fill message stays deliverable; after that its expiry notice releases the leg.
    uint64 public immutable fillTtl;
    /// @notice Most seconds any peer rollup's clock may differ from this one's: a fill created on a peer
    ///         at most this much after a cancel request here (by the two clocks) may still be from before it.
    uint64 public immutable clockSkew;
    /// @notice Seconds between a cancel request and its completion: `fillTtl + clockSkew`, so every fill
    ///         message created before the request has been delivered or expired by then (enforced here,
    ///         not configured apart: a fill's deadline is its creation + `fillTtl` on its sender's clock).
    uint64 public immutable cancelDelay;
    /// @notice Seconds of each sealed-order round's commit window (round r: [r x period, (r + 1) x period)).
    uint64 public immutable auctionPeriod;
    /// @notice Seconds of the reveal window that follows each commit window.
    uint64 public immutable revealPeriod;

    /// @notice The only account that may submit fill batches.
    address public matcher;
    /// @notice The id the next batch must carry.
    uint64 public nextBatchId;
    /// @notice Orders placed here so far (the last sequence number).
    uint64 public orderCount;

    mapping(bytes32 marketId => Market) public markets;
    /// @notice Rollups whose gateway (this address there) may send fills here.
    mapping(uint64 chainId => bool) public peerChain;
    mapping(uint256 orderId => Order) private _orders;
    mapping(bytes32 fillMessageId => PendingFill) public pendingFills;
    /// @notice Tokens owed to receivers whose payout the token refused; pulled with `claimOwedTokens`.
    mapping(address receiver => mapping(address token => uint256)) public owedTokens;
    /// @notice Sealed orders committed here so far.
    uint64 public sealedCount;
    mapping(uint256 sealedId => Sealed) public sealedOrders;
    /// @notice The least base amount an order of a market may have (0: none); set by the owner.
    mapping(bytes32 marketId => uint256) public minAmount;
    /// @notice The clearing price of a market's auction in a round, fixed by its first fill here.
    mapping(bytes32 marketId => mapping(uint64 round => uint256)) public clearingPrice;

    event MarketListed(bytes32 indexed marketId, address base, address quote);
    event PeerSet(uint64 indexed chainId, bool trusted);
    event MatcherSet(address indexed matcher);
    event MinAmountSet(bytes32 indexed marketId, uint256 minAmount);
    event OrderPlaced(
        uint256 indexed orderId,
        address indexed owner,
        bytes32 indexed marketId,
        bool isBuy,
        uint256 price,
        uint256 amount,
        uint256 escrow,
        uint64 auction
    );
    /// @notice A sealed order: only its deposits are public until it is revealed.
    event SealedCommitted(
        uint256 indexed sealedId, address indexed owner, bytes32 indexed marketId, uint64 round, uint256 baseDeposit, uint256 quoteDeposit
    );
    event SealedRevealed(uint256 indexed sealedId, uint256 indexed orderId);
    /// @notice An unrevealed sealed order's deposits went back to its owner after the reveal window.
    event SealedWithdrawn(uint256 indexed sealedId);
    /// @notice The owner cancelled; `refund` (the escrow less what its reserved fills may still pay) went
    ///         back to it. The kept part pays a later CONFIRM or goes back on a REJECT or expiry.
    event Cancelled(uint256 indexed orderId, uint256 refund);
    /// @notice The owner asked to cancel: the order takes no fill created from now on; `completeCancel`
    ///         pays its escrow back from `effectiveAt` (fills created before the request still settle).
    event CancelRequested(uint256 indexed orderId, uint64 requestedAt, uint64 effectiveAt);
    /// @notice A batch landed; `fills` counts every fill it carried, skipped ones too.
    event BatchSettled(uint64 indexed batchId, uint256 fills);
    /// @notice Fill `index` of batch `batchId` did not settle: `order` refused it for a reason its trader can
    ///         cause (cancelled, unknown, not enough remaining; `reason` is the error selector). Nothing of
    ///         it moved; the batch's other fills settle.
    event FillSkipped(uint64 indexed batchId, uint256 index, uint256 indexed order, bytes4 reason);
    /// @notice A fill's leg here is reserved and its message (`fillId`) is on its way to the counterparty.
    event FillReserved(
        bytes32 indexed fillId, uint64 indexed batchId, uint256 indexed order, uint256 counter, uint256 price, uint256 amount
    );
    /// @notice `order` settled `amount` at `price` against `counter`: `paid` of `token` went to `receiver`.
    event OrderFilled(
        bytes32 indexed fillId,
        uint256 indexed order,
        uint256 indexed counter,
        uint256 price,
        uint256 amount,
        address receiver,
        address token,
        uint256 paid
    );
    /// @notice The counterparty order here refused a fill from another rollup; `reason` is the error selector.
    event FillRejected(bytes32 indexed fillId, uint256 indexed order, bytes4 reason);
    /// @notice A reserved leg was released unpaid: the counterparty refused (`reason`), or the fill expired
    ///         (`reason` is the Inbox's EXPIRY_NOTICE).
    event FillReleased(bytes32 indexed fillId, uint256 indexed order, bytes4 reason);
    /// @notice Escrow went back to the owner: a fully filled order's leftover (a buy's price improvement), or
    ///         a cancelled order's part that a released fill no longer holds.
    event EscrowRefunded(uint256 indexed orderId, uint256 amount);
    event PayoutOwed(address indexed receiver, address indexed token, uint256 amount, bytes reason);
    event OwedTokensClaimed(address indexed receiver, address indexed token, uint256 amount);

    /// @notice Only the matcher submits batches.
    error NotMatcher(address caller);
    /// @notice The batch id is not the next one (a replay, or a batch skipped).
    error BatchOutOfOrder(uint64 expected, uint64 got);
    /// @notice A batch carries no fill, or more than MAX_FILLS.
    error BatchSize(uint256 fills);
    /// @notice The fill's first order does not live on this rollup.
    error NotLocalOrder(uint256 orderId);
    /// @notice No order has this id here.
    error UnknownOrder(uint256 orderId);
    /// @notice The order was cancelled.
    error OrderCancelled(uint256 orderId);
    /// @notice The owner asked to cancel the order at `requestedAt`: a fill created after that is refused.
    error CancelPending(uint256 orderId, uint64 requestedAt);
    /// @notice No cancel was requested for the order: `requestCancel` first.
    error CancelNotRequested(uint256 orderId);
    /// @notice The cancel completes only from `effectiveAt` (fills created before the request may still
    ///         be delivered until then).
    error CancelNotEffective(uint256 orderId, uint256 effectiveAt);
    /// @notice `fillTtl + clockSkew` exceeds MAX_CANCEL_DELAY.
    error CancelDelayTooLong(uint256 cancelDelay, uint256 max);
    /// @notice The fill's price is worse than the order's limit.
    error LimitPriceViolated(uint256 orderId, uint256 limit, uint256 price);
    /// @notice The fill's amount exceeds what remains of the order (unfilled and unreserved).
    error QuantityExceedsRemaining(uint256 orderId, uint256 available, uint256 amount);
    /// @notice The two orders are of another market.
    error MarketMismatch(uint256 orderId, bytes32 marketId);
    /// @notice The two orders are on the same side.
    error SameSide(uint256 orderId);
    /// @notice A zero amount or price.
    error ZeroAmount();
    /// @notice The order is smaller than its market's minimum (dust costs the matcher a fill each).
    error OrderTooSmall(uint256 amount, uint256 minAmount);
    /// @notice No market with this id is listed here.
    error UnknownMarket(bytes32 marketId);
    /// @notice A market id is listed once, for good (its tokens back escrows).
    error MarketExists(bytes32 marketId);
    /// @notice The counterparty's rollup is not a peer of this gateway.
    error UnknownPeer(uint64 chainId);
    /// @notice Messages come from the Inbox only.
    error NotInbox(address caller);
    /// @notice A message from anything but this gateway on a peer rollup (or the Inbox's notice).
    error UntrustedSender(uint64 sourceChainId, address sender);
    /// @notice The body is no order message.
    error UnknownKind(uint8 kind);
    /// @notice No reserved leg waits for this fill message (from that rollup).
    error UnknownFill(bytes32 fillId);
    /// @notice Only the order's owner cancels it.
    error NotOrderOwner(uint256 orderId, address caller);
    /// @notice The order is completely filled: nothing is left to cancel.
    error OrderComplete(uint256 orderId);
    /// @notice Nothing of this token is owed to the caller.
    error NothingOwedHere(address receiver, address token);
    /// @notice Only this contract calls it (to try a payout without failing the message).
    error OnlySelf(address caller);
    /// @notice A sealed order filled outside its round's auction, or a continuous order in an auction.
    error WrongAuction(uint256 orderId, uint64 auction);
    /// @notice The round's reveal window has not closed: its auction cannot clear yet.
    error AuctionNotClosed(uint64 round, uint256 revealEnd);
    /// @notice An auction fill at another price than the batch's clearing price, or a round's second price.
    error NotClearingPrice(uint64 round, uint256 clearingPrice, uint256 price);
    /// @notice Reveals are taken only in the round's reveal window (`opens` .. `closes`).
    error RevealWindowClosed(uint256 sealedId, uint256 opens, uint256 closes);
    /// @notice The revealed order does not hash to the commitment.
    error CommitmentMismatch(uint256 sealedId);
    /// @notice The revealed order needs more than was deposited.
    error SealedOrderUnfunded(uint256 sealedId, uint256 needed, uint256 deposited);
    /// @notice The sealed order was revealed or withdrawn already, or does not exist.
    error SealedOrderClosed(uint256 sealedId);
    /// @notice An auction order can be cancelled once its auction had a round's time to clear.
    error AuctionPending(uint256 orderId, uint256 cancellableAt);
    /// @notice `amount x price / 1e18` is not a whole number of quote units: rounding would pay the seller
    ///         below the fill's price (the matcher rounds fills to the price's lot, `1e18 / gcd(price, 1e18)`).
    error InexactFill(uint256 amount, uint256 price);

    constructor(
        address initialOwner,
        Outbox outbox_,
        address inbox_,
        address matcher_,
        uint64 fillTtl_,
        uint64 clockSkew_,
        uint64 auctionPeriod_,
        uint64 revealPeriod_
    ) Ownable(initialOwner) {
        outbox = outbox_;
        inbox = inbox_;
        matcher = matcher_;
        // A zero TTL would make every cross-rollup fill's message expire at once (its batch reverts).
        if (fillTtl_ == 0) revert ZeroAmount();
        fillTtl = fillTtl_;
        clockSkew = clockSkew_;
        uint256 delay = uint256(fillTtl_) + clockSkew_;
        if (delay > MAX_CANCEL_DELAY) revert CancelDelayTooLong(delay, MAX_CANCEL_DELAY);
        cancelDelay = uint64(delay);
        if (auctionPeriod_ == 0) revert ZeroAmount();
        auctionPeriod = auctionPeriod_;
        revealPeriod = revealPeriod_;
        emit MatcherSet(matcher_);
    }

    // ------------------------------------------------------------------ owner

    /// @notice Lists a market: `base` priced in `quote`. Once listed its tokens never change.
    function listMarket(bytes32 marketId, address base, address quote) external onlyOwner {
        if (markets[marketId].base != address(0)) revert MarketExists(marketId);
        if (base == address(0) || quote == address(0) || base == quote) revert UnknownMarket(marketId);
        markets[marketId] = Market(base, quote);
        emit MarketListed(marketId, base, quote);
    }

    /// @notice Trusts (or stops trusting) fills from this gateway's address on `chainId`.
    function setPeer(uint64 chainId, bool trusted) external onlyOwner {
        peerChain[chainId] = trusted;
        emit PeerSet(chainId, trusted);
    }

    /// @notice Sets the least base amount of a new order of `marketId` (orders placed before keep theirs).
    function setMinAmount(bytes32 marketId, uint256 minAmount_) external onlyOwner {
        _market(marketId);
        minAmount[marketId] = minAmount_;
        emit MinAmountSet(marketId, minAmount_);
    }

    /// @notice Names the matcher. It can only propose fills; every fill is checked here.
    function setMatcher(address matcher_) external onlyOwner {
        matcher = matcher_;
        emit MatcherSet(matcher_);
    }

    /// @notice Chooses the trust path of messages from `sourceChainId` (fills, answers, notices).
    function chooseVerifier(uint64 sourceChainId, IVerifier verifier) external onlyOwner {
        Inbox(inbox).setVerifier(sourceChainId, verifier);
    }

    // ----------------------------------------------------------------- traders

    /// @notice Places a limit order and escrows what it can spend: a buy `amount x price / 1e18` quote
    ///         (rounded up), a sell `amount` base. The caller approved this gateway for it.
    /// @return orderId `block.chainid << 64 | sequence`.
    function place(bytes32 marketId, bool isBuy, uint256 price, uint256 amount)
        external
        nonReentrant
        returns (uint256 orderId)
    {
        Market memory market = _market(marketId);
        uint256 escrow;
        (orderId, escrow) = _create(marketId, isBuy, price, amount, 0);
        _pullExact(IERC20(isBuy ? market.quote : market.base), escrow);
    }

    /// @notice Commits a sealed order for the current round: `commitment` is
    ///         `keccak256(abi.encode(chainId, this gateway, owner, marketId, isBuy, price, amount, salt))`,
    ///         and the deposits must cover it (deposit both tokens to hide the side). Revealed in the reveal
    ///         window that follows this round's commit window; filled only by the round's auction.
    function commitSealed(bytes32 marketId, bytes32 commitment, uint256 baseDeposit, uint256 quoteDeposit)
        external
        nonReentrant
        returns (uint256 sealedId)
    {
        Market memory market = _market(marketId);
        if (baseDeposit == 0 && quoteDeposit == 0) revert ZeroAmount();
        uint64 round = uint64(block.timestamp / auctionPeriod);
        sealedId = (block.chainid << 64) | ++sealedCount;
        sealedOrders[sealedId] = Sealed(msg.sender, marketId, round, false, commitment, baseDeposit, quoteDeposit);
        emit SealedCommitted(sealedId, msg.sender, marketId, round, baseDeposit, quoteDeposit);
        if (baseDeposit > 0) _pullExact(IERC20(market.base), baseDeposit);
        if (quoteDeposit > 0) _pullExact(IERC20(market.quote), quoteDeposit);
    }

    /// @notice Reveals a sealed order in its reveal window: it becomes an order of its round's auction,
    ///         escrowing what it needs from the deposits; the rest of the deposits goes back at once.
    function revealSealed(uint256 sealedId, bool isBuy, uint256 price, uint256 amount, bytes32 salt)
        external
        nonReentrant
        returns (uint256 orderId)
    {
        Sealed storage commit = sealedOrders[sealedId];
        if (commit.owner == address(0) || commit.settled) revert SealedOrderClosed(sealedId);
        if (commit.owner != msg.sender) revert NotOrderOwner(sealedId, msg.sender);
        uint256 opens = (uint256(commit.round) + 1) * auctionPeriod;
        if (block.timestamp < opens || block.timestamp >= opens + revealPeriod) {
            revert RevealWindowClosed(sealedId, opens, opens + revealPeriod);
        }
        bytes32 expected =
            keccak256(abi.encode(block.chainid, address(this), msg.sender, commit.marketId, isBuy, price, amount, salt));
        if (expected != commit.commitment) revert CommitmentMismatch(sealedId);
        commit.settled = true;
        uint256 escrow;
        (orderId, escrow) = _create(commit.marketId, isBuy, price, amount, commit.round + 1);
        uint256 deposited = isBuy ? commit.quoteDeposit : commit.baseDeposit;
        if (escrow > deposited) revert SealedOrderUnfunded(sealedId, escrow, deposited);
        emit SealedRevealed(sealedId, orderId);
        Market memory market = markets[commit.marketId];
        uint256 baseBack = isBuy ? commit.baseDeposit : commit.baseDeposit - escrow;
        uint256 quoteBack = isBuy ? commit.quoteDeposit - escrow : commit.quoteDeposit;
        if (baseBack > 0) IERC20(market.base).safeTransfer(msg.sender, baseBack);
        if (quoteBack > 0) IERC20(market.quote).safeTransfer(msg.sender, quoteBack);
    }

    /// @notice Returns an unrevealed sealed order's deposits to its owner once its reveal window closed.
    function withdrawSealed(uint256 sealedId) external nonReentrant {
        Sealed storage commit = sealedOrders[sealedId];
        if (commit.owner == address(0) || commit.settled) revert SealedOrderClosed(sealedId);
        if (commit.owner != msg.sender) revert NotOrderOwner(sealedId, msg.sender);
        uint256 closes = (uint256(commit.round) + 1) * auctionPeriod + revealPeriod;
        if (block.timestamp < closes) revert AuctionNotClosed(commit.round, closes);
        commit.settled = true;
        emit SealedWithdrawn(sealedId);
        Market memory market = markets[commit.marketId];
        if (commit.baseDeposit > 0) IERC20(market.base).safeTransfer(msg.sender, commit.baseDeposit);
        if (commit.quoteDeposit > 0) IERC20(market.quote).safeTransfer(msg.sender, commit.quoteDeposit);
    }

    /// @notice Asks to cancel the caller's order, at any time: from now on no batch here takes it and the
    ///         matcher drops it from its book; a fill message created on a peer more than `clockSkew` after
    ///         this (by the two clocks, the sender's taken as no later than the delivery) is rejected. Fills created before
    ///         still settle when delivered: a remote maker cannot back out of a fill in flight ("last look").
    ///         `completeCancel` pays the escrow back from `effectiveAt` = now + `cancelDelay` + 1.
    function requestCancel(uint256 orderId) external nonReentrant {
        Order storage order = _orders[orderId];
        if (order.owner == address(0)) revert UnknownOrder(orderId);
        if (order.owner != msg.sender) revert NotOrderOwner(orderId, msg.sender);
        if (order.cancelled) revert OrderCancelled(orderId);
        if (order.cancelRequestedAt != 0) revert CancelPending(orderId, order.cancelRequestedAt);
        if (order.filled == order.amount) revert OrderComplete(orderId);
        if (order.auction != 0) {
            // A revealed order stays in its auction until the auction had one more round to clear: backing
            // out after seeing the other reveals is not an option the auction gives.
            uint256 cancellableAt = _revealEnd(order.auction - 1) + auctionPeriod;
            if (block.timestamp < cancellableAt) revert AuctionPending(orderId, cancellableAt);
        }
        uint64 requestedAt = uint64(block.timestamp);
        order.cancelRequestedAt = requestedAt;
        emit CancelRequested(orderId, requestedAt, requestedAt + cancelDelay + 1);
    }

    /// @notice Completes a requested cancel once `cancelDelay` has passed (anyone may call it; the owner is
    ///         paid): every fill message created before the request has been delivered (and honoured) or
    ///         has expired. Pays back the escrow except what the order's own reserved fills may still pay
    ///         (a sell: the reserved base; a buy: their exact quote); that part pays the counterparty on a
    ///         CONFIRM, or comes back on a REJECT or the fill's expiry. The escape hatch needs nobody but
    ///         this rollup for everything unreserved.
    function completeCancel(uint256 orderId) external nonReentrant {
        Order storage order = _orders[orderId];
        if (order.owner == address(0)) revert UnknownOrder(orderId);
        if (order.cancelled) revert OrderCancelled(orderId);
        if (order.cancelRequestedAt == 0) revert CancelNotRequested(orderId);
        uint256 effectiveAt = uint256(order.cancelRequestedAt) + cancelDelay + 1;
        if (block.timestamp < effectiveAt) revert CancelNotEffective(orderId, effectiveAt);
        order.cancelled = true;
        uint256 refund = order.escrow - _keptFor(order);
        order.escrow -= refund;
        emit Cancelled(orderId, refund);
        _payOrOwe(order.owner, _escrowToken(order), refund);
    }

    /// @notice Pays the caller what a refused payout left owed to it in `token`.
    function claimOwedTokens(address token) external nonReentrant {
        uint256 amount = owedTokens[msg.sender][token];
        if (amount == 0) revert NothingOwedHere(msg.sender, token);
        owedTokens[msg.sender][token] = 0;
        emit OwedTokensClaimed(msg.sender, token, amount);
        IERC20(token).safeTransfer(msg.sender, amount);
    }

    // ----------------------------------------------------------------- matcher

    /// @notice Settles batch `batchId` (exactly `nextBatchId`): each fill's first order must live here and
    ///         pass every check. A refusal the traders can cause (an order cancelled or unknown, or without
    ///         enough remaining) skips that fill (`FillSkipped`); any other (a limit, a side, a market, the
    ///         order not local, an inexact quote) reverts the whole batch by name. A counterparty here settles
    ///         at once; one on another rollup gets a fill message and this order's leg stays reserved
    ///         until its gateway answers.
    function settle(uint64 batchId, Fill[] calldata fills) external nonReentrant {
        _startBatch(batchId, fills.length);
        for (uint256 i = 0; i < fills.length; i++) {
            _settleOne(batchId, i, fills[i], 0);
        }
        emit BatchSettled(batchId, fills.length);
    }

    /// @notice Settles batch `batchId` of round `round`'s sealed-order auction in `marketId`: every fill at
    ///         `price`, the round's one clearing price for the market (fixed here by its first fill), only
    ///         once its reveal window has closed, only between orders revealed into that round. Otherwise as
    ///         `settle`.
    function settleAuction(uint64 batchId, bytes32 marketId, uint64 round, uint256 price, Fill[] calldata fills)
        external
        nonReentrant
    {
        _startBatch(batchId, fills.length);
        _requireAccepted(_clearingRefusal(marketId, round, price));
        clearingPrice[marketId][round] = price;
        for (uint256 i = 0; i < fills.length; i++) {
            if (fills[i].price != price) revert NotClearingPrice(round, price, fills[i].price);
            bytes32 orderMarket = _orders[fills[i].order].marketId;
            if (orderMarket != marketId) revert MarketMismatch(fills[i].order, marketId);
            _settleOne(batchId, i, fills[i], round + 1);
        }
        emit BatchSettled(batchId, fills.length);
    }

    // ---------------------------------------------------------------- messages

    /// @inheritdoc IMessageRecipient
    /// @dev A fill from a peer gateway checks the order here and answers either way (a refusal must not
    ///      fail the message, or the reserved leg would wait for its expiry); an answer or the Inbox's
    ///      expiry notice settles or releases the reserved leg.
    function handle(uint64 sourceChainId, address sender, bytes calldata body) external nonReentrant {
        if (msg.sender != inbox) revert NotInbox(msg.sender);
        // The Inbox has the same address on every rollup: a message from it is an expiry notice.
        if (sender == inbox) {
            (, bytes32 expired) = abi.decode(body, (bytes4, bytes32));
            return _release(sourceChainId, expired, Inbox(inbox).EXPIRY_NOTICE());
        }
        if (sender != address(this)) revert UntrustedSender(sourceChainId, sender);
        uint8 kind = OrderMessages.kindOf(body);
        if (kind == OrderMessages.FILL) {
            if (!peerChain[sourceChainId]) revert UntrustedSender(sourceChainId, sender);
            _receiveFill(sourceChainId, body);
        } else if (kind == OrderMessages.CONFIRM || kind == OrderMessages.REJECT) {
            (, bytes32 fillId, bytes4 reason, address receiver) =
                abi.decode(body, (uint8, bytes32, bytes4, address));
            if (kind == OrderMessages.REJECT) return _release(sourceChainId, fillId, reason);
            PendingFill memory pending = _takePending(sourceChainId, fillId);
            _fillLeg(pending.order, pending.counter, receiver, pending.price, pending.amount, fillId, true);
        } else {
            revert UnknownKind(kind);
        }
    }

    /// @dev Called through an external call by `_payOrOwe`, so a refusal can be caught.
    function payFromHandler(address receiver, address token, uint256 amount) external {
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        IERC20(token).safeTransfer(receiver, amount);
    }

    // ------------------------------------------------------------------- views

    function orderOf(uint256 orderId) external view returns (Order memory) {
        return _orders[orderId];
    }

    /// @notice Base units of the order a fill may still take (zero once cancelled).
    function availableOf(uint256 orderId) public view returns (uint256) {
        Order storage order = _orders[orderId];
        if (order.cancelled || order.cancelRequestedAt != 0) return 0;
        return order.amount - order.filled - order.reserved;
    }

    /// @notice Quote units a fill of `amount` base at `price` moves (rounded down; settled fills are exact).
    function quoteFor(uint256 amount, uint256 price) public pure returns (uint256) {
        return Math.mulDiv(amount, price, PRICE_SCALE);
    }

    /// @notice The rollup an order lives on.
    function chainOf(uint256 orderId) public pure returns (uint64) {
        return uint64(orderId >> 64);
    }

    // ----------------------------------------------------------------- private

    function _startBatch(uint64 batchId, uint256 fills) private {
        if (msg.sender != matcher) revert NotMatcher(msg.sender);
        if (batchId != nextBatchId) revert BatchOutOfOrder(nextBatchId, batchId);
        if (fills == 0 || fills > MAX_FILLS) revert BatchSize(fills);
        nextBatchId = batchId + 1;
    }

    function _revealEnd(uint64 round) private view returns (uint256) {
        return (uint256(round) + 1) * auctionPeriod + revealPeriod;
    }

    /// @dev Empty when round `round` may clear at `price` here (reveal window closed; its first price or the
    ///      same one again), else the encoded refusal.
    function _clearingRefusal(bytes32 marketId, uint64 round, uint256 price) private view returns (bytes memory) {
        uint256 revealEnd = _revealEnd(round);
        if (block.timestamp < revealEnd) return abi.encodeWithSelector(AuctionNotClosed.selector, round, revealEnd);
        uint256 fixedPrice = clearingPrice[marketId][round];
        if (fixedPrice != 0 && fixedPrice != price) {
            return abi.encodeWithSelector(NotClearingPrice.selector, round, fixedPrice, price);
        }
        return "";
    }

    function _settleOne(uint64 batchId, uint256 index, Fill calldata fill, uint64 auction) private {
        if (chainOf(fill.order) != block.chainid) revert NotLocalOrder(fill.order);
        if (mulmod(fill.amount, fill.price, PRICE_SCALE) != 0) revert InexactFill(fill.amount, fill.price);
        Order storage order = _orders[fill.order];
        if (_skipped(batchId, index, fill.order, _refusal(fill.order, order.marketId, !order.isBuy, fill.price, fill.amount, auction, NOW))) {
            return;
        }
        uint64 counterChain = chainOf(fill.counter);
        if (counterChain == block.chainid) {
            Order storage counter = _orders[fill.counter];
            if (_skipped(batchId, index, fill.counter, _refusal(fill.counter, order.marketId, order.isBuy, fill.price, fill.amount, auction, NOW))) {
                return;
            }
            bytes32 fillId = keccak256(abi.encode(block.chainid, batchId, index));
            address orderOwner = order.owner;
            _fillLeg(fill.order, fill.counter, counter.owner, fill.price, fill.amount, fillId, false);
            _fillLeg(fill.counter, fill.order, orderOwner, fill.price, fill.amount, fillId, false);
            return;
        }
        if (!peerChain[counterChain]) revert UnknownPeer(counterChain);
        order.reserved += fill.amount;
        if (order.isBuy) order.reservedQuote += quoteFor(fill.amount, fill.price);
        bytes32 messageId = outbox.send(
            counterChain,
            address(this),
            OrderMessages.encodeFill(
                order.marketId,
                fill.order,
                order.owner,
                order.isBuy,
                fill.counter,
                fill.price,
                fill.amount,
                auction,
                uint64(block.timestamp)
            ),
            OrderMessages.FILL_GAS,
            uint64(block.timestamp) + fillTtl
        );
        pendingFills[messageId] = PendingFill(fill.order, fill.counter, counterChain, fill.price, fill.amount);
        emit FillReserved(messageId, batchId, fill.order, fill.counter, fill.price, fill.amount);
    }

    /// @dev The counterparty side of a cross-rollup fill: check the order here, pay its leg to the first
    ///      order's owner, and answer (confirm or reject) over a message that never expires.
    function _receiveFill(uint64 sourceChainId, bytes calldata body) private {
        // All fields are static, so the struct decodes the flat tuple `OrderMessages.encodeFill` wrote.
        OrderMessages.FillBody memory fill = abi.decode(body, (OrderMessages.FillBody));
        bytes32 fillId = Inbox(inbox).currentMessageId();
        // A fill delivered now was not created later than now: a peer clock running ahead cannot make a
        // fill created before a cancel request look created after it.
        uint64 createdAt = fill.createdAt < block.timestamp ? fill.createdAt : uint64(block.timestamp);
        bytes memory refusal = chainOf(fill.toOrder) == block.chainid
            ? _refusal(fill.toOrder, fill.marketId, fill.fromIsBuy, fill.price, fill.amount, fill.auction, createdAt)
            : abi.encodeWithSelector(NotLocalOrder.selector, fill.toOrder);
        if (refusal.length == 0 && mulmod(fill.amount, fill.price, PRICE_SCALE) != 0) {
            refusal = abi.encodeWithSelector(InexactFill.selector, fill.amount, fill.price);
        }
        // An auction fill also needs this rollup's reveal window closed and the round's one price.
        if (refusal.length == 0 && fill.auction != 0) {
            refusal = _clearingRefusal(fill.marketId, fill.auction - 1, fill.price);
            if (refusal.length == 0) clearingPrice[fill.marketId][fill.auction - 1] = fill.price;
        }
        bytes memory answer;
        if (refusal.length == 0) {
            _fillLeg(fill.toOrder, fill.fromOrder, fill.fromOwner, fill.price, fill.amount, fillId, false);
            answer = OrderMessages.encodeAnswer(OrderMessages.CONFIRM, fillId, bytes4(0), _orders[fill.toOrder].owner);
        } else {
            emit FillRejected(fillId, fill.toOrder, bytes4(refusal));
            answer = OrderMessages.encodeAnswer(OrderMessages.REJECT, fillId, bytes4(refusal), address(0));
        }
        outbox.send(sourceChainId, address(this), answer, OrderMessages.ANSWER_GAS, OrderMessages.NEVER_EXPIRES);
    }

    function _takePending(uint64 sourceChainId, bytes32 fillId) private returns (PendingFill memory pending) {
        pending = pendingFills[fillId];
        if (pending.amount == 0 || pending.counterChain != sourceChainId) revert UnknownFill(fillId);
        delete pendingFills[fillId];
    }

    /// @dev The counterparty refused, or the fill message expired undelivered: the leg is available again.
    function _release(uint64 sourceChainId, bytes32 fillId, bytes4 reason) private {
        PendingFill memory pending = _takePending(sourceChainId, fillId);
        Order storage order = _orders[pending.order];
        order.reserved -= pending.amount;
        if (order.isBuy) order.reservedQuote -= quoteFor(pending.amount, pending.price);
        emit FillReleased(fillId, pending.order, reason);
        // A cancelled order gets back what the released fill held.
        if (order.cancelled) _refundUnkept(pending.order, order);
    }

    /// @dev What a cancelled order's escrow must keep: what its reserved fills may still pay.
    function _keptFor(Order storage order) private view returns (uint256) {
        return order.isBuy ? order.reservedQuote : order.reserved;
    }

    /// @dev Pays a cancelled order's owner the escrow beyond what its reserved fills may still pay.
    function _refundUnkept(uint256 orderId, Order storage order) private {
        uint256 refund = order.escrow - _keptFor(order);
        if (refund == 0) return;
        order.escrow -= refund;
        emit EscrowRefunded(orderId, refund);
        _payOrOwe(order.owner, _escrowToken(order), refund);
    }

    /// @dev Settles `amount` of `orderId`: pays its leg from escrow to `receiver` (who traded with it) and
    ///      refunds what is left of the escrow once the order is complete.
    function _fillLeg(
        uint256 orderId,
        uint256 counter,
        address receiver,
        uint256 price,
        uint256 amount,
        bytes32 fillId,
        bool wasReserved
    ) private {
        Order storage order = _orders[orderId];
        uint256 paid = order.isBuy ? quoteFor(amount, price) : amount;
        if (wasReserved) {
            order.reserved -= amount;
            if (order.isBuy) order.reservedQuote -= paid;
        }
        order.filled += amount;
        // A buy's escrow covers the rest at its limit (escrow rounded up, fills rounded down, price <= limit).
        order.escrow -= paid;
        address token = _escrowToken(order);
        emit OrderFilled(fillId, orderId, counter, price, amount, receiver, token, paid);
        _payOrOwe(receiver, token, paid);
        if (order.cancelled) {
            // Only a reserved leg pays a cancelled order; the escrow kept for it is exact, nothing is left.
            _refundUnkept(orderId, order);
        } else if (order.filled == order.amount && order.escrow > 0) {
            uint256 leftover = order.escrow;
            order.escrow = 0;
            emit EscrowRefunded(orderId, leftover);
            _payOrOwe(order.owner, token, leftover);
        }
    }

    /// @dev Empty when `orderId` (here) accepts a fill of `amount` at `price` against an order of
    ///      `marketId` on side `counterIsBuy`, created at `createdAt` (a peer's clock; NOW for a fill created
    ///      here, in this block); otherwise the encoded error naming why not. After a cancel request only a
    ///      fill created on a peer at most `clockSkew` after it (by the two clocks) is taken.
    function _refusal(
        uint256 orderId,
        bytes32 marketId,
        bool counterIsBuy,
        uint256 price,
        uint256 amount,
        uint64 auction,
        uint64 createdAt
    ) private view returns (bytes memory) {
        Order storage order = _orders[orderId];
        if (order.owner == address(0)) return abi.encodeWithSelector(UnknownOrder.selector, orderId);
        if (order.cancelled) return abi.encodeWithSelector(OrderCancelled.selector, orderId);
        uint64 requestedAt = order.cancelRequestedAt;
        if (requestedAt != 0 && (createdAt == NOW || createdAt > uint256(requestedAt) + clockSkew)) {
            return abi.encodeWithSelector(CancelPending.selector, orderId, requestedAt);
        }
        if (order.auction != auction) return abi.encodeWithSelector(WrongAuction.selector, orderId, order.auction);
        if (order.marketId != marketId) return abi.encodeWithSelector(MarketMismatch.selector, orderId, marketId);
        if (order.isBuy == counterIsBuy) return abi.encodeWithSelector(SameSide.selector, orderId);
        if (order.isBuy ? price > order.price : price < order.price) {
            return abi.encodeWithSelector(LimitPriceViolated.selector, orderId, order.price, price);
        }
        if (amount == 0) return abi.encodeWithSelector(ZeroAmount.selector);
        uint256 available = order.amount - order.filled - order.reserved;
        if (amount > available) {
            return abi.encodeWithSelector(QuantityExceedsRemaining.selector, orderId, available, amount);
        }
        return "";
    }

    function _market(bytes32 marketId) private view returns (Market memory market) {
        market = markets[marketId];
        if (market.base == address(0)) revert UnknownMarket(marketId);
    }

    /// @dev Records a new order (its escrow is taken by the caller) and emits it.
    function _create(bytes32 marketId, bool isBuy, uint256 price, uint256 amount, uint64 auction)
        private
        returns (uint256 orderId, uint256 escrow)
    {
        if (price == 0 || amount == 0) revert ZeroAmount();
        if (amount < minAmount[marketId]) revert OrderTooSmall(amount, minAmount[marketId]);
        escrow = isBuy ? Math.mulDiv(amount, price, PRICE_SCALE, Math.Rounding.Ceil) : amount;
        orderId = (block.chainid << 64) | ++orderCount;
        _orders[orderId] = Order({
            owner: msg.sender,
            marketId: marketId,
            isBuy: isBuy,
            cancelled: false,
            price: price,
            amount: amount,
            filled: 0,
            reserved: 0,
            escrow: escrow,
            auction: auction,
            reservedQuote: 0,
            cancelRequestedAt: 0
        });
        emit OrderPlaced(orderId, msg.sender, marketId, isBuy, price, amount, escrow, auction);
    }

    /// @dev True (and `FillSkipped` emitted) when `refusal` is one a trader can cause; reverts with any other
    ///      refusal; false when there is none.
    function _skipped(uint64 batchId, uint256 index, uint256 orderId, bytes memory refusal) private returns (bool) {
        if (refusal.length == 0) return false;
        bytes4 reason = bytes4(refusal);
        if (
            reason != OrderCancelled.selector && reason != CancelPending.selector
                && reason != UnknownOrder.selector
                && reason != QuantityExceedsRemaining.selector
        ) _requireAccepted(refusal);
        emit FillSkipped(batchId, index, orderId, reason);
        return true;
    }

    function _requireAccepted(bytes memory refusal) private pure {
        if (refusal.length == 0) return;
        assembly {
            revert(add(refusal, 32), mload(refusal))
        }
    }

    function _escrowToken(Order storage order) private view returns (address) {
        Market storage market = markets[order.marketId];
        return order.isBuy ? market.quote : market.base;
    }

    /// @dev A payout the token refuses (a blocklisted receiver, a paused token) is owed, never a failed message.
    function _payOrOwe(address receiver, address token, uint256 amount) private {
        if (amount == 0) return;
        try this.payFromHandler(receiver, token, amount) {}
        catch (bytes memory reason) {
            owedTokens[receiver][token] += amount;
            emit PayoutOwed(receiver, token, amount, reason);
        }
    }
}
