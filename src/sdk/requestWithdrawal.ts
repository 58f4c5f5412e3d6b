// requestWithdrawal: takes collateral out of the wallet's margin account at the hub; the vault of the
// rollup holding it pays the receiver when the release message arrives (at once on the hub).
import type { Address, Hex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import {
  assertOnHub,
  assertSucceeded,
  engineAbi,
  hubOf,
  type MarginNetwork,
  sentMessageId,
} from "./marginEngine.js";
import { clientOf, rollupOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type RequestWithdrawalParameters = {
  /** The rollup whose vault holds the collateral. */
  chainId: number | bigint;
  amount: bigint;
  /** Default: the network's JUSD on `chainId`. */
  token?: Address;
  /** Default: the wallet's own address. */
  receiver?: Address;
};

export type RequestWithdrawalReturnType = { txHash: Hex; messageId?: Hex };

/**
 * Debits the collateral at the hub (refused by name if the account would fall under its initial margin:
 * `InsufficientMargin`, `StalePrice`, `InsufficientCollateral`) and sends the release to its rollup.
 *
 * @example
 * const { messageId } = await requestWithdrawal(hubWallet, network, { chainId: 902, amount: parseEther("10") });
 */
export async function requestWithdrawal(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  { chainId, amount, token, receiver }: RequestWithdrawalParameters,
): Promise<RequestWithdrawalReturnType> {
  assertOnHub(wallet, network);
  const asset = token ?? rollupOf(network, chainId).contracts.bridgedToken;
  const client = clientOf(hubOf(network));
  const request = {
    address: network.margin.engine,
    abi: engineAbi,
    functionName: "requestWithdrawal",
    args: [BigInt(chainId), asset, amount, receiver ?? wallet.account.address],
  } as const;
  // Gas with headroom: what lands before this transaction (a credit, a message) can make it cost more.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  assertSucceeded(receipt, "withdrawal request");
  const messageId = sentMessageId(receipt);
  return { txHash, messageId: messageId && BigInt(messageId) !== 0n ? messageId : undefined };
}
