// `junction relayer|proposer|root-importer|attester|watchtower`: runs one agent alone against a manifest.

import type { Hex } from "viem";
import type { Agent } from "../agents/agent.js";
import { Attester } from "../agents/attester/attester.js";
import { Proposer } from "../agents/proposer/proposer.js";
import { RootImporter } from "../agents/root-importer/root-importer.js";
import { createProver, createRelayer, createWatchtower } from "../devnet/devnet.js";
import {
  databaseUrlOf,
  dataDirOf,
  keyFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  numberFlag,
  parseFlags,
  UsageError,
  untilStopped,
} from "./options.js";

export const agentNames = [
  "relayer",
  "proposer",
  "root-importer",
  "attester",
  "watchtower",
  "prover",
] as const;
export type AgentName = (typeof agentNames)[number];

export const usage = `junction relayer|proposer|root-importer|attester|watchtower|prover [--private-key KEY]
               [--data-dir DIR | --manifest FILE] [--database-url URL] [--relayer-id ID] [--lease S]
  Runs one agent until Ctrl-C / SIGTERM or its parent exits. Keys default to the devnet manifest's
  accounts; the relayer keeps its state in DIR/relayer.sqlite, the watchtower in DIR/watchtower.sqlite,
  or both in PostgreSQL with --database-url postgres://… (default: the DATABASE_URL environment
  variable). Relayers sharing one database lease each message before sending it, so several can run
  side by side, each with its own --private-key. --relayer-id names this relayer's leases (default
  relayer-ADDRESS, stable across restarts, so a restarted relayer takes its own leases back at once);
  --lease S is how long a lease lasts (default 150 s): the others take a dead relayer's messages after it.
  The prover signs with the devnet committee's development keys (manifest "zk") and proves with Groth16.`;

export async function run(
  name: AgentName,
  argv: string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    "private-key": { type: "string" },
    "database-url": { type: "string" },
    "relayer-id": { type: "string" },
    lease: { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (values["database-url"] !== undefined && name !== "relayer" && name !== "watchtower") {
    throw new UsageError("--database-url applies to the relayer and the watchtower");
  }
  if (values["relayer-id"] !== undefined && name !== "relayer") {
    throw new UsageError("--relayer-id applies to the relayer");
  }
  if (values["relayer-id"] === "") throw new UsageError("--relayer-id must not be empty");
  if (values.lease !== undefined && name !== "relayer")
    throw new UsageError("--lease applies to the relayer");
  const leaseSeconds = values.lease === undefined ? undefined : numberFlag("lease", values.lease, 150);
  if (leaseSeconds !== undefined && leaseSeconds < 1) throw new UsageError("--lease must be at least 1 s");
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const key = (fallback: Hex) => keyFlag(values["private-key"], fallback);
  const storage = () => ({
    dataDir: dataDirOf(values),
    databaseUrl: databaseUrlOf(values["database-url"], env),
  });
  const { accounts } = manifest;
  const agents: Record<AgentName, () => Agent> = {
    relayer: () =>
      createRelayer(manifest, storage(), logger, {
        privateKey: key(accounts.relayer.privateKey),
        relayerId: values["relayer-id"],
        leaseMs: leaseSeconds === undefined ? undefined : Math.round(leaseSeconds * 1000),
      }),
    proposer: () =>
      new Proposer({ network: manifest, privateKey: key(accounts.proposer.privateKey), logger }),
    "root-importer": () =>
      new RootImporter({ network: manifest, privateKey: key(accounts.system.privateKey), logger }),
    attester: () =>
      new Attester({ network: manifest, privateKey: key(accounts.attester.privateKey), logger }),
    watchtower: () => createWatchtower(manifest, storage(), logger, key(accounts.watchtower.privateKey)),
    prover: () => createProver(manifest, logger, key(accounts.prover.privateKey)),
  };
  const agent = agents[name]();
  const stopping = untilStopped();
  await agent.start();
  await stopping;
  await agent.stop();
  return 0;
}
