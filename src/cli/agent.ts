// `junction relayer|proposer|root-importer|attester|watchtower`: runs one agent alone against a manifest.

import type { Hex } from "viem";
import type { Agent } from "../agents/agent.js";
import { Attester } from "../agents/attester/attester.js";
import { Proposer } from "../agents/proposer/proposer.js";
import { RootImporter } from "../agents/root-importer/root-importer.js";
import { createProver, createRelayer, createWatchtower } from "../devnet/devnet.js";
import {
  dataDirOf,
  keyFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  parseFlags,
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
               [--data-dir DIR | --manifest FILE]
  Runs one agent until Ctrl-C / SIGTERM or its parent exits. Keys default to the devnet manifest's
  accounts; the relayer keeps its state in DIR/relayer.sqlite, the watchtower in DIR/watchtower.sqlite.
  The prover signs with the devnet committee's development keys (manifest "zk") and proves with Groth16.`;

export async function run(name: AgentName, argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...networkFlags, "private-key": { type: "string" } });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const key = (fallback: Hex) => keyFlag(values["private-key"], fallback);
  const { accounts } = manifest;
  const agents: Record<AgentName, () => Agent> = {
    relayer: () =>
      createRelayer(
        {
          ...manifest,
          accounts: {
            ...accounts,
            relayer: { ...accounts.relayer, privateKey: key(accounts.relayer.privateKey) },
          },
        },
        dataDirOf(values),
        logger,
      ),
    proposer: () =>
      new Proposer({ network: manifest, privateKey: key(accounts.proposer.privateKey), logger }),
    "root-importer": () =>
      new RootImporter({ network: manifest, privateKey: key(accounts.system.privateKey), logger }),
    attester: () =>
      new Attester({ network: manifest, privateKey: key(accounts.attester.privateKey), logger }),
    watchtower: () =>
      createWatchtower(manifest, dataDirOf(values), logger, key(accounts.watchtower.privateKey)),
    prover: () => createProver(manifest, logger, key(accounts.prover.privateKey)),
  };
  const agent = agents[name]();
  const stopping = untilStopped();
  await agent.start();
  await stopping;
  await agent.stop();
  return 0;
}
