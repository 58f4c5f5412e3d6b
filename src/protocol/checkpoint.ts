// The hub's global tree: one leaf per registered rollup holding its latest Outbox checkpoint.
// Twin of contracts/hub/CheckpointLeaf.sol and RollupHub's tree.
import { encodeAbiParameters, type Hex, keccak256 } from "viem";
import { buildLevels, pathOf, rootOf } from "./merkle.js";

export const GLOBAL_TREE_DEPTH = 8;

export type Checkpoint = { chainId: bigint; count: bigint; root: Hex };

export function checkpointLeaf({ chainId, count, root }: Checkpoint): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint64" }, { type: "uint256" }, { type: "bytes32" }],
      [chainId, count, root],
    ),
  );
}

/** A `CheckpointPosted` event of the hub, reduced to what rebuilding the global tree needs. */
export type PostedCheckpoint = Checkpoint & { leafIndex: number; globalRoot: Hex; globalIndex: bigint };

/** The global root for one hub state, and the proof that a rollup's checkpoint is inside it. */
export type GlobalInclusion = { checkpoint: Checkpoint; globalRoot: Hex; leafIndex: number; path: Hex[] };

/**
 * Replays the hub's CheckpointPosted events so any past global root can be reopened: which checkpoint
 * each rollup had in it, and the path from that checkpoint to the root.
 */
export class HubHistory {
  readonly #posted: PostedCheckpoint[] = [];

  /** Adds the next event; events must arrive in hub order (globalIndex 1, 2, 3, ...). */
  add(event: PostedCheckpoint): void {
    const expected = BigInt(this.#posted.length + 1);
    if (event.globalIndex < expected) return; // already seen
    if (event.globalIndex > expected) {
      throw new RangeError(`hub event ${event.globalIndex} arrived before ${expected}`);
    }
    this.#posted.push(event);
  }

  get latestIndex(): bigint {
    return BigInt(this.#posted.length);
  }

  /** Each rollup's checkpoint as of global root number `globalIndex`, by leaf index. */
  checkpointsAt(globalIndex: bigint): Map<number, PostedCheckpoint> {
    const byLeaf = new Map<number, PostedCheckpoint>();
    for (const event of this.#posted.slice(0, Number(globalIndex))) byLeaf.set(event.leafIndex, event);
    return byLeaf;
  }

  /** The checkpoint of `chainId` inside global root number `globalIndex`, with its path. */
  inclusion(globalIndex: bigint, chainId: bigint): GlobalInclusion | undefined {
    const byLeaf = this.checkpointsAt(globalIndex);
    const mine = [...byLeaf.values()].find((event) => event.chainId === chainId);
    if (!mine) return undefined;
    const width = Math.max(...byLeaf.keys()) + 1;
    const leaves = Array.from({ length: width }, (_, i) => {
      const event = byLeaf.get(i);
      return event ? checkpointLeaf(event) : (`0x${"00".repeat(32)}` as Hex);
    });
    const levels = buildLevels(leaves, GLOBAL_TREE_DEPTH);
    const globalRoot = rootOf(levels);
    const recorded = this.#posted[Number(globalIndex) - 1]?.globalRoot;
    if (recorded !== globalRoot) {
      throw new Error(`rebuilt global root ${globalRoot} differs from the hub's ${recorded}`);
    }
    return {
      checkpoint: { chainId: mine.chainId, count: mine.count, root: mine.root },
      globalRoot,
      leafIndex: mine.leafIndex,
      path: pathOf(levels, mine.leafIndex),
    };
  }
}
