// `junction rebalancer`: runs the pools' rebalancer alone against a manifest (the devnet runs one
// already unless started with --no-rebalancer).
import { parseRebalancerSettings } from "../agents/rebalancer/config.js";
import { createRebalancer } from "../devnet/router-agents.js";
import {
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

export const usage = `junction rebalancer [--private-key KEY] [--data-dir DIR | --manifest FILE] [--threshold SHARE]
               [--window S] [--min-move WEI] [--interval-ms MS] [--status-every S]
  Keeps every rollup's liquidity pool within ± --threshold (share of the pools' total, default 0.05) of
  a target that follows the net flow the pools served over the last --window seconds (default 600),
  its volatility and the pools' utilisation; moves only net imbalances (at least --min-move wei,
  default 1 JUSD) with LiquidityPool.sendLiquidity, signed by the pools' rebalancer key (default: the
  devnet's rebalancer account). Logs every decision with its inputs and reason, its status every
  --status-every seconds (default 30, 0: never), and prints the status when stopped.
  See src/agents/rebalancer/README.md.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    "private-key": { type: "string" },
    threshold: { type: "string" },
    window: { type: "string" },
    "min-move": { type: "string" },
    "interval-ms": { type: "string" },
    "status-every": { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const minMove = values["min-move"];
  if (minMove !== undefined && !/^[1-9]\d*$/.test(minMove)) {
    throw new UsageError(`--min-move must be a positive integer in wei, got ${minMove}`);
  }
  const settings = parseRebalancerSettings({
    threshold: values.threshold === undefined ? undefined : numberFlag("threshold", values.threshold, 0),
    windowMs:
      values.window === undefined ? undefined : Math.round(numberFlag("window", values.window, 0) * 1000),
    minMove: minMove === undefined ? undefined : BigInt(minMove),
    intervalMs: intervalFlag(values["interval-ms"]),
  });
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const rebalancer = createRebalancer(manifest, logger, {
    privateKey: keyFlag(values["private-key"], manifest.accounts.rebalancer.privateKey),
    settings,
  });
  return runWithStatus(rebalancer, {
    logger,
    at: "Rebalancer#status",
    statusEveryMs: numberFlag("status-every", values["status-every"], 30) * 1000,
    status: async () => rebalancer.status(),
  });
}
