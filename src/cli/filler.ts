// `junction filler`: runs the filler alone against a manifest (the devnet runs one already unless
// started with --no-filler).
import { parseEther } from "viem";
import { parseFillerSettings } from "../agents/filler/config.js";
import { createFiller } from "../devnet/router-agents.js";
import { INTENT_PATHS, type IntentPath } from "../protocol/intents.js";
import {
  dataDirOf,
  intervalFlag,
  keyFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  numberFlag,
  parseFlags,
  UsageError,
} from "./options.js";
import { runWithStatus } from "./run-agent.js";

export const usage = `junction filler [--private-key KEY] [--data-dir DIR | --manifest FILE] [--database FILE]
               [--min-profit WEI] [--gas-token-price JUSD] [--priority-fee-wei WEI] [--paths P,P]
               [--interval-ms MS] [--status-every S]
  Fills intents opened on any rollup from the key's own JUSD (default: the devnet's filler account)
  when the origin escrow is open and input − output − gas ≥ --min-profit (default 0), gas priced at
  --gas-token-price JUSD per ETH (default 3000); repaid on the origin, or on the destination when the
  key's JUSD there is short of its share. --paths limits the trust paths watched (default all). State
  in --database (default DIR/filler.sqlite), so a restart never fills twice. Logs its status every
  --status-every seconds (default 30, 0: never) and prints it when stopped. See src/agents/filler/README.md.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    "private-key": { type: "string" },
    database: { type: "string" },
    "min-profit": { type: "string" },
    "gas-token-price": { type: "string" },
    "priority-fee-wei": { type: "string" },
    paths: { type: "string" },
    "interval-ms": { type: "string" },
    "status-every": { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const settings = parseFillerSettings({
    minProfit: weiFlag("min-profit", values["min-profit"]),
    gasTokenPrice:
      values["gas-token-price"] === undefined
        ? undefined
        : parseEther(String(numberFlag("gas-token-price", values["gas-token-price"], 0))),
    priorityFeeWei: weiFlag("priority-fee-wei", values["priority-fee-wei"]),
    paths: values.paths === undefined ? undefined : pathsFlag(values.paths),
    intervalMs: intervalFlag(values["interval-ms"]),
  });
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const filler = createFiller(manifest, dataDirOf(values), logger, {
    privateKey: keyFlag(values["private-key"], manifest.accounts.filler.privateKey),
    database: values.database,
    settings,
  });
  return runWithStatus(filler, {
    logger,
    at: "Filler#status",
    statusEveryMs: numberFlag("status-every", values["status-every"], 30) * 1000,
    status: () => filler.status(),
  });
}

function weiFlag(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be an integer in wei, got ${value}`);
  return BigInt(value);
}

function pathsFlag(value: string): IntentPath[] {
  const paths = value.split(",").map((path) => path.trim());
  const unknown = paths.find((path) => !isPath(path));
  if (unknown !== undefined) throw new UsageError(`--paths takes ${INTENT_PATHS.join(", ")}; got ${unknown}`);
  return paths.filter(isPath);
}

function isPath(value: string): value is IntentPath {
  return (INTENT_PATHS as readonly string[]).includes(value);
}
