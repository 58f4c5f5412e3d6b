// Superblocks of the shared sequencer: one block on every rollup of the domain.
import type { RollupEntry } from "../chain/manifest.js";
import { type SuperblockJson, sequencerCall } from "./sequencerRpc.js";

export type { SuperblockJson };

/**
 * A sealed superblock by height, or the newest with "latest"; null when the sequencer no longer keeps it.
 *
 * @example
 * const latest = await getSuperblock(network.rollups[0], "latest");
 */
export function getSuperblock(
  rollup: RollupEntry,
  height: number | "latest",
): Promise<SuperblockJson | null> {
  return sequencerCall<SuperblockJson | null>(rollup, "junction_getSuperblock", [height]);
}

/** Height of the superblock that holds block `blockNumber` of `rollup`, or null. */
export function superblockOf(rollup: RollupEntry, blockNumber: bigint): Promise<number | null> {
  return sequencerCall<number | null>(rollup, "junction_superblockOf", [blockNumber.toString()]);
}
