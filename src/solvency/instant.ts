// The instant an epoch is taken at: one superblock the shared sequencer posted to the L1's SuperblockLog.
// Its commitment binds one block of every rollup, so liabilities and reserves read at those block numbers
// are read at the same instant, and the SolvencyRegistry can check that they were.
import { type Address, getAbiItem, type Hex } from "viem";
import type { JunctionPublicClient } from "../chain/clients.js";
import { blockRanges } from "../chain/events.js";
import { superblockLogAbi } from "../contracts/generated/index.js";
import { JunctionError } from "../errors.js";

const postedEvent = getAbiItem({ abi: superblockLogAbi, name: "SuperblockPosted" });

export type RollupBlock = {
  chainId: bigint;
  blockNumber: bigint;
  blockHash: Hex;
  outboxCount: bigint;
  outboxRoot: Hex;
};

export type Instant = { superblockHeight: bigint; blocks: RollupBlock[] };

/** No superblock has been posted to the L1 yet, or the one asked for is not there. */
export class SuperblockNotPostedError extends JunctionError {
  override name = "SuperblockNotPostedError" as const;
}

/** The block of `chainId` in the instant. */
export function blockAt(instant: Instant, chainId: number): bigint {
  const block = instant.blocks.find((entry) => entry.chainId === BigInt(chainId));
  if (!block) {
    throw new SuperblockNotPostedError(
      `superblock ${instant.superblockHeight} has no block of chain ${chainId}`,
    );
  }
  return block.blockNumber;
}

/**
 * The newest superblock posted to the L1 (or the one at `height`), with its rollup blocks as posted.
 *
 * @example
 * const instant = await getPostedSuperblock(l1Client, manifest.l1.contracts.superblockLog, manifest.l1.deployBlock);
 */
export async function getPostedSuperblock(
  l1: JunctionPublicClient,
  superblockLog: Address,
  fromBlock: number,
  height?: bigint,
): Promise<Instant> {
  const latest = await l1.readContract({
    address: superblockLog,
    abi: superblockLogAbi,
    functionName: "latestHeight",
  });
  const wanted = height ?? latest;
  if (wanted === 0n || wanted > latest) {
    throw new SuperblockNotPostedError(`superblock ${wanted} is not posted on the L1 (latest ${latest})`, {
      details: "proof of solvency needs the shared sequencer: start the devnet without --no-sequencer",
    });
  }
  const head = await l1.getBlockNumber();
  // Newest ranges first: the wanted superblock is usually recent.
  for (const [start, end] of blockRanges(BigInt(fromBlock), head).reverse()) {
    const logs = await l1.getLogs({
      address: superblockLog,
      event: postedEvent,
      args: { height: wanted },
      fromBlock: start,
      toBlock: end,
      strict: true,
    });
    const log = logs[logs.length - 1];
    if (log) return { superblockHeight: wanted, blocks: log.args.blocks.map((block) => ({ ...block })) };
  }
  throw new SuperblockNotPostedError(`no SuperblockPosted event for superblock ${wanted}`);
}
