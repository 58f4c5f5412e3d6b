// What the relayer keeps between restarts: per-chain log cursors and the message table. Backends
// (SQLite now, PostgreSQL later) implement this interface; agents never see SQL.
import type { Hex } from "viem";
import type { Message } from "../protocol/message.js";

/** sent: seen on the source, not yet delivered; failed: delivered but the handler reverted (retriable). */
export type RelayStatus = "sent" | "delivered" | "failed" | "expired";

export type NewMessage = {
  id: Hex;
  message: Message;
  sourceTx: Hex;
  sourceBlock: bigint;
  /** Source block timestamp, milliseconds. */
  sentAt: number;
};

export type StoredMessage = NewMessage & {
  status: RelayStatus;
  seenAt: number;
  deliveryTx: Hex | null;
  deliveredAt: number | null;
  deliveryGas: bigint | null;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
};

export type DeliveryRecord = { tx: Hex | null; at: number; gasUsed: bigint | null };

export interface RelayerStore {
  getCursor(name: string): Promise<bigint | undefined>;
  /** Stores the messages found in a block range and advances that chain's cursor, atomically. */
  recordSourceBatch(cursorName: string, toBlock: bigint, messages: readonly NewMessage[]): Promise<void>;
  /**
   * The ids of `sourceChainId`'s Outbox messages with nonces `from` (default 0) up to `count`, in nonce
   * order; stops at the first nonce not seen yet (so fewer when some are missing).
   */
  messageIds(sourceChainId: bigint, count: bigint, from?: bigint): Promise<Hex[]>;
  /**
   * Messages to `destinationChainId` that are waiting for delivery or a retry due at `now`; with `owner`,
   * not those another owner holds a live lease on (so several relayers spread the work, not share it).
   */
  due(destinationChainId: bigint, now: number, limit: number, owner?: string): Promise<StoredMessage[]>;
  /** Takes a lease on a message so parallel relayers never send it twice; true if this owner holds it. */
  claim(id: Hex, owner: string, now: number, leaseMs: number): Promise<boolean>;
  markDelivered(id: Hex, record: DeliveryRecord): Promise<void>;
  markFailed(id: Hex, failure: { error: string; nextAttemptAt: number; tx: Hex | null }): Promise<void>;
  /** A failed attempt that changed nothing on chain (e.g. an RPC error): try again later. */
  postpone(id: Hex, failure: { error: string; nextAttemptAt: number }): Promise<void>;
  markExpired(id: Hex, error: string): Promise<void>;
  get(id: Hex): Promise<StoredMessage | undefined>;
  counts(): Promise<Record<RelayStatus, number>>;
  close(): Promise<void>;
}
