// The rows of the API's index as the API serves them (messages, checkpoints, bonds, superblocks, stream
// events), and the mapping from their SQLite columns.
import type { Hex } from "viem";

export const MESSAGE_STATUSES = ["sent", "delivered", "failed", "expired"] as const;
export type IndexedStatus = (typeof MESSAGE_STATUSES)[number];
export const STREAM_KINDS = ["message", "checkpoint", "superblock", "slash", "bond", "intent"] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

export type IndexedMessage = {
  id: Hex;
  status: IndexedStatus;
  path: string | null;
  verifier: Hex | null;
  sourceChainId: number;
  destinationChainId: number;
  sender: Hex;
  recipient: Hex;
  nonce: string;
  message: Record<string, unknown>;
  source: { tx: Hex; block: number; timestamp: number };
  delivery: { tx: Hex; block: number; timestamp: number; gasUsed: string | null } | null;
  failures: { tx: Hex; reason: Hex | null }[];
  latencySeconds: number | null;
  cursor: number;
};

export type NewSent = {
  id: Hex;
  sourceChainId: number;
  destinationChainId: number;
  sender: Hex;
  recipient: Hex;
  nonce: string;
  path: string;
  verifier: Hex;
  message: Record<string, unknown>;
  tx: Hex;
  block: number;
  timestamp: number;
};

export type IndexedCheckpoint = {
  path: string;
  sourceChainId: number;
  /** 0 for checkpoints posted on the L1 (the canonical path serves every destination). */
  destinationChainId: number;
  count: number;
  root: Hex;
  attester: Hex | null;
  postedAt: number;
  /** Unix seconds when the challenge window closes (optimistic path), else null. */
  windowEnd: number | null;
  state: string;
  tx: Hex;
};

export type IndexedBond = {
  chainId: number;
  attester: Hex;
  amount: string;
  withdrawableAt: number | null;
  slashed: boolean;
};

export type IndexedSuperblock = {
  height: number;
  commitment: Hex;
  blocks: { chainId: number; blockNumber: number; blockHash: Hex; outboxCount: string; outboxRoot: Hex }[];
  l1Block: number;
  tx: Hex;
  postedAt: number;
};

export type StreamEvent = { cursor: number; kind: StreamKind; at: number; data: unknown };

export type MessageFilter = {
  status?: IndexedStatus;
  path?: string;
  source?: number;
  destination?: number;
  sender?: string;
  /** Messages indexed before this cursor (newest first). */
  before?: number;
  limit: number;
};

export type MessageRow = {
  seq: number;
  id: Hex;
  source: number;
  destination: number;
  sender: Hex;
  recipient: Hex;
  nonce: string;
  path: string | null;
  verifier: Hex | null;
  status: IndexedStatus;
  message: string;
  source_tx: Hex;
  source_block: number;
  sent_at: number;
  delivery_tx: Hex | null;
  delivery_block: number | null;
  delivered_at: number | null;
  gas_used: string | null;
  failures: string;
};

export type CheckpointRow = {
  path: string;
  source: number;
  destination: number;
  count: number;
  root: Hex;
  attester: Hex | null;
  posted_at: number;
  window_end: number | null;
  state: string;
  tx: Hex;
};

export function messageOf(row: MessageRow): IndexedMessage {
  return {
    id: row.id,
    status: row.status,
    path: row.path,
    verifier: row.verifier,
    sourceChainId: row.source,
    destinationChainId: row.destination,
    sender: row.sender,
    recipient: row.recipient,
    nonce: row.nonce,
    message: JSON.parse(row.message) as Record<string, unknown>,
    source: { tx: row.source_tx, block: row.source_block, timestamp: row.sent_at },
    delivery:
      row.delivery_tx !== null && row.delivery_block !== null && row.delivered_at !== null
        ? {
            tx: row.delivery_tx,
            block: row.delivery_block,
            timestamp: row.delivered_at,
            gasUsed: row.gas_used,
          }
        : null,
    failures: JSON.parse(row.failures) as IndexedMessage["failures"],
    latencySeconds: row.delivered_at !== null ? row.delivered_at - row.sent_at : null,
    cursor: row.seq,
  };
}

export function checkpointOf(row: CheckpointRow): IndexedCheckpoint {
  return {
    path: row.path,
    sourceChainId: row.source,
    destinationChainId: row.destination,
    count: row.count,
    root: row.root,
    attester: row.attester,
    postedAt: row.posted_at,
    windowEnd: row.window_end,
    state: row.state,
    tx: row.tx,
  };
}
