// Reading Junction's events over plain eth_getLogs, in bounded block ranges. Shared by the relayer
// (incrementally, into its store) and the SDK (on demand).
import { type Address, getAbiItem, type Hex } from "viem";
import { inboxAbi, outboxAbi, rollupHubAbi, superblockLogAbi } from "../contracts/generated/index.js";
import type { PostedCheckpoint } from "../protocol/checkpoint.js";
import type { Message } from "../protocol/message.js";
import type { JunctionPublicClient } from "./clients.js";

/** Largest block range asked of a node in one eth_getLogs. */
export const LOG_RANGE = 2_000n;

export type SentMessage = { id: Hex; message: Message; root: Hex; txHash: Hex; blockNumber: bigint };

const messageSentEvent = getAbiItem({ abi: outboxAbi, name: "MessageSent" });
const checkpointPostedEvent = getAbiItem({ abi: rollupHubAbi, name: "CheckpointPosted" });
const forcedQueuedEvent = getAbiItem({ abi: superblockLogAbi, name: "ForcedTransactionQueued" });

/** A signed transaction queued on the L1 for the shared sequencer to include. */
export type ForcedTransaction = { index: number; chainId: number; deadlineHeight: number; raw: Hex };

/** The forced-inclusion queue entries of a SuperblockLog queued in [fromBlock, toBlock], in queue order. */
export async function getForcedTransactions(
  client: JunctionPublicClient,
  superblockLog: Address,
  fromBlock: bigint,
  toBlock: bigint,
): Promise<ForcedTransaction[]> {
  const found: ForcedTransaction[] = [];
  for (const [start, end] of blockRanges(fromBlock, toBlock)) {
    const logs = await client.getLogs({
      address: superblockLog,
      event: forcedQueuedEvent,
      fromBlock: start,
      toBlock: end,
      strict: true,
    });
    for (const { args } of logs) {
      found.push({
        index: Number(args.index),
        chainId: Number(args.chainId),
        deadlineHeight: Number(args.deadlineHeight),
        raw: args.signedTransaction,
      });
    }
  }
  return found;
}

/** Splits [from, to] into ranges of at most LOG_RANGE blocks. */
export function blockRanges(from: bigint, to: bigint): [bigint, bigint][] {
  const ranges: [bigint, bigint][] = [];
  for (let start = from; start <= to; start += LOG_RANGE) {
    const end = start + LOG_RANGE - 1n;
    ranges.push([start, end < to ? end : to]);
  }
  return ranges;
}

export async function getSentMessages(
  client: JunctionPublicClient,
  outbox: Address,
  fromBlock: bigint,
  toBlock: bigint,
  id?: Hex,
): Promise<SentMessage[]> {
  const found: SentMessage[] = [];
  for (const [start, end] of blockRanges(fromBlock, toBlock)) {
    const logs = await client.getLogs({
      address: outbox,
      event: messageSentEvent,
      args: id ? { id } : undefined,
      fromBlock: start,
      toBlock: end,
      strict: true,
    });
    found.push(...logs.map(sentMessageOf));
  }
  return found;
}

/**
 * The Outbox messages of the node's newest block. Only for a caller that alone produces the blocks
 * (the shared sequencer): it can read them together with the block, knowing no other block came first.
 */
export async function getLatestSentMessages(
  client: JunctionPublicClient,
  outbox: Address,
): Promise<SentMessage[]> {
  const logs = await client.getLogs({
    address: outbox,
    event: messageSentEvent,
    fromBlock: "latest",
    toBlock: "latest",
    strict: true,
  });
  return logs.map(sentMessageOf);
}

function sentMessageOf(log: {
  args: { id: Hex; message: Omit<Message, "version"> & { version: number | bigint }; root: Hex };
  transactionHash: Hex;
  blockNumber: bigint;
}): SentMessage {
  return {
    id: log.args.id,
    message: { ...log.args.message, version: Number(log.args.message.version) },
    root: log.args.root,
    txHash: log.transactionHash,
    blockNumber: log.blockNumber,
  };
}

export async function getPostedCheckpoints(
  client: JunctionPublicClient,
  hub: Address,
  fromBlock: bigint,
  toBlock: bigint,
): Promise<PostedCheckpoint[]> {
  const found: PostedCheckpoint[] = [];
  for (const [start, end] of blockRanges(fromBlock, toBlock)) {
    const logs = await client.getLogs({
      address: hub,
      event: checkpointPostedEvent,
      fromBlock: start,
      toBlock: end,
      strict: true,
    });
    for (const log of logs) {
      found.push({
        chainId: log.args.chainId,
        count: log.args.count,
        root: log.args.root,
        leafIndex: log.args.leafIndex,
        globalRoot: log.args.globalRoot,
        globalIndex: log.args.globalIndex,
      });
    }
  }
  return found;
}

export type DeliveryEvent = {
  kind: "delivered" | "failed";
  txHash: Hex;
  blockNumber: bigint;
  reason: Hex | null;
};

/** Every MessageDelivered / MessageFailed event of `id` on the destination Inbox, oldest first. */
export async function getDeliveryEvents(
  client: JunctionPublicClient,
  inbox: Address,
  id: Hex,
  fromBlock: bigint,
  toBlock?: bigint,
): Promise<DeliveryEvent[]> {
  toBlock ??= await client.getBlockNumber();
  const events: DeliveryEvent[] = [];
  for (const [start, end] of blockRanges(fromBlock, toBlock)) {
    const [delivered, failed] = await Promise.all([
      client.getContractEvents({
        address: inbox,
        abi: inboxAbi,
        eventName: "MessageDelivered",
        args: { id },
        fromBlock: start,
        toBlock: end,
      }),
      client.getContractEvents({
        address: inbox,
        abi: inboxAbi,
        eventName: "MessageFailed",
        args: { id },
        fromBlock: start,
        toBlock: end,
      }),
    ]);
    for (const log of delivered) {
      events.push({
        kind: "delivered",
        txHash: log.transactionHash,
        blockNumber: log.blockNumber,
        reason: null,
      });
    }
    for (const log of failed) {
      events.push({
        kind: "failed",
        txHash: log.transactionHash,
        blockNumber: log.blockNumber,
        reason: log.args.reason ?? null,
      });
    }
  }
  return events.sort((a, b) => Number(a.blockNumber - b.blockNumber));
}
