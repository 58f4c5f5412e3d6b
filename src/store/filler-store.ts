// What the filler keeps between restarts: one log cursor per rollup and every order it has seen, each
// in one state of seen → filling (the signed fill's hash and bytes, written BEFORE they are sent) →
// filled → repaid, or skipped with a reason. A restarted filler finds its `filling` orders and settles
// each from the chain (fillOf, the receipt of that hash) before doing anything else, so it never sends
// a second fill.
import type { Hex } from "viem";
import { JunctionError } from "../errors.js";

export const FILL_STATES = ["seen", "filling", "filled", "repaid", "skipped"] as const;
export type FillState = (typeof FILL_STATES)[number];

/** How the filler learnt of an order: an Open event, or offered to it off-chain (`Filler.offer`). */
export type OrderSource = "open" | "offered";

export type NewFillerOrder = {
  orderId: Hex;
  originChainId: number;
  destinationChainId: number;
  originData: Hex;
  source: OrderSource;
  /** Unix milliseconds when the filler first saw the order. */
  seenAt: number;
};

export type FillerOrder = NewFillerOrder & {
  state: FillState;
  /** Why the order waits (state seen) or was skipped; the last one. */
  reason: string | undefined;
  /** Fill transactions signed for this order so far. */
  attempts: number;
  txHash: Hex | undefined;
  rawTransaction: Hex | undefined;
  repaymentChainId: number | undefined;
  fillingAt: number | undefined;
  filledAt: number | undefined;
  repaidAt: number | undefined;
};

export type SignedFill = { txHash: Hex; rawTransaction: Hex; repaymentChainId: number };

export interface FillerStore {
  getCursor(name: string): Promise<bigint | undefined>;
  /** Records the orders a scan found (already known ones are left alone) and the cursor, atomically. */
  recordScan(cursorName: string, toBlock: bigint, orders: readonly NewFillerOrder[]): Promise<void>;
  /** Records one order learnt off-chain; false if it was known. */
  addOrder(order: NewFillerOrder): Promise<boolean>;
  get(orderId: Hex): Promise<FillerOrder | undefined>;
  ordersIn(states: readonly FillState[]): Promise<FillerOrder[]>;
  /** seen → filling: the signed fill, stored before it is sent. False if the order was not `seen`. */
  markFilling(orderId: Hex, fill: SignedFill, at: number): Promise<boolean>;
  /** filling → filled. */
  markFilled(orderId: Hex, at: number): Promise<boolean>;
  /** filled → repaid. */
  markRepaid(orderId: Hex, at: number): Promise<boolean>;
  /** seen|filling → seen with a reason: it waits, or its fill transaction can never be mined. */
  markWaiting(orderId: Hex, reason: string): Promise<boolean>;
  /** seen|filling → skipped, for good. */
  markSkipped(orderId: Hex, reason: string): Promise<boolean>;
  counts(): Promise<Record<FillState, number>>;
  /** The most recently seen orders, newest first. */
  recent(limit: number): Promise<FillerOrder[]>;
  close(): Promise<void>;
}

/** The store holds something this code cannot read (a newer schema, a hand edit). */
export class FillerStoreError extends JunctionError {
  override name = "FillerStoreError" as const;
}
