// The matcher's state on SQLite (better-sqlite3): the book's orders with what is open of each, every fill it
// matched in one state of planned → batched (in a batch sent or about to be) → reserved (a cross-rollup
// fill whose answer is on its way) | settled (both legs paid) | released (refused or expired: both legs
// given back) | failed (its batch reverted: both legs given back), and one cursor per rollup. Every step
// (events read up to a block, the fills they matched) is one transaction, so a restart resumes exactly.
import type Database from "better-sqlite3";
import type { Address, Hex } from "viem";
import type { BookFill, BookOrder } from "../../protocol/orderbook-book.js";
import { cursorWriter, openDatabase, readCursor } from "./database.js";

const schema = `
CREATE TABLE IF NOT EXISTS matcher_orders (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  market TEXT NOT NULL,
  is_buy INTEGER NOT NULL,
  price TEXT NOT NULL,
  amount TEXT NOT NULL,
  open TEXT NOT NULL,
  time TEXT NOT NULL,
  cancelled INTEGER NOT NULL DEFAULT 0,
  auction TEXT NOT NULL DEFAULT '0'
);
CREATE TABLE IF NOT EXISTS matcher_sealed (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  market TEXT NOT NULL,
  round TEXT NOT NULL,
  base_deposit TEXT NOT NULL,
  quote_deposit TEXT NOT NULL,
  order_id TEXT
);
CREATE TABLE IF NOT EXISTS matcher_rounds (
  round TEXT PRIMARY KEY,
  price TEXT,
  cleared_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS matcher_fills (
  key INTEGER PRIMARY KEY AUTOINCREMENT,
  market TEXT NOT NULL,
  buy TEXT NOT NULL,
  sell TEXT NOT NULL,
  maker TEXT NOT NULL,
  taker TEXT NOT NULL,
  price TEXT NOT NULL,
  amount TEXT NOT NULL,
  round TEXT,
  chain_id INTEGER NOT NULL,
  batch_id TEXT,
  idx INTEGER,
  fill_id TEXT,
  state TEXT NOT NULL,
  reason TEXT,
  matched_at INTEGER NOT NULL,
  landed_at INTEGER,
  paid_buy_at INTEGER,
  paid_sell_at INTEGER
);
CREATE INDEX IF NOT EXISTS matcher_fills_state ON matcher_fills (chain_id, state);
CREATE UNIQUE INDEX IF NOT EXISTS matcher_fills_id ON matcher_fills (fill_id);
`;

export const FILL_STATES = ["planned", "batched", "reserved", "settled", "released", "failed"] as const;
export type FillState = (typeof FILL_STATES)[number];

export type FillRecord = BookFill & {
  key: number;
  /** The sealed-order auction round it clears, or undefined for the continuous book. */
  round: bigint | undefined;
  /** The gateway the fill is submitted to (its taker's rollup). */
  chainId: number;
  batchId: bigint | undefined;
  index: number | undefined;
  fillId: Hex | undefined;
  state: FillState;
  reason: string | undefined;
  /** Unix ms: matched by the book, its batch mined, each leg paid (as the matcher saw it). */
  matchedAt: number;
  landedAt: number | undefined;
  paidBuyAt: number | undefined;
  paidSellAt: number | undefined;
};

/** `auction` is the gateway's: 0 for the continuous book, a sealed order's round + 1. */
export type StoredOrder = BookOrder & { cancelled: boolean; auction: bigint };

/** A sealed order as committed: the matcher knows no side, price or amount until its reveal. */
export type SealedRecord = {
  id: bigint;
  owner: Address;
  marketId: Hex;
  round: bigint;
  baseDeposit: bigint;
  quoteDeposit: bigint;
  orderId: bigint | undefined;
};

type OrderRow = {
  id: string;
  owner: string;
  market: string;
  is_buy: number;
  price: string;
  amount: string;
  open: string;
  time: string;
  cancelled: number;
  auction: string;
};

type FillRow = {
  key: number;
  market: string;
  buy: string;
  sell: string;
  maker: string;
  taker: string;
  price: string;
  amount: string;
  round: string | null;
  chain_id: number;
  batch_id: string | null;
  idx: number | null;
  fill_id: string | null;
  state: string;
  reason: string | null;
  matched_at: number;
  landed_at: number | null;
  paid_buy_at: number | null;
  paid_sell_at: number | null;
};

/** One step of the matcher: orders whose open amount or state changed, fills matched, a cursor moved. */
export type MatcherStep = {
  orders?: StoredOrder[];
  fills?: (BookFill & { chainId: number; matchedAt: number; round?: bigint })[];
  cursor?: { chainId: number; block: bigint };
};

export class MatcherSqliteStore {
  readonly #db: Database.Database;
  readonly #setCursor: (name: string, block: bigint) => void;

  constructor(file: string) {
    this.#db = openDatabase(file, schema);
    this.#setCursor = cursorWriter(this.#db);
  }

  cursor(chainId: number): bigint | undefined {
    return readCursor(this.#db, `matcher:${chainId}`);
  }

  orders(): StoredOrder[] {
    const rows = this.#db.prepare("SELECT * FROM matcher_orders").all() as OrderRow[];
    return rows.map((row) => ({
      id: BigInt(row.id),
      owner: row.owner as Address,
      marketId: row.market as Hex,
      isBuy: row.is_buy === 1,
      price: BigInt(row.price),
      amount: BigInt(row.amount),
      open: BigInt(row.open),
      time: BigInt(row.time),
      cancelled: row.cancelled === 1,
      auction: BigInt(row.auction),
    }));
  }

  /** Applies one step atomically. */
  apply(step: MatcherStep): void {
    const upsert = this.#db.prepare(
      `INSERT INTO matcher_orders (id, owner, market, is_buy, price, amount, open, time, cancelled, auction)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET open = excluded.open, cancelled = excluded.cancelled`,
    );
    const insertFill = this.#db.prepare(
      `INSERT INTO matcher_fills (market, buy, sell, maker, taker, price, amount, round, chain_id, state, matched_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?)`,
    );
    this.#db.transaction(() => {
      for (const order of step.orders ?? []) {
        upsert.run(
          order.id.toString(),
          order.owner,
          order.marketId,
          order.isBuy ? 1 : 0,
          order.price.toString(),
          order.amount.toString(),
          order.open.toString(),
          order.time.toString(),
          order.cancelled ? 1 : 0,
          order.auction.toString(),
        );
      }
      for (const fill of step.fills ?? []) {
        insertFill.run(
          fill.marketId,
          fill.buy.toString(),
          fill.sell.toString(),
          fill.maker.toString(),
          fill.taker.toString(),
          fill.price.toString(),
          fill.amount.toString(),
          fill.round === undefined ? null : fill.round.toString(),
          fill.chainId,
          fill.matchedAt,
        );
      }
      if (step.cursor) this.#setCursor(`matcher:${step.cursor.chainId}`, step.cursor.block);
    })();
  }

  /** The fills of `chainId`'s gateway in one state, oldest first. */
  fillsIn(chainId: number, state: FillState, limit = 1_000): FillRecord[] {
    const rows = this.#db
      .prepare("SELECT * FROM matcher_fills WHERE chain_id = ? AND state = ? ORDER BY key LIMIT ?")
      .all(chainId, state, limit) as FillRow[];
    return rows.map(fillOf);
  }

  /** Puts planned fills into batch `batchId` (their index is their place in it), before it is sent. */
  assignBatch(batchId: bigint, keys: number[]): void {
    const statement = this.#db.prepare(
      "UPDATE matcher_fills SET state = 'batched', batch_id = ?, idx = ? WHERE key = ? AND state = 'planned'",
    );
    this.#db.transaction(() => {
      for (const [index, key] of keys.entries()) statement.run(batchId.toString(), index, key);
    })();
  }

  /** The batch landed: each fill gets its on-chain id and its state (reserved across rollups, else settled). */
  batchLanded(landed: { key: number; fillId: Hex; state: "reserved" | "settled" }[], at: number): void {
    const statement = this.#db.prepare(
      "UPDATE matcher_fills SET state = ?, fill_id = ?, landed_at = ? WHERE key = ? AND state = 'batched'",
    );
    this.#db.transaction(() => {
      for (const fill of landed) statement.run(fill.state, fill.fillId, at, fill.key);
    })();
  }

  /**
   * A step that gives matched amounts back to the book (a batch reverted, a fill released): the fills'
   * new state and the orders' open amounts, together.
   */
  giveBack(keys: number[], state: "failed" | "released", reason: string, step: MatcherStep): void {
    const statement = this.#db.prepare("UPDATE matcher_fills SET state = ?, reason = ? WHERE key = ?");
    this.#db.transaction(() => {
      for (const key of keys) statement.run(state, reason, key);
      this.apply(step);
    })();
  }

  byFillId(fillId: Hex): FillRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM matcher_fills WHERE fill_id = ?").get(fillId) as
      | FillRow
      | undefined;
    return row && fillOf(row);
  }

  /** Records a leg paid; returns the fill when both legs are now paid (it is settled). */
  legPaid(fillId: Hex, buyLeg: boolean, at: number): FillRecord | undefined {
    const column = buyLeg ? "paid_buy_at" : "paid_sell_at";
    this.#db
      .prepare(`UPDATE matcher_fills SET ${column} = COALESCE(${column}, ?) WHERE fill_id = ?`)
      .run(at, fillId);
    const fill = this.byFillId(fillId);
    if (!fill || fill.paidBuyAt === undefined || fill.paidSellAt === undefined) return undefined;
    if (fill.state === "settled" && fill.reason === "paid") return undefined;
    this.#db
      .prepare("UPDATE matcher_fills SET state = 'settled', reason = 'paid' WHERE fill_id = ?")
      .run(fillId);
    return { ...fill, state: "settled" };
  }

  counts(): Record<string, number> {
    const rows = this.#db
      .prepare("SELECT state, COUNT(*) AS count FROM matcher_fills GROUP BY state")
      .all() as { state: string; count: number }[];
    return Object.fromEntries(rows.map((row) => [row.state, row.count]));
  }

  recent(limit: number): FillRecord[] {
    const rows = this.#db
      .prepare("SELECT * FROM matcher_fills ORDER BY key DESC LIMIT ?")
      .all(limit) as FillRow[];
    return rows.map(fillOf);
  }

  /** A sealed order as committed (its deposits only). */
  recordSealed(sealed: Omit<SealedRecord, "orderId">): void {
    this.#db
      .prepare(
        `INSERT OR IGNORE INTO matcher_sealed (id, owner, market, round, base_deposit, quote_deposit)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        sealed.id.toString(),
        sealed.owner,
        sealed.marketId,
        sealed.round.toString(),
        sealed.baseDeposit.toString(),
        sealed.quoteDeposit.toString(),
      );
  }

  sealedRevealed(sealedId: bigint, orderId: bigint): void {
    this.#db
      .prepare("UPDATE matcher_sealed SET order_id = ? WHERE id = ?")
      .run(orderId.toString(), sealedId.toString());
  }

  sealed(): SealedRecord[] {
    const rows = this.#db.prepare("SELECT * FROM matcher_sealed ORDER BY id").all() as {
      id: string;
      owner: string;
      market: string;
      round: string;
      base_deposit: string;
      quote_deposit: string;
      order_id: string | null;
    }[];
    return rows.map((row) => ({
      id: BigInt(row.id),
      owner: row.owner as Address,
      marketId: row.market as Hex,
      round: BigInt(row.round),
      baseDeposit: BigInt(row.base_deposit),
      quoteDeposit: BigInt(row.quote_deposit),
      orderId: row.order_id === null ? undefined : BigInt(row.order_id),
    }));
  }

  /** Marks a round cleared (at `price`, or undefined when nothing crossed) with the fills it made, at once. */
  roundCleared(round: bigint, price: bigint | undefined, step: MatcherStep): void {
    this.#db.transaction(() => {
      this.#db
        .prepare("INSERT INTO matcher_rounds (round, price, cleared_at) VALUES (?, ?, ?)")
        .run(round.toString(), price === undefined ? null : price.toString(), Date.now());
      this.apply(step);
    })();
  }

  clearedRounds(): Set<bigint> {
    const rows = this.#db.prepare("SELECT round FROM matcher_rounds").all() as { round: string }[];
    return new Set(rows.map((row) => BigInt(row.round)));
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

function fillOf(row: FillRow): FillRecord {
  return {
    key: row.key,
    marketId: row.market as Hex,
    buy: BigInt(row.buy),
    sell: BigInt(row.sell),
    maker: BigInt(row.maker),
    taker: BigInt(row.taker),
    price: BigInt(row.price),
    amount: BigInt(row.amount),
    round: row.round === null ? undefined : BigInt(row.round),
    chainId: row.chain_id,
    batchId: row.batch_id === null ? undefined : BigInt(row.batch_id),
    index: row.idx ?? undefined,
    fillId: (row.fill_id ?? undefined) as Hex | undefined,
    state: row.state as FillState,
    reason: row.reason ?? undefined,
    matchedAt: row.matched_at,
    landedAt: row.landed_at ?? undefined,
    paidBuyAt: row.paid_buy_at ?? undefined,
    paidSellAt: row.paid_sell_at ?? undefined,
  };
}
