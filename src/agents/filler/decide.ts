// The filler's decisions, pure (no I/O): whether an order may be filled now, waits, or is skipped for
// good; whether it pays after gas; and which chain it wants its repayment on. The loop (filler.ts)
// gathers the facts and acts on the verdict.
import { type Address, isAddressEqual, zeroAddress } from "viem";
import type { Order } from "../../protocol/intents.js";

/** Reasons an order is skipped for good. */
export type SkipReason =
  | "unknown-origin"
  | "unknown-settler"
  | "unknown-destination"
  | "unsupported-token"
  | "different-assets"
  | "fill-deadline-passed"
  | "filled-by-another"
  | "certified-unfilled"
  | "escrow-closed"
  | "unprofitable"
  | "fill-reverted";

/** Reasons an order waits (it is checked again later, until its fill deadline). */
export type WaitReason =
  | "not-opened"
  | "exclusive-to-another"
  | "insufficient-inventory"
  /** The fill's gas estimate reverted, or its transaction did, or was dropped: tried again. */
  | "fill-refused";

export type Verdict =
  | { kind: "fill" }
  | { kind: "wait"; reason: WaitReason; detail: string }
  | { kind: "skip"; reason: SkipReason; detail: string };

/** What the filler knows without reading the order's settlers. */
export type LocalFacts = {
  order: Order;
  /** The filler's address. */
  filler: Address;
  /** The destination is a rollup the filler runs on. */
  knownDestination: boolean;
  /** The asset the input token is on the origin, the output token on the destination (undefined: none we hold). */
  inputAsset: string | undefined;
  outputAsset: string | undefined;
  /** The destination's latest block time, in seconds. */
  destinationTime: number;
  /** Seconds before the fill deadline the filler stops filling (its transaction must land in time). */
  deadlineMargin: number;
  /** The filler's free balance of the output token on the destination (fills in flight taken off). */
  inventory: bigint;
};

export const ESCROW_STATES = ["none", "open", "repaid", "refunded"] as const;
export const FILL_RECORD_STATES = ["none", "filled", "certified-unfilled"] as const;

/** What the order's settlers say: its escrow on the origin, its fill record on the destination. */
export type ChainFacts = {
  escrow: (typeof ESCROW_STATES)[number];
  fill: (typeof FILL_RECORD_STATES)[number];
  filledBy: Address;
};

const wait = (reason: WaitReason, detail: string): Verdict => ({ kind: "wait", reason, detail });
const skip = (reason: SkipReason, detail: string): Verdict => ({ kind: "skip", reason, detail });

/** The checks that need no request: destination, tokens, deadline, exclusivity, inventory. */
export function assessLocally(facts: LocalFacts): Verdict {
  const { order, destinationTime } = facts;
  const { data } = order;
  if (!facts.knownDestination) {
    return skip("unknown-destination", `chain ${data.destinationChainId} is not one of the filler's rollups`);
  }
  if (!facts.inputAsset || !facts.outputAsset) {
    return skip("unsupported-token", `input ${data.inputToken} / output ${data.outputToken} not held`);
  }
  if (facts.inputAsset !== facts.outputAsset) {
    return skip("different-assets", `input is ${facts.inputAsset}, output is ${facts.outputAsset}`);
  }
  if (destinationTime + facts.deadlineMargin >= order.fillDeadline) {
    return skip(
      "fill-deadline-passed",
      `deadline ${order.fillDeadline}, destination time ${destinationTime}`,
    );
  }
  if (
    !isAddressEqual(data.exclusiveFiller, zeroAddress) &&
    !isAddressEqual(data.exclusiveFiller, facts.filler) &&
    destinationTime <= data.exclusivityDeadline
  ) {
    return wait("exclusive-to-another", `${data.exclusiveFiller} until ${data.exclusivityDeadline}`);
  }
  if (facts.inventory < data.outputAmount) {
    return wait("insufficient-inventory", `needs ${data.outputAmount}, holds ${facts.inventory}`);
  }
  return { kind: "fill" };
}

/**
 * The checks against the settlers. The escrow must exist and be open on the origin: an order that was
 * never opened (or whose opening was undone) has nothing to repay the filler with.
 */
export function assessOnChain(facts: ChainFacts, filler: Address): Verdict {
  if (facts.fill === "filled") {
    return isAddressEqual(facts.filledBy, filler)
      ? skip("filled-by-another", "filled by this filler's key outside this filler")
      : skip("filled-by-another", `filled by ${facts.filledBy}`);
  }
  if (facts.fill === "certified-unfilled")
    return skip("certified-unfilled", "the destination certified it unfilled");
  if (facts.escrow === "none") return wait("not-opened", "no escrow on the origin");
  if (facts.escrow !== "open") return skip("escrow-closed", `escrow ${facts.escrow} on the origin`);
  return { kind: "fill" };
}

export type Profit = { gasCost: bigint; profit: bigint };

/**
 * input − output − gas cost, in the asset's units. `gasTokenPrice` is what 1 ETH is worth in the asset
 * (both with 18 decimals), so the gas cost in wei converts as wei × price / 1e18.
 */
export function profitOf(params: {
  inputAmount: bigint;
  outputAmount: bigint;
  gas: bigint;
  gasPrice: bigint;
  gasTokenPrice: bigint;
}): Profit {
  const gasCost = (params.gas * params.gasPrice * params.gasTokenPrice + 10n ** 18n - 1n) / 10n ** 18n;
  return { gasCost, profit: params.inputAmount - params.outputAmount - gasCost };
}

export type RepaymentChoice = { chainId: number; reason: string };

/**
 * Repayment on the destination (bridged back there) when the filler's inventory on the destination,
 * after this fill, is below its target share of the whole by more than `tolerance`; otherwise on the
 * origin, which pays as soon as the fill is proven (no bridge leg). The tolerance keeps a filler near
 * its targets from bridging back after every fill.
 *
 * @param inventory The filler's holdings per chain after this fill, repayments on their way included.
 * @param targetShares Each chain's target share of the inventory (missing: an equal share).
 */
export function chooseRepayment(params: {
  originChainId: number;
  destinationChainId: number;
  inventory: ReadonlyMap<number, bigint>;
  targetShares: ReadonlyMap<number, number>;
  tolerance: number;
}): RepaymentChoice {
  const { originChainId, destinationChainId, inventory, targetShares, tolerance } = params;
  let total = 0n;
  for (const amount of inventory.values()) total += amount > 0n ? amount : 0n;
  if (total <= 0n) return { chainId: originChainId, reason: "no inventory anywhere: the fastest repayment" };
  const target = targetShares.get(destinationChainId) ?? 1 / Math.max(inventory.size, 1);
  const held = inventory.get(destinationChainId) ?? 0n;
  const share = Number(((held > 0n ? held : 0n) * 1_000_000n) / total) / 1_000_000;
  const figures = `destination share ${share.toFixed(3)}, target ${target.toFixed(3)} ± ${tolerance}`;
  return share < target - tolerance
    ? { chainId: destinationChainId, reason: `${figures}: repaid there` }
    : { chainId: originChainId, reason: `${figures}: repaid on the origin` };
}
