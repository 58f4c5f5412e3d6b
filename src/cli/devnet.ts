// `junction devnet`: starts the local network and runs until Ctrl-C / SIGTERM or its parent exits, then
// stops every child.
import { setMaxListeners } from "node:events";
import { createWriteStream, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Manifest } from "../chain/manifest.js";
import { withStopSignal } from "../chain/stop-signal.js";
import { readDependencySet } from "../devnet/dependency-set.js";
import {
  DEFAULT_L1_PORT,
  DEFAULT_SUPERBLOCK_TIME_MS,
  FIRST_ROLLUP_CHAIN_ID,
  startDevnet,
} from "../devnet/devnet.js";
import type { Logger } from "../log.js";
import { usage as addRollupUsage } from "./devnet-add-rollup.js";
import {
  databaseUrlOf,
  dataDirOf,
  intFlag,
  loggerOf,
  networkFlags,
  numberFlag,
  parseFlags,
  type StopReason,
  UsageError,
  untilStopped,
} from "./options.js";

export const usage = `junction devnet [--rollups N] [--superblock-time S] [--l1-block-time S] [--challenge-window S]
               [--no-sequencer [--block-time S] | --external-sequencer] [--zk] [--data-dir DIR] [--port BASE]
               [--relayers N] [--database-url URL] [--no-filler] [--no-rebalancer] [--no-keeper] [--no-prices] [--no-matcher]
               [--no-solvency]
               [--api-port P | --no-api] [--admin-port P] [--dependency-set FILE] [--dump-state DIR] [--load-state DIR]
               [--verbose] [--log-level L] [--log-format json|pretty]
  Starts an L1 (chain 900, port BASE) and N rollups (901, 902, ...) as anvil nodes on 127.0.0.1,
  deploys Junction, runs every agent (shared sequencer, proposer, root importer, relayer, attester,
  watchtower, filler, rebalancer, price agent, keeper, matcher, solvency publisher) and writes DIR/devnet.json. The rollups form one sequencing domain: their nodes listen on
  BASE+2000, BASE+2001, ... and mine only when the sequencer seals a superblock; wallets use the
  sequencer's endpoints on BASE+1000, BASE+1001, ... With --no-sequencer the nodes themselves are on
  BASE+1000, ... and mine every --block-time seconds; with --external-sequencer the domain is set up
  but the sequencer runs as \`junction sequencer\`. --zk runs the zk prover (one Groth16 proof of the
  devnet committee's signatures per epoch of every rollup's checkpoint, seconds of CPU each, in worker threads). --relayers N runs N relayers,
  each with its own funded key, sharing one store and leasing each message before sending it. The
  relayers and the watchtower keep their state in SQLite files in DIR, or in PostgreSQL with
  --database-url postgres://… (default: the DATABASE_URL environment variable); either way a new
  devnet starts with that state emptied (new chains). The filler (the devnet's filler account, state in
  DIR/filler.sqlite) fills intents at once; the rebalancer keeps the liquidity pools within their bands;
  --no-filler / --no-rebalancer leave them out (to run your own, or drive the pools by hand). The price
  agent walks ETH's price on the margin hub and the keeper (state in DIR/keeper.sqlite) liquidates
  accounts under health 1; --no-prices / --no-keeper leave them out (to push prices by hand, or run your
  own keeper). The order book's matcher (state in DIR/matcher.sqlite) settles crossing orders of
  every rollup; --no-matcher leaves it out. With the sequencer, the proof-of-solvency publisher posts an
  epoch every 10 s (archives in DIR/solvency; \`junction solvency status|prove|verify\`); --no-solvency
  leaves it out. The API and the dashboard listen on http://127.0.0.1:P/ (default BASE+3000; --no-api
  leaves them out). --dependency-set FILE ({"901": [902], "902": [901]}: who may message whom, both
  ways; a rollup that is no key messages nobody) restricts every Outbox and Inbox to it and seals it
  for good; others are refused by name (DestinationNotInDependencySet, SourceNotInDependencySet), and
  so is add-rollup. --dump-state DIR saves every chain, the agents' SQLite stores and the manifest to
  DIR when the devnet stops; --load-state DIR starts from them (nothing redeployed: same addresses,
  balances and messages; the agents carry on from their stores; the saved rollup count, sequencing and
  dependency set). Neither works with --database-url.
  The admin endpoint on http://127.0.0.1:P (default BASE+3001) takes \`junction devnet add-rollup\`,
  which adds a rollup while the devnet runs (see \`junction devnet add-rollup --help\`).
  Every rollup also answers JSON-RPC over websockets on its rpc port (ws://…, eth_subscribe newHeads
  and logs; the manifest's wsUrl). The agents log to DIR/devnet.log, so the table stays readable; --verbose shows the
  log lines on stderr too (readable lines on a terminal, JSON otherwise or with --log-format json).
  Defaults: 2 rollups, 0.5 s superblocks, 2 s L1 blocks, a 4 s optimistic challenge window, 1 relayer,
  BASE 8545, DIR .junction.
${addRollupUsage}`;

export async function run(
  argv: string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<number> {
  if (argv[0] === "add-rollup") {
    const addRollup = await import("./devnet-add-rollup.js");
    return addRollup.run(argv.slice(1));
  }
  const { values } = parseFlags(argv, {
    ...networkFlags,
    rollups: { type: "string" },
    "block-time": { type: "string" },
    "l1-block-time": { type: "string" },
    port: { type: "string" },
    "challenge-window": { type: "string" },
    "superblock-time": { type: "string" },
    "no-sequencer": { type: "boolean" },
    "external-sequencer": { type: "boolean" },
    zk: { type: "boolean" },
    relayers: { type: "string" },
    "database-url": { type: "string" },
    "no-filler": { type: "boolean" },
    "no-rebalancer": { type: "boolean" },
    "no-keeper": { type: "boolean" },
    "no-prices": { type: "boolean" },
    "no-matcher": { type: "boolean" },
    "no-solvency": { type: "boolean" },
    "api-port": { type: "string" },
    "no-api": { type: "boolean" },
    "admin-port": { type: "string" },
    "dependency-set": { type: "string" },
    "dump-state": { type: "string" },
    "load-state": { type: "string" },
    verbose: { type: "boolean" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const base = intFlag("port", values.port, DEFAULT_L1_PORT, 1);
  const sequenced = !values["no-sequencer"];
  if (sequenced && values["block-time"] !== undefined) {
    throw new UsageError(
      "--block-time applies with --no-sequencer; sequenced rollups follow --superblock-time",
    );
  }
  if (!sequenced && (values["superblock-time"] !== undefined || values["external-sequencer"])) {
    throw new UsageError(
      "--superblock-time and --external-sequencer need the sequencer; drop --no-sequencer",
    );
  }
  const superblockSeconds = numberFlag(
    "superblock-time",
    values["superblock-time"],
    DEFAULT_SUPERBLOCK_TIME_MS / 1000,
  );
  if (superblockSeconds < 0.05)
    throw new UsageError(`--superblock-time must be at least 0.05 s, got ${superblockSeconds}`);
  const relayers = intFlag("relayers", values.relayers, 1, 1);
  if (relayers > 32) throw new UsageError(`--relayers must be at most 32, got ${relayers}`);
  const databaseUrl = databaseUrlOf(values["database-url"], env);
  if (values["no-api"] && values["api-port"] !== undefined) {
    throw new UsageError("--api-port and --no-api contradict each other");
  }
  const apiPort = values["no-api"] ? undefined : intFlag("api-port", values["api-port"], base + 3000, 1);
  if (apiPort !== undefined && apiPort > 65_535) {
    throw new UsageError(
      values["api-port"] === undefined
        ? `the API's port would be BASE+3000 = ${apiPort}, above 65535: pass --api-port P or --no-api`
        : `--api-port must be at most 65535, got ${apiPort}`,
    );
  }
  const adminPort = intFlag("admin-port", values["admin-port"], base + 3001, 1);
  if (adminPort > 65_535) {
    throw new UsageError(`the admin endpoint's port ${adminPort} is above 65535: pass --admin-port P`);
  }
  const loadState = values["load-state"];
  if (loadState !== undefined && values["dependency-set"] !== undefined) {
    throw new UsageError("--dependency-set applies to new chains; a saved devnet keeps its own");
  }
  // A saved devnet brings its own rollups; --rollups may only confirm their number.
  const rollups =
    loadState !== undefined && values.rollups === undefined
      ? undefined
      : intFlag("rollups", values.rollups, 2, 1);
  const dependencySet =
    values["dependency-set"] === undefined
      ? undefined
      : readDependencySet(
          values["dependency-set"],
          Array.from({ length: rollups ?? 2 }, (_, i) => FIRST_ROLLUP_CHAIN_ID + i),
        );
  const dataDir = dataDirOf(values);
  const { logger, logFile, close: closeLog } = devnetLogger(values, dataDir);
  // With --dump-state the nodes outlive a closed terminal's SIGHUP (their own process group), so the
  // devnet must stop on it too: save them, then stop them.
  const stopping =
    values["dump-state"] === undefined
      ? untilStopped()
      : Promise.race([
          untilStopped(),
          new Promise<StopReason>((resolve) => process.once("SIGHUP", () => resolve("SIGHUP"))),
        ]);
  const startedAt = Date.now();
  // A stop during start-up (Ctrl-C kills the nodes with us) must end the deployment's waits at once,
  // not after viem's 180 s receipt timeout; startDevnet then stops what it started.
  const startup = new AbortController();
  // The deployment sends many requests at once, each listening to this signal: not a leak.
  setMaxListeners(0, startup.signal);
  void stopping.then(() => startup.abort(new Error("stopped while starting")));
  const devnet = await withStopSignal(startup.signal, () =>
    startDevnet({
      rollups,
      dependencySet,
      dumpState: values["dump-state"],
      loadState,
      blockTime: numberFlag("block-time", values["block-time"], 1),
      l1BlockTime: numberFlag("l1-block-time", values["l1-block-time"], 2),
      challengeWindow: intFlag("challenge-window", values["challenge-window"], 4, 1),
      zk: values.zk === true,
      relayers,
      filler: !values["no-filler"],
      rebalancer: !values["no-rebalancer"],
      keeper: !values["no-keeper"],
      prices: !values["no-prices"],
      matcher: !values["no-matcher"],
      solvency: !values["no-solvency"],
      databaseUrl,
      dataDir,
      api: apiPort === undefined ? undefined : { port: apiPort },
      admin: { port: adminPort },
      l1Port: base,
      rollupPort: base + 1000,
      sequencer: sequenced
        ? {
            superblockTimeMs: Math.round(superblockSeconds * 1000),
            nodePort: base + 2000,
            run: !values["external-sequencer"],
          }
        : undefined,
      logger,
      progress: ({ step, of, what }) =>
        process.stderr.write(
          `[${step}/${of}] ${what}… (${((Date.now() - startedAt) / 1000).toFixed(1)} s)\n`,
        ),
    }),
  ).catch((error: unknown) => {
    if (!startup.signal.aborted) throw error;
    logger.info("Devnet#stop", "stopped while starting");
    return undefined;
  });
  if (!devnet) {
    closeLog();
    return 0;
  }
  console.log(describe(devnet.manifest, resolve(devnet.manifestFile), values.verbose ? undefined : logFile));
  const reason = await stopping;
  logger.info("Devnet#stop", "stopping devnet", { reason });
  await devnet.stop();
  closeLog();
  return 0;
}

/**
 * The devnet's log: lines appended to DIR/devnet.log (JSON unless --log-format pretty), and with --verbose
 * on stderr as well (readable lines on a terminal unless --log-format json).
 */
function devnetLogger(
  values: { "log-level"?: string; "log-format"?: string; verbose?: boolean },
  dataDir: string,
): { logger: Logger; logFile: string; close: () => void } {
  const logFile = resolve(join(dataDir, "devnet.log"));
  mkdirSync(dataDir, { recursive: true });
  const file = createWriteStream(logFile, { flags: "a" });
  const toFile = loggerOf(values, (line) => file.write(`${line}\n`), false);
  const toScreen = values.verbose ? loggerOf(values) : undefined;
  const both = (level: keyof Logger) => (at: string, message: string, fields?: Record<string, unknown>) => {
    toFile[level](at, message, fields);
    toScreen?.[level](at, message, fields);
  };
  const logger: Logger = {
    debug: both("debug"),
    info: both("info"),
    warn: both("warn"),
    error: both("error"),
  };
  return { logger, logFile, close: () => file.end() };
}

function describe(manifest: Manifest, manifestFile: string, logFile: string | undefined): string {
  const rows = [
    ["chain", "id", "rpc", "block time"],
    ["L1", String(manifest.l1.chainId), manifest.l1.rpcUrl, `${manifest.l1.blockTime}s`],
    ...manifest.rollups.map((rollup) => [
      "rollup",
      String(rollup.chainId),
      rollup.rpcUrl,
      `${rollup.blockTime}s`,
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  const table = rows
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "))
    .join("\n");
  const contracts = manifest.rollups[0]?.contracts;
  const lines = [
    "Junction devnet is running.",
    "",
    table,
    "",
    "Each rpc above also speaks JSON-RPC over websockets on the same port (ws://…, eth_subscribe newHeads and logs).",
    ...(manifest.dependencySet
      ? [
          `Dependency set (source: destinations): ${Object.entries(manifest.dependencySet)
            .map(([source, destinations]) => `${source}: ${destinations.join(", ") || "none"}`)
            .join("; ")}; every other pair is refused.`,
        ]
      : []),
    "",
    ...(manifest.sequencer
      ? [
          `Shared sequencer: a superblock every ${manifest.sequencer.superblockTimeMs} ms; the rpc above is its`,
          `endpoint per rollup (nodes behind it: ${manifest.rollups.map((rollup) => rollup.nodeRpcUrl).join(", ")}).`,
          "",
        ]
      : []),
    `RollupHub (L1)        ${manifest.l1.contracts.rollupHub}`,
    `SuperblockLog (L1)    ${manifest.l1.contracts.superblockLog}`,
    ...Object.entries(contracts ?? {}).flatMap(([name, address]) =>
      typeof address === "string"
        ? [`${name.padEnd(21)} ${address}  (every rollup)`]
        : Object.entries(address).map(
            ([path, at]) => `${`${name}.${path}`.padEnd(21)} ${at}  (every rollup)`,
          ),
    ),
    "",
    ...(manifest.api
      ? [
          `API and dashboard: ${manifest.api.url}/  (metrics: ${manifest.api.url}/metrics, OpenAPI: ${manifest.api.url}/v1/openapi.json)`,
        ]
      : []),
    `manifest: ${manifestFile}`,
    ...(manifest.admin
      ? [`admin:    ${manifest.admin.url}  (junction devnet add-rollup adds a rollup)`]
      : []),
    ...(logFile ? [`logs:     ${logFile}  (--verbose shows them here)`] : []),
    "Press Ctrl-C to stop.",
  ];
  return lines.join("\n");
}
