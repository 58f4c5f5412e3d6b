// The keeper's decision for one account, with no I/O: is it liquidatable (its liquidation health —
// stale collateral counting nothing — under 1, or under the stale bar when a position's price is stale),
// and if so which call takes the most: the market with the largest position (the engine refuses a call
// that closes nothing while a position is open), the collateral at a fresh price whose seizure repays
// the most of the debt the close leaves (the hub's own first on a tie: it pays at once). Every figure comes from the TypeScript twin, so the plan
// says exactly what the engine will close, repay and seize if nothing changes before it lands.
import type { Address, Hex } from "viem";
import {
  type CollateralConfig,
  canLiquidate,
  collateralKey,
  isEmptyAccount,
  liquidationCloseSize,
  liquidationRepayCap,
  type MarginAccount,
  type MarketConfig,
  type Prices,
  type RiskParams,
  realisedPnl,
  seizure,
  valueAccount,
} from "../../protocol/margin.js";

/** What the keeper knows of the engine at one block. */
export type EngineView = {
  hubChainId: number;
  collaterals: readonly CollateralConfig[];
  markets: readonly MarketConfig[];
  risk: RiskParams;
  prices: Prices;
  /** Assets whose price is older than the oracle's maxAge. */
  stale: ReadonlySet<Hex>;
};

export type LiquidationPlan = {
  account: Address;
  health: bigint;
  stale: boolean;
  full: boolean;
  marketId: number;
  chainId: number;
  token: Address;
  /** What the call may repay at most: the debt share the engine allows, within the keeper's budget. */
  maxRepay: bigint;
  expected: { closedSize: bigint; repaid: bigint; seized: bigint };
};

export type Assessment =
  | { kind: "liquidate"; plan: LiquidationPlan }
  | { kind: "healthy"; health: bigint; stale: boolean }
  /** Debt beside nothing but dust: the engine's `settleShortfall` clears it (insurance, then bad debt). */
  | { kind: "settle"; health: bigint; debt: bigint }
  /** Under 1, but no call would close or repay anything (no position, and no collateral or budget). */
  | { kind: "stuck"; health: bigint; reason: string };

const abs = (value: bigint) => (value < 0n ? -value : value);

/** Decides what to do with `account`; `budget` is the keeper's JUSD at the hub it may repay with. */
export function assessAccount(
  address: Address,
  account: MarginAccount,
  view: EngineView,
  budget: bigint,
): Assessment {
  const valued = valueAccount(account, view, view.prices, view.stale);
  const health = valued.liquidationHealth;
  const stale = valued.stalePosition;
  if (!canLiquidate(valued, view.risk)) return { kind: "healthy", health, stale };
  const full = health < view.risk.fullLiquidationHealth;

  const market = largestPosition(account, view);
  const closedSize = market
    ? liquidationCloseSize(market.position.size, market.price, health, view.risk)
    : 0n;
  const cashAfter =
    account.cash + (market ? realisedPnl(closedSize, market.position.entryPrice, market.price) : 0n);
  const cap = cashAfter < 0n ? liquidationRepayCap(-cashAfter, health, view.risk) : 0n;
  const limit = cap < budget ? cap : budget;
  const seize = bestSeizure(account, view, limit);

  if (closedSize === 0n && seize.repaid === 0n) {
    if (account.cash < 0n && isEmptyAccount(account, view, view.prices, view.risk)) {
      return { kind: "settle", health, debt: -account.cash };
    }
    const reason =
      cashAfter >= 0n ? "no position and no debt" : limit === 0n ? "no budget to repay" : "no collateral";
    return { kind: "stuck", health, reason };
  }
  return {
    kind: "liquidate",
    plan: {
      account: address,
      health,
      stale,
      full,
      marketId: market?.marketId ?? 0,
      chainId: seize.chainId,
      token: seize.token,
      maxRepay: seize.seized > 0n ? limit : 0n,
      expected: { closedSize, repaid: seize.repaid, seized: seize.seized },
    },
  };
}

function largestPosition(account: MarginAccount, view: EngineView) {
  let best:
    | { marketId: number; position: { size: bigint; entryPrice: bigint }; price: bigint; notional: bigint }
    | undefined;
  for (const [marketId, market] of view.markets.entries()) {
    const position = account.positions.get(marketId);
    const price = view.prices.get(market.asset);
    if (!position || position.size === 0n || price === undefined) continue;
    const notional = (abs(position.size) * price) / 10n ** 18n;
    if (!best || notional > best.notional) best = { marketId, position, price, notional };
  }
  return best;
}

/** The collateral whose seizure repays the most of `limit` (the hub's first on a tie); never one priced stale. */
function bestSeizure(account: MarginAccount, view: EngineView, limit: bigint) {
  let best: { chainId: number; token: Address; repaid: bigint; seized: bigint } | undefined;
  for (const entry of view.collaterals) {
    const available = account.collateral.get(collateralKey(entry.chainId, entry.token)) ?? 0n;
    const price = view.prices.get(entry.asset);
    if (available === 0n || price === undefined || view.stale.has(entry.asset)) continue;
    const chainId = Number(entry.chainId);
    const twin = limit > 0n ? seizure(entry, price, available, limit) : { repaid: 0n, seized: 0n };
    // The engine takes nothing when either side rounds to zero.
    const outcome = twin.repaid === 0n || twin.seized === 0n ? { repaid: 0n, seized: 0n } : twin;
    const better =
      !best ||
      outcome.repaid > best.repaid ||
      (outcome.repaid === best.repaid && chainId === view.hubChainId && best.chainId !== view.hubChainId);
    if (better) best = { chainId, token: entry.token, ...outcome };
  }
  if (best && best.seized > 0n) return best;
  // Nothing to repay or seize: the call only closes; any listed collateral names it (none is read).
  const first = view.collaterals[0];
  return {
    chainId: Number(first?.chainId ?? view.hubChainId),
    token: first?.token ?? ("0x" as Address),
    repaid: 0n,
    seized: 0n,
  };
}
