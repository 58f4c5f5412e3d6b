// KeeperStore on SQLite (better-sqlite3). Each settlement is one guarded UPDATE (… WHERE state =
// 'sent'), so a liquidation is settled once, whoever settles it.
import type Database from "better-sqlite3";
import type { Address, Hex } from "viem";
import {
  type KeeperStore,
  KeeperStoreError,
  LIQUIDATION_STATES,
  type LiquidationOutcome,
  type LiquidationRecord,
  type LiquidationState,
  type NewLiquidation,
} from "../keeper-store.js";
import { openDatabase } from "./database.js";

const schema = `
CREATE TABLE IF NOT EXISTS keeper_liquidations (
  tx_hash TEXT PRIMARY KEY,
  raw_transaction TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  account TEXT NOT NULL,
  market_id INTEGER NOT NULL,
  chain_id INTEGER NOT NULL,
  token TEXT NOT NULL,
  max_repay TEXT NOT NULL,
  planned_block TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  reason TEXT,
  landed_block TEXT,
  closed_size TEXT,
  repaid TEXT,
  seized TEXT,
  message_id TEXT,
  settled_at INTEGER
);
CREATE INDEX IF NOT EXISTS keeper_liquidations_state ON keeper_liquidations (state);
CREATE INDEX IF NOT EXISTS keeper_liquidations_account ON keeper_liquidations (account);
`;

type Row = {
  tx_hash: string;
  raw_transaction: string;
  nonce: number;
  account: string;
  market_id: number;
  chain_id: number;
  token: string;
  max_repay: string;
  planned_block: string;
  sent_at: number;
  state: string;
  reason: string | null;
  landed_block: string | null;
  closed_size: string | null;
  repaid: string | null;
  seized: string | null;
  message_id: string | null;
  settled_at: number | null;
};

export class KeeperSqliteStore implements KeeperStore {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = openDatabase(file, schema);
  }

  async recordSent(liquidation: NewLiquidation): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO keeper_liquidations (tx_hash, raw_transaction, nonce, account, market_id, chain_id, token,
           max_repay, planned_block, sent_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent')`,
      )
      .run(
        liquidation.txHash,
        liquidation.rawTransaction,
        liquidation.nonce,
        liquidation.account,
        liquidation.marketId,
        liquidation.chainId,
        liquidation.token,
        liquidation.maxRepay.toString(),
        liquidation.plannedBlock.toString(),
        liquidation.sentAt,
      );
  }

  async get(txHash: Hex): Promise<LiquidationRecord | undefined> {
    const row = this.#db.prepare("SELECT * FROM keeper_liquidations WHERE tx_hash = ?").get(txHash) as
      | Row
      | undefined;
    return row && fromRow(row);
  }

  async inState(states: readonly LiquidationState[]): Promise<LiquidationRecord[]> {
    if (states.length === 0) return [];
    const rows = this.#db
      .prepare(
        `SELECT * FROM keeper_liquidations WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY nonce, tx_hash`,
      )
      .all(...states) as Row[];
    return rows.map(fromRow);
  }

  async markLanded(txHash: Hex, outcome: LiquidationOutcome, at: number): Promise<boolean> {
    const result = this.#db
      .prepare(
        `UPDATE keeper_liquidations SET state = 'landed', landed_block = ?, closed_size = ?, repaid = ?, seized = ?,
           message_id = ?, settled_at = ? WHERE tx_hash = ? AND state = 'sent'`,
      )
      .run(
        outcome.block.toString(),
        outcome.closedSize.toString(),
        outcome.repaid.toString(),
        outcome.seized.toString(),
        outcome.messageId ?? null,
        at,
        txHash,
      );
    return result.changes === 1;
  }

  async markSettled(
    txHash: Hex,
    state: "taken" | "failed" | "dropped",
    reason: string,
    at: number,
  ): Promise<boolean> {
    const result = this.#db
      .prepare(
        "UPDATE keeper_liquidations SET state = ?, reason = ?, settled_at = ? WHERE tx_hash = ? AND state = 'sent'",
      )
      .run(state, reason, at, txHash);
    return result.changes === 1;
  }

  async counts(): Promise<Record<LiquidationState, number>> {
    const rows = this.#db
      .prepare("SELECT state, COUNT(*) AS count FROM keeper_liquidations GROUP BY state")
      .all() as { state: LiquidationState; count: number }[];
    const counts = Object.fromEntries(LIQUIDATION_STATES.map((state) => [state, 0])) as Record<
      LiquidationState,
      number
    >;
    for (const row of rows) counts[row.state] = row.count;
    return counts;
  }

  async recent(limit: number): Promise<LiquidationRecord[]> {
    const rows = this.#db
      .prepare("SELECT * FROM keeper_liquidations ORDER BY sent_at DESC, nonce DESC LIMIT ?")
      .all(limit) as Row[];
    return rows.map(fromRow);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

function fromRow(row: Row): LiquidationRecord {
  const landed = row.landed_block !== null;
  return {
    txHash: row.tx_hash as Hex,
    rawTransaction: row.raw_transaction as Hex,
    nonce: row.nonce,
    account: row.account as Address,
    marketId: row.market_id,
    chainId: row.chain_id,
    token: row.token as Address,
    maxRepay: BigInt(row.max_repay),
    plannedBlock: BigInt(row.planned_block),
    sentAt: row.sent_at,
    state: stateOf(row.state),
    reason: row.reason ?? undefined,
    outcome: landed
      ? {
          block: BigInt(row.landed_block ?? 0),
          closedSize: BigInt(row.closed_size ?? 0),
          repaid: BigInt(row.repaid ?? 0),
          seized: BigInt(row.seized ?? 0),
          messageId: (row.message_id ?? undefined) as Hex | undefined,
        }
      : undefined,
    settledAt: row.settled_at ?? undefined,
  };
}

function stateOf(value: string): LiquidationState {
  const state = LIQUIDATION_STATES.find((known) => known === value);
  if (!state) throw new KeeperStoreError(`unknown liquidation state "${value}"`);
  return state;
}
