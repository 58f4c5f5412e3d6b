// `junction devnet add-rollup`: asks the running devnet (its admin endpoint, named in its manifest) to
// add a rollup, and prints the new rollup.

import { requestAddRollup } from "../devnet/add-rollup.js";
import { ConfigError } from "../errors.js";
import { manifestOf, networkFlags, parseFlags, printJson } from "./options.js";

export const usage = `junction devnet add-rollup [--data-dir DIR | --manifest FILE] [--json]
  Adds a rollup to the devnet running with DIR (default .junction): a new anvil node (chain id one
  above the highest, the next port of each rollup range, behind the shared sequencer when the devnet
  has one), Junction deployed on it, registered at the L1 hub and with every trust path of every
  rollup, added to DIR/devnet.json; the running agents take it without a restart (the shared sequencer
  alone restarts, in the devnet's process). Talks to the devnet's admin endpoint on 127.0.0.1 (the
  manifest's admin.url, --admin-port of \`junction devnet\`). Refused by name: RollupLimitError (64
  rollups, or no port left in range), DevnetStoppingError (the devnet is stopping or gone),
  ConfigError (a devnet with --external-sequencer, or with --dependency-set: the set is sealed on every
  rollup at start, so a new rollup could never message or be messaged).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...networkFlags, json: { type: "boolean" } });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const manifest = manifestOf(values);
  if (!manifest.admin) {
    throw new ConfigError("this devnet serves no admin endpoint", {
      details: "start it with `junction devnet` (its admin endpoint is on --admin-port, default BASE+3001)",
    });
  }
  const rollup = await requestAddRollup(manifest.admin.url);
  if (values.json) {
    printJson(rollup);
  } else {
    console.log(
      `added rollup ${rollup.chainId}: ${rollup.rpcUrl}${rollup.wsUrl ? ` (${rollup.wsUrl})` : ""}`,
    );
  }
  return 0;
}
