// getMarginAccount: a margin account as the hub sees it: collateral per (rollup, token), cash, positions,
// its pending orders, and its valuation at the oracle's prices (health, requirements, whether a price is
// stale).
import type { Address, Hex } from "viem";
import type { CollateralConfig, MarketConfig, Position } from "../protocol/margin.js";
import { engineAbi, hubOf, type MarginNetwork } from "./marginEngine.js";
import { clientOf } from "./network.js";

export type GetMarginAccountParameters = { account: Address };

export type GetMarginAccountReturnType = {
  account: Address;
  collateral: (CollateralConfig & { amount: bigint })[];
  cash: bigint;
  positions: (Position & { marketId: number; market: MarketConfig })[];
  collateralValue: bigint;
  pnl: bigint;
  equity: bigint;
  initialRequirement: bigint;
  maintenanceRequirement: bigint;
  /** 1e18 = 1.0; INFINITE_HEALTH when nothing is required and nothing owed. */
  health: bigint;
  stale: boolean;
  staleAsset?: Hex;
  /** Orders waiting for their price (no withdrawal while any is): `ready` once one came, `expired` past it. */
  orders: PendingMarginOrder[];
};

export type PendingMarginOrder = {
  marketId: number;
  sizeDelta: bigint;
  /** 0: no limit. */
  limitPrice: bigint;
  requestedBlock: bigint;
  requestedAt: bigint;
  /** A price published after the request has come: anyone may execute it at `price`. */
  ready: boolean;
  expired: boolean;
  price: bigint;
};

/**
 * Reads an account at the hub.
 *
 * @example
 * const { health, collateral } = await getMarginAccount(network, { account: "0x…" });
 */
export async function getMarginAccount(
  network: MarginNetwork,
  { account }: GetMarginAccountParameters,
): Promise<GetMarginAccountReturnType> {
  const client = clientOf(hubOf(network));
  const engine = { address: network.margin.engine, abi: engineAbi } as const;
  const [collaterals, markets, state] = await Promise.all([
    client.readContract({ ...engine, functionName: "collaterals" }),
    client.readContract({ ...engine, functionName: "markets" }),
    client.readContract({ ...engine, functionName: "accountState", args: [account] }),
  ]);
  const amounts = await Promise.all(
    collaterals.map((entry) =>
      client.readContract({
        ...engine,
        functionName: "collateralOf",
        args: [account, entry.chainId, entry.token],
      }),
    ),
  );
  const positions = await Promise.all(
    markets.map((_, marketId) =>
      client.readContract({ ...engine, functionName: "positionOf", args: [account, BigInt(marketId)] }),
    ),
  );
  const orders = await Promise.all(
    markets.map(async (_, marketId) => {
      const args = [account, BigInt(marketId)] as const;
      const [order, [pending, ready, expired, , price]] = await Promise.all([
        client.readContract({ ...engine, functionName: "orders", args }),
        client.readContract({ ...engine, functionName: "orderStatus", args }),
      ]);
      if (!pending) return undefined;
      const [sizeDelta, limitPrice, , requestedBlock, requestedAt] = order;
      return { marketId, sizeDelta, limitPrice, requestedBlock, requestedAt, ready, expired, price };
    }),
  );
  return {
    account,
    collateral: collaterals
      .map((entry, i) => ({ ...entry, amount: amounts[i] ?? 0n }))
      .filter((entry) => entry.amount > 0n),
    cash: state.cash,
    positions: positions
      .map((position, marketId) => ({ ...position, marketId, market: markets[marketId] as MarketConfig }))
      .filter((position) => position.size !== 0n),
    collateralValue: state.collateralValue,
    pnl: state.pnl,
    equity: state.equity,
    initialRequirement: state.initialRequirement,
    maintenanceRequirement: state.maintenanceRequirement,
    health: state.health,
    stale: state.stale,
    staleAsset: state.stale ? state.staleAsset : undefined,
    orders: orders.filter((order) => order !== undefined),
  };
}
