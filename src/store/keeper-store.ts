// What the keeper keeps between restarts: every liquidation it signed, written BEFORE it is sent, in
// one state of sent → landed (mined, with what it closed, repaid and seized) | taken (refused because
// another keeper got there first, or the account recovered) | failed (refused for another reason) |
// dropped (never mined: its nonce went to another transaction). A restarted keeper settles its `sent`
// liquidations from the chain (the receipt of the stored hash, the nonce), sending the same bytes again
// when they may still be pending, and plans nothing for their accounts until they are settled: it never
// repeats a liquidation.
import type { Address, Hex } from "viem";
import { JunctionError } from "../errors.js";

export const LIQUIDATION_STATES = ["sent", "landed", "taken", "failed", "dropped"] as const;
export type LiquidationState = (typeof LIQUIDATION_STATES)[number];

export type NewLiquidation = {
  txHash: Hex;
  rawTransaction: Hex;
  nonce: number;
  account: Address;
  marketId: number;
  chainId: number;
  token: Address;
  maxRepay: bigint;
  /** Hub block whose state the plan was made on. */
  plannedBlock: bigint;
  /** Unix milliseconds when it was signed and stored. */
  sentAt: number;
};

export type LiquidationOutcome = {
  block: bigint;
  closedSize: bigint;
  repaid: bigint;
  seized: bigint;
  /** The seize message to the collateral's rollup (absent when paid on the hub). */
  messageId: Hex | undefined;
};

export type LiquidationRecord = NewLiquidation & {
  state: LiquidationState;
  reason: string | undefined;
  outcome: LiquidationOutcome | undefined;
  settledAt: number | undefined;
};

export interface KeeperStore {
  /** Stores a signed liquidation (state sent) before it is sent. */
  recordSent(liquidation: NewLiquidation): Promise<void>;
  get(txHash: Hex): Promise<LiquidationRecord | undefined>;
  inState(states: readonly LiquidationState[]): Promise<LiquidationRecord[]>;
  /** sent → landed. False if it was not `sent`. */
  markLanded(txHash: Hex, outcome: LiquidationOutcome, at: number): Promise<boolean>;
  /** sent → taken | failed | dropped, with the reason. */
  markSettled(
    txHash: Hex,
    state: "taken" | "failed" | "dropped",
    reason: string,
    at: number,
  ): Promise<boolean>;
  counts(): Promise<Record<LiquidationState, number>>;
  /** The most recent liquidations, newest first. */
  recent(limit: number): Promise<LiquidationRecord[]>;
  close(): Promise<void>;
}

/** The store holds something this code cannot read (a newer schema, a hand edit). */
export class KeeperStoreError extends JunctionError {
  override name = "KeeperStoreError" as const;
}
