// Test helper: a throw-away PostgreSQL cluster in a temporary directory, listening on 127.0.0.1 on a
// free port, trusting local connections. initdb refuses to run as root, so as root (sessions and CI)
// the cluster belongs to the `postgres` user and initdb/pg_ctl run through `su postgres`.
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "../../src/chain/ports.js";

const run = promisify(execFile);
const USER = "junction";

export type PostgresCluster = {
  port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
};

/** initdb and pg_ctl: from PATH, or where Debian's `postgresql` package puts them. */
export function postgresBinaries(): { initdb: string; pgCtl: string } {
  const onPath = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  const debian = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql")
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => join("/usr/lib/postgresql", version, "bin"))
    : [];
  const dir = [...onPath, ...debian].find((candidate) => existsSync(join(candidate, "initdb")));
  if (!dir) {
    throw new Error(
      "PostgreSQL not found: no initdb on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)",
    );
  }
  return { initdb: join(dir, "initdb"), pgCtl: join(dir, "pg_ctl") };
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs a PostgreSQL tool directly, or as the `postgres` user when we are root. */
async function asOwner(command: string, args: string[]): Promise<void> {
  if (process.getuid?.() === 0) {
    const line = [command, ...args].map(quote).join(" ");
    await run("su", ["postgres", "-s", "/bin/sh", "-c", line]);
  } else {
    await run(command, args);
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPostgres(): Promise<PostgresCluster> {
  const { initdb, pgCtl } = postgresBinaries();
  const dir = mkdtempSync(join(tmpdir(), "junction-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "log");
  try {
    if (process.getuid?.() === 0) {
      const { uid, gid } = await postgresUser();
      chownSync(dir, uid, gid);
    }
    await asOwner(initdb, ["-D", data, "-A", "trust", "-U", USER, "-E", "UTF8", "--locale=C", "--no-sync"]);
    const port = await startServer(pgCtl, data, dir, log);
    const url = (database: string) => `postgres://${USER}@127.0.0.1:${port}/${database}`;
    return {
      port,
      createDatabase: async (name) => {
        const client = new pg.Client({ connectionString: url("postgres") });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE "${name}"`);
        } finally {
          await client.end();
        }
        return url(name);
      },
      stop: async () => {
        await asOwner(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, "utf8").slice(-2000) : "";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a test PostgreSQL cluster${tail ? `:\n${tail}` : ""}`, { cause: error });
  }
}

/** Starts the server on a free port; another process may take the port first, so try a few. */
async function startServer(pgCtl: string, data: string, dir: string, log: string): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    // No fsync: the cluster is deleted after the test file, durability buys nothing here.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    try {
      await asOwner(pgCtl, ["-D", data, "-o", options, "-l", log, "-w", "-t", "30", "start"]);
      return port;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
