// Runs one agent until Ctrl-C / SIGTERM or the parent exits, logging its status every so often and
// printing it (JSON) when it stops: what `junction filler` and `junction rebalancer` share.
import type { Agent } from "../agents/agent.js";
import type { Logger } from "../log.js";
import { printJson, untilStopped } from "./options.js";

export async function runWithStatus(
  agent: Agent,
  options: { logger: Logger; at: string; statusEveryMs: number; status: () => Promise<unknown> },
): Promise<number> {
  const stopping = untilStopped();
  await agent.start();
  const report = async () => {
    const status = await options.status().catch((error: unknown) => ({ error: String(error) }));
    options.logger.info(options.at, "status", { status });
  };
  const timer =
    options.statusEveryMs > 0 ? setInterval(() => void report(), options.statusEveryMs) : undefined;
  const reason = await stopping;
  clearInterval(timer);
  const final = await options.status();
  await agent.stop();
  printJson({ stopped: reason, status: final });
  return 0;
}
