// depositCollateral: deposits a token into the CollateralVault of the wallet's rollup; the vault credits
// it to the wallet's margin account at the hub (by message from another rollup, at once on the hub).
import type { Address, Hex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { assertSucceeded, type MarginNetwork, sentMessageId, vaultAbi } from "./marginEngine.js";
import { clientOf, rollupOf } from "./network.js";
import { ensureAllowance } from "./openIntent.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type DepositCollateralParameters = {
  amount: bigint;
  /** Default: the network's JUSD on the wallet's rollup. */
  token?: Address;
};

export type DepositCollateralReturnType = {
  txHash: Hex;
  /** The credit message to the hub; absent for a deposit on the hub itself (credited at once). */
  messageId?: Hex;
};

/**
 * Approves the vault if needed and deposits `amount` of `token`; the credit reaches the hub when the
 * message is delivered (`waitForDelivery`).
 *
 * @example
 * const { messageId } = await depositCollateral(walletOn902, network, { amount: parseEther("1000") });
 * if (messageId) await waitForDelivery(network, { id: messageId });
 */
export async function depositCollateral(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  { amount, token }: DepositCollateralParameters,
): Promise<DepositCollateralReturnType> {
  const rollup = rollupOf(network, wallet.chain.id);
  const asset = token ?? rollup.contracts.bridgedToken;
  await ensureAllowance(wallet, network, asset, network.margin.vault, amount);
  const client = clientOf(rollup);
  const request = {
    address: network.margin.vault,
    abi: vaultAbi,
    functionName: "deposit",
    args: [asset, amount],
  } as const;
  // Gas with headroom: what lands before this transaction (a credit, a message) can make it cost more.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  assertSucceeded(receipt, "deposit");
  const messageId = sentMessageId(receipt);
  return { txHash, messageId: messageId && BigInt(messageId) !== 0n ? messageId : undefined };
}
