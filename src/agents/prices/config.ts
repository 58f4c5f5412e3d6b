// The price agent's settings: one zod schema with the devnet's defaults, validated where they enter.
import type { Hex } from "viem";
import { z } from "zod";
import type { Manifest } from "../../chain/manifest.js";
import { ConfigError } from "../../errors.js";
import type { Logger } from "../../log.js";

export const priceSettingsSchema = z.object({
  /** Pause between updates, ms. */
  intervalMs: z.number().int().positive().default(2_000),
  /** Standard deviation of one update's log-return (0.005: about 0.5 % per update). */
  volatility: z.number().min(0).max(1).default(0.005),
  /** Seed of the walk: the same seed from the same prices gives the same path. */
  seed: z.number().int().nonnegative().default(1),
  /** Assets that walk; every other asset the engine uses is pushed again unchanged (kept fresh). */
  walk: z.array(z.string().min(1).max(31)).default(["ETH"]),
  /** Gas limit of one update: fixed, because anvil's estimate undercounts an update in the same second. */
  gasLimit: z.bigint().positive().default(300_000n),
  /** How long an update may stay unmined, ms. */
  receiptTimeoutMs: z.number().int().positive().default(30_000),
});

export type PriceSettings = z.output<typeof priceSettingsSchema>;
export type PriceSettingsInput = z.input<typeof priceSettingsSchema>;

export type PriceAgentConfig = {
  network: Pick<Manifest, "rollups" | "margin">;
  /** A feeder of the oracle (the devnet's `feeder` or `deployer`). */
  privateKey: Hex;
  logger: Logger;
  settings?: PriceSettingsInput;
};

export function parsePriceSettings(input: PriceSettingsInput = {}): PriceSettings {
  const parsed = priceSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError("invalid price agent settings", { details: z.prettifyError(parsed.error) });
  }
  return parsed.data;
}
