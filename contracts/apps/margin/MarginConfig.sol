// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IVerifier} from "../../interfaces/IVerifier.sol";

/// @title MarginConfig
/// @notice The MarginEngine's risk parameters, set by its owner: the collateral it counts (per rollup and
///         token: oracle asset, decimals, haircut, liquidation bonus), its perpetual markets (oracle asset,
///         initial and maintenance margin), the rollups whose vault it trusts, and the liquidation rules
///         (full-liquidation health, the stricter health a liquidation needs on stale prices, the dust
///         floor). Both lists are short and bounded, so every health computation walks them whole.
abstract contract MarginConfig is Ownable {
    /// @notice A collateral the engine counts: `token` held by the vault on `chainId`.
    /// @param asset The oracle's key for its price (USD, 18 decimals, per whole token).
    /// @param haircutBps Share of its value that counts toward margin.
    /// @param bonusBps What a liquidator receives on top of the debt it repays, in this collateral.
    struct Collateral {
        uint64 chainId;
        address token;
        bytes32 asset;
        uint8 decimals;
        uint16 haircutBps;
        uint16 bonusBps;
    }

    /// @notice A perpetual market on the oracle price of `asset`; sizes are in its whole units x 1e18.
    struct Market {
        bytes32 asset;
        uint16 initialMarginBps;
        uint16 maintenanceMarginBps;
        bool enabled;
    }

    /// @notice The liquidation rules (healths as 18-decimal fractions, the dust floor in USD x 1e18).
    /// @param fullLiquidationHealth Below it a liquidation closes everything at once, not half.
    /// @param staleLiquidationHealth On a stale price, an account is liquidatable only below it.
    /// @param dustFloor Whatever a half liquidation would leave under it (position notional or debt) is
    ///        liquidated in full instead: dust nobody would pay gas to liquidate must not remain.
    struct RiskParams {
        uint64 fullLiquidationHealth;
        uint64 staleLiquidationHealth;
        uint128 dustFloor;
    }

    uint256 internal constant BPS = 10_000;
    uint256 internal constant WAD = 1e18;
    uint256 public constant MAX_COLLATERALS = 32;
    uint256 public constant MAX_MARKETS = 16;

    Collateral[] internal _collaterals;
    mapping(uint64 chainId => mapping(address token => uint256 indexPlusOne)) internal _collateralIndex;
    Market[] internal _markets;
    RiskParams public riskParams;
    /// @notice Rollups whose CollateralVault (this engine's twin address) may credit deposits here.
    mapping(uint64 chainId => bool) public vaultChain;

    event CollateralSet(
        uint64 indexed chainId, address indexed token, bytes32 asset, uint8 decimals, uint16 haircutBps, uint16 bonusBps
    );
    event MarketSet(uint256 indexed marketId, bytes32 asset, uint16 initialMarginBps, uint16 maintenanceMarginBps, bool enabled);
    event RiskParamsSet(uint64 fullLiquidationHealth, uint64 staleLiquidationHealth, uint128 dustFloor);
    event VaultChainSet(uint64 indexed chainId, bool enabled, address verifier);

    /// @notice A haircut above 100 %, or haircut x (1 + bonus) above 1: then a liquidation that repays
    ///         debt would take more margin value than it repays and lower the account's health.
    error InvalidCollateral(uint16 haircutBps, uint16 bonusBps);
    /// @notice Margins must satisfy 0 < maintenance <= initial <= 100 %.
    error InvalidMargins(uint16 initialMarginBps, uint16 maintenanceMarginBps);
    /// @notice Healths must satisfy full-liquidation < 1 and stale-liquidation <= 1.
    error InvalidRiskParams();
    /// @notice The list is full (MAX_COLLATERALS or MAX_MARKETS).
    error TooMany();
    /// @notice No market with this id.
    error UnknownMarket(uint256 marketId);
    /// @notice This (rollup, token) is not a listed collateral.
    error UnknownCollateral(uint64 chainId, address token);
    /// @notice Trusting a rollup's vault needs the verifier of its messages named (never the Inbox's
    ///         default by omission).
    error VerifierRequired(uint64 chainId);

    /// @notice Lists or updates a collateral (a haircut of zero stops it counting, without trapping it).
    ///         One that counts needs a price already: an unpriced asset in any account would make its
    ///         valuation revert, and anyone can push 1 wei of it into any account.
    function setCollateral(
        uint64 chainId,
        address token,
        bytes32 asset,
        uint8 decimals,
        uint16 haircutBps,
        uint16 bonusBps
    ) external onlyOwner {
        if (haircutBps > BPS || uint256(haircutBps) * (BPS + bonusBps) > BPS * BPS) {
            revert InvalidCollateral(haircutBps, bonusBps);
        }
        if (haircutBps > 0) _requirePrice(asset);
        Collateral memory entry = Collateral(chainId, token, asset, decimals, haircutBps, bonusBps);
        uint256 index = _collateralIndex[chainId][token];
        if (index == 0) {
            if (_collaterals.length == MAX_COLLATERALS) revert TooMany();
            _collaterals.push(entry);
            _collateralIndex[chainId][token] = _collaterals.length;
        } else {
            _collaterals[index - 1] = entry;
        }
        emit CollateralSet(chainId, token, asset, decimals, haircutBps, bonusBps);
    }

    /// @notice Opens a new market; its id is its position in the list.
    function addMarket(bytes32 asset, uint16 initialMarginBps, uint16 maintenanceMarginBps)
        external
        onlyOwner
        returns (uint256 marketId)
    {
        if (_markets.length == MAX_MARKETS) revert TooMany();
        _checkMargins(initialMarginBps, maintenanceMarginBps);
        marketId = _markets.length;
        _markets.push(Market(asset, initialMarginBps, maintenanceMarginBps, true));
        emit MarketSet(marketId, asset, initialMarginBps, maintenanceMarginBps, true);
    }

    /// @notice Changes a market's margins, or closes it to new risk (`enabled` false: reductions only).
    function setMarket(uint256 marketId, uint16 initialMarginBps, uint16 maintenanceMarginBps, bool enabled)
        external
        onlyOwner
    {
        Market storage market = _market(marketId);
        _checkMargins(initialMarginBps, maintenanceMarginBps);
        market.initialMarginBps = initialMarginBps;
        market.maintenanceMarginBps = maintenanceMarginBps;
        market.enabled = enabled;
        emit MarketSet(marketId, market.asset, initialMarginBps, maintenanceMarginBps, enabled);
    }

    /// @notice Sets the liquidation rules.
    function setRiskParams(RiskParams calldata params) external onlyOwner {
        if (params.fullLiquidationHealth >= WAD || params.staleLiquidationHealth > WAD) revert InvalidRiskParams();
        riskParams = params;
        emit RiskParamsSet(params.fullLiquidationHealth, params.staleLiquidationHealth, params.dustFloor);
    }

    /// @notice Trusts the vault on `chainId` to credit deposits, proven by `verifier` (required: the
    ///         Inbox's default would otherwise be trusted silently), or stops trusting it (`verifier`
    ///         ignored).
    function setVaultChain(uint64 chainId, bool enabled, IVerifier verifier) external onlyOwner {
        if (enabled) _chooseVerifier(chainId, verifier);
        vaultChain[chainId] = enabled;
        emit VaultChainSet(chainId, enabled, address(verifier));
    }

    /// @notice Every listed collateral, in order.
    function collaterals() external view returns (Collateral[] memory) {
        return _collaterals;
    }

    /// @notice Every market, in id order.
    function markets() external view returns (Market[] memory) {
        return _markets;
    }

    function _market(uint256 marketId) internal view returns (Market storage) {
        if (marketId >= _markets.length) revert UnknownMarket(marketId);
        return _markets[marketId];
    }

    function _collateral(uint64 chainId, address token) internal view returns (Collateral memory) {
        uint256 index = _collateralIndex[chainId][token];
        if (index == 0) revert UnknownCollateral(chainId, token);
        return _collaterals[index - 1];
    }

    /// @dev Reverts unless the oracle has a price for `asset`.
    function _requirePrice(bytes32 asset) internal view virtual;

    /// @dev Has the Inbox prove messages from `chainId` to this engine with `verifier` (never zero).
    function _chooseVerifier(uint64 chainId, IVerifier verifier) internal virtual;

    function _checkMargins(uint16 initialMarginBps, uint16 maintenanceMarginBps) private pure {
        if (maintenanceMarginBps == 0 || maintenanceMarginBps > initialMarginBps || initialMarginBps > BPS) {
            revert InvalidMargins(initialMarginBps, maintenanceMarginBps);
        }
    }
}
