// RelayerStore on PostgreSQL, for relayers on several machines sharing one message table. Leases are
// taken with one conditional UPDATE, so two relayers racing for a message cannot both win: the second
// waits on the first's row lock and then sees the lease taken. Bigints are NUMERIC, times BIGINT ms.
import type pg from "pg";
import type { Hex } from "viem";
import { type MessageJson, messageFromJson, messageToJson } from "../../protocol/message.js";
import type { DeliveryRecord, NewMessage, RelayerStore, RelayStatus, StoredMessage } from "../store.js";
import { type Migration, openPool, readCursor, transaction, writeCursor } from "./database.js";

export const relayerMigrations: readonly Migration[] = [
  {
    version: 1,
    name: "messages and cursors",
    sql: `
      CREATE TABLE relayer_cursors (name TEXT PRIMARY KEY, block NUMERIC(78, 0) NOT NULL);
      CREATE TABLE relayer_messages (
        id TEXT PRIMARY KEY,
        source_chain_id NUMERIC(78, 0) NOT NULL,
        destination_chain_id NUMERIC(78, 0) NOT NULL,
        nonce NUMERIC(78, 0) NOT NULL,
        message TEXT NOT NULL,
        source_tx TEXT NOT NULL,
        source_block NUMERIC(78, 0) NOT NULL,
        sent_at BIGINT NOT NULL,
        seen_at BIGINT NOT NULL,
        status TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'delivered', 'failed', 'expired')),
        delivery_tx TEXT,
        delivered_at BIGINT,
        delivery_gas NUMERIC(78, 0),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL DEFAULT 0,
        last_error TEXT,
        claimed_by TEXT,
        claim_until BIGINT NOT NULL DEFAULT 0,
        UNIQUE (source_chain_id, nonce)
      );
      CREATE INDEX relayer_messages_due ON relayer_messages (destination_chain_id, status, next_attempt_at);
    `,
  },
];

/** NUMERIC and BIGINT columns arrive as strings: pg never rounds them through a JavaScript number. */
type Row = {
  id: string;
  message: string;
  source_tx: string;
  source_block: string;
  sent_at: string;
  seen_at: string;
  status: RelayStatus;
  delivery_tx: string | null;
  delivered_at: string | null;
  delivery_gas: string | null;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
};

function fromRow(row: Row): StoredMessage {
  return {
    id: row.id as Hex,
    message: messageFromJson(JSON.parse(row.message) as MessageJson),
    sourceTx: row.source_tx as Hex,
    sourceBlock: BigInt(row.source_block),
    sentAt: Number(row.sent_at),
    seenAt: Number(row.seen_at),
    status: row.status,
    deliveryTx: row.delivery_tx as Hex | null,
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
    deliveryGas: row.delivery_gas === null ? null : BigInt(row.delivery_gas),
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
  };
}

export class PostgresStore implements RelayerStore {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects to `url` and applies the relayer's pending migrations. */
  static async open(url: string): Promise<PostgresStore> {
    return new PostgresStore(await openPool(url, "relayer", relayerMigrations));
  }

  async getCursor(name: string): Promise<bigint | undefined> {
    return readCursor(this.#pool, "relayer_cursors", name);
  }

  async recordSourceBatch(
    cursorName: string,
    toBlock: bigint,
    messages: readonly NewMessage[],
  ): Promise<void> {
    const now = Date.now();
    await transaction(this.#pool, async (client) => {
      if (messages.length > 0) {
        // One statement per batch whatever its size: columns travel as arrays.
        await client.query(
          `INSERT INTO relayer_messages (id, source_chain_id, destination_chain_id, nonce, message, source_tx,
             source_block, sent_at, seen_at)
           SELECT *, $9::bigint FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::numeric[], $5::text[],
             $6::text[], $7::numeric[], $8::bigint[])
           ON CONFLICT DO NOTHING`,
          [
            messages.map((entry) => entry.id),
            messages.map((entry) => entry.message.sourceChainId.toString()),
            messages.map((entry) => entry.message.destinationChainId.toString()),
            messages.map((entry) => entry.message.nonce.toString()),
            messages.map((entry) => JSON.stringify(messageToJson(entry.message))),
            messages.map((entry) => entry.sourceTx),
            messages.map((entry) => entry.sourceBlock.toString()),
            messages.map((entry) => entry.sentAt.toString()),
            now,
          ],
        );
      }
      await writeCursor(client, "relayer_cursors", cursorName, toBlock);
    });
  }

  async messageIds(sourceChainId: bigint, count: bigint, from = 0n): Promise<Hex[]> {
    const { rows } = await this.#pool.query<{ id: Hex; nonce: string }>(
      "SELECT id, nonce FROM relayer_messages WHERE source_chain_id = $1 AND nonce >= $2 AND nonce < $3 ORDER BY nonce",
      [sourceChainId.toString(), from.toString(), count.toString()],
    );
    // Only a gap-free run is usable for a Merkle proof.
    const prefix: Hex[] = [];
    for (const row of rows) {
      if (BigInt(row.nonce) !== from + BigInt(prefix.length)) break;
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
    const { rows } = await this.#pool.query<Row>(
      `SELECT * FROM relayer_messages WHERE destination_chain_id = $1 AND status IN ('sent', 'failed')
         AND next_attempt_at <= $2 AND ($4::text IS NULL OR claim_until < $2 OR claimed_by = $4)
         ORDER BY source_chain_id, nonce LIMIT $3`,
      [destinationChainId.toString(), now, limit, owner ?? null],
    );
    return rows.map(fromRow);
  }

  async claim(id: Hex, owner: string, now: number, leaseMs: number): Promise<boolean> {
    // Concurrent claims queue on the row lock; the loser re-reads the row and finds the lease taken.
    const { rowCount } = await this.#pool.query(
      `UPDATE relayer_messages SET claimed_by = $2, claim_until = $3::bigint + $4::bigint
         WHERE id = $1 AND status IN ('sent', 'failed') AND next_attempt_at <= $3
           AND (claim_until < $3 OR claimed_by = $2)
         RETURNING id`,
      [id, owner, now, leaseMs],
    );
    return rowCount === 1;
  }

  async markDelivered(id: Hex, record: DeliveryRecord): Promise<void> {
    await this.#pool.query(
      `UPDATE relayer_messages SET status = 'delivered', delivery_tx = COALESCE($2, delivery_tx),
         delivered_at = $3, delivery_gas = $4, attempts = attempts + 1, last_error = NULL, claim_until = 0
         WHERE id = $1`,
      [id, record.tx, record.at, record.gasUsed?.toString() ?? null],
    );
  }

  async markFailed(
    id: Hex,
    failure: { error: string; nextAttemptAt: number; tx: Hex | null },
  ): Promise<void> {
    await this.#pool.query(
      `UPDATE relayer_messages SET status = 'failed', last_error = $2, next_attempt_at = $3,
         delivery_tx = COALESCE($4, delivery_tx), attempts = attempts + 1, claim_until = 0 WHERE id = $1`,
      [id, failure.error, failure.nextAttemptAt, failure.tx],
    );
  }

  async postpone(id: Hex, failure: { error: string; nextAttemptAt: number }): Promise<void> {
    await this.#pool.query(
      `UPDATE relayer_messages SET last_error = $2, next_attempt_at = $3, attempts = attempts + 1,
         claim_until = 0 WHERE id = $1`,
      [id, failure.error, failure.nextAttemptAt],
    );
  }

  async markExpired(id: Hex, error: string): Promise<void> {
    await this.#pool.query(
      "UPDATE relayer_messages SET status = 'expired', last_error = $2, claim_until = 0 WHERE id = $1",
      [id, error],
    );
  }

  async get(id: Hex): Promise<StoredMessage | undefined> {
    const { rows } = await this.#pool.query<Row>("SELECT * FROM relayer_messages WHERE id = $1", [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async counts(): Promise<Record<RelayStatus, number>> {
    const { rows } = await this.#pool.query<{ status: RelayStatus; n: number }>(
      "SELECT status, COUNT(*)::integer AS n FROM relayer_messages GROUP BY status",
    );
    const counts: Record<RelayStatus, number> = { sent: 0, delivered: 0, failed: 0, expired: 0 };
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** Forgets every message and cursor (a devnet starting on new chains). */
  async clear(): Promise<void> {
    await this.#pool.query("TRUNCATE relayer_messages, relayer_cursors");
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
