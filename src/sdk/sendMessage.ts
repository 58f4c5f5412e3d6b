// sendMessage: puts a message in the source rollup's Outbox and returns its id and envelope.
import { type Address, type Hex, parseEventLogs } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import type { RollupEntry } from "../chain/manifest.js";
import { inboxAbi, outboxAbi } from "../contracts/generated/index.js";
import type { Message } from "../protocol/message.js";
import { SendMessageError, TrustPathMismatchError } from "./errors.js";
import { pathOf, type TrustPath } from "./getMessageStatus.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type SendMessageParameters = {
  destinationChainId: number | bigint;
  recipient: Address;
  body: Hex;
  /** Gas for the recipient's handler on the destination (default 500,000). */
  gasLimit?: bigint;
  /** Unix seconds after which the message can no longer be delivered (default: one day from now). */
  deadline?: bigint;
  /**
   * The trust path the sender expects. Recipients choose their path per source on chain
   * (`Inbox.setVerifier`); with this set, sending to a recipient on another path is refused before
   * anything is sent, so nobody gets a weaker (or slower) path than they asked for.
   */
  path?: TrustPath;
};

export type SendMessageReturnType = {
  id: Hex;
  message: Message;
  txHash: Hex;
  blockNumber: bigint;
  root: Hex;
};
export type SendMessageErrorType = SendMessageError | TrustPathMismatchError;

export const DEFAULT_GAS_LIMIT = 500_000n;
export const DEFAULT_TTL_SECONDS = 86_400n;

/**
 * Sends `body` to `recipient` on another rollup through the wallet's chain Outbox.
 *
 * @example
 * const wallet = walletClientFor(rollupOf(network, 901), privateKey);
 * const { id } = await sendMessage(wallet, network, { destinationChainId: 902, recipient, body: "0x68656c6c6f" });
 */
export async function sendMessage(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  parameters: SendMessageParameters,
): Promise<SendMessageReturnType> {
  const source = rollupOf(network, wallet.chain.id);
  const destination = rollupOf(network, parameters.destinationChainId);
  if (parameters.path) {
    await assertTrustPath(network, {
      sourceChainId: source.chainId,
      destinationChainId: destination.chainId,
      recipient: parameters.recipient,
      path: parameters.path,
    });
  }
  const deadline = parameters.deadline ?? BigInt(Math.floor(Date.now() / 1000)) + DEFAULT_TTL_SECONDS;
  const client = clientOf(source);
  const request = {
    address: source.contracts.outbox,
    abi: outboxAbi,
    functionName: "send",
    args: [
      BigInt(parameters.destinationChainId),
      parameters.recipient,
      parameters.body,
      parameters.gasLimit ?? DEFAULT_GAS_LIMIT,
      deadline,
    ],
  } as const;
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  const [sent] = parseEventLogs({ abi: outboxAbi, logs: receipt.logs, eventName: "MessageSent" });
  if (receipt.status !== "success" || !sent) {
    throw new SendMessageError(`send transaction ${txHash} did not emit MessageSent`, {
      details: `receipt status ${receipt.status}, gas used ${receipt.gasUsed} of ${gas}`,
    });
  }
  return {
    id: sent.args.id,
    message: { ...sent.args.message, version: Number(sent.args.message.version) },
    txHash,
    blockNumber: receipt.blockNumber,
    root: sent.args.root,
  };
}

/**
 * Throws TrustPathMismatchError unless `recipient` on the destination proves messages from the source
 * with `path` (recipients choose their path per source on chain).
 */
export async function assertTrustPath(
  network: JunctionNetwork,
  parameters: { sourceChainId: number; destinationChainId: number; recipient: Address; path: TrustPath },
): Promise<void> {
  const { sourceChainId, recipient, path } = parameters;
  const destination: RollupEntry = rollupOf(network, parameters.destinationChainId);
  const verifier = await clientOf(destination).readContract({
    address: destination.contracts.inbox,
    abi: inboxAbi,
    functionName: "verifierFor",
    args: [recipient, BigInt(sourceChainId)],
  });
  const actual = pathOf(verifier, destination);
  if (actual !== path) {
    throw new TrustPathMismatchError(
      `recipient ${recipient} on chain ${destination.chainId} accepts the ${actual} path from chain ${sourceChainId}, not ${path}`,
      {
        details:
          "recipients choose their path per source with Inbox.setVerifier; send to one on the path you want",
      },
    );
  }
}
