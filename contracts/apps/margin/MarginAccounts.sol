// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MarginConfig} from "./MarginConfig.sol";
import {PriceOracle} from "./PriceOracle.sol";

/// @title MarginAccounts
/// @notice The hub's ledger of margin accounts and the health formula. An account holds collateral per
///         (rollup, token), a cash balance in USD x 1e18 (realised PnL and repayments; negative is debt
///         to the engine), and one perpetual position per market (signed size, entry price). At oracle
///         prices:
///           collateral value = sum of amount x price x haircut
///           PnL              = sum of size x (price - entry)
///           equity           = collateral value + cash + PnL
///           maintenance req. = sum of |size| x price x maintenance margin   (initial: initial margin)
///           health           = equity / maintenance requirement   (1e18 = 1.0)
///         With no position the requirement is zero: health is "infinite" when equity >= 0 and zero when
///         it is negative (debt nothing backs). Liquidations use `liquidationHealth`: the same with every
///         collateral whose price is stale valued at zero (a stale collateral never shields an account,
///         and never changes the bar). Every division rounds toward zero; the TypeScript twin is
///         `src/protocol/margin.ts` and must change with this file.
abstract contract MarginAccounts is MarginConfig {
    struct Position {
        int256 size;
        uint256 entryPrice;
    }

    /// @notice An account valued at the oracle's prices.
    /// @param stale Some price it used is older than the oracle's maxAge.
    /// @param staleAsset The first such price's asset (zero when none).
    /// @param staleCollateralValue The part of `collateralValue` priced stale.
    /// @param stalePosition Some position's price is stale (a liquidation then needs the stale bar).
    /// @param liquidationHealth Health with `staleCollateralValue` taken out of equity.
    struct AccountState {
        uint256 collateralValue;
        int256 cash;
        int256 pnl;
        int256 equity;
        uint256 initialRequirement;
        uint256 maintenanceRequirement;
        uint256 health;
        bool stale;
        bytes32 staleAsset;
        bool hasPositions;
        uint256 staleCollateralValue;
        bool stalePosition;
        uint256 liquidationHealth;
    }

    PriceOracle public immutable oracle;

    mapping(address account => mapping(uint64 chainId => mapping(address token => uint256))) public collateralOf;
    mapping(address account => int256) public cashOf;
    mapping(address account => mapping(uint256 marketId => Position)) internal _positions;

    /// @notice The oracle has never priced this asset: nothing can be valued against it.
    error PriceUnavailable(bytes32 asset);

    constructor(PriceOracle oracle_) {
        oracle = oracle_;
    }

    /// @notice An account's position in a market.
    function positionOf(address account, uint256 marketId) external view returns (Position memory) {
        return _positions[account][marketId];
    }

    /// @notice An account valued at the oracle's current prices (stale ones included, and flagged).
    function accountState(address account) external view returns (AccountState memory) {
        return _state(account);
    }

    /// @notice An account's health (1e18 = 1.0; type(uint256).max when it has no requirement and no debt).
    function healthOf(address account) external view returns (uint256) {
        return _state(account).health;
    }

    /// @dev A price a valuation takes for one asset instead of the oracle's latest: an order's round, so a
    ///      delayed order's margin check is the same whenever it executes (no option on later prices).
    struct PinnedPrice {
        bytes32 asset;
        uint256 price;
    }

    function _state(address account) internal view returns (AccountState memory state) {
        return _stateWith(account, PinnedPrice(bytes32(0), 0));
    }

    /// @dev `_state` with `pin.asset` valued at `pin.price` (fresh) wherever it appears.
    function _stateWith(address account, PinnedPrice memory pin) internal view returns (AccountState memory state) {
        _valueCollateral(account, state, pin);
        _valuePositions(account, state, pin);
        state.cash = cashOf[account];
        state.equity = int256(state.collateralValue) + state.cash + state.pnl;
        state.health = _health(state.equity, state.maintenanceRequirement);
        state.liquidationHealth =
            _health(state.equity - int256(state.staleCollateralValue), state.maintenanceRequirement);
    }

    function _valueCollateral(address account, AccountState memory state, PinnedPrice memory pin) private view {
        uint256 count = _collaterals.length;
        for (uint256 i = 0; i < count; i++) {
            Collateral storage entry = _collaterals[i];
            uint256 amount = collateralOf[account][entry.chainId][entry.token];
            if (amount == 0 || entry.haircutBps == 0) continue;
            (uint256 price, bool stale) = _priceInto(entry.asset, state, pin);
            uint256 value = amount * price / 10 ** entry.decimals * entry.haircutBps / BPS;
            state.collateralValue += value;
            if (stale) state.staleCollateralValue += value;
        }
    }

    function _valuePositions(address account, AccountState memory state, PinnedPrice memory pin) private view {
        uint256 count = _markets.length;
        for (uint256 i = 0; i < count; i++) {
            Position storage position = _positions[account][i];
            int256 size = position.size;
            if (size == 0) continue;
            Market storage market = _markets[i];
            (uint256 price, bool stale) = _priceInto(market.asset, state, pin);
            state.hasPositions = true;
            if (stale) state.stalePosition = true;
            state.pnl += size * (int256(price) - int256(position.entryPrice)) / int256(WAD);
            uint256 notional = _abs(size) * price / WAD;
            state.initialRequirement += notional * market.initialMarginBps / BPS;
            state.maintenanceRequirement += notional * market.maintenanceMarginBps / BPS;
        }
    }

    /// @dev The price of `asset` (the pinned one for the pinned asset), noting in `state` when it is stale.
    function _priceInto(bytes32 asset, AccountState memory state, PinnedPrice memory pin)
        private
        view
        returns (uint256 price, bool stale)
    {
        if (pin.price != 0 && asset == pin.asset) return (pin.price, false);
        (price,, stale) = oracle.priceOf(asset);
        if (price == 0) revert PriceUnavailable(asset);
        if (stale && !state.stale) {
            state.stale = true;
            state.staleAsset = asset;
        }
    }

    /// @dev The latest price of `asset` and whether it is stale.
    function _price(bytes32 asset) internal view returns (uint256 price, bool stale) {
        (price,, stale) = oracle.priceOf(asset);
        if (price == 0) revert PriceUnavailable(asset);
    }

    /// @dev Reverts `PriceUnavailable` when the oracle never priced `asset`.
    function _requirePrice(bytes32 asset) internal view override {
        _price(asset);
    }

    function _health(int256 equity, uint256 requirement) internal pure returns (uint256) {
        if (requirement == 0) return equity >= 0 ? type(uint256).max : 0;
        if (equity <= 0) return 0;
        return uint256(equity) * WAD / requirement;
    }

    function _abs(int256 value) internal pure returns (uint256) {
        return value >= 0 ? uint256(value) : uint256(-value);
    }

    /// @dev Whether the account holds no position and no listed collateral worth the dust floor (at its
    ///      latest price, stale or not; unpriced counts as nothing): what is left is its cash and dust no
    ///      keeper would liquidate, or none could (1 wei of a $1 token repays 0). Its debt can be settled.
    function _isEmpty(address account) internal view returns (bool) {
        for (uint256 i = 0; i < _markets.length; i++) {
            if (_positions[account][i].size != 0) return false;
        }
        for (uint256 i = 0; i < _collaterals.length; i++) {
            Collateral storage entry = _collaterals[i];
            uint256 amount = collateralOf[account][entry.chainId][entry.token];
            if (amount == 0) continue;
            (uint256 price,,) = oracle.priceOf(entry.asset);
            if (amount * price / 10 ** entry.decimals >= riskParams.dustFloor) return false;
        }
        return true;
    }
}
