// JSON-RPC to a node over kept-alive HTTP connections, for Node processes that make many small calls
// to nodes they control: the shared sequencer forwards every request its endpoints do not answer
// itself, and submits a superblock's transactions one by one. Through fetch each call took 0.3–0.6 ms
// of CPU on the event loop the sealer runs on; through node:http with a kept-alive agent 0.08–0.18 ms
// (2,000 eth_blockNumber calls to anvil, 2 cores). Not for the SDK: it must run where fetch does.
import http from "node:http";
import https from "node:https";
import { type PostJsonRpc, rpcCall } from "./json-rpc.js";

// Idle kept-alive sockets are unref'd by the agent, so they never hold a process open.
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** Sends one request body (a request or a batch) and returns the parsed response body. */
export const postNodeJsonRpc: PostJsonRpc = (url, body) => {
  const target = new URL(url);
  const payload = JSON.stringify(body);
  const protocol = target.protocol === "https:" ? "https:" : "http:";
  const request = protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      target,
      {
        method: "POST",
        agent: agents[protocol],
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (error) {
            reject(
              new Error(`${url} answered ${response.statusCode} with a body that is not JSON`, {
                cause: error,
              }),
            );
          }
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
};

/** `rpcCall` over kept-alive connections (see above). */
export function nodeRpcCall<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  return rpcCall<T>(url, method, params, postNodeJsonRpc);
}
