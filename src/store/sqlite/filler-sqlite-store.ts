// FillerStore on SQLite (better-sqlite3). Every state change is one guarded UPDATE (… WHERE state IN
// the states it may leave), so an out-of-order call changes nothing and says so.
import type Database from "better-sqlite3";
import type { Hex } from "viem";
import {
  FILL_STATES,
  type FillerOrder,
  type FillerStore,
  FillerStoreError,
  type FillState,
  type NewFillerOrder,
  type SignedFill,
} from "../filler-store.js";
import { cursorWriter, openDatabase, readCursor } from "./database.js";

const schema = `
CREATE TABLE IF NOT EXISTS filler_orders (
  order_id TEXT PRIMARY KEY,
  origin_chain_id INTEGER NOT NULL,
  destination_chain_id INTEGER NOT NULL,
  origin_data TEXT NOT NULL,
  source TEXT NOT NULL,
  state TEXT NOT NULL,
  reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  tx_hash TEXT,
  raw_transaction TEXT,
  repayment_chain_id INTEGER,
  seen_at INTEGER NOT NULL,
  filling_at INTEGER,
  filled_at INTEGER,
  repaid_at INTEGER
);
CREATE INDEX IF NOT EXISTS filler_orders_state ON filler_orders (state);
CREATE INDEX IF NOT EXISTS filler_orders_seen_at ON filler_orders (seen_at);
`;

type Row = {
  order_id: string;
  origin_chain_id: number;
  destination_chain_id: number;
  origin_data: string;
  source: string;
  state: string;
  reason: string | null;
  attempts: number;
  tx_hash: string | null;
  raw_transaction: string | null;
  repayment_chain_id: number | null;
  seen_at: number;
  filling_at: number | null;
  filled_at: number | null;
  repaid_at: number | null;
};

const INSERT = `INSERT OR IGNORE INTO filler_orders
  (order_id, origin_chain_id, destination_chain_id, origin_data, source, state, seen_at)
  VALUES (?, ?, ?, ?, ?, 'seen', ?)`;

export class FillerSqliteStore implements FillerStore {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = openDatabase(file, schema);
  }

  async getCursor(name: string): Promise<bigint | undefined> {
    return readCursor(this.#db, name);
  }

  async recordScan(cursorName: string, toBlock: bigint, orders: readonly NewFillerOrder[]): Promise<void> {
    const insert = this.#db.prepare(INSERT);
    const cursor = cursorWriter(this.#db);
    this.#db.transaction(() => {
      for (const order of orders) insert.run(...insertValues(order));
      cursor(cursorName, toBlock);
    })();
  }

  async addOrder(order: NewFillerOrder): Promise<boolean> {
    return this.#db.prepare(INSERT).run(...insertValues(order)).changes === 1;
  }

  async get(orderId: Hex): Promise<FillerOrder | undefined> {
    const row = this.#db.prepare("SELECT * FROM filler_orders WHERE order_id = ?").get(orderId) as
      | Row
      | undefined;
    return row && fromRow(row);
  }

  async ordersIn(states: readonly FillState[]): Promise<FillerOrder[]> {
    if (states.length === 0) return [];
    const rows = this.#db
      .prepare(
        `SELECT * FROM filler_orders WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY seen_at, order_id`,
      )
      .all(...states) as Row[];
    return rows.map(fromRow);
  }

  async markFilling(orderId: Hex, fill: SignedFill, at: number): Promise<boolean> {
    return this.#update(
      orderId,
      ["seen"],
      `state = 'filling', reason = NULL, attempts = attempts + 1, tx_hash = ?, raw_transaction = ?,
       repayment_chain_id = ?, filling_at = ?`,
      [fill.txHash, fill.rawTransaction, fill.repaymentChainId, at],
    );
  }

  async markFilled(orderId: Hex, at: number): Promise<boolean> {
    return this.#update(orderId, ["filling"], "state = 'filled', reason = NULL, filled_at = ?", [at]);
  }

  async markRepaid(orderId: Hex, at: number): Promise<boolean> {
    return this.#update(orderId, ["filled"], "state = 'repaid', repaid_at = ?", [at]);
  }

  async markWaiting(orderId: Hex, reason: string): Promise<boolean> {
    return this.#update(orderId, ["seen", "filling"], "state = 'seen', reason = ?", [reason]);
  }

  async markSkipped(orderId: Hex, reason: string): Promise<boolean> {
    return this.#update(orderId, ["seen", "filling"], "state = 'skipped', reason = ?", [reason]);
  }

  async counts(): Promise<Record<FillState, number>> {
    const rows = this.#db
      .prepare("SELECT state, COUNT(*) AS count FROM filler_orders GROUP BY state")
      .all() as { state: FillState; count: number }[];
    const counts = Object.fromEntries(FILL_STATES.map((state) => [state, 0])) as Record<FillState, number>;
    for (const row of rows) counts[row.state] = row.count;
    return counts;
  }

  async recent(limit: number): Promise<FillerOrder[]> {
    const rows = this.#db
      .prepare("SELECT * FROM filler_orders ORDER BY seen_at DESC, order_id LIMIT ?")
      .all(limit) as Row[];
    return rows.map(fromRow);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #update(orderId: Hex, from: readonly FillState[], set: string, values: unknown[]): boolean {
    const guard = from.map(() => "?").join(", ");
    const statement = this.#db.prepare(
      `UPDATE filler_orders SET ${set} WHERE order_id = ? AND state IN (${guard})`,
    );
    return statement.run(...values, orderId, ...from).changes === 1;
  }
}

function insertValues(order: NewFillerOrder) {
  return [
    order.orderId,
    order.originChainId,
    order.destinationChainId,
    order.originData,
    order.source,
    order.seenAt,
  ] as const;
}

function fromRow(row: Row): FillerOrder {
  return {
    orderId: row.order_id as Hex,
    originChainId: row.origin_chain_id,
    destinationChainId: row.destination_chain_id,
    originData: row.origin_data as Hex,
    source: row.source === "offered" ? "offered" : "open",
    seenAt: row.seen_at,
    state: stateOf(row.state),
    reason: row.reason ?? undefined,
    attempts: row.attempts,
    txHash: (row.tx_hash ?? undefined) as Hex | undefined,
    rawTransaction: (row.raw_transaction ?? undefined) as Hex | undefined,
    repaymentChainId: row.repayment_chain_id ?? undefined,
    fillingAt: row.filling_at ?? undefined,
    filledAt: row.filled_at ?? undefined,
    repaidAt: row.repaid_at ?? undefined,
  };
}

function stateOf(value: string): FillState {
  const state = FILL_STATES.find((known) => known === value);
  if (!state) throw new FillerStoreError(`unknown order state "${value}"`);
  return state;
}
