// The keeper's settings: one zod schema with the devnet's defaults, validated where they enter (the
// CLI, the devnet).
import type { Hex } from "viem";
import { z } from "zod";
import type { Manifest } from "../../chain/manifest.js";
import { ConfigError } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { KeeperStore } from "../../store/keeper-store.js";

export const keeperSettingsSchema = z.object({
  /** Pause between ticks, ms. */
  intervalMs: z.number().int().positive().default(500),
  /** Most liquidations signed in one tick (the least healthy accounts first). */
  maxPerTick: z.number().int().positive().default(50),
  /** Most gas estimates in flight at once (they are independent reads of the hub). */
  estimateConcurrency: z.number().int().positive().default(16),
  /** Most JUSD one liquidation may repay (default: no limit but the keeper's balance). */
  maxRepay: z.bigint().positive().optional(),
  /** Tip per gas, wei. anvil orders first come first served, so a tip buys nothing there. */
  priorityFeeWei: z.bigint().nonnegative().default(1_000_000n),
  /** How long a liquidation may stay unmined before the next tick settles it from the chain, ms. */
  receiptTimeoutMs: z.number().int().positive().default(30_000),
  /** Most hub blocks read in one eth_getLogs. */
  logChunk: z.number().int().positive().default(5_000),
  /** Liquidations the status lists. */
  statusWindow: z.number().int().positive().default(20),
});

export type KeeperSettings = z.output<typeof keeperSettingsSchema>;
export type KeeperSettingsInput = z.input<typeof keeperSettingsSchema>;

export type KeeperConfig = {
  network: Pick<Manifest, "rollups" | "margin">;
  /** Liquidates and repays with it: needs JUSD and ETH on the hub. */
  privateKey: Hex;
  store: KeeperStore;
  logger: Logger;
  settings?: KeeperSettingsInput;
};

export function parseKeeperSettings(input: KeeperSettingsInput = {}): KeeperSettings {
  const parsed = keeperSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError("invalid keeper settings", { details: z.prettifyError(parsed.error) });
  }
  return parsed.data;
}
