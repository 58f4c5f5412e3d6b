// Structured logs through pino: one line per event, `{ time, level, at: "Component#method", message, ...fields }`
// as JSON (for machines: when output is not a terminal, or asked for), or one readable line per event for a
// person at a terminal (`12:01:02.345 INFO  Relayer#tick  delivered  id=0x… chain=902`). Every module logs
// through the small `Logger` interface below, so tests can pass `silentLogger` or capture lines.
import pino from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type Logger = Record<LogLevel, (at: string, message: string, fields?: LogFields) => void>;
export type LogFormat = "json" | "pretty";
export const LOG_FORMATS: readonly LogFormat[] = ["json", "pretty"];

/** Bigints as decimal strings and errors as { name, message }, at any depth (JSON has neither). */
function serialise(value: unknown, depth = 0): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => serialise(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = serialise(item, depth + 1);
  return out;
}

const LEVEL_WIDTH = 5;

/** One JSON line as a person reads it: time, level, where, message, then key=value fields. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, at, message, ...fields } = entry;
  const clock = typeof time === "string" ? time.slice(11, 23) : "";
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  const head = `${clock} ${String(level).toUpperCase().padEnd(LEVEL_WIDTH)} ${String(at ?? "")}  ${String(message ?? "")}`;
  return rest ? `${head}  ${rest}` : head;
}

/**
 * A logger at `minimum` level writing each line to `write` (default stderr), as JSON or as readable lines.
 *
 * @example
 * const logger = createLogger("info");
 * logger.info("Relayer#tick", "delivered", { id, chainId: 902 });
 */
export function createLogger(
  minimum: LogLevel | "silent" = "info",
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  format: LogFormat = "json",
): Logger {
  const destination = {
    write(chunk: string) {
      const line = chunk.endsWith("\n") ? chunk.slice(0, -1) : chunk;
      write(format === "pretty" ? prettyLine(line) : line);
    },
  };
  const log = pino(
    {
      level: minimum,
      base: null,
      messageKey: "message",
      // Fields are ours to shape (serialise above); pino's own `err` serializer would add a stack.
      serializers: { err: (value: unknown) => value },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => serialise(object) as Record<string, unknown>,
      },
    },
    destination,
  );
  const emit =
    (level: LogLevel) =>
    (at: string, message: string, fields: LogFields = {}) => {
      if (!log.isLevelEnabled(level)) return;
      // `at` first so it reads before the fields; fields may not override it or the message.
      const { at: _at, message: _message, ...rest } = fields;
      log[level]({ at, ...rest }, message);
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = createLogger("silent");
