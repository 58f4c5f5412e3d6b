// Picks a store backend from where the state lives: a postgres:// URL opens PostgreSQL (several
// relayers on several machines can share it), anything else is a SQLite file path (the default).
import { isPostgresUrl } from "./postgres/database.js";
import { PostgresStore } from "./postgres/postgres-store.js";
import { WatchtowerPostgresStore } from "./postgres/watchtower-postgres-store.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import { WatchtowerSqliteStore } from "./sqlite/watchtower-sqlite-store.js";
import type { RelayerStore } from "./store.js";
import type { WatchtowerStore } from "./watchtower-store.js";

export { isPostgresUrl };

export type StoreConfig = {
  /** A SQLite file path, or a `postgres://` / `postgresql://` URL. */
  database: string;
};

/**
 * Opens the relayer's store, applying pending migrations.
 *
 * @example
 * const store = await openRelayerStore({ database: "postgres://junction@127.0.0.1:5432/junction" });
 */
export async function openRelayerStore(config: StoreConfig): Promise<RelayerStore> {
  if (isPostgresUrl(config.database)) return PostgresStore.open(config.database);
  return new SqliteStore(config.database);
}

/**
 * Opens the watchtower's store, applying pending migrations.
 *
 * @example
 * const store = await openWatchtowerStore({ database: ".junction/watchtower.sqlite" });
 */
export async function openWatchtowerStore(config: StoreConfig): Promise<WatchtowerStore> {
  if (isPostgresUrl(config.database)) return WatchtowerPostgresStore.open(config.database);
  return new WatchtowerSqliteStore(config.database);
}

/** Empties a PostgreSQL database's relayer and watchtower tables (creating them if needed). */
export async function clearPostgresStores(url: string): Promise<void> {
  const relayer = await PostgresStore.open(url);
  await relayer.clear().finally(() => relayer.close());
  const watchtower = await WatchtowerPostgresStore.open(url);
  await watchtower.clear().finally(() => watchtower.close());
}
