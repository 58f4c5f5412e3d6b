// The matcher's settings: one zod schema with the devnet's defaults, validated where they enter (the CLI,
// the devnet).
import type { Hex } from "viem";
import { z } from "zod";
import type { Manifest } from "../../chain/manifest.js";
import { ConfigError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { MAX_FILLS } from "../../protocol/orderbook.js";
import type { MatcherSqliteStore } from "../../store/sqlite/matcher-sqlite-store.js";

export const matcherSettingsSchema = z.object({
  /** Pause between ticks, ms. */
  intervalMs: z.number().int().positive().default(200),
  /** Most fills per batch (the gateway takes at most 64). */
  maxFills: z.number().int().positive().max(MAX_FILLS).default(MAX_FILLS),
  /** Most blocks read in one eth_getLogs. */
  logChunk: z.number().int().positive().default(2_000),
  /** Fills the status lists. */
  statusWindow: z.number().int().positive().default(20),
});

export type MatcherSettings = z.output<typeof matcherSettingsSchema>;
export type MatcherSettingsInput = z.input<typeof matcherSettingsSchema>;

export type MatcherConfig = {
  network: Pick<Manifest, "rollups" | "orderbook">;
  /** The key every gateway names as its matcher; needs gas on every rollup. */
  privateKey: Hex;
  store: MatcherSqliteStore;
  logger: Logger;
  settings?: MatcherSettingsInput;
};

export function parseMatcherSettings(input: MatcherSettingsInput = {}): MatcherSettings {
  const parsed = matcherSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError("invalid matcher settings", { details: z.prettifyError(parsed.error) });
  }
  return parsed.data;
}
