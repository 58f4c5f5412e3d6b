// CLI entry: dispatches `junction <command>` and turns errors into one clear line and an exit code.
import { JunctionError } from "../errors.js";
import * as agent from "./agent.js";
import * as api from "./api.js";
import * as bridge from "./bridge.js";
import * as bundle from "./bundle.js";
import * as devnet from "./devnet.js";
import * as filler from "./filler.js";
import * as intent from "./intent.js";
import * as keeper from "./keeper.js";
import * as margin from "./margin.js";
import * as matcher from "./matcher.js";
import { UsageError } from "./options.js";
import * as orders from "./orders.js";
import * as pool from "./pool.js";
import * as prices from "./prices.js";
import * as rebalancer from "./rebalancer.js";
import * as send from "./send.js";
import * as sequencer from "./sequencer.js";
import * as solvency from "./solvency.js";
import * as status from "./status.js";
import * as swap from "./swap.js";

const help = [
  "Usage: junction <command> [flags]   (junction <command> --help for its flags)",
  "",
  devnet.usage,
  "",
  send.usage,
  "",
  status.usage,
  "",
  bridge.usage,
  "",
  bundle.usage,
  "",
  swap.usage,
  "",
  intent.usage,
  "",
  pool.usage,
  "",
  filler.usage,
  "",
  rebalancer.usage,
  "",
  margin.usage,
  "",
  keeper.usage,
  "",
  prices.usage,
  "",
  orders.usage,
  "",
  matcher.usage,
  "",
  agent.usage,
  "",
  sequencer.usage,
  "",
  solvency.usage,
  "",
  api.usage,
].join("\n");

/** `env` is read here and nowhere below: commands get what they need from it as arguments. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "devnet":
        return await devnet.run(rest, env);
      case "api":
        return await api.run(rest);
      case "send":
        return await send.run(rest);
      case "status":
        return await status.run(rest);
      case "swap":
        return await swap.run(rest);
      case "bridge":
        return await bridge.run(rest);
      case "bundle":
        return await bundle.run(rest);
      case "intent":
        return await intent.run(rest);
      case "pool":
        return await pool.run(rest);
      case "filler":
        return await filler.run(rest);
      case "rebalancer":
        return await rebalancer.run(rest);
      case "margin":
        return await margin.run(rest);
      case "keeper":
        return await keeper.run(rest);
      case "orders":
        return await orders.run(rest);
      case "matcher":
        return await matcher.run(rest);
      case "prices":
        return await prices.run(rest);
      case "sequencer":
        return await sequencer.run(rest);
      case "solvency":
        return await solvency.run(rest);
      case "relayer":
      case "proposer":
      case "root-importer":
      case "attester":
      case "watchtower":
      case "prover":
        return await agent.run(command, rest, env);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(help);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`, {
          details: "run `junction help` for the commands",
        });
    }
  } catch (error) {
    return report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof JunctionError) {
    console.error(`error: ${error.shortMessage}`);
    if (error.details) console.error(`  ${error.details}`);
    return error instanceof UsageError ? 2 : 1;
  }
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}
