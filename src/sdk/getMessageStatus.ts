// getMessageStatus: where a message is, read from the chains alone (no relayer database needed).
import type { Address, Hex } from "viem";
import { getDeliveryEvents, getSentMessages } from "../chain/events.js";
import type { RollupEntry } from "../chain/manifest.js";
import { inboxAbi } from "../contracts/generated/index.js";
import { type Message, type MessageJson, messageToJson } from "../protocol/message.js";
import { MessageNotFoundError } from "./errors.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";

export type MessageState = "sent" | "delivered" | "failed" | "expired";
export type TrustPath = "canonical" | "optimistic" | "sequencer" | "zk" | "custom";

export type GetMessageStatusParameters = { id: Hex; sourceChainId?: number | bigint };

export type GetMessageStatusReturnType = {
  id: Hex;
  status: MessageState;
  path: TrustPath;
  verifier: Address;
  message: Message;
  source: { chainId: number; tx: Hex; block: bigint; timestamp: number };
  delivery: { tx: Hex; block: bigint; timestamp: number } | null;
  /** Failed handler attempts, oldest first, with the revert data. */
  failures: { tx: Hex; reason: Hex | null }[];
  /** Seconds from the source block to the delivery block (block timestamps). */
  latencySeconds: number | null;
};

export type GetMessageStatusErrorType = MessageNotFoundError;

/**
 * Looks a message up by id on its source Outbox and its destination Inbox.
 *
 * @example
 * const status = await getMessageStatus(network, { id });
 * if (status.status === "delivered") console.log(status.delivery?.tx, status.latencySeconds);
 */
export async function getMessageStatus(
  network: JunctionNetwork,
  { id, sourceChainId }: GetMessageStatusParameters,
): Promise<GetMessageStatusReturnType> {
  const found = await findSent(network, id, sourceChainId);
  const { rollup: source, sent } = found;
  const destination = rollupOf(network, sent.message.destinationChainId);
  const destinationClient = clientOf(destination);
  // Status and events are read at one block: read apart, a failure mined between them showed
  // "failed" with no failure in the list.
  const head = await destinationClient.getBlockNumber();
  const [onChain, verifier, events, sourceBlock] = await Promise.all([
    destinationClient.readContract({
      address: destination.contracts.inbox,
      abi: inboxAbi,
      functionName: "status",
      args: [id],
      blockNumber: head,
    }),
    destinationClient.readContract({
      address: destination.contracts.inbox,
      abi: inboxAbi,
      functionName: "verifierFor",
      args: [sent.message.recipient, sent.message.sourceChainId],
      blockNumber: head,
    }),
    getDeliveryEvents(
      destinationClient,
      destination.contracts.inbox,
      id,
      BigInt(destination.deployBlock),
      head,
    ),
    clientOf(source).getBlock({ blockNumber: sent.blockNumber }),
  ]);
  const deliveredEvent = events.find((event) => event.kind === "delivered");
  const deliveryBlock = deliveredEvent
    ? await destinationClient.getBlock({ blockNumber: deliveredEvent.blockNumber })
    : null;
  const now = BigInt(Math.floor(Date.now() / 1000));
  let status: MessageState =
    onChain === 1 ? "delivered" : onChain === 2 ? "failed" : onChain === 3 ? "expired" : "sent";
  if (status !== "delivered" && now > sent.message.deadline) status = "expired";
  return {
    id,
    status,
    path: pathOf(verifier, destination),
    verifier,
    message: sent.message,
    source: {
      chainId: source.chainId,
      tx: sent.txHash,
      block: sent.blockNumber,
      timestamp: Number(sourceBlock.timestamp),
    },
    delivery:
      deliveredEvent && deliveryBlock
        ? {
            tx: deliveredEvent.txHash,
            block: deliveredEvent.blockNumber,
            timestamp: Number(deliveryBlock.timestamp),
          }
        : null,
    failures: events
      .filter((event) => event.kind === "failed")
      .map((event) => ({ tx: event.txHash, reason: event.reason })),
    latencySeconds: deliveryBlock ? Number(deliveryBlock.timestamp - sourceBlock.timestamp) : null,
  };
}

/** Which of the network's trust paths a verifier address is on `destination`. */
export function pathOf(verifier: Address, destination: RollupEntry): TrustPath {
  const known: [TrustPath, Address][] = [
    ["canonical", destination.contracts.canonicalVerifier],
    ["optimistic", destination.contracts.optimisticVerifier],
    ["sequencer", destination.contracts.sequencerVerifier],
    ["zk", destination.contracts.zkVerifier],
  ];
  return known.find(([, address]) => address.toLowerCase() === verifier.toLowerCase())?.[0] ?? "custom";
}

async function findSent(network: JunctionNetwork, id: Hex, sourceChainId?: number | bigint) {
  const candidates: RollupEntry[] =
    sourceChainId === undefined ? network.rollups : [rollupOf(network, sourceChainId)];
  for (const rollup of candidates) {
    const client = clientOf(rollup);
    const head = await client.getBlockNumber();
    const [sent] = await getSentMessages(
      client,
      rollup.contracts.outbox,
      BigInt(rollup.deployBlock),
      head,
      id,
    );
    if (sent) return { rollup, sent };
  }
  throw new MessageNotFoundError(id);
}

/** The status as plain JSON (bigints as strings), as `junction status` prints it. */
export function messageStatusToJson(status: GetMessageStatusReturnType) {
  return {
    ...status,
    message: messageToJson(status.message) satisfies MessageJson,
    source: { ...status.source, block: status.source.block.toString() },
    delivery: status.delivery ? { ...status.delivery, block: status.delivery.block.toString() } : null,
  };
}
