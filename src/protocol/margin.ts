// The margin engine's arithmetic in pure TypeScript, twin of contracts/apps/margin/MarginAccounts.sol
// and MarginEngine.sol: account valuation, health, what a liquidation closes, repays and seizes, and the
// message bodies vaults and the engine exchange. Tests and agents compute expected values with it; it
// must change with the contracts (every division rounds toward zero, as in Solidity).
import { decodeAbiParameters, encodeAbiParameters, type Hex, stringToHex } from "viem";

export const WAD = 10n ** 18n;
export const BPS = 10_000n;
/** What `health` is for an account with no requirement and no debt (Solidity's type(uint256).max). */
export const INFINITE_HEALTH = 2n ** 256n - 1n;

/** Message kinds (MarginMessages.sol). */
export const MARGIN_MESSAGE = { deposit: 1, release: 2, seize: 3 } as const;

/** The oracle's key for an asset: its symbol as a right-padded bytes32 ("ETH" -> 0x455448…). */
export function assetId(symbol: string): Hex {
  return stringToHex(symbol, { size: 32 });
}

export type CollateralConfig = {
  chainId: bigint;
  token: Hex;
  asset: Hex;
  decimals: number;
  haircutBps: number;
  bonusBps: number;
};

export type MarketConfig = {
  asset: Hex;
  initialMarginBps: number;
  maintenanceMarginBps: number;
  enabled: boolean;
};

export type RiskParams = { fullLiquidationHealth: bigint; staleLiquidationHealth: bigint; dustFloor: bigint };

export type Position = { size: bigint; entryPrice: bigint };

/** An account as the engine holds it: collateral keyed like `collateralKey`, positions by market id. */
export type MarginAccount = {
  collateral: ReadonlyMap<string, bigint>;
  cash: bigint;
  positions: ReadonlyMap<number, Position>;
};

export type AccountValuation = {
  collateralValue: bigint;
  cash: bigint;
  pnl: bigint;
  equity: bigint;
  initialRequirement: bigint;
  maintenanceRequirement: bigint;
  health: bigint;
  /** The part of `collateralValue` priced stale. */
  staleCollateralValue: bigint;
  /** Some position's price is stale: a liquidation needs the stale bar. */
  stalePosition: boolean;
  /** Health with stale collateral valued at zero: what a liquidation is judged on. */
  liquidationHealth: bigint;
};

/** Prices by asset id (USD x 1e18 per whole unit). */
export type Prices = ReadonlyMap<Hex, bigint>;

export function collateralKey(chainId: bigint | number, token: Hex): string {
  return `${BigInt(chainId)}:${token.toLowerCase()}`;
}

const abs = (value: bigint) => (value < 0n ? -value : value);

function priceOf(prices: Prices, asset: Hex): bigint {
  const price = prices.get(asset);
  if (price === undefined || price === 0n) throw new Error(`no price for asset ${asset}`);
  return price;
}

export function healthOf(equity: bigint, requirement: bigint): bigint {
  if (requirement === 0n) return equity >= 0n ? INFINITE_HEALTH : 0n;
  if (equity <= 0n) return 0n;
  return (equity * WAD) / requirement;
}

/** Values an account exactly as `MarginAccounts._state` does; `stale` names the assets priced stale. */
export function valueAccount(
  account: MarginAccount,
  config: { collaterals: readonly CollateralConfig[]; markets: readonly MarketConfig[] },
  prices: Prices,
  stale: ReadonlySet<Hex> = new Set(),
): AccountValuation {
  let collateralValue = 0n;
  let staleCollateralValue = 0n;
  for (const entry of config.collaterals) {
    const amount = account.collateral.get(collateralKey(entry.chainId, entry.token)) ?? 0n;
    if (amount === 0n || entry.haircutBps === 0) continue;
    const price = priceOf(prices, entry.asset);
    const value = (((amount * price) / 10n ** BigInt(entry.decimals)) * BigInt(entry.haircutBps)) / BPS;
    collateralValue += value;
    if (stale.has(entry.asset)) staleCollateralValue += value;
  }
  let stalePosition = false;
  let pnl = 0n;
  let initialRequirement = 0n;
  let maintenanceRequirement = 0n;
  for (const [marketId, market] of config.markets.entries()) {
    const position = account.positions.get(marketId);
    if (!position || position.size === 0n) continue;
    const price = priceOf(prices, market.asset);
    if (stale.has(market.asset)) stalePosition = true;
    pnl += (position.size * (price - position.entryPrice)) / WAD;
    const notional = (abs(position.size) * price) / WAD;
    initialRequirement += (notional * BigInt(market.initialMarginBps)) / BPS;
    maintenanceRequirement += (notional * BigInt(market.maintenanceMarginBps)) / BPS;
  }
  const equity = collateralValue + account.cash + pnl;
  return {
    collateralValue,
    cash: account.cash,
    pnl,
    equity,
    initialRequirement,
    maintenanceRequirement,
    health: healthOf(equity, maintenanceRequirement),
    staleCollateralValue,
    stalePosition,
    liquidationHealth: healthOf(equity - staleCollateralValue, maintenanceRequirement),
  };
}

/** Whether a liquidation may proceed at this health (fresh prices: under 1; stale: under the stale bar). */
export function isLiquidatable(health: bigint, risk: RiskParams, stale = false): boolean {
  return health < (stale ? risk.staleLiquidationHealth : WAD);
}

/**
 * Whether the engine lets an account be liquidated (`MarginEngine._checkLiquidatable`): its liquidation
 * health under 1, or under the stale bar when a position's price is stale. Stale collateral only ever
 * counts as zero; it never changes the bar.
 */
export function canLiquidate(valuation: AccountValuation, risk: RiskParams): boolean {
  return isLiquidatable(valuation.liquidationHealth, risk, valuation.stalePosition);
}

/** The size a liquidation closes of a position: half, or all below the full threshold or over dust. */
export function liquidationCloseSize(size: bigint, price: bigint, health: bigint, risk: RiskParams): bigint {
  if (size === 0n) return 0n;
  const half = size / 2n;
  const full = health < risk.fullLiquidationHealth;
  if (full || half === 0n || (abs(size - half) * price) / WAD < risk.dustFloor) return size;
  return half;
}

/**
 * Whether a liquidation naming `marketId` is refused `MustClosePosition`: the account holds a position,
 * but none there (debt is repaid alone only once every position is closed).
 */
export function mustClosePosition(account: MarginAccount, marketId: number): boolean {
  if ((account.positions.get(marketId)?.size ?? 0n) !== 0n) return false;
  for (const position of account.positions.values()) if (position.size !== 0n) return true;
  return false;
}

/**
 * Whether an account's debt can be settled (`MarginAccounts._isEmpty`): no position, and no collateral
 * worth the dust floor at its latest price (no haircut; unpriced is worth nothing).
 */
export function isEmptyAccount(
  account: MarginAccount,
  config: { collaterals: readonly CollateralConfig[] },
  prices: Prices,
  risk: RiskParams,
): boolean {
  for (const position of account.positions.values()) if (position.size !== 0n) return false;
  for (const entry of config.collaterals) {
    const amount = account.collateral.get(collateralKey(entry.chainId, entry.token)) ?? 0n;
    const price = prices.get(entry.asset) ?? 0n;
    if ((amount * price) / 10n ** BigInt(entry.decimals) >= risk.dustFloor) return false;
  }
  return true;
}

/** PnL realised by closing `closed` of a position entered at `entryPrice`, at `price`. */
export function realisedPnl(closed: bigint, entryPrice: bigint, price: bigint): bigint {
  return (closed * (price - entryPrice)) / WAD;
}

/** The debt share a liquidation may repay: half, or all below the full threshold or over dust. */
export function liquidationRepayCap(debt: bigint, health: bigint, risk: RiskParams): bigint {
  if (debt <= 0n) return 0n;
  const full = health < risk.fullLiquidationHealth;
  return full || debt - debt / 2n < risk.dustFloor ? debt : debt / 2n;
}

/** What repaying `repaid` buys of a collateral (value plus bonus), or all of it and what that covers. */
export function seizure(
  entry: Pick<CollateralConfig, "decimals" | "bonusBps">,
  price: bigint,
  available: bigint,
  repaid: bigint,
): { repaid: bigint; seized: bigint } {
  const unit = 10n ** BigInt(entry.decimals);
  const bonus = BPS + BigInt(entry.bonusBps);
  const seized = (((repaid * bonus) / BPS) * unit) / price;
  if (seized < available) return { repaid, seized };
  return { repaid: (((available * price) / unit) * BPS) / bonus, seized: available };
}

/** The body of a margin message (MarginMessages.encode). */
export function encodeMarginMessage(
  kind: (typeof MARGIN_MESSAGE)[keyof typeof MARGIN_MESSAGE],
  account: Hex,
  token: Hex,
  amount: bigint,
): Hex {
  return encodeAbiParameters(
    [{ type: "uint8" }, { type: "address" }, { type: "address" }, { type: "uint256" }],
    [kind, account, token, amount],
  );
}

export function decodeMarginMessage(body: Hex): { kind: number; account: Hex; token: Hex; amount: bigint } {
  const [kind, account, token, amount] = decodeAbiParameters(
    [{ type: "uint8" }, { type: "address" }, { type: "address" }, { type: "uint256" }],
    body,
  );
  return { kind, account, token, amount };
}
