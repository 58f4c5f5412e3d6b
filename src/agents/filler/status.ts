// The filler's status output, computed from its store's records (pure): how many orders in each state,
// how fast it fills (seen → filled) and how long its capital stays locked (filled → repaid on the
// origin), and the latest orders with the reason of each skip or wait.
import type { Address, Hex } from "viem";
import type { FillerOrder, FillState } from "../../store/filler-store.js";

export type Stats = { count: number; p50: number; p99: number; max: number; mean: number };

export type FillerStatus = {
  address: Address;
  counts: Record<FillState, number>;
  /** Free balance per chain id at the last tick that read it, per asset symbol. */
  inventory: Record<string, Record<string, bigint>>;
  /** Seen → filled (the filler's own reaction, the fill's receipt included), over the recent fills. */
  fillLatencyMs: Stats | undefined;
  /** Filled → repaid on the origin, over the recent repaid orders. */
  capitalLockMs: Stats | undefined;
  recent: {
    orderId: Hex;
    route: string;
    state: FillState;
    reason: string | undefined;
    repaymentChainId: number | undefined;
    fillLatencyMs: number | undefined;
    capitalLockMs: number | undefined;
  }[];
};

/** Percentiles by nearest rank. */
export function statsOf(values: readonly number[]): Stats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: rank(0.5),
    p99: rank(0.99),
    max: sorted[sorted.length - 1] ?? 0,
    mean: Math.round(sum / sorted.length),
  };
}

const latencyOf = (order: FillerOrder) =>
  order.filledAt === undefined ? undefined : order.filledAt - order.seenAt;
const lockOf = (order: FillerOrder) =>
  order.filledAt === undefined || order.repaidAt === undefined ? undefined : order.repaidAt - order.filledAt;

export function fillerStatus(params: {
  address: Address;
  counts: Record<FillState, number>;
  inventory: Record<string, Record<string, bigint>>;
  /** Recent orders, newest first. */
  recent: readonly FillerOrder[];
  recentShown?: number;
}): FillerStatus {
  const { recent } = params;
  const defined = (values: (number | undefined)[]) => values.filter((value) => value !== undefined);
  return {
    address: params.address,
    counts: params.counts,
    inventory: params.inventory,
    fillLatencyMs: statsOf(defined(recent.map(latencyOf))),
    capitalLockMs: statsOf(defined(recent.map(lockOf))),
    recent: recent.slice(0, params.recentShown ?? 20).map((order) => ({
      orderId: order.orderId,
      route: `${order.originChainId}→${order.destinationChainId}`,
      state: order.state,
      reason: order.reason,
      repaymentChainId: order.repaymentChainId,
      fillLatencyMs: latencyOf(order),
      capitalLockMs: lockOf(order),
    })),
  };
}
