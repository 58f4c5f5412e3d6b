// The order book's matcher wired to a network (its SQLite store opened at start and closed at stop). Used
// by the devnet and by `junction matcher`.
import { join } from "node:path";
import type { Hex } from "viem";
import type { Agent } from "../agents/agent.js";
import type { MatcherSettingsInput } from "../agents/matcher/config.js";
import { Matcher, type MatcherStatus } from "../agents/matcher/matcher.js";
import type { Manifest } from "../chain/manifest.js";
import type { Logger } from "../log.js";
import { MatcherSqliteStore } from "../store/sqlite/matcher-sqlite-store.js";

export function matcherDatabase(dataDir: string): string {
  return join(dataDir, "matcher.sqlite");
}

/** A matcher whose status is readable while it runs (undefined when stopped). */
export type MatcherAgent = Agent & { status(): Promise<MatcherStatus | undefined> };

export type MatcherAgentOptions = {
  /** Defaults to the manifest's matcher account. */
  privateKey?: Hex;
  /** Defaults to `<dataDir>/matcher.sqlite`. */
  database?: string;
  settings?: MatcherSettingsInput;
  /** Gets the running matcher itself (tests read its book and settled fills). */
  onStart?: (matcher: Matcher) => void;
};

export function createMatcher(
  manifest: Manifest,
  dataDir: string,
  logger: Logger,
  options: MatcherAgentOptions = {},
): MatcherAgent {
  let running: { matcher: Matcher; store: MatcherSqliteStore } | undefined;
  return {
    name: "Matcher",
    start: async () => {
      const store = new MatcherSqliteStore(options.database ?? matcherDatabase(dataDir));
      const matcher = new Matcher({
        network: manifest,
        privateKey: options.privateKey ?? manifest.accounts.matcher.privateKey,
        store,
        logger,
        settings: options.settings,
      });
      running = { matcher, store };
      options.onStart?.(matcher);
      await matcher.start();
    },
    stop: async () => {
      const current = running;
      running = undefined;
      await current?.matcher.stop();
      await current?.store.close();
    },
    status: async () => running?.matcher.status(),
  };
}
