// proveMessage: builds the canonical-path proof of a message from chain data alone, so anyone can
// deliver it without a relayer.
import type { Hex } from "viem";
import { getPostedCheckpoints, getSentMessages } from "../chain/events.js";
import { globalRootOracleAbi } from "../contracts/generated/index.js";
import { HubHistory } from "../protocol/checkpoint.js";
import type { Message } from "../protocol/message.js";
import { buildCanonicalProof, type MessageProof } from "../protocol/proof.js";
import { MessageNotFoundError, MessageNotProvableError } from "./errors.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";

export type ProveMessageParameters = { id: Hex; sourceChainId: number | bigint };
export type ProveMessageReturnType = { message: Message; proof: MessageProof };
export type ProveMessageErrorType = MessageNotFoundError | MessageNotProvableError;

/**
 * Proof for `Inbox.deliver` against the newest global root the destination has imported.
 *
 * @example
 * const { message, proof } = await proveMessage(network, { id, sourceChainId: 901 });
 * await wallet.writeContract({ address: inbox, abi: inboxAbi, functionName: "deliver", args: [message, proof] });
 */
export async function proveMessage(
  network: JunctionNetwork,
  { id, sourceChainId }: ProveMessageParameters,
): Promise<ProveMessageReturnType> {
  const source = rollupOf(network, sourceChainId);
  const sourceClient = clientOf(source);
  const sent = await getSentMessages(
    sourceClient,
    source.contracts.outbox,
    BigInt(source.deployBlock),
    await sourceClient.getBlockNumber(),
  );
  const target = sent.find((item) => item.id === id);
  if (!target) throw new MessageNotFoundError(id);
  const destination = rollupOf(network, target.message.destinationChainId);
  const globalIndex = await clientOf(destination).readContract({
    address: destination.contracts.globalRootOracle,
    abi: globalRootOracleAbi,
    functionName: "latestIndex",
  });
  const l1 = clientOf(network.l1);
  const history = new HubHistory();
  const posted = await getPostedCheckpoints(
    l1,
    network.l1.contracts.rollupHub,
    BigInt(network.l1.deployBlock),
    await l1.getBlockNumber(),
  );
  for (const event of posted) history.add(event);
  const inclusion =
    globalIndex > 0n ? history.inclusion(globalIndex, target.message.sourceChainId) : undefined;
  if (!inclusion || inclusion.checkpoint.count <= target.message.nonce) {
    throw new MessageNotProvableError(
      `message ${id} is not yet covered by a global root on chain ${destination.chainId}`,
      {
        details:
          "wait for the proposer to post a checkpoint and the root importer to bring it to the destination",
      },
    );
  }
  const ids = sent.map((item) => item.id);
  return { message: target.message, proof: buildCanonicalProof(ids, target.message.nonce, inclusion) };
}
