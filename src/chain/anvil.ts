// Starts and stops anvil nodes from the npm-installed binary. This file and the devnet launcher are the
// only places that know the node is anvil; agents speak plain JSON-RPC.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type Address, createTestClient, type Hex, http } from "viem";
import { JunctionError } from "../errors.js";
import type { BlockControl } from "./block-control.js";
import { chainOf, type Endpoint } from "./clients.js";
import { nodeRpcCall } from "./node-rpc.js";
import { assertPortFree } from "./ports.js";

export class AnvilStartError extends JunctionError {
  override name = "AnvilStartError" as const;
}

export type AnvilOptions = {
  chainId: number;
  port: number;
  /** Seconds between blocks; 0 mines a block per transaction. */
  blockTime?: number;
  /** Give up waiting for the node after this many milliseconds. */
  startTimeoutMs?: number;
  /** Start from a state file written by `dumpAnvilState` (accounts, blocks, receipts, height). */
  loadState?: string;
  /**
   * Run the node in its own process group: a terminal's Ctrl-C (SIGINT to the foreground group) then
   * reaches only its parent, which can still read the node (save its state) before stopping it.
   */
  ownProcessGroup?: boolean;
  /** Leave out the deterministic deployment proxy anvil has from genesis: a chain that lacks it. */
  withoutCreate2Proxy?: boolean;
};

export type AnvilNode = {
  chainId: number;
  port: number;
  rpcUrl: string;
  /** anvil answers JSON-RPC over websockets on the same port. */
  wsUrl: string;
  pid: number;
  stop(): Promise<void>;
};

/** Path of the anvil binary shipped in `@foundry-rs/anvil-<platform>`; never the npx wrapper. */
export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
  const manifest = require.resolve(`${platformPackage}/package.json`);
  const binary = join(dirname(manifest), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  if (!existsSync(binary))
    throw new AnvilStartError(`anvil binary missing at ${binary}`, { details: "run npm ci" });
  return binary;
}

export async function startAnvil(options: AnvilOptions): Promise<AnvilNode> {
  await assertPortFree(options.port);
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--chain-id",
    String(options.chainId),
    "--silent",
    // Pooled transactions are mined in arrival order, so whoever submits them decides the order
    // (the shared sequencer relies on it); fee bidding cannot reorder them.
    "--order",
    "fifo",
  ];
  if (options.blockTime) args.push("--block-time", String(options.blockTime));
  if (options.withoutCreate2Proxy) args.push("--disable-default-create2-deployer");
  if (options.loadState) args.push("--load-state", options.loadState);
  const child = spawn(anvilBinary(), args, {
    stdio: ["ignore", "ignore", "pipe"],
    detached: options.ownProcessGroup === true,
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const rpcUrl = `http://127.0.0.1:${options.port}`;
  try {
    // 60 s: on a 2-core machine where a Groth16 prover's workers hold every core, a starting node was
    // seen not to answer for 15 s (the previous bound) while alive; a node that exits fails at once.
    await waitForRpc(rpcUrl, child, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stopChild(child);
    throw new AnvilStartError(`anvil (chain ${options.chainId}) did not start on port ${options.port}`, {
      details: stderr.trim() || undefined,
      cause: error,
    });
  }
  return {
    chainId: options.chainId,
    port: options.port,
    rpcUrl,
    wsUrl: `ws://127.0.0.1:${options.port}`,
    pid: child.pid ?? -1,
    stop: () => stopChild(child),
  };
}

async function waitForRpc(rpcUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`anvil exited with code ${child.exitCode}`);
    try {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no answer on ${rpcUrl} within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** anvil-only: moves the chain's clock forward and mines a block (tests of deadlines use it). */
export async function increaseTime(endpoint: Endpoint, seconds: number): Promise<void> {
  const client = createTestClient({
    mode: "anvil",
    chain: chainOf(endpoint),
    transport: http(endpoint.rpcUrl),
  });
  await client.increaseTime({ seconds });
  await client.mine({ blocks: 1 });
}

/** anvil-only: sets an account's native balance (tests fund throwaway keys with it). */
export async function setBalance(endpoint: Endpoint, address: Address, value: bigint): Promise<void> {
  const client = createTestClient({
    mode: "anvil",
    chain: chainOf(endpoint),
    transport: http(endpoint.rpcUrl),
  });
  await client.setBalance({ address, value });
}

/**
 * anvil-only: the node's whole chain as JSON (accounts and storage, every block, transaction and receipt,
 * the height and the block environment), which `startAnvil({ loadState })` starts from.
 */
export async function dumpAnvilState(rpcUrl: string): Promise<Buffer> {
  const gzipped = await nodeRpcCall<Hex>(rpcUrl, "anvil_dumpState", []);
  return gunzipSync(Buffer.from(gzipped.slice(2), "hex"));
}

type CallFrame = { output?: Hex; error?: string };

/** The shared sequencer's hold on an anvil node: block production on demand, snapshots, pool control. */
export function anvilBlockControl(rpcUrl: string): BlockControl {
  return {
    takeOver: async () => {
      await nodeRpcCall(rpcUrl, "evm_setIntervalMining", [0]);
      await nodeRpcCall(rpcUrl, "evm_setAutomine", [false]);
    },
    release: async () => {
      await nodeRpcCall(rpcUrl, "evm_setAutomine", [true]);
    },
    mine: async () => {
      await nodeRpcCall(rpcUrl, "evm_mine", []);
    },
    snapshot: () => nodeRpcCall<Hex>(rpcUrl, "evm_snapshot", []),
    revert: async (id) => {
      const reverted = await nodeRpcCall<boolean>(rpcUrl, "evm_revert", [id]);
      if (!reverted) throw new Error(`evm_revert(${id}) refused on ${rpcUrl}`);
    },
    dropPending: async () => {
      await nodeRpcCall(rpcUrl, "anvil_dropAllTransactions", []);
    },
    revertData: async (hash) => {
      const frame = await nodeRpcCall<CallFrame>(rpcUrl, "debug_traceTransaction", [
        hash,
        { tracer: "callTracer" },
      ]);
      return frame.output;
    },
  };
}
