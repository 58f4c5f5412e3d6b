// `junction matcher`: runs the order book's matcher alone against a manifest (the devnet runs one already
// unless started with --no-matcher).
import { parseMatcherSettings } from "../agents/matcher/config.js";
import { createMatcher } from "../devnet/orderbook-agents.js";
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

export const usage = `junction matcher [--private-key KEY] [--data-dir DIR | --manifest FILE] [--database FILE]
               [--interval-ms MS] [--status-every S]
  Keeps one price-time book over the orders of every rollup's OrderGateway and settles what crosses in
  strictly sequential batches per gateway; every gateway checks each fill (limits, what remains, not
  cancelled, the next batch id). The key must be the one the gateways name (default: the devnet's
  matcher account). State in --database (default DIR/matcher.sqlite): a restart continues each batch
  sequence, losing and repeating nothing. Logs each batch and each fill settled on both rollups (with
  its timings), its status every --status-every seconds (default 30, 0: never), and prints it when
  stopped. See src/agents/matcher/README.md.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    "private-key": { type: "string" },
    database: { type: "string" },
    "interval-ms": { type: "string" },
    "status-every": { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const settings = parseMatcherSettings({
    intervalMs: intervalFlag(values["interval-ms"]),
  });
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const matcher = createMatcher(manifest, dataDirOf(values), logger, {
    privateKey: keyFlag(values["private-key"], manifest.accounts.matcher.privateKey),
    database: values.database,
    settings,
  });
  return runWithStatus(matcher, {
    logger,
    at: "Matcher#status",
    statusEveryMs: numberFlag("status-every", values["status-every"], 30) * 1000,
    status: () => matcher.status(),
  });
}
