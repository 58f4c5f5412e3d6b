// Flag parsing shared by the commands: node's util.parseArgs with typed results, and the way every
// command finds the network (--data-dir, default .junction, or --manifest FILE).
import { parseArgs } from "node:util";
import { type Hex, isAddress, isHex } from "viem";
import { DEFAULT_DATA_DIR, loadManifest, type Manifest, manifestPath } from "../chain/manifest.js";
import { JunctionError } from "../errors.js";
import { createLogger, LOG_FORMATS, type LogFormat, type Logger, type LogLevel } from "../log.js";
import { isPostgresUrl } from "../store/open.js";

export class UsageError extends JunctionError {
  override name = "UsageError" as const;
}

type FlagSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

export const networkFlags = {
  "data-dir": { type: "string" },
  manifest: { type: "string" },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies FlagSpec;

/** The network flags and a signing key: every command that sends a transaction. */
export const keyFlags = { ...networkFlags, "private-key": { type: "string" } } as const satisfies FlagSpec;

export function parseFlags<T extends FlagSpec>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function dataDirOf(values: { "data-dir"?: string }): string {
  return values["data-dir"] ?? DEFAULT_DATA_DIR;
}

export function manifestOf(values: { "data-dir"?: string; manifest?: string }): Manifest {
  return loadManifest(values.manifest ?? manifestPath(dataDirOf(values)));
}

/**
 * The command's logger: --log-level (default info) and --log-format json|pretty (default: pretty on a
 * terminal, JSON otherwise); lines go to `write` (default stderr).
 */
export function loggerOf(
  values: { "log-level"?: string; "log-format"?: string },
  write?: (line: string) => void,
  terminal = process.stderr.isTTY === true,
): Logger {
  const level = values["log-level"] ?? "info";
  if (!["debug", "info", "warn", "error", "silent"].includes(level)) {
    throw new UsageError(`--log-level must be debug, info, warn, error or silent, got ${level}`);
  }
  return createLogger(level as LogLevel | "silent", write, logFormatOf(values, terminal));
}

export function logFormatOf(values: { "log-format"?: string }, terminal: boolean): LogFormat {
  const format = values["log-format"] ?? (terminal ? "pretty" : "json");
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--log-format must be json or pretty, got ${format}`);
  }
  return format as LogFormat;
}

export function intFlag(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return parsed;
}

/** An agent's `--interval-ms` (at least 1): undefined when absent, so the agent's default applies. */
export function intervalFlag(value: string | undefined): number | undefined {
  return value === undefined ? undefined : intFlag("interval-ms", value, 0, 1);
}

export function numberFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new UsageError(`--${name} must be a number ≥ 0, got ${value}`);
  return parsed;
}

export function requiredFlag(name: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** A required positive amount in wei. */
export function weiFlag(name: string, value: string | undefined): bigint {
  const text = requiredFlag(name, value);
  if (!/^\d+$/.test(text) || BigInt(text) === 0n) {
    throw new UsageError(`--${name} must be a positive integer in wei, got ${text}`);
  }
  return BigInt(text);
}

export function addressFlag(name: string, value: string | undefined): Hex {
  const text = requiredFlag(name, value);
  if (!isAddress(text)) throw new UsageError(`--${name} must be a 20-byte hex address, got ${text}`);
  return text;
}

export function hexFlag(name: string, value: string | undefined): Hex {
  const text = requiredFlag(name, value);
  if (!isHex(text) || text.length % 2 !== 0)
    throw new UsageError(`--${name} must be 0x-prefixed hex bytes, got ${text}`);
  return text;
}

/**
 * The PostgreSQL database of the relayer and watchtower: --database-url, else DATABASE_URL; undefined
 * means SQLite files in the data directory.
 */
export function databaseUrlOf(flag: string | undefined, env: Readonly<Record<string, string | undefined>>) {
  const url = flag ?? (env.DATABASE_URL || undefined);
  if (url !== undefined && !isPostgresUrl(url)) {
    const source = flag === undefined ? "DATABASE_URL" : "--database-url";
    throw new UsageError(`${source} must be a postgres:// or postgresql:// URL`);
  }
  return url;
}

export function keyFlag(value: string | undefined, fallback: Hex): Hex {
  if (value === undefined) return fallback;
  if (!isHex(value) || value.length !== 66)
    throw new UsageError("--private-key must be a 32-byte 0x-prefixed hex key");
  return value;
}

/** Why a long-running command stops: a signal, or its parent process is gone. */
export type StopReason = NodeJS.Signals | "parent exited";

/**
 * Resolves when the process should stop: Ctrl-C, SIGTERM, or its parent gone. `timeout 40 npx junction
 * devnet` SIGTERMs npx, which does not pass it on: the command is orphaned (re-parented, usually to
 * pid 1) and would run on with nobody to stop it, so the parent is checked every second.
 */
export function untilStopped(): Promise<StopReason> {
  return new Promise((resolve) => {
    const parent = process.ppid;
    const stop = (reason: StopReason) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      clearInterval(watch);
      resolve(reason);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    // unref: this watch alone must not keep a command alive that has nothing else to do.
    const watch = setInterval(() => {
      if (process.ppid !== parent) stop("parent exited");
    }, 1_000).unref();
  });
}

/** Prints JSON with bigints as decimal strings. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item), 2));
}
