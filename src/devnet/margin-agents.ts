// The margin engine's agents wired to a network: the keeper (its SQLite store opened at start and
// closed at stop) and the price agent (no store). Used by the devnet and by `junction keeper|prices`.
import { join } from "node:path";
import type { Hex } from "viem";
import type { Agent } from "../agents/agent.js";
import type { KeeperSettingsInput } from "../agents/keeper/config.js";
import { Keeper, type KeeperStatus } from "../agents/keeper/keeper.js";
import type { PriceSettingsInput } from "../agents/prices/config.js";
import { PriceAgent } from "../agents/prices/price-agent.js";
import type { Manifest } from "../chain/manifest.js";
import type { Logger } from "../log.js";
import { KeeperSqliteStore } from "../store/sqlite/keeper-sqlite-store.js";

export function keeperDatabase(dataDir: string): string {
  return join(dataDir, "keeper.sqlite");
}

/** A keeper whose status is readable while it runs (undefined when stopped). */
export type KeeperAgent = Agent & { status(): Promise<KeeperStatus | undefined> };

export type KeeperAgentOptions = {
  /** Defaults to the manifest's keeper account. */
  privateKey?: Hex;
  /** Defaults to `<dataDir>/keeper.sqlite`. */
  database?: string;
  settings?: KeeperSettingsInput;
  /** Gets the running keeper itself (tests read its address). */
  onStart?: (keeper: Keeper) => void;
};

export function createKeeper(
  manifest: Manifest,
  dataDir: string,
  logger: Logger,
  options: KeeperAgentOptions = {},
): KeeperAgent {
  let running: { keeper: Keeper; store: KeeperSqliteStore } | undefined;
  return {
    name: "Keeper",
    start: async () => {
      const store = new KeeperSqliteStore(options.database ?? keeperDatabase(dataDir));
      const keeper = new Keeper({
        network: manifest,
        privateKey: options.privateKey ?? manifest.accounts.keeper.privateKey,
        store,
        logger,
        settings: options.settings,
      });
      running = { keeper, store };
      options.onStart?.(keeper);
      await keeper.start();
    },
    stop: async () => {
      const current = running;
      running = undefined;
      await current?.keeper.stop();
      await current?.store.close();
    },
    status: async () => running?.keeper.status(),
  };
}

export function createPriceAgent(
  manifest: Manifest,
  logger: Logger,
  options: { privateKey?: Hex; settings?: PriceSettingsInput } = {},
): PriceAgent {
  return new PriceAgent({
    network: manifest,
    privateKey: options.privateKey ?? manifest.accounts.feeder.privateKey,
    logger,
    settings: options.settings,
  });
}
