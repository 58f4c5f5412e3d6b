// 1 against 3 relayers on one PostgreSQL database, as `junction devnet --relayers N --database-url …`
// runs them (one Relayer per funded key, each with its own store connection and relayer id, leases
// keeping them off each other's messages), on a throw-away cluster: the canonical burst with each, on
// a fresh devnet each time. Skipped, with the reason, where PostgreSQL is not installed.

import { extraRelayerAccounts } from "../src/devnet/accounts.js";
import type { DevnetOptions } from "../src/devnet/devnet.js";
import { createRelayer } from "../src/devnet/devnet.js";
import { createLogger } from "../src/log.js";
import { startTestDevnet } from "../test/helpers/devnet.js";
import { postgresBinaries, startPostgres } from "../test/helpers/postgres.js";
import { measurePath, type PathConfig, type PathResult } from "./paths.js";

export type RelayersResult =
  | { skipped: string }
  | {
      runs: { relayers: number; canonical: PathResult }[];
      /** Delivered rate with 3 relayers over the rate with 1. */
      ratio: number;
    };

export const RELAYER_COUNTS = [1, 3] as const;

export async function measureRelayers(
  rollups: number,
  devnetOptions: Partial<DevnetOptions>,
  config: PathConfig,
  baselinePerSecond: number,
): Promise<RelayersResult> {
  try {
    postgresBinaries();
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
  const cluster = await startPostgres();
  try {
    const runs: { relayers: number; canonical: PathResult }[] = [];
    for (const count of RELAYER_COUNTS) {
      const databaseUrl = await cluster.createDatabase(`bench_${rollups}_rollups_${count}_relayers`);
      const devnet = await startTestDevnet({
        ...devnetOptions,
        rollups,
        relayer: false,
        relayers: count,
        databaseUrl,
      });
      const keys = [
        devnet.manifest.accounts.relayer.privateKey,
        ...extraRelayerAccounts(count - 1).map((account) => account.privateKey),
      ];
      const relayers = keys.map((privateKey, i) =>
        createRelayer(devnet.manifest, { dataDir: devnet.dataDir, databaseUrl }, createLogger("silent"), {
          privateKey,
          relayerId: `bench-relayer-${i + 1}`,
        }),
      );
      try {
        for (const relayer of relayers) await relayer.start();
        runs.push({
          relayers: count,
          canonical: await measurePath(devnet, "canonical", config, baselinePerSecond),
        });
      } finally {
        await Promise.allSettled(relayers.map((relayer) => relayer.stop()));
        await devnet.stop();
      }
    }
    const [one, three] = runs;
    return {
      runs,
      ratio:
        (three?.canonical.burst.deliveredPerSecond ?? 0) / (one?.canonical.burst.deliveredPerSecond ?? 1),
    };
  } finally {
    await cluster.stop();
  }
}
