// The liquidity router's orders in the API's index: each ERC-7683 order from its Open event on the
// origin settler, then Filled on the destination and Repaid or Refunded back on the origin. The indexer
// hands it each rollup's decoded settler logs; rows live in the API's SQLite file beside the messages.
import type Database from "better-sqlite3";
import type { Address, Hex } from "viem";
import type { RollupEntry } from "../chain/manifest.js";
import { decodeOrder, orderIdOf } from "../protocol/intents.js";

export const intentSchema = `
CREATE TABLE IF NOT EXISTS intents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL UNIQUE,
  origin INTEGER, destination INTEGER, path TEXT, user TEXT,
  input_amount TEXT, output_amount TEXT, state TEXT NOT NULL,
  open_tx TEXT, opened_at INTEGER,
  filler TEXT, fill_tx TEXT, filled_at INTEGER,
  settled_tx TEXT, settled_at INTEGER
);
`;

export const INTENT_STATES = ["open", "filled", "repaid", "refunded"] as const;
export type IntentState = (typeof INTENT_STATES)[number];

export type IndexedIntent = {
  orderId: Hex;
  state: IntentState;
  originChainId: number;
  destinationChainId: number;
  path: string;
  user: Address;
  inputAmount: string;
  outputAmount: string;
  open: { tx: Hex; timestamp: number };
  fill: { filler: Address; tx: Hex; timestamp: number } | null;
  settled: { tx: Hex; timestamp: number } | null;
  /** Seconds from the open block to the fill block (block timestamps). */
  fillSeconds: number | null;
  cursor: number;
};

type IntentRow = {
  seq: number;
  order_id: Hex;
  origin: number;
  destination: number;
  path: string;
  user: Address;
  input_amount: string;
  output_amount: string;
  state: IntentState;
  open_tx: Hex;
  opened_at: number;
  filler: Address | null;
  fill_tx: Hex | null;
  filled_at: number | null;
  settled_tx: Hex | null;
  settled_at: number | null;
};

function intentOf(row: IntentRow): IndexedIntent {
  return {
    orderId: row.order_id,
    state: row.state,
    originChainId: row.origin,
    destinationChainId: row.destination,
    path: row.path,
    user: row.user,
    inputAmount: row.input_amount,
    outputAmount: row.output_amount,
    open: { tx: row.open_tx, timestamp: row.opened_at },
    fill:
      row.filler && row.fill_tx && row.filled_at !== null
        ? { filler: row.filler, tx: row.fill_tx, timestamp: row.filled_at }
        : null,
    settled:
      row.settled_tx && row.settled_at !== null ? { tx: row.settled_tx, timestamp: row.settled_at } : null,
    fillSeconds: row.filled_at !== null ? row.filled_at - row.opened_at : null,
    cursor: row.seq,
  };
}

/** The trust path of a settler address on `rollup`, or undefined when it is not one of its settlers. */
export function settlerPath(rollup: RollupEntry, settler: Address): string | undefined {
  const entry = Object.entries(rollup.contracts.settlers).find(
    ([, address]) => address.toLowerCase() === settler.toLowerCase(),
  );
  return entry?.[0];
}

export type OpenLog = {
  orderId: Hex;
  resolvedOrder: { fillInstructions: readonly { originData: Hex }[] };
};

/**
 * The order an Open event announces, or undefined when its fill instruction does not hash to its id or
 * names another settler (the same checks as the filler's: never show what was not escrowed).
 */
export function openedOrder(args: OpenLog, settler: Address) {
  const originData = args.resolvedOrder.fillInstructions[0]?.originData;
  if (!originData || orderIdOf(originData) !== args.orderId) return undefined;
  const order = decodeOrder(originData);
  if (order.settler.toLowerCase() !== settler.toLowerCase()) return undefined;
  return order;
}

export class IntentIndex {
  constructor(private readonly db: Database.Database) {}

  recordOpen(intent: {
    orderId: Hex;
    originChainId: number;
    destinationChainId: number;
    path: string;
    user: Address;
    inputAmount: string;
    outputAmount: string;
    tx: Hex;
    timestamp: number;
  }): IndexedIntent | undefined {
    this.db
      .prepare(
        `INSERT INTO intents (order_id, origin, destination, path, user, input_amount, output_amount, state, open_tx, opened_at)
         VALUES (@orderId, @originChainId, @destinationChainId, @path, @user, @inputAmount, @outputAmount, 'open', @tx, @timestamp)
         ON CONFLICT(order_id) DO UPDATE SET origin = excluded.origin, destination = excluded.destination,
           path = excluded.path, user = excluded.user, input_amount = excluded.input_amount,
           output_amount = excluded.output_amount, open_tx = excluded.open_tx, opened_at = excluded.opened_at`,
      )
      .run(intent);
    return this.get(intent.orderId);
  }

  /** A fill on the destination; it may be indexed before its Open (another chain's scan). */
  recordFill(orderId: Hex, fill: { filler: Address; tx: Hex; timestamp: number }): IndexedIntent | undefined {
    this.db
      .prepare(
        `INSERT INTO intents (order_id, state, filler, fill_tx, filled_at) VALUES (?, 'filled', ?, ?, ?)
         ON CONFLICT(order_id) DO UPDATE SET filler = excluded.filler, fill_tx = excluded.fill_tx,
           filled_at = excluded.filled_at,
           state = CASE WHEN state IN ('repaid', 'refunded') THEN state ELSE 'filled' END`,
      )
      .run(orderId, fill.filler, fill.tx, fill.timestamp);
    return this.get(orderId);
  }

  recordSettled(
    orderId: Hex,
    state: "repaid" | "refunded",
    tx: Hex,
    timestamp: number,
  ): IndexedIntent | undefined {
    this.db
      .prepare(
        `INSERT INTO intents (order_id, state, settled_tx, settled_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(order_id) DO UPDATE SET state = excluded.state, settled_tx = excluded.settled_tx,
           settled_at = excluded.settled_at`,
      )
      .run(orderId, state, tx, timestamp);
    return this.get(orderId);
  }

  /** An order whose Open is indexed, or undefined. */
  get(orderId: Hex): IndexedIntent | undefined {
    const row = this.db
      .prepare("SELECT * FROM intents WHERE order_id = ? AND open_tx IS NOT NULL")
      .get(orderId.toLowerCase()) as IntentRow | undefined;
    return row ? intentOf(row) : undefined;
  }

  list(filter: {
    state?: IntentState;
    origin?: number;
    destination?: number;
    before?: number;
    limit: number;
  }): IndexedIntent[] {
    const clauses = ["open_tx IS NOT NULL"];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      clauses.push(clause);
      params.push(value);
    };
    add("state = ?", filter.state);
    add("origin = ?", filter.origin);
    add("destination = ?", filter.destination);
    add("seq < ?", filter.before);
    const rows = this.db
      .prepare(`SELECT * FROM intents WHERE ${clauses.join(" AND ")} ORDER BY seq DESC LIMIT ?`)
      .all(...params, filter.limit) as IntentRow[];
    return rows.map(intentOf);
  }

  counts(): { state: string; path: string; count: number }[] {
    return this.db
      .prepare(
        "SELECT state, path, COUNT(*) AS count FROM intents WHERE open_tx IS NOT NULL GROUP BY state, path",
      )
      .all() as { state: string; path: string; count: number }[];
  }
}
