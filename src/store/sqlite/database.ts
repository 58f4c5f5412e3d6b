// What every SQLite store shares: opening the file (WAL, busy timeout, schema) and per-name block cursors.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

const cursorSchema = "CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, block TEXT NOT NULL);";

/** Opens (creating if needed) a SQLite file in WAL mode so readers never block the writer. */
export function openDatabase(file: string, schema: string): Database.Database {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.exec(cursorSchema);
  db.exec(schema);
  return db;
}

export function readCursor(db: Database.Database, name: string): bigint | undefined {
  const row = db.prepare("SELECT block FROM cursors WHERE name = ?").get(name) as
    | { block: string }
    | undefined;
  return row ? BigInt(row.block) : undefined;
}

/** A statement that sets a cursor; run it inside the transaction that stores what the scan found. */
export function cursorWriter(db: Database.Database): (name: string, block: bigint) => void {
  const statement = db.prepare(
    "INSERT INTO cursors (name, block) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET block = excluded.block",
  );
  return (name, block) => statement.run(name, block.toString());
}
