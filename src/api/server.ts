// The Junction API: a Fastify server on 127.0.0.1 with the REST routes (routes.ts), the WebSocket
// stream (stream.ts), Prometheus metrics at /metrics (metrics.ts), the OpenAPI document and the
// dashboard's built page at /; and the indexer that fills the index they all read. An Agent: the
// devnet starts and stops it with the others, `junction api` runs it alone against a manifest.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { Agent } from "../agents/agent.js";
import type { Manifest } from "../chain/manifest.js";
import { ConfigError } from "../errors.js";
import type { Logger } from "../log.js";
import { IndexStore } from "./index-store.js";
import { Indexer } from "./indexer.js";
import { ApiMetrics } from "./metrics.js";
import { collectRoutes } from "./openapi.js";
import { registerRoutes } from "./routes.js";
import { registerStream, StreamHub } from "./stream.js";

/** Where `npm run build:dashboard` puts the page (built by `npm install` through `prepare`). */
export const DASHBOARD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../dashboard/dist");

export type ApiServerConfig = {
  network: Manifest;
  /** The index's SQLite file (":memory:" keeps it in memory). */
  database: string;
  port: number;
  /** Defaults to 127.0.0.1; the API has no authentication, so keep it local. */
  host?: string;
  logger: Logger;
  dashboardDir?: string;
  indexIntervalMs?: number;
};

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".ico": "image/x-icon",
};

export class ApiServer implements Agent {
  readonly name = "Api";
  readonly #config: ApiServerConfig;
  #running: { app: FastifyInstance; indexer: Indexer; store: IndexStore } | undefined;

  constructor(config: ApiServerConfig) {
    this.#config = config;
  }

  /** The base URL, e.g. http://127.0.0.1:7545 */
  get url(): string {
    return `http://${this.#config.host ?? "127.0.0.1"}:${this.#config.port}`;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    const { network, logger } = this.#config;
    const store = new IndexStore(this.#config.database);
    const hub = new StreamHub();
    hub.setMaxListeners(0);
    let indexer: Indexer | undefined;
    const metrics = new ApiMetrics(store, () => indexer?.progress() ?? []);
    indexer = new Indexer({
      network,
      store,
      metrics,
      logger,
      intervalMs: this.#config.indexIntervalMs,
      onEvents: () => hub.notify(),
    });
    const host = this.#config.host ?? "127.0.0.1";
    const port = this.#config.port;
    const hosts = new Set([`${host}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`]);
    const app = buildApp({
      network,
      store,
      indexer,
      metrics,
      hub,
      hosts,
      dashboardDir: this.#config.dashboardDir ?? DASHBOARD_DIR,
    });
    try {
      await app.listen({ host: this.#config.host ?? "127.0.0.1", port: this.#config.port });
    } catch (error) {
      store.close();
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new ConfigError(`port ${this.#config.port} on 127.0.0.1 is already in use`, {
          details:
            "it is the API's: stop whatever listens there, or choose another with `junction devnet --api-port P` (or --no-api) / `junction api --port P`",
          cause: error,
        });
      }
      throw error;
    }
    await indexer.start();
    this.#running = { app, indexer, store };
    logger.info("Api#start", "API listening", { url: this.url });
  }

  async stop(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    if (!running) return;
    await running.indexer.stop();
    for (const client of running.app.websocketServer?.clients ?? []) client.terminate();
    await running.app.close();
    running.store.close();
  }
}

type AppParts = {
  network: Manifest;
  store: IndexStore;
  indexer: Indexer;
  metrics: ApiMetrics;
  hub: StreamHub;
  /** Host headers accepted: a page on another site cannot reach the API by pointing its name at 127.0.0.1. */
  hosts: Set<string>;
  dashboardDir: string;
};

function buildApp(parts: AppParts): FastifyInstance {
  const app = Fastify({
    logger: false,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false } },
  });
  const openapi = collectRoutes(app);
  app.addHook("onRequest", async (request, reply) => {
    if (!parts.hosts.has(request.headers.host ?? "")) {
      return reply
        .code(421)
        .send({ error: "misdirected request", message: `host ${request.headers.host} is not this API` });
    }
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.validation) {
      const [first] = error.validation;
      const parameter =
        (first?.params as { missingProperty?: string; additionalProperty?: string } | undefined)
          ?.missingProperty ??
        (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty ??
        first?.instancePath.replace(/^\//, "") ??
        "";
      return reply.code(400).send({
        error: "invalid parameter",
        parameter,
        in: error.validationContext,
        message: `${parameter} ${first?.message ?? "is invalid"}`,
      });
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply
      .code(status)
      .send({ error: status === 500 ? "internal error" : error.code, message: error.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: "not found", message: `no route ${request.method} ${request.url.split("?")[0]}` }),
  );
  app.register(websocket, { options: { maxPayload: 4096 } });
  app.register(async (scoped) => {
    registerRoutes(scoped, parts);
    registerStream(scoped, parts.store, parts.hub);
    scoped.get("/v1/openapi.json", { schema: { hide: true } }, async () => openapi.document());
    scoped.get("/metrics", async (_request, reply) => {
      reply.header("content-type", parts.metrics.registry.contentType);
      return parts.metrics.text();
    });
    scoped.get("/*", async (request, reply) => serveDashboard(parts.dashboardDir, request.url, reply));
  });
  return app;
}

type Reply = {
  code(status: number): Reply;
  header(name: string, value: string): Reply;
  send(body: unknown): Reply;
};

/** The dashboard's built files; "/" is its index.html. Paths outside the directory are 404s. */
function serveDashboard(dir: string, url: string, reply: Reply): Reply {
  const wanted = decodeURIComponent(url.split("?")[0] ?? "/");
  const file = resolve(dir, `.${wanted === "/" ? "/index.html" : wanted}`);
  if (!file.startsWith(resolve(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
    if (wanted === "/") {
      return reply
        .code(404)
        .header("content-type", "text/plain; charset=utf-8")
        .send("The dashboard is not built: run `npm run build:dashboard` (npm install does it too).\n");
    }
    return reply.code(404).send({ error: "not found", message: `no file ${wanted}` });
  }
  return reply
    .header("content-type", CONTENT_TYPES[extname(file)] ?? "application/octet-stream")
    .send(readFileSync(file));
}
