// CLI entry: dispatches `junction <command>` and turns errors into one clear line and an exit code.
import { JunctionError } from "../errors.js";
import { UsageError } from "./options.js";

type Command = { usage: string; run: (argv: string[], env: NodeJS.ProcessEnv) => Promise<number> };

/**
 * Every command's module, loaded only when it runs (or for `junction help`): one command's start does not
 * load every other command's dependencies (the zk prover, the API server, …). In the order of the help.
 */
const commands: Record<string, () => Promise<Command>> = {
  devnet: async () => {
    const { usage, run } = await import("./devnet.js");
    return { usage, run };
  },
  deploy: async () => {
    const { usage, run } = await import("./deploy.js");
    return { usage, run };
  },
  agents: async () => {
    const { usage, run } = await import("./agents.js");
    return { usage, run };
  },
  send: async () => plain(await import("./send.js")),
  status: async () => plain(await import("./status.js")),
  bridge: async () => plain(await import("./bridge.js")),
  bundle: async () => plain(await import("./bundle.js")),
  swap: async () => plain(await import("./swap.js")),
  intent: async () => plain(await import("./intent.js")),
  pool: async () => plain(await import("./pool.js")),
  filler: async () => plain(await import("./filler.js")),
  rebalancer: async () => plain(await import("./rebalancer.js")),
  margin: async () => plain(await import("./margin.js")),
  keeper: async () => plain(await import("./keeper.js")),
  prices: async () => plain(await import("./prices.js")),
  orders: async () => plain(await import("./orders.js")),
  matcher: async () => plain(await import("./matcher.js")),
  sequencer: async () => plain(await import("./sequencer.js")),
  solvency: async () => plain(await import("./solvency.js")),
  api: async () => plain(await import("./api.js")),
};

/** `junction relayer|proposer|…`: the agents, one module for all of them. */
async function agentCommand(name: string): Promise<Command | undefined> {
  const agent = await import("./agent.js");
  const found = agent.agentNames.find((candidate) => candidate === name);
  return found && { usage: agent.usage, run: (argv, env) => agent.run(found, argv, env) };
}

function plain(module: { usage: string; run: (argv: string[]) => Promise<number> }): Command {
  return { usage: module.usage, run: (argv) => module.run(argv) };
}

async function helpText(): Promise<string> {
  const usages = await Promise.all(Object.values(commands).map(async (load) => (await load()).usage));
  // The agents' usage after the order book's, as before.
  usages.splice(usages.length - 3, 0, (await import("./agent.js")).usage);
  return ["Usage: junction <command> [flags]   (junction <command> --help for its flags)", ...usages].join(
    "\n\n",
  );
}

/** `env` is read here and nowhere below: commands get what they need from it as arguments. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(await helpText());
        return command === undefined ? 2 : 0;
    }
    const load = Object.hasOwn(commands, command) ? commands[command] : undefined;
    const found = load ? await load() : await agentCommand(command);
    if (!found) {
      throw new UsageError(`unknown command "${command}"`, {
        details: "run `junction help` for the commands",
      });
    }
    return await found.run(rest, env);
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
