// WatchtowerStore on SQLite (better-sqlite3).
import type Database from "better-sqlite3";
import type { Hex } from "viem";
import type { FraudCase, FraudStep, WatchtowerStore } from "../watchtower-store.js";
import { cursorWriter, openDatabase, readCursor } from "./database.js";

const schema = `
CREATE TABLE IF NOT EXISTS fraud_cases (
  destination_chain_id INTEGER NOT NULL,
  source_chain_id INTEGER NOT NULL,
  count TEXT NOT NULL,
  root TEXT NOT NULL,
  signature TEXT NOT NULL,
  challenged INTEGER NOT NULL DEFAULT 0,
  fraud_proven INTEGER NOT NULL DEFAULT 0,
  reported INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (destination_chain_id, source_chain_id, count)
);
`;

const columns: Record<FraudStep, string> = {
  challenged: "challenged",
  fraudProven: "fraud_proven",
  reported: "reported",
};

type Row = {
  destination_chain_id: number;
  source_chain_id: number;
  count: string;
  root: string;
  signature: string;
  challenged: number;
  fraud_proven: number;
  reported: number;
};

export class WatchtowerSqliteStore implements WatchtowerStore {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = openDatabase(file, schema);
  }

  async getCursor(name: string): Promise<bigint | undefined> {
    return readCursor(this.#db, name);
  }

  async recordScan(
    cursorName: string,
    toBlock: bigint,
    cases: readonly Omit<FraudCase, FraudStep>[],
  ): Promise<void> {
    const insert = this.#db.prepare(
      `INSERT OR IGNORE INTO fraud_cases (destination_chain_id, source_chain_id, count, root, signature)
         VALUES (?, ?, ?, ?, ?)`,
    );
    const cursor = cursorWriter(this.#db);
    this.#db.transaction(() => {
      for (const item of cases) {
        insert.run(
          item.destinationChainId,
          item.sourceChainId,
          item.count.toString(),
          item.root,
          item.signature,
        );
      }
      cursor(cursorName, toBlock);
    })();
  }

  async openCases(): Promise<FraudCase[]> {
    const rows = this.#db
      .prepare("SELECT * FROM fraud_cases WHERE challenged = 0 OR fraud_proven = 0 OR reported = 0")
      .all() as Row[];
    return rows.map((row) => ({
      destinationChainId: row.destination_chain_id,
      sourceChainId: row.source_chain_id,
      count: BigInt(row.count),
      root: row.root as Hex,
      signature: row.signature as Hex,
      challenged: row.challenged === 1,
      fraudProven: row.fraud_proven === 1,
      reported: row.reported === 1,
    }));
  }

  async markDone(
    item: Pick<FraudCase, "destinationChainId" | "sourceChainId" | "count">,
    step: FraudStep,
  ): Promise<void> {
    this.#db
      .prepare(
        `UPDATE fraud_cases SET ${columns[step]} = 1
           WHERE destination_chain_id = ? AND source_chain_id = ? AND count = ?`,
      )
      .run(item.destinationChainId, item.sourceChainId, item.count.toString());
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
