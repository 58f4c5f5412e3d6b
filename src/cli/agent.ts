// `junction relayer|proposer|root-importer`: runs one agent alone against a network's manifest.

import type { Agent } from "../agents/agent.js";
import { Proposer } from "../agents/proposer/proposer.js";
import { RootImporter } from "../agents/root-importer/root-importer.js";
import { createRelayer } from "../devnet/devnet.js";
import {
  dataDirOf,
  keyFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  parseFlags,
  untilSignal,
} from "./options.js";

export const agentNames = ["relayer", "proposer", "root-importer"] as const;
export type AgentName = (typeof agentNames)[number];

export const usage = `junction relayer|proposer|root-importer [--private-key KEY] [--data-dir DIR | --manifest FILE]
  Runs one agent until Ctrl-C / SIGTERM. Keys default to the devnet manifest's accounts; the relayer
  keeps its state in DIR/relayer.sqlite.`;

export async function run(name: AgentName, argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...networkFlags, "private-key": { type: "string" } });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const agent: Agent =
    name === "relayer"
      ? createRelayer(
          {
            ...manifest,
            accounts: {
              ...manifest.accounts,
              relayer: {
                ...manifest.accounts.relayer,
                privateKey: keyFlag(values["private-key"], manifest.accounts.relayer.privateKey),
              },
            },
          },
          dataDirOf(values),
          logger,
        )
      : name === "proposer"
        ? new Proposer({
            network: manifest,
            privateKey: keyFlag(values["private-key"], manifest.accounts.proposer.privateKey),
            logger,
          })
        : new RootImporter({
            network: manifest,
            privateKey: keyFlag(values["private-key"], manifest.accounts.system.privateKey),
            logger,
          });
  const stopping = untilSignal();
  await agent.start();
  await stopping;
  await agent.stop();
  return 0;
}
