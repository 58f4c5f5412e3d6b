// The liquidity router's agents wired to a network: the filler (its SQLite store opened at start and
// closed at stop) and the rebalancer (no store). Used by the devnet and by `junction filler|rebalancer`.
import { join } from "node:path";
import type { Hex } from "viem";
import type { Agent } from "../agents/agent.js";
import type { FillerSettingsInput } from "../agents/filler/config.js";
import { Filler } from "../agents/filler/filler.js";
import type { FillerStatus } from "../agents/filler/status.js";
import type { RebalancerSettingsInput } from "../agents/rebalancer/config.js";
import { Rebalancer } from "../agents/rebalancer/rebalancer.js";
import type { Manifest } from "../chain/manifest.js";
import type { Logger } from "../log.js";
import { INTENT_PATHS, type IntentPath } from "../protocol/intents.js";
import { FillerSqliteStore } from "../store/sqlite/filler-sqlite-store.js";

/**
 * The trust paths whose fills a devnet proves: zk only with its prover running, sequencer only with a
 * shared sequencer. A filler watching the others would fill orders it is never repaid for.
 */
export function provenPaths(devnet: { zk: boolean; sequenced: boolean }): IntentPath[] {
  return INTENT_PATHS.filter(
    (path) => (path !== "zk" || devnet.zk) && (path !== "sequencer" || devnet.sequenced),
  );
}

export function fillerDatabase(dataDir: string): string {
  return join(dataDir, "filler.sqlite");
}

/** A filler agent whose status is readable while it runs (undefined when stopped). */
export type FillerAgent = Agent & { status(): Promise<FillerStatus | undefined> };

export type FillerAgentOptions = {
  /** Defaults to the manifest's filler account. */
  privateKey?: Hex;
  /** Defaults to `<dataDir>/filler.sqlite`. */
  database?: string;
  settings?: FillerSettingsInput;
};

export function createFiller(
  manifest: Manifest,
  dataDir: string,
  logger: Logger,
  options: FillerAgentOptions = {},
): FillerAgent {
  let running: { filler: Filler; store: FillerSqliteStore } | undefined;
  return {
    name: "Filler",
    start: async () => {
      const store = new FillerSqliteStore(options.database ?? fillerDatabase(dataDir));
      const filler = new Filler({
        network: manifest,
        privateKey: options.privateKey ?? manifest.accounts.filler.privateKey,
        store,
        logger,
        settings: options.settings,
      });
      running = { filler, store };
      await filler.start();
    },
    stop: async () => {
      const current = running;
      running = undefined;
      await current?.filler.stop();
      await current?.store.close();
    },
    status: async () => running?.filler.status(),
  };
}

export function createRebalancer(
  manifest: Manifest,
  logger: Logger,
  options: { privateKey?: Hex; settings?: RebalancerSettingsInput } = {},
): Rebalancer {
  return new Rebalancer({
    network: manifest,
    privateKey: options.privateKey ?? manifest.accounts.rebalancer.privateKey,
    logger,
    settings: options.settings,
  });
}
