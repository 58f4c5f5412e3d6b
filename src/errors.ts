// The one error base of Junction's TypeScript: a literal `name` to narrow on, a short message, details
// and the wrapped cause (viem's BaseError shape).
export type JunctionErrorOptions = { details?: string; cause?: unknown };

export class JunctionError extends Error {
  override name: string = "JunctionError";
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(shortMessage: string, options: JunctionErrorOptions = {}) {
    const detail = options.details ? `\n\nDetails: ${options.details}` : "";
    super(`${shortMessage}${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

/** A configuration value or flag is missing or invalid. */
export class ConfigError extends JunctionError {
  override name = "ConfigError" as const;
}
