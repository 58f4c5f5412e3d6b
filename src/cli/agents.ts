// `junction agents`: runs the agents of a deployed network (or a devnet) in one process until Ctrl-C,
// SIGTERM or its parent exits.
import type { Hex } from "viem";
import {
  type AgentRole,
  createNetworkAgents,
  DEFAULT_NETWORK_AGENTS,
  NETWORK_AGENTS,
  parseAgentNames,
} from "../deploy/agents.js";
import {
  databaseUrlOf,
  dataDirOf,
  loggerOf,
  manifestOf,
  networkFlags,
  parseFlags,
  printJson,
  UsageError,
  untilStopped,
} from "./options.js";

export const usage = `junction agents [--manifest FILE | --data-dir DIR] [--only relayer,proposer,…] [--database-url URL]
  Runs the network's agents until Ctrl-C / SIGTERM or its parent exits: proposer, root-importer, attester,
  relayer and watchtower by default; --only picks from those and prover. Each signs with its role's key
  from the manifest, or from JUNCTION_<ROLE>_KEY when set (PROPOSER, SYSTEM for the root importer,
  ATTESTER, RELAYER, WATCHTOWER, PROVER). The relayer and watchtower keep their state in DIR (SQLite) or
  PostgreSQL (--database-url, default DATABASE_URL).`;

export async function run(
  argv: string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    only: { type: "string" },
    "database-url": { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let names = DEFAULT_NETWORK_AGENTS;
  try {
    if (values.only !== undefined) names = parseAgentNames(values.only);
  } catch (error) {
    throw new UsageError(`--only: ${(error as Error).message}`);
  }
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const keys: Partial<Record<AgentRole, Hex>> = {};
  for (const role of new Set(Object.values(NETWORK_AGENTS))) {
    const name = `JUNCTION_${role.toUpperCase()}_KEY`;
    const value = env[name];
    if (value === undefined || value === "") continue;
    if (!/^0x[0-9a-fA-F]{64}$/.test(value))
      throw new UsageError(`${name} must be a 32-byte 0x-prefixed hex key`);
    keys[role] = value as Hex;
  }
  const storage = { dataDir: dataDirOf(values), databaseUrl: databaseUrlOf(values["database-url"], env) };
  const agents = createNetworkAgents(manifest, { names, storage, logger, keys });
  const stopping = untilStopped();
  const started = [];
  try {
    for (const agent of agents) {
      await agent.start();
      started.push(agent);
    }
    logger.info("Agents#run", "running", { agents: names });
    const reason = await stopping;
    printJson({ stopped: reason, agents: names });
  } finally {
    await Promise.allSettled(started.map((agent) => agent.stop()));
  }
  return 0;
}
