// The rebalancer's settings: one zod schema with the defaults (they make the devnet work out of the
// box), validated where they enter (the CLI, the devnet).
import type { Hex } from "viem";
import { z } from "zod";
import type { Manifest } from "../../chain/manifest.js";
import { ConfigError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { INTENT_PATHS } from "../../protocol/intents.js";

export const rebalancerSettingsSchema = z.object({
  /** Pause between ticks (one decision per tick), ms. */
  intervalMs: z.number().int().positive().default(1_000),
  /** The sliding window demand is measured over, ms. */
  windowMs: z.number().int().positive().default(600_000),
  /** Buckets of the window (the volatility is measured across them). */
  buckets: z.number().int().min(2).max(1_000).default(10),
  /** Half-width of each pool's band, as a share of the pools' total. */
  threshold: z.number().positive().max(1).default(0.05),
  /** Standard deviations of the flow kept as a buffer. */
  volatilityZ: z.number().nonnegative().default(1),
  /** Most of the total the demand terms may claim. */
  maxDemandShare: z.number().min(0).max(1).default(0.5),
  /** Outstanding beyond this share of a pool's position is backed by fresh liquidity. */
  maxUtilisation: z.number().min(0).max(1).default(0.5),
  /** Smallest move, in the asset's smallest unit (1 JUSD). */
  minMove: z
    .bigint()
    .positive()
    .default(10n ** 18n),
  /** Each pool's share of what demand leaves (chain id → weight); missing: equal. */
  baseShares: z.record(z.string().regex(/^\d+$/), z.number().positive()).default({}),
  /** Net opposite flows before measuring demand (turn off only to measure what netting saves). */
  netting: z.boolean().default(true),
  /** The trust paths whose settlers' events it reads. */
  paths: z
    .array(z.enum(INTENT_PATHS))
    .min(1)
    .default([...INTENT_PATHS]),
  /** Blocks read back on start to rebuild the window and the transfers in flight. */
  lookbackBlocks: z.number().int().nonnegative().default(5_000),
  /** Decisions kept for the status output. */
  historySize: z.number().int().positive().default(50),
  /** How long a move may stay unmined, ms. */
  receiptTimeoutMs: z.number().int().positive().default(30_000),
});

export type RebalancerSettings = z.output<typeof rebalancerSettingsSchema>;
export type RebalancerSettingsInput = z.input<typeof rebalancerSettingsSchema>;

export type RebalancerConfig = {
  network: Pick<Manifest, "rollups">;
  /** The pools' rebalancer role. */
  privateKey: Hex;
  logger: Logger;
  settings?: RebalancerSettingsInput;
};

export function parseRebalancerSettings(input: RebalancerSettingsInput = {}): RebalancerSettings {
  const parsed = rebalancerSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError("invalid rebalancer settings", { details: z.prettifyError(parsed.error) });
  }
  return parsed.data;
}
