// The two store backends the store tests run every case against: SQLite in a temporary directory and a
// fresh database on a throw-away PostgreSQL cluster (one cluster and one database per test file).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { clearPostgresStores } from "../../src/store/open.js";
import { type PostgresCluster, startPostgres } from "./postgres.js";

export type StoreBackend = {
  name: "SQLite" | "PostgreSQL";
  /** Where a case's store lives, empty: a new SQLite file, or the file's database with its tables emptied. */
  fresh(): Promise<string>;
  /** Runs raw SQL on a store's database (tests use it to make a write fail on purpose). */
  exec(database: string, sql: { sqlite: string; postgres: string }): Promise<void>;
};

/** Registers the file's before/after hooks and returns both backends. */
export function storeBackends(databaseName: string): StoreBackend[] {
  let dir = "";
  let cluster: PostgresCluster | undefined;
  let url = "";
  let files = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "junction-store-"));
    cluster = await startPostgres();
    url = await cluster.createDatabase(databaseName);
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return [
    {
      name: "SQLite",
      fresh: async () => join(dir, `store-${++files}.sqlite`),
      exec: async (database, sql) => {
        const db = new Database(database);
        try {
          db.exec(sql.sqlite);
        } finally {
          db.close();
        }
      },
    },
    {
      name: "PostgreSQL",
      fresh: async () => {
        await clearPostgresStores(url);
        return url;
      },
      exec: async (database, sql) => {
        const client = new pg.Client({ connectionString: database });
        await client.connect();
        try {
          await client.query(sql.postgres);
        } finally {
          await client.end();
        }
      },
    },
  ];
}
