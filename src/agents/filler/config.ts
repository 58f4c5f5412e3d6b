// The filler's settings: one zod schema with the defaults (they make the devnet work out of the box),
// validated where they enter (the CLI, the devnet), and the assets it fills, taken from the network.
import type { Address, Hex } from "viem";
import { z } from "zod";
import type { Manifest } from "../../chain/manifest.js";
import { ConfigError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { INTENT_PATHS } from "../../protocol/intents.js";
import type { FillerStore } from "../../store/filler-store.js";

export const fillerSettingsSchema = z.object({
  /** Pause between ticks, ms. */
  intervalMs: z.number().int().positive().default(200),
  /** The trust paths whose settlers it watches and fills for. */
  paths: z
    .array(z.enum(INTENT_PATHS))
    .min(1)
    .default([...INTENT_PATHS]),
  /** Least profit after gas, in the asset's smallest unit. */
  minProfit: z.bigint().nonnegative().default(0n),
  /** What 1 ETH of gas costs in the asset (18 decimals both): 3000 JUSD. */
  gasTokenPrice: z
    .bigint()
    .positive()
    .default(3_000n * 10n ** 18n),
  /** Tip per gas, wei. anvil orders transactions first come first served, so a tip buys nothing there. */
  priorityFeeWei: z.bigint().nonnegative().default(1_000_000n),
  /** Stop filling this many seconds before an order's fill deadline (destination clock). */
  deadlineMarginSeconds: z.number().int().nonnegative().default(2),
  /** Each chain's target share of the filler's inventory (chain id → share); missing: equal shares. */
  targetShares: z.record(z.string().regex(/^\d+$/), z.number().min(0).max(1)).default({}),
  /** How far below its target share a chain's inventory may fall before fills there are repaid there. */
  shareTolerance: z.number().min(0).max(1).default(0.1),
  /** Most fills signed in one tick. */
  maxFillsPerTick: z.number().int().positive().default(20),
  /** How often a waiting order is checked again, ms. */
  recheckMs: z.number().int().positive().default(1_000),
  /** How often the origin escrows of filled orders are read for their repayment, ms. */
  repaymentPollMs: z.number().int().positive().default(500),
  /** How long a fill may stay unmined before the next tick looks at it again, ms. */
  receiptTimeoutMs: z.number().int().positive().default(30_000),
  /** Fill transactions one order may get (a reverted fill is tried again up to this). */
  maxAttempts: z.number().int().positive().default(3),
  /** Orders of the status output's recent lists and latency figures. */
  statusWindow: z.number().int().positive().default(500),
});

export type FillerSettings = z.output<typeof fillerSettingsSchema>;
export type FillerSettingsInput = z.input<typeof fillerSettingsSchema>;

/** One asset the filler holds, by its token address on each rollup (same decimals everywhere). */
export type Asset = { symbol: string; tokens: ReadonlyMap<number, Address> };

export type FillerConfig = {
  network: Pick<Manifest, "rollups">;
  privateKey: Hex;
  store: FillerStore;
  logger: Logger;
  settings?: FillerSettingsInput;
  /** Default: JUSD, the network's bridged token on every rollup. */
  assets?: readonly Asset[];
};

export function parseFillerSettings(input: FillerSettingsInput = {}): FillerSettings {
  const parsed = fillerSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError("invalid filler settings", { details: z.prettifyError(parsed.error) });
  }
  return parsed.data;
}

/** JUSD on every rollup of the network. */
export function defaultAssets(network: Pick<Manifest, "rollups">): Asset[] {
  return [
    {
      symbol: "JUSD",
      tokens: new Map(network.rollups.map((rollup) => [rollup.chainId, rollup.contracts.bridgedToken])),
    },
  ];
}
