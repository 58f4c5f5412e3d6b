// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title PriceOracle
/// @notice Prices of the margin engine's assets on the hub rollup, pushed by feeders the owner names.
///         Prices are USD per whole unit of the asset with 18 decimals (1e18 = $1): the engine's values,
///         PnL and requirements are all 18-decimal USD, so one scale avoids conversions and keeps
///         cheap assets precise (8 decimals would give a $0.0001 token four significant digits).
///         A price is stale once it is older than `maxAge`; the oracle still returns it (with the flag),
///         because the engine decides what a stale price may still be used for (liquidating a clearly
///         unhealthy account) and what not (new risk). Each update may move a price by at most
///         `maxDeviationBps` of the last one: the bound stops a fat finger (a decimal slip is a 10x
///         move) but lets a real crash through in one update. It is 50 %: a 30 % crash is one update, a
///         60 % one is two (0.5 x 0.8), while a 10x or 0.1x typo is refused. An asset moves at most once
///         per block: otherwise one batch naming it twice would chain the bound and move it anywhere.
///         Every update is kept as a numbered round (1, 2, …) with its block: the engine's delayed orders
///         execute at the first round published in a block after their request, a price nobody could
///         know when the order was made (timestamps repeat within a second, block numbers do not).
contract PriceOracle is Ownable {
    /// @notice The latest price of an asset, when it was set and in which block (one update per block).
    struct PricePoint {
        uint128 price;
        uint64 updatedAt;
        uint64 updatedBlock;
    }

    uint256 public constant BPS = 10_000;
    /// @notice Largest move one update may make, in basis points of the last price (see the title).
    uint256 public constant maxDeviationBps = 5_000;

    /// @notice Seconds after which a price is stale.
    uint64 public maxAge;
    mapping(address feeder => bool) public isFeeder;
    /// @notice The number of the asset's latest round (0: never priced).
    mapping(bytes32 asset => uint64) public latestRound;
    mapping(bytes32 asset => mapping(uint64 round => PricePoint)) private _rounds;

    /// @notice `asset` is now worth `price` (USD, 18 decimals).
    event PriceUpdated(bytes32 indexed asset, uint256 price, address indexed feeder);
    event FeederSet(address indexed feeder, bool allowed);
    event MaxAgeSet(uint64 maxAge);

    /// @notice Only a feeder the owner named may push prices.
    error NotFeeder(address caller);
    /// @notice A price of zero (or one that does not fit 128 bits) is not a price.
    error InvalidPrice(bytes32 asset, uint256 price);
    /// @notice The update moves the price by more than `maxDeviationBps` of the last price.
    error PriceDeviationTooLarge(bytes32 asset, uint256 previous, uint256 proposed);
    /// @notice The asset's price was already set in this block (by this batch or another transaction).
    error PriceAlreadyUpdated(bytes32 asset);
    /// @notice Assets and prices of a batch must pair up.
    error LengthMismatch(uint256 assets, uint256 prices);
    /// @notice A stale window of zero would make every price stale at once.
    error InvalidMaxAge();

    constructor(address initialOwner, uint64 maxAge_) Ownable(initialOwner) {
        _setMaxAge(maxAge_);
    }

    /// @notice The owner allows or revokes a price feeder.
    function setFeeder(address feeder, bool allowed) external onlyOwner {
        isFeeder[feeder] = allowed;
        emit FeederSet(feeder, allowed);
    }

    /// @notice The owner sets how old (seconds) a price may be before it is stale.
    function setMaxAge(uint64 maxAge_) external onlyOwner {
        _setMaxAge(maxAge_);
    }

    /// @notice A feeder sets the price of `asset` (USD, 18 decimals), within the deviation bound of the last.
    function setPrice(bytes32 asset, uint256 price) external {
        if (!isFeeder[msg.sender]) revert NotFeeder(msg.sender);
        _setPrice(asset, price);
    }

    /// @notice A feeder sets several prices in one transaction (each within its deviation bound, each
    ///         asset at most once per block).
    function setPrices(bytes32[] calldata assets, uint256[] calldata prices) external {
        if (!isFeeder[msg.sender]) revert NotFeeder(msg.sender);
        if (assets.length != prices.length) revert LengthMismatch(assets.length, prices.length);
        for (uint256 i = 0; i < assets.length; i++) {
            _setPrice(assets[i], prices[i]);
        }
    }

    /// @notice The latest price of `asset`, when it was set, and whether it is older than `maxAge`.
    ///         A price never set reads (0, 0, true).
    function priceOf(bytes32 asset) external view returns (uint256 price, uint64 updatedAt, bool stale) {
        PricePoint memory point = _rounds[asset][latestRound[asset]];
        price = point.price;
        updatedAt = point.updatedAt;
        stale = price == 0 || block.timestamp > uint256(updatedAt) + maxAge;
    }

    /// @notice Round `round` of `asset`: its price, time and block (all zero when it does not exist yet).
    function roundOf(bytes32 asset, uint64 round) external view returns (PricePoint memory) {
        return _rounds[asset][round];
    }

    function _setPrice(bytes32 asset, uint256 price) private {
        if (price == 0 || price > type(uint128).max) revert InvalidPrice(asset, price);
        uint64 round = latestRound[asset];
        PricePoint memory last = _rounds[asset][round];
        uint256 previous = last.price;
        if (previous != 0) {
            if (last.updatedBlock == block.number) revert PriceAlreadyUpdated(asset);
            uint256 move = price > previous ? price - previous : previous - price;
            if (move * BPS > previous * maxDeviationBps) revert PriceDeviationTooLarge(asset, previous, price);
        }
        latestRound[asset] = round + 1;
        _rounds[asset][round + 1] =
            PricePoint({price: uint128(price), updatedAt: uint64(block.timestamp), updatedBlock: uint64(block.number)});
        emit PriceUpdated(asset, price, msg.sender);
    }

    function _setMaxAge(uint64 maxAge_) private {
        if (maxAge_ == 0) revert InvalidMaxAge();
        maxAge = maxAge_;
        emit MaxAgeSet(maxAge_);
    }
}
