// The sequencer's JSON-RPC endpoint, one port per rollup. Wallets use it as the rollup's RPC URL,
// unchanged: reads go to the node, `eth_sendRawTransaction` is ordered by the sequencer, and the
// `junction_*` methods submit bundles and commitments. Methods that would let a caller produce or undo
// blocks behind the sequencer's back are refused. The same port speaks JSON-RPC over websockets too, with
// eth_subscribe (newHeads, logs) answered from final blocks only (see subscriptions.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import { JsonRpcError, type JsonRpcRequest, type JsonRpcResponse } from "../../chain/json-rpc.js";
import { postNodeJsonRpc } from "../../chain/node-rpc.js";
import { assertPortFree } from "../../chain/ports.js";
import { SequencerRequestError } from "./order-book.js";
import { HeadFollower } from "./subscriptions.js";

/** What the endpoint of rollup `chainId` answers itself; everything else is forwarded to the node. */
export type SequencerMethods = Record<string, (chainId: number, params: unknown[]) => Promise<unknown>>;

/** Block production and pool control belong to the sequencer alone. */
const REFUSED = new Set([
  "eth_sendTransaction",
  "evm_mine",
  "evm_setAutomine",
  "evm_setIntervalMining",
  "evm_snapshot",
  "evm_revert",
  "anvil_mine",
  "anvil_setAutomine",
  "anvil_setIntervalMining",
  "anvil_dropTransaction",
  "anvil_dropAllTransactions",
]);

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export type SequencerEndpoint = { chainId: number; port: number; nodeRpcUrl: string };

export class SequencerRpcServer {
  readonly #servers: Server[] = [];
  readonly #sockets: WebSocketServer[] = [];
  readonly #followers = new Map<number, HeadFollower>();

  constructor(
    private readonly endpoints: readonly SequencerEndpoint[],
    private readonly methods: SequencerMethods,
    /** Resolves when no block that may still be undone exists: callers only ever read final state. */
    private readonly sealed: () => Promise<void>,
  ) {}

  async start(): Promise<void> {
    for (const endpoint of this.endpoints) await assertPortFree(endpoint.port);
    for (const endpoint of this.endpoints) {
      const server = createServer((request, response) => {
        this.#serve(endpoint, request, response).catch(() => {
          if (!response.headersSent) response.writeHead(500);
          response.end();
        });
      });
      const follower = new HeadFollower(endpoint.nodeRpcUrl, this.sealed);
      this.#followers.set(endpoint.chainId, follower);
      const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
      this.#sockets.push(sockets);
      server.on("upgrade", (request, socket, head) => {
        sockets.handleUpgrade(request, socket, head, (ws) => this.#connect(endpoint, follower, ws));
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ port: endpoint.port, host: "127.0.0.1" }, () => resolve());
      });
      this.#servers.push(server);
    }
  }

  /** A superblock was sealed: subscribers hear of its blocks now. */
  announce(): void {
    for (const follower of this.#followers.values()) follower.announce();
  }

  async stop(): Promise<void> {
    for (const sockets of this.#sockets) {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
    }
    this.#sockets.length = 0;
    await Promise.all([...this.#followers.values()].map((follower) => follower.stop()));
    this.#followers.clear();
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    this.#servers.length = 0;
  }

  async #serve(
    endpoint: SequencerEndpoint,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (request.method !== "POST") {
      response.writeHead(405, { "content-type": "text/plain" }).end("JSON-RPC over POST only\n");
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch {
      reply(response, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } });
      return;
    }
    const result = Array.isArray(body)
      ? await Promise.all(body.map((item) => this.#answer(endpoint, item)))
      : await this.#answer(endpoint, body);
    reply(response, result);
  }

  /** JSON-RPC over one websocket: requests as over HTTP, plus eth_subscribe / eth_unsubscribe. */
  #connect(endpoint: SequencerEndpoint, follower: HeadFollower, socket: WebSocket): void {
    const answer = async (item: unknown): Promise<JsonRpcResponse> => {
      if (!isRequest(item) || (item.method !== "eth_subscribe" && item.method !== "eth_unsubscribe")) {
        return this.#answer(endpoint, item);
      }
      const id = item.id ?? null;
      const params = Array.isArray(item.params) ? item.params : [];
      if (item.method === "eth_unsubscribe") {
        return { jsonrpc: "2.0", id, result: follower.unsubscribe(params[0]) };
      }
      try {
        return { jsonrpc: "2.0", id, result: await follower.subscribe(socket, params) };
      } catch (error) {
        const message = error instanceof SequencerRequestError ? error.shortMessage : String(error);
        return { jsonrpc: "2.0", id, error: { code: -32602, message } };
      }
    };
    socket.on("message", (data) => {
      void (async () => {
        let body: unknown;
        try {
          body = JSON.parse(data.toString());
        } catch {
          socket.send(
            JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }),
          );
          return;
        }
        const result = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body);
        if (socket.readyState === socket.OPEN) socket.send(serialize(result));
      })().catch(() => socket.terminate());
    });
    socket.on("close", () => follower.forget(socket));
    socket.on("error", () => socket.terminate());
  }

  async #answer(endpoint: SequencerEndpoint, item: unknown): Promise<JsonRpcResponse> {
    if (!isRequest(item)) {
      return { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid JSON-RPC request" } };
    }
    const id = item.id ?? null;
    const params = Array.isArray(item.params) ? item.params : [];
    if (REFUSED.has(item.method)) {
      const message =
        item.method === "eth_sendTransaction"
          ? "the sequencer accepts signed transactions only (eth_sendRawTransaction)"
          : `${item.method} is refused: blocks on this rollup are produced by the shared sequencer`;
      return { jsonrpc: "2.0", id, error: { code: -32601, message } };
    }
    const handler = this.methods[item.method];
    if (!handler) {
      // A block mined for a superblock still being sealed may yet be undone (a failed bundle): wait.
      await this.sealed();
      return (await postNodeJsonRpc(endpoint.nodeRpcUrl, { ...item, jsonrpc: "2.0" })) as JsonRpcResponse;
    }
    try {
      return { jsonrpc: "2.0", id, result: await handler(endpoint.chainId, params) };
    } catch (error) {
      if (error instanceof JsonRpcError) {
        return { jsonrpc: "2.0", id, error: { code: error.code, message: error.message, data: error.data } };
      }
      if (error instanceof SequencerRequestError) {
        const message = error.details ? `${error.shortMessage} (${error.details})` : error.shortMessage;
        return { jsonrpc: "2.0", id, error: { code: -32602, message } };
      }
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      return { jsonrpc: "2.0", id, error: { code: -32603, message: message ?? "internal error" } };
    }
  }
}

function isRequest(item: unknown): item is JsonRpcRequest {
  return (
    typeof item === "object" && item !== null && typeof (item as { method?: unknown }).method === "string"
  );
}

function reply(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(serialize(body));
}

function serialize(body: unknown): string {
  return JSON.stringify(body, (_key, value) =>
    typeof value === "bigint" ? `0x${value.toString(16)}` : value,
  );
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
