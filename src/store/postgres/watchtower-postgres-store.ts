// WatchtowerStore on PostgreSQL: the same cases and cursors as the SQLite store, in tables of their own
// so a relayer and a watchtower can share one database.
import type pg from "pg";
import type { Hex } from "viem";
import type { FraudCase, FraudStep, WatchtowerStore } from "../watchtower-store.js";
import { type Migration, openPool, readCursor, transaction, writeCursor } from "./database.js";

export const watchtowerMigrations: readonly Migration[] = [
  {
    version: 1,
    name: "fraud cases and cursors",
    sql: `
      CREATE TABLE watchtower_cursors (name TEXT PRIMARY KEY, block NUMERIC(78, 0) NOT NULL);
      CREATE TABLE watchtower_fraud_cases (
        destination_chain_id BIGINT NOT NULL,
        source_chain_id BIGINT NOT NULL,
        count NUMERIC(78, 0) NOT NULL,
        root TEXT NOT NULL,
        signature TEXT NOT NULL,
        challenged BOOLEAN NOT NULL DEFAULT false,
        fraud_proven BOOLEAN NOT NULL DEFAULT false,
        reported BOOLEAN NOT NULL DEFAULT false,
        PRIMARY KEY (destination_chain_id, source_chain_id, count)
      );
    `,
  },
];

const columns: Record<FraudStep, string> = {
  challenged: "challenged",
  fraudProven: "fraud_proven",
  reported: "reported",
};

type Row = {
  destination_chain_id: string;
  source_chain_id: string;
  count: string;
  root: string;
  signature: string;
  challenged: boolean;
  fraud_proven: boolean;
  reported: boolean;
};

export class WatchtowerPostgresStore implements WatchtowerStore {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects to `url` and applies the watchtower's pending migrations. */
  static async open(url: string): Promise<WatchtowerPostgresStore> {
    return new WatchtowerPostgresStore(await openPool(url, "watchtower", watchtowerMigrations));
  }

  async getCursor(name: string): Promise<bigint | undefined> {
    return readCursor(this.#pool, "watchtower_cursors", name);
  }

  async recordScan(
    cursorName: string,
    toBlock: bigint,
    cases: readonly Omit<FraudCase, FraudStep>[],
  ): Promise<void> {
    await transaction(this.#pool, async (client) => {
      for (const item of cases) {
        await client.query(
          `INSERT INTO watchtower_fraud_cases (destination_chain_id, source_chain_id, count, root, signature)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [item.destinationChainId, item.sourceChainId, item.count.toString(), item.root, item.signature],
        );
      }
      await writeCursor(client, "watchtower_cursors", cursorName, toBlock);
    });
  }

  async openCases(): Promise<FraudCase[]> {
    const { rows } = await this.#pool.query<Row>(
      `SELECT * FROM watchtower_fraud_cases WHERE NOT (challenged AND fraud_proven AND reported)
         ORDER BY destination_chain_id, source_chain_id, count`,
    );
    return rows.map((row) => ({
      destinationChainId: Number(row.destination_chain_id),
      sourceChainId: Number(row.source_chain_id),
      count: BigInt(row.count),
      root: row.root as Hex,
      signature: row.signature as Hex,
      challenged: row.challenged,
      fraudProven: row.fraud_proven,
      reported: row.reported,
    }));
  }

  async markDone(
    item: Pick<FraudCase, "destinationChainId" | "sourceChainId" | "count">,
    step: FraudStep,
  ): Promise<void> {
    await this.#pool.query(
      `UPDATE watchtower_fraud_cases SET ${columns[step]} = true
         WHERE destination_chain_id = $1 AND source_chain_id = $2 AND count = $3`,
      [item.destinationChainId, item.sourceChainId, item.count.toString()],
    );
  }

  /** Forgets every case and cursor (a devnet starting on new chains). */
  async clear(): Promise<void> {
    await this.#pool.query("TRUNCATE watchtower_fraud_cases, watchtower_cursors");
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
