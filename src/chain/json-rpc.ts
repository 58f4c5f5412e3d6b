// Plain JSON-RPC over HTTP, for the few calls viem has no typed action for (block control, proxying).
import { setTimeout as sleep } from "node:timers/promises";
import { JunctionError } from "../errors.js";

export class JsonRpcError extends JunctionError {
  override name = "JsonRpcError" as const;
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${message}`, { details: `JSON-RPC error ${code}` });
  }
}

export type JsonRpcRequest = { jsonrpc: "2.0"; id: number | string | null; method: string; params?: unknown };
export type JsonRpcResponse =
  | { jsonrpc: "2.0"; id: number | string | null; result: unknown }
  | { jsonrpc: "2.0"; id: number | string | null; error: { code: number; message: string; data?: unknown } };

let nextId = 1;

/** Sends one request body (a request or a batch) and returns the parsed response body. */
export async function postJsonRpc(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** Sends one request body and returns the parsed response body: `postJsonRpc`, or another transport. */
export type PostJsonRpc = (url: string, body: unknown) => Promise<unknown>;

/** Calls `method` and returns its result; a JSON-RPC error becomes a `JsonRpcError`. */
export async function rpcCall<T = unknown>(
  url: string,
  method: string,
  params: unknown[] = [],
  post: PostJsonRpc = postJsonRpc,
): Promise<T> {
  const reply = (await post(url, { jsonrpc: "2.0", id: nextId++, method, params })) as JsonRpcResponse;
  if ("error" in reply)
    throw new JsonRpcError(method, reply.error.code, reply.error.message, reply.error.data);
  return reply.result as T;
}

/**
 * Resolves once `url` stops answering (checked every `intervalMs`), or when `signal` aborts: a wait on
 * that node can give up at once instead of polling a dead node until its timeout.
 */
export async function untilUnreachable(url: string, signal: AbortSignal, intervalMs = 250): Promise<void> {
  while (!signal.aborted) {
    const answered = await rpcCall(url, "eth_chainId").then(
      () => true,
      () => false,
    );
    if (!answered) return;
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
}
