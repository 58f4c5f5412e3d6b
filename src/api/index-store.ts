// The API's own SQLite index: what the indexer (indexer.ts) has read from the chains' events — messages,
// checkpoints, bonds, superblocks, the router's orders, the order book's fills — and one ordered event
// log the WebSocket stream replays from a cursor.
// Requests read only this file; no request scans a chain.
import type Database from "better-sqlite3";
import type { Hex } from "viem";
import { cursorWriter, openDatabase, readCursor } from "../store/sqlite/database.js";
import {
  type CheckpointRow,
  checkpointOf,
  type IndexedBond,
  type IndexedCheckpoint,
  type IndexedMessage,
  type IndexedSuperblock,
  type MessageFilter,
  type MessageRow,
  messageOf,
  type NewSent,
  type StreamEvent,
  type StreamKind,
} from "./index-rows.js";
import { IntentIndex, intentSchema } from "./intent-index.js";
import { FillIndex, fillSchema } from "./orderbook-index.js";

const schema = `
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  source INTEGER, destination INTEGER, sender TEXT, recipient TEXT, nonce TEXT,
  path TEXT, verifier TEXT, status TEXT NOT NULL,
  message TEXT,
  source_tx TEXT, source_block INTEGER, sent_at INTEGER,
  delivery_tx TEXT, delivery_block INTEGER, delivered_at INTEGER, gas_used TEXT,
  failures TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS messages_status ON messages (status, seq);
CREATE TABLE IF NOT EXISTS checkpoints (
  path TEXT NOT NULL, source INTEGER NOT NULL, destination INTEGER NOT NULL, count INTEGER NOT NULL,
  root TEXT NOT NULL, attester TEXT, posted_at INTEGER NOT NULL, window_end INTEGER,
  state TEXT NOT NULL, tx TEXT NOT NULL,
  PRIMARY KEY (path, source, destination, count)
);
CREATE TABLE IF NOT EXISTS bonds (
  chain INTEGER NOT NULL, attester TEXT NOT NULL, amount TEXT NOT NULL, withdrawable_at INTEGER,
  slashed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (chain, attester)
);
CREATE TABLE IF NOT EXISTS superblocks (
  height INTEGER PRIMARY KEY, commitment TEXT NOT NULL, blocks TEXT NOT NULL, l1_block INTEGER NOT NULL,
  tx TEXT NOT NULL, posted_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL
);
`;

export {
  type IndexedBond,
  type IndexedCheckpoint,
  type IndexedMessage,
  type IndexedStatus,
  type IndexedSuperblock,
  MESSAGE_STATUSES,
  type MessageFilter,
  type NewSent,
  STREAM_KINDS,
  type StreamEvent,
  type StreamKind,
} from "./index-rows.js";

/** The index. Writes happen in the indexer's transactions (`transaction`); reads are plain queries. */
export class IndexStore {
  readonly #db: Database.Database;
  readonly #setCursor: (name: string, block: bigint) => void;
  /** The liquidity router's orders, in the same file and transactions. */
  readonly intents: IntentIndex;
  /** The order book's fills, in the same file and transactions. */
  readonly fills: FillIndex;

  constructor(file: string) {
    this.#db = openDatabase(file, schema + intentSchema + fillSchema);
    this.#setCursor = cursorWriter(this.#db);
    this.intents = new IntentIndex(this.#db);
    this.fills = new FillIndex(this.#db);
  }

  close(): void {
    this.#db.close();
  }

  cursor(name: string): bigint | undefined {
    return readCursor(this.#db, name);
  }

  setCursor(name: string, block: bigint): void {
    this.#setCursor(name, block);
  }

  /** Runs `work` in one SQLite transaction: a scan's rows, events and cursor land together or not at all. */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }

  appendEvent(kind: StreamKind, data: unknown): number {
    const result = this.#db
      .prepare("INSERT INTO events (kind, data, at) VALUES (?, ?, ?)")
      .run(kind, JSON.stringify(data), Date.now());
    return Number(result.lastInsertRowid);
  }

  /** Events after `cursor`, oldest first. */
  eventsAfter(cursor: number, limit = 500): StreamEvent[] {
    const rows = this.#db
      .prepare("SELECT seq, kind, data, at FROM events WHERE seq > ? ORDER BY seq LIMIT ?")
      .all(cursor, limit) as { seq: number; kind: StreamKind; data: string; at: number }[];
    return rows.map((row) => ({ cursor: row.seq, kind: row.kind, at: row.at, data: JSON.parse(row.data) }));
  }

  lastEventCursor(): number {
    const row = this.#db.prepare("SELECT MAX(seq) AS seq FROM events").get() as { seq: number | null };
    return row.seq ?? 0;
  }

  /** Records a sent message; keeps the status of one whose delivery was indexed first. */
  recordSent(sent: NewSent): IndexedMessage {
    this.#db
      .prepare(
        `INSERT INTO messages (id, source, destination, sender, recipient, nonce, path, verifier, status, message,
           source_tx, source_block, sent_at)
         VALUES (@id, @source, @destination, @sender, @recipient, @nonce, @path, @verifier, 'sent', @message,
           @tx, @block, @timestamp)
         ON CONFLICT(id) DO UPDATE SET source = excluded.source, destination = excluded.destination,
           sender = excluded.sender, recipient = excluded.recipient, nonce = excluded.nonce, path = excluded.path,
           verifier = excluded.verifier, message = excluded.message, source_tx = excluded.source_tx,
           source_block = excluded.source_block, sent_at = excluded.sent_at`,
      )
      .run({
        id: sent.id,
        source: sent.sourceChainId,
        destination: sent.destinationChainId,
        sender: sent.sender.toLowerCase(),
        recipient: sent.recipient,
        nonce: sent.nonce,
        path: sent.path,
        verifier: sent.verifier,
        message: JSON.stringify(sent.message),
        tx: sent.tx,
        block: sent.block,
        timestamp: sent.timestamp,
      });
    return this.#mustGet(sent.id);
  }

  /** Records a delivery; returns the message when its source is known (else it waits for its MessageSent). */
  recordDelivered(
    id: Hex,
    delivery: { tx: Hex; block: number; timestamp: number; gasUsed: string | null },
  ): IndexedMessage | undefined {
    this.#db
      .prepare(
        `INSERT INTO messages (id, status, delivery_tx, delivery_block, delivered_at, gas_used)
         VALUES (?, 'delivered', ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET status = 'delivered', delivery_tx = excluded.delivery_tx,
           delivery_block = excluded.delivery_block, delivered_at = excluded.delivered_at, gas_used = excluded.gas_used`,
      )
      .run(id, delivery.tx, delivery.block, delivery.timestamp, delivery.gasUsed);
    return this.getMessage(id);
  }

  recordFailed(id: Hex, failure: { tx: Hex; reason: Hex | null }): IndexedMessage | undefined {
    const row = this.#db.prepare("SELECT status, failures FROM messages WHERE id = ?").get(id) as
      | { status: string; failures: string }
      | undefined;
    const failures = [...(row ? (JSON.parse(row.failures) as unknown[]) : []), failure];
    this.#db
      .prepare(
        `INSERT INTO messages (id, status, failures) VALUES (?, 'failed', ?)
         ON CONFLICT(id) DO UPDATE SET failures = excluded.failures,
           status = CASE WHEN status = 'delivered' THEN status ELSE 'failed' END`,
      )
      .run(id, JSON.stringify(failures));
    return this.getMessage(id);
  }

  /** Marks sent/failed messages whose deadline passed as expired; returns them. */
  expire(nowSeconds: number): IndexedMessage[] {
    const rows = this.#db
      .prepare(
        `SELECT id FROM messages WHERE status IN ('sent', 'failed') AND message IS NOT NULL
           AND CAST(json_extract(message, '$.deadline') AS INTEGER) < ?`,
      )
      .all(nowSeconds) as { id: Hex }[];
    const update = this.#db.prepare("UPDATE messages SET status = 'expired' WHERE id = ?");
    return rows.map(({ id }) => {
      update.run(id);
      return this.#mustGet(id);
    });
  }

  /** A message whose source is indexed, or undefined. */
  getMessage(id: Hex): IndexedMessage | undefined {
    const row = this.#db
      .prepare("SELECT * FROM messages WHERE id = ? AND message IS NOT NULL")
      .get(id.toLowerCase()) as MessageRow | undefined;
    return row ? messageOf(row) : undefined;
  }

  #mustGet(id: Hex): IndexedMessage {
    const found = this.getMessage(id);
    if (!found) throw new Error(`message ${id} vanished from the index`);
    return found;
  }

  /** Messages matching `filter`, newest first. */
  listMessages(filter: MessageFilter): IndexedMessage[] {
    const clauses = ["message IS NOT NULL"];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      clauses.push(clause);
      params.push(value);
    };
    add("status = ?", filter.status);
    add("path = ?", filter.path);
    add("source = ?", filter.source);
    add("destination = ?", filter.destination);
    add("sender = ?", filter.sender?.toLowerCase());
    add("seq < ?", filter.before);
    const rows = this.#db
      .prepare(`SELECT * FROM messages WHERE ${clauses.join(" AND ")} ORDER BY seq DESC LIMIT ?`)
      .all(...params, filter.limit) as MessageRow[];
    return rows.map(messageOf);
  }

  /** Indexed messages by status and path (for the metrics). */
  messageCounts(): { status: string; path: string; count: number }[] {
    return this.#db
      .prepare(
        "SELECT status, COALESCE(path, 'unknown') AS path, COUNT(*) AS count FROM messages WHERE message IS NOT NULL GROUP BY status, path",
      )
      .all() as { status: string; path: string; count: number }[];
  }

  /** Undelivered messages per destination and the send time of the oldest (for relayer lag). */
  pendingByDestination(): { destination: number; count: number; oldest: number }[] {
    return this.#db
      .prepare(
        "SELECT destination, COUNT(*) AS count, MIN(sent_at) AS oldest FROM messages WHERE status IN ('sent', 'failed') AND message IS NOT NULL GROUP BY destination",
      )
      .all() as { destination: number; count: number; oldest: number }[];
  }

  upsertCheckpoint(checkpoint: IndexedCheckpoint): IndexedCheckpoint {
    this.#db
      .prepare(
        `INSERT INTO checkpoints (path, source, destination, count, root, attester, posted_at, window_end, state, tx)
         VALUES (@path, @sourceChainId, @destinationChainId, @count, @root, @attester, @postedAt, @windowEnd, @state, @tx)
         ON CONFLICT(path, source, destination, count) DO NOTHING`,
      )
      .run(checkpoint);
    return checkpoint;
  }

  /** Sets the state of an optimistic checkpoint; returns it, or undefined when it is not indexed. */
  setCheckpointState(
    key: { path: string; sourceChainId: number; destinationChainId: number; count: number },
    state: string,
  ): IndexedCheckpoint | undefined {
    this.#db
      .prepare(
        "UPDATE checkpoints SET state = ? WHERE path = ? AND source = ? AND destination = ? AND count = ?",
      )
      .run(state, key.path, key.sourceChainId, key.destinationChainId, key.count);
    const row = this.#db
      .prepare("SELECT * FROM checkpoints WHERE path = ? AND source = ? AND destination = ? AND count = ?")
      .get(key.path, key.sourceChainId, key.destinationChainId, key.count) as CheckpointRow | undefined;
    return row ? checkpointOf(row) : undefined;
  }

  /** The newest `perLane` checkpoints of every (path, source, destination), newest first. */
  listCheckpoints(filter: { path?: string; source?: number; perLane: number }): IndexedCheckpoint[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM (
           SELECT *, ROW_NUMBER() OVER (PARTITION BY path, source, destination ORDER BY count DESC) AS rank
           FROM checkpoints WHERE (? IS NULL OR path = ?) AND (? IS NULL OR source = ?)
         ) WHERE rank <= ? ORDER BY path, source, destination, count DESC`,
      )
      .all(
        filter.path ?? null,
        filter.path ?? null,
        filter.source ?? null,
        filter.source ?? null,
        filter.perLane,
      ) as CheckpointRow[];
    return rows.map(checkpointOf);
  }

  countCheckpoints(state: string): number {
    const row = this.#db.prepare("SELECT COUNT(*) AS n FROM checkpoints WHERE state = ?").get(state) as {
      n: number;
    };
    return row.n;
  }

  upsertBond(bond: IndexedBond): void {
    this.#db
      .prepare(
        `INSERT INTO bonds (chain, attester, amount, withdrawable_at, slashed) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(chain, attester) DO UPDATE SET amount = excluded.amount,
           withdrawable_at = excluded.withdrawable_at, slashed = excluded.slashed`,
      )
      .run(bond.chainId, bond.attester, bond.amount, bond.withdrawableAt, bond.slashed ? 1 : 0);
  }

  getBond(chainId: number, attester: Hex): IndexedBond | undefined {
    return this.listBonds().find((bond) => bond.chainId === chainId && bond.attester === attester);
  }

  listBonds(): IndexedBond[] {
    const rows = this.#db.prepare("SELECT * FROM bonds ORDER BY chain, attester").all() as {
      chain: number;
      attester: Hex;
      amount: string;
      withdrawable_at: number | null;
      slashed: number;
    }[];
    return rows.map((row) => ({
      chainId: row.chain,
      attester: row.attester,
      amount: row.amount,
      withdrawableAt: row.withdrawable_at,
      slashed: row.slashed === 1,
    }));
  }

  insertSuperblock(superblock: IndexedSuperblock): void {
    this.#db
      .prepare(
        "INSERT OR IGNORE INTO superblocks (height, commitment, blocks, l1_block, tx, posted_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(
        superblock.height,
        superblock.commitment,
        JSON.stringify(superblock.blocks),
        superblock.l1Block,
        superblock.tx,
        superblock.postedAt,
      );
  }

  getSuperblock(height: number): IndexedSuperblock | undefined {
    const row = this.#db.prepare("SELECT * FROM superblocks WHERE height = ?").get(height) as
      | { height: number; commitment: Hex; blocks: string; l1_block: number; tx: Hex; posted_at: number }
      | undefined;
    if (!row) return undefined;
    return {
      height: row.height,
      commitment: row.commitment,
      blocks: JSON.parse(row.blocks) as IndexedSuperblock["blocks"],
      l1Block: row.l1_block,
      tx: row.tx,
      postedAt: row.posted_at,
    };
  }

  latestSuperblockHeight(): number | null {
    const row = this.#db.prepare("SELECT MAX(height) AS height FROM superblocks").get() as {
      height: number | null;
    };
    return row.height;
  }
}
