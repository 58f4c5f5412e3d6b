// `junction api`: runs the HTTP/WebSocket API, /metrics and the dashboard alone against a manifest (the
// devnet runs one already unless started with --no-api), until Ctrl-C / SIGTERM.
import { join } from "node:path";
import { ApiServer } from "../api/server.js";
import {
  dataDirOf,
  intFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  parseFlags,
  UsageError,
  untilStopped,
} from "./options.js";

export const DEFAULT_API_PORT = 7545;

export const usage = `junction api [--port P] [--database FILE] [--data-dir DIR | --manifest FILE]
  Serves the network's API on http://127.0.0.1:P (default ${DEFAULT_API_PORT}): GET /v1/chains, /v1/messages,
  /v1/messages/:id, /v1/checkpoints, /v1/superblocks/:height, /v1/bonds, /v1/pools,
  /v1/margin/accounts/:account, /v1/intents/:orderId; the WebSocket /v1/stream; /v1/openapi.json;
  Prometheus metrics at /metrics; the dashboard at /. It indexes the chains' events into --database
  (default DIR/api-standalone.sqlite) and resumes from it after a restart. For a devnet started
  without --no-api, its own API already runs: the URL is in the devnet's table and manifest.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    port: { type: "string" },
    database: { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const port = intFlag("port", values.port, DEFAULT_API_PORT, 1);
  if (port > 65_535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const manifest = manifestOf(values);
  const logger = loggerOf(values);
  const api = new ApiServer({
    network: manifest,
    database: values.database ?? join(dataDirOf(values), "api-standalone.sqlite"),
    port,
    logger,
  });
  const stopping = untilStopped();
  await api.start();
  console.log(
    `Junction API on ${api.url}/  (metrics: ${api.url}/metrics, OpenAPI: ${api.url}/v1/openapi.json)`,
  );
  const reason = await stopping;
  logger.info("Api#stop", "stopping", { reason });
  await api.stop();
  return 0;
}
