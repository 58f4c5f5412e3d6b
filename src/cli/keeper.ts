// `junction keeper`: runs the margin engine's keeper alone against a manifest (the devnet runs one
// already unless started with --no-keeper).
import { parseEther } from "viem";
import { parseKeeperSettings } from "../agents/keeper/config.js";
import { createKeeper } from "../devnet/margin-agents.js";
import {
  dataDirOf,
  intervalFlag,
  keyFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  numberFlag,
  parseFlags,
} from "./options.js";
import { runWithStatus } from "./run-agent.js";

export const usage = `junction keeper [--private-key KEY] [--data-dir DIR | --manifest FILE] [--database FILE]
               [--max-repay JUSD] [--interval-ms MS] [--status-every S]
  Liquidates every margin account under health 1 (under 0.9 when a price it uses is stale): half of
  its largest position, all of it under health 0.95 or when the rest would be dust, repaying its debt
  from the key's JUSD on the hub (at most --max-repay JUSD per liquidation) for collateral plus its
  bonus, paid where the collateral lies. The key defaults to the devnet's keeper account. State in
  --database (default DIR/keeper.sqlite): a restart repeats no liquidation, and a liquidation another
  keeper landed first is logged as taken. Logs its status every --status-every seconds (default 30,
  0: never) and prints it when stopped. See src/agents/keeper/README.md.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    "private-key": { type: "string" },
    database: { type: "string" },
    "max-repay": { type: "string" },
    "interval-ms": { type: "string" },
    "status-every": { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const maxRepay = values["max-repay"];
  const settings = parseKeeperSettings({
    maxRepay: maxRepay === undefined ? undefined : parseEther(String(numberFlag("max-repay", maxRepay, 0))),
    intervalMs: intervalFlag(values["interval-ms"]),
  });
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const keeper = createKeeper(manifest, dataDirOf(values), logger, {
    privateKey: keyFlag(values["private-key"], manifest.accounts.keeper.privateKey),
    database: values.database,
    settings,
  });
  return runWithStatus(keeper, {
    logger,
    at: "Keeper#status",
    statusEveryMs: numberFlag("status-every", values["status-every"], 30) * 1000,
    status: () => keeper.status(),
  });
}
