// What every PostgreSQL store shares: a connection pool, versioned migrations recorded in
// schema_migrations, and a helper for transactions. Each store (relayer, watchtower) has its own
// tables and its own migration sequence, so both can live in one database.
import pg from "pg";
import { JunctionError } from "../../errors.js";

export class StoreSchemaError extends JunctionError {
  override name = "StoreSchemaError" as const;
}

/** One schema change. Versions of a component start at 1 and never change once released. */
export type Migration = { version: number; name: string; sql: string };

/** Serialises migrations of relayers and watchtowers that open the same database at once. */
const MIGRATION_LOCK = 7_868_146_522;

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Opens a pool on `url` and brings `component`'s tables up to the newest migration. */
export async function openPool(url: string, component: string, migrations: readonly Migration[]) {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // A connection the server closes while idle in the pool is dropped by the pool; without a
  // listener the 'error' event would end the process. The next query opens a new connection.
  pool.on("error", () => {});
  try {
    await migrate(pool, component, migrations);
    return pool;
  } catch (error) {
    await pool.end();
    throw error;
  }
}

export async function migrate(
  pool: pg.Pool,
  component: string,
  migrations: readonly Migration[],
): Promise<void> {
  await transaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      component TEXT NOT NULL,
      version INTEGER NOT NULL,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (component, version)
    )`);
    const { rows } = await client.query<{ version: number }>(
      "SELECT version FROM schema_migrations WHERE component = $1",
      [component],
    );
    const applied = new Set(rows.map((row) => row.version));
    const known = Math.max(0, ...migrations.map((migration) => migration.version));
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new StoreSchemaError(`the ${component} tables are at schema version ${newest}`, {
        details: `this version of Junction knows versions up to ${known}; run a newer one`,
      });
    }
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)", [
        component,
        migration.version,
        migration.name,
      ]);
    }
  });
}

/** Runs `work` in one transaction on one pooled connection; rolls back if it throws. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // A connection that cannot even roll back is not given back to the pool.
    await client.query("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The block cursor `name` in `table` (a `(name TEXT PRIMARY KEY, block NUMERIC)` table). */
export async function readCursor(
  queryable: pg.Pool | pg.PoolClient,
  table: string,
  name: string,
): Promise<bigint | undefined> {
  const { rows } = await queryable.query<{ block: string }>(`SELECT block FROM ${table} WHERE name = $1`, [
    name,
  ]);
  return rows[0] ? BigInt(rows[0].block) : undefined;
}

export async function writeCursor(
  client: pg.PoolClient,
  table: string,
  name: string,
  block: bigint,
): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (name, block) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET block = excluded.block`,
    [name, block.toString()],
  );
}
