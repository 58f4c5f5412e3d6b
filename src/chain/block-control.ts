// What the shared sequencer needs from a node beyond plain JSON-RPC: to produce blocks only when told,
// to undo a block (an atomic bundle that failed), and to reorder the pool. The one implementation is
// anvil's (`anvilBlockControl` in anvil.ts); nothing else in Junction uses node-specific methods.
import type { Hex } from "viem";

export interface BlockControl {
  /** The node stops producing blocks on its own; blocks come from `mine` only. */
  takeOver(): Promise<void>;
  /** The node mines on its own again (one block per transaction). */
  release(): Promise<void>;
  /** Mines one block with the pooled transactions, in pool order. */
  mine(): Promise<void>;
  snapshot(): Promise<Hex>;
  /** Returns the chain to `snapshot`: blocks after it and the pool are gone. */
  revert(snapshot: Hex): Promise<void>;
  /** Empties the pool, so transactions can be resubmitted in another order. */
  dropPending(): Promise<void>;
  /** Revert data of a mined transaction that failed. */
  revertData(hash: Hex): Promise<Hex | undefined>;
}
