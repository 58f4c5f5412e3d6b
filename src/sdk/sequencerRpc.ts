// Calls to the shared sequencer's `junction_*` methods, on the endpoint of a rollup of the network.
import type { Hex } from "viem";
import { JsonRpcError, rpcCall } from "../chain/json-rpc.js";
import type { RollupEntry } from "../chain/manifest.js";
import { SequencerError } from "./errors.js";

export type BundleJson = {
  id: Hex;
  state: "pending" | "included" | "rejected";
  height: number | null;
  failure: { leg: number; chainId: number; hash: Hex; reason: string } | null;
  transactions: { chainId: number; hash: Hex; required: boolean }[];
};

export type CommitmentJson = {
  sequence: number;
  chainId: number;
  commitment: Hex;
  state: "committed" | "revealed" | "included" | "rejected" | "expired";
  committedAtHeight: number;
  height: number | null;
  error: string | null;
};

export type SuperblockJson = {
  height: number;
  sealedAt: number;
  blocks: {
    chainId: number;
    blockNumber: number;
    blockHash: Hex;
    timestamp: number;
    transactions: number;
    outboxCount: number;
    outboxRoot: Hex;
  }[];
  bundles: Hex[];
  commitments: number[];
  deliveries: Hex[];
  refusedBundles: Hex[];
};

/** Calls a sequencer method on `rollup`'s endpoint; refusals become `SequencerError`. */
export async function sequencerCall<T>(rollup: RollupEntry, method: string, params: unknown[]): Promise<T> {
  if (!rollup.nodeRpcUrl) {
    throw new SequencerError(`chain ${rollup.chainId} is not sequenced by a shared sequencer`, {
      details: "start the devnet with the shared sequencer (the default of `junction devnet`)",
    });
  }
  try {
    return await rpcCall<T>(rollup.rpcUrl, method, params);
  } catch (error) {
    if (error instanceof JsonRpcError) throw new SequencerError(error.shortMessage, { cause: error });
    throw error;
  }
}

export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
