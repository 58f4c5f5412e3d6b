// RelayerStore on SQLite (better-sqlite3), one file under the devnet's data directory. WAL mode so the
// CLI can read while the relayer writes.
import type Database from "better-sqlite3";
import type { Hex } from "viem";
import { type MessageJson, messageFromJson, messageToJson } from "../../protocol/message.js";
import type { DeliveryRecord, NewMessage, RelayerStore, RelayStatus, StoredMessage } from "../store.js";
import { cursorWriter, openDatabase, readCursor } from "./database.js";

const schema = `
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  source_chain_id INTEGER NOT NULL,
  destination_chain_id INTEGER NOT NULL,
  nonce INTEGER NOT NULL,
  message TEXT NOT NULL,
  source_tx TEXT NOT NULL,
  source_block TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  seen_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'sent',
  delivery_tx TEXT,
  delivered_at INTEGER,
  delivery_gas TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  claimed_by TEXT,
  claim_until INTEGER NOT NULL DEFAULT 0,
  UNIQUE (source_chain_id, nonce)
);
CREATE INDEX IF NOT EXISTS messages_due ON messages (destination_chain_id, status, next_attempt_at);
`;

type Row = {
  id: string;
  message: string;
  source_tx: string;
  source_block: string;
  sent_at: number;
  seen_at: number;
  status: RelayStatus;
  delivery_tx: string | null;
  delivered_at: number | null;
  delivery_gas: string | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
};

function fromRow(row: Row): StoredMessage {
  return {
    id: row.id as Hex,
    message: messageFromJson(JSON.parse(row.message) as MessageJson),
    sourceTx: row.source_tx as Hex,
    sourceBlock: BigInt(row.source_block),
    sentAt: row.sent_at,
    seenAt: row.seen_at,
    status: row.status,
    deliveryTx: row.delivery_tx as Hex | null,
    deliveredAt: row.delivered_at,
    deliveryGas: row.delivery_gas === null ? null : BigInt(row.delivery_gas),
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
  };
}

export class SqliteStore implements RelayerStore {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = openDatabase(file, schema);
  }

  async getCursor(name: string): Promise<bigint | undefined> {
    return readCursor(this.#db, name);
  }

  async recordSourceBatch(
    cursorName: string,
    toBlock: bigint,
    messages: readonly NewMessage[],
  ): Promise<void> {
    const insert = this.#db.prepare(
      `INSERT OR IGNORE INTO messages (id, source_chain_id, destination_chain_id, nonce, message, source_tx,
         source_block, sent_at, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const cursor = cursorWriter(this.#db);
    const now = Date.now();
    this.#db.transaction(() => {
      for (const entry of messages) {
        insert.run(
          entry.id,
          Number(entry.message.sourceChainId),
          Number(entry.message.destinationChainId),
          Number(entry.message.nonce),
          JSON.stringify(messageToJson(entry.message)),
          entry.sourceTx,
          entry.sourceBlock.toString(),
          entry.sentAt,
          now,
        );
      }
      cursor(cursorName, toBlock);
    })();
  }

  async messageIds(sourceChainId: bigint, count: bigint, from = 0n): Promise<Hex[]> {
    const rows = this.#db
      .prepare(
        "SELECT id, nonce FROM messages WHERE source_chain_id = ? AND nonce >= ? AND nonce < ? ORDER BY nonce",
      )
      .all(Number(sourceChainId), Number(from), Number(count)) as { id: Hex; nonce: number }[];
    // Only a gap-free run is usable for a Merkle proof.
    const prefix: Hex[] = [];
    for (const row of rows) {
      if (row.nonce !== Number(from) + prefix.length) break;
      prefix.push(row.id);
    }
    return prefix;
  }

  async due(
    destinationChainId: bigint,
    now: number,
    limit: number,
    owner?: string,
  ): Promise<StoredMessage[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM messages WHERE destination_chain_id = ? AND status IN ('sent', 'failed')
           AND next_attempt_at <= ? AND (? IS NULL OR claim_until < ? OR claimed_by = ?)
           ORDER BY source_chain_id, nonce LIMIT ?`,
      )
      .all(Number(destinationChainId), now, owner ?? null, now, owner ?? null, limit) as Row[];
    return rows.map(fromRow);
  }

  async claim(id: Hex, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const result = this.#db
      .prepare(
        `UPDATE messages SET claimed_by = ?, claim_until = ?
           WHERE id = ? AND status IN ('sent', 'failed') AND next_attempt_at <= ?
             AND (claim_until < ? OR claimed_by = ?)`,
      )
      .run(owner, now + leaseMs, id, now, now, owner);
    return result.changes === 1;
  }

  async markDelivered(id: Hex, record: DeliveryRecord): Promise<void> {
    this.#db
      .prepare(
        `UPDATE messages SET status = 'delivered', delivery_tx = COALESCE(?, delivery_tx), delivered_at = ?, delivery_gas = ?,
           attempts = attempts + 1, last_error = NULL, claim_until = 0 WHERE id = ?`,
      )
      .run(record.tx, record.at, record.gasUsed?.toString() ?? null, id);
  }

  async markFailed(
    id: Hex,
    failure: { error: string; nextAttemptAt: number; tx: Hex | null },
  ): Promise<void> {
    this.#db
      .prepare(
        `UPDATE messages SET status = 'failed', last_error = ?, next_attempt_at = ?,
           delivery_tx = COALESCE(?, delivery_tx), attempts = attempts + 1, claim_until = 0 WHERE id = ?`,
      )
      .run(failure.error, failure.nextAttemptAt, failure.tx, id);
  }

  async postpone(id: Hex, failure: { error: string; nextAttemptAt: number }): Promise<void> {
    this.#db
      .prepare(
        `UPDATE messages SET last_error = ?, next_attempt_at = ?, attempts = attempts + 1, claim_until = 0
           WHERE id = ?`,
      )
      .run(failure.error, failure.nextAttemptAt, id);
  }

  async markExpired(id: Hex, error: string): Promise<void> {
    this.#db
      .prepare("UPDATE messages SET status = 'expired', last_error = ?, claim_until = 0 WHERE id = ?")
      .run(error, id);
  }

  async get(id: Hex): Promise<StoredMessage | undefined> {
    const row = this.#db.prepare("SELECT * FROM messages WHERE id = ?").get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  async counts(): Promise<Record<RelayStatus, number>> {
    const rows = this.#db.prepare("SELECT status, COUNT(*) AS n FROM messages GROUP BY status").all() as {
      status: RelayStatus;
      n: number;
    }[];
    const counts: Record<RelayStatus, number> = { sent: 0, delivered: 0, failed: 0, expired: 0 };
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
