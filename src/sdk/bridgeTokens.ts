// bridgeTokens: moves an ERC-7802 token to another rollup through the TokenBridge (burn here, mint there).
import { type Address, type Hex, parseEventLogs } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { junctionErrorsAbi } from "../contracts/errors.js";
import { tokenBridgeAbi } from "../contracts/generated/index.js";
import { SendMessageError } from "./errors.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type BridgeTokensParameters = {
  amount: bigint;
  destinationChainId: number | bigint;
  /** Default: the wallet's own address. */
  recipient?: Address;
  /** Default: the network's bridged token (the devnet's JUSD). */
  token?: Address;
};

export type BridgeTokensReturnType = { messageId: Hex; txHash: Hex };

/**
 * Burns `amount` on the wallet's rollup and sends the mint to `destinationChainId`.
 *
 * @example
 * const { messageId } = await bridgeTokens(wallet, network, { amount: 10n ** 18n, destinationChainId: 902 });
 * await waitForDelivery(network, { id: messageId });
 */
export async function bridgeTokens(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { amount, destinationChainId, recipient, token }: BridgeTokensParameters,
): Promise<BridgeTokensReturnType> {
  const source = rollupOf(network, wallet.chain.id);
  rollupOf(network, destinationChainId);
  const client = clientOf(source);
  const request = {
    address: source.contracts.tokenBridge,
    // With every Junction error, so a refusal from the token (e.g. an insufficient balance) is named too.
    abi: [...tokenBridgeAbi, ...junctionErrorsAbi],
    functionName: "bridge",
    args: [
      token ?? source.contracts.bridgedToken,
      amount,
      BigInt(destinationChainId),
      recipient ?? wallet.account.address,
    ],
  } as const;
  // Gas with headroom: what lands before this transaction (a credit, a message) can make it cost more.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  const [sent] = parseEventLogs({ abi: tokenBridgeAbi, logs: receipt.logs, eventName: "TransferSent" });
  if (receipt.status !== "success" || !sent)
    throw new SendMessageError(`bridge transaction ${txHash} did not emit TransferSent`);
  return { messageId: sent.args.messageId, txHash };
}
