// The order book's fills in the API's index: every OrderFilled a rollup's OrderGateway emitted (one per
// order and fill: the leg that gateway paid), so `/v1/orderbook/fills` reads rows instead of scanning
// every rollup's history per request. The indexer hands it the gateway's decoded logs; rows live in the
// API's SQLite file and land in the same transaction as the scan's cursor.
import type Database from "better-sqlite3";
import type { Address, Hex } from "viem";

export const fillSchema = `
CREATE TABLE IF NOT EXISTS orderbook_fills (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  chain_id INTEGER NOT NULL, tx TEXT NOT NULL, log_index INTEGER NOT NULL,
  block INTEGER NOT NULL, fill_id TEXT NOT NULL, order_id TEXT NOT NULL, counter TEXT NOT NULL,
  price TEXT NOT NULL, amount TEXT NOT NULL, receiver TEXT NOT NULL, token TEXT NOT NULL, paid TEXT NOT NULL,
  UNIQUE (chain_id, tx, log_index)
);
CREATE INDEX IF NOT EXISTS orderbook_fills_order ON orderbook_fills (order_id, seq);
`;

/** A leg a gateway paid, as the API serves it (amounts as decimal strings). */
export type IndexedFill = {
  chainId: number;
  fillId: Hex;
  order: string;
  counter: string;
  price: string;
  amount: string;
  /** Who this order's leg paid (the counterparty's owner), with what. */
  receiver: Address;
  token: Address;
  paid: string;
  txHash: Hex;
  blockNumber: number;
  /** Pass as `after` for the next page. */
  cursor: number;
};

export type NewFill = Omit<IndexedFill, "cursor"> & { logIndex: number };

type FillRow = {
  seq: number;
  chain_id: number;
  tx: Hex;
  block: number;
  fill_id: Hex;
  order_id: string;
  counter: string;
  price: string;
  amount: string;
  receiver: Address;
  token: Address;
  paid: string;
};

function fillOf(row: FillRow): IndexedFill {
  return {
    chainId: row.chain_id,
    fillId: row.fill_id,
    order: row.order_id,
    counter: row.counter,
    price: row.price,
    amount: row.amount,
    receiver: row.receiver,
    token: row.token,
    paid: row.paid,
    txHash: row.tx,
    blockNumber: row.block,
    cursor: row.seq,
  };
}

export class FillIndex {
  constructor(private readonly db: Database.Database) {}

  /** Records a fill once: a log read again (a rescan after a crash before the cursor moved) is ignored. */
  record(fill: NewFill): void {
    this.db
      .prepare(
        `INSERT INTO orderbook_fills (chain_id, tx, log_index, block, fill_id, order_id, counter, price, amount, receiver, token, paid)
         VALUES (@chainId, @txHash, @logIndex, @blockNumber, @fillId, @order, @counter, @price, @amount, @receiver, @token, @paid)
         ON CONFLICT (chain_id, tx, log_index) DO NOTHING`,
      )
      .run(fill);
  }

  /** Fills in the order they were indexed (oldest first), after `after`, of one order when given. */
  list(filter: { order?: string; after?: number; limit: number }): IndexedFill[] {
    const clauses = ["seq > ?"];
    const params: (string | number)[] = [filter.after ?? 0];
    if (filter.order !== undefined) {
      clauses.push("order_id = ?");
      params.push(filter.order);
    }
    const rows = this.db
      .prepare(`SELECT * FROM orderbook_fills WHERE ${clauses.join(" AND ")} ORDER BY seq LIMIT ?`)
      .all(...params, filter.limit) as FillRow[];
    return rows.map(fillOf);
  }
}
