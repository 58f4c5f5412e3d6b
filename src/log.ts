// Structured JSON logs: one line per event, `{ time, level, at: "Component#method", message, ...fields }`.
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type Logger = Record<LogLevel, (at: string, message: string, fields?: LogFields) => void>;

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function serialise(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export function createLogger(
  minimum: LogLevel | "silent" = "info",
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const emit =
    (level: LogLevel) =>
    (at: string, message: string, fields: LogFields = {}) => {
      if (minimum === "silent" || order[level] < order[minimum]) return;
      const entry = { time: new Date().toISOString(), level, at, message, ...fields };
      write(JSON.stringify(entry, (_key, value) => serialise(value)));
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = createLogger("silent");
