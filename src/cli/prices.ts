// `junction prices`: runs the margin engine's price agent (a seeded random walk) against a manifest, or
// `junction prices crash ETH 30%` pushes a crash once and prints its updates.
import { namedPrices } from "../agents/prices/price-agent.js";
import { createPriceAgent } from "../devnet/margin-agents.js";
import {
  intervalFlag,
  intFlag,
  keyFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  numberFlag,
  parseFlags,
  printJson,
  UsageError,
} from "./options.js";
import { runWithStatus } from "./run-agent.js";

export const usage = `junction prices [--private-key KEY] [--volatility X] [--interval-ms MS] [--seed N] [--walk ASSET,ASSET]
               [--data-dir DIR | --manifest FILE] [--status-every S]
junction prices crash ASSET PCT [--private-key KEY] [--data-dir DIR | --manifest FILE]
  Feeds the hub's PriceOracle: every --interval-ms (default 2000) each --walk asset (default ETH) takes
  one step of a seeded random walk (--seed, default 1) with log-return deviation --volatility (default
  0.005), and every other asset the margin engine uses is pushed again unchanged, so no price goes
  stale. The key defaults to the devnet's feeder account (the devnet runs this agent already unless
  started with --no-prices). crash: pushes a fall of PCT % (e.g. \`junction prices crash ETH 30%\`) now,
  with the deployer's key by default; the oracle moves a price at most 50 % per update, so a larger
  crash takes several updates (the output lists them and says so). See src/agents/prices/README.md.`;

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === "crash") return crash(argv.slice(1));
  const { values } = parseFlags(argv, {
    ...networkFlags,
    "private-key": { type: "string" },
    volatility: { type: "string" },
    "interval-ms": { type: "string" },
    seed: { type: "string" },
    walk: { type: "string" },
    "status-every": { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const agent = createPriceAgent(manifest, logger, {
    privateKey: keyFlag(values["private-key"], manifest.accounts.feeder.privateKey),
    settings: {
      volatility:
        values.volatility === undefined ? undefined : numberFlag("volatility", values.volatility, 0),
      intervalMs: intervalFlag(values["interval-ms"]),
      seed: values.seed === undefined ? undefined : intFlag("seed", values.seed, 0),
      walk: values.walk?.split(",").map((asset) => asset.trim().toUpperCase()),
    },
  });
  return runWithStatus(agent, {
    logger,
    at: "PriceAgent#status",
    statusEveryMs: numberFlag("status-every", values["status-every"], 30) * 1000,
    status: async () => namedPrices(await agent.prices()),
  });
}

async function crash(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...networkFlags, "private-key": { type: "string" } },
    true,
  );
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [asset, pctText] = positionals;
  if (asset === undefined || pctText === undefined || positionals.length > 2) {
    throw new UsageError("usage: junction prices crash ASSET PCT", {
      details: "for example: junction prices crash ETH 30%",
    });
  }
  const pct = Number(pctText.replace(/%$/, ""));
  if (!Number.isFinite(pct) || pct <= 0 || pct >= 100) {
    throw new UsageError(`PCT must be a number above 0 and below 100, got ${pctText}`);
  }
  const manifest = manifestOf(values);
  const agent = createPriceAgent(manifest, loggerOf(values), {
    privateKey: keyFlag(values["private-key"], manifest.accounts.deployer.privateKey),
  });
  printJson(await agent.crash(asset.toUpperCase(), pct));
  return 0;
}
