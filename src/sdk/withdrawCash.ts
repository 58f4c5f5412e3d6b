// withdrawCash: pays the wallet's realised profit (its margin account's positive cash) out of the engine
// in the settlement token (JUSD), on the hub, at once.
import type { Address, Hex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { assertOnHub, assertSucceeded, engineAbi, hubOf, type MarginNetwork } from "./marginEngine.js";
import { clientOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type WithdrawCashParameters = {
  /** Settlement tokens (JUSD, 18 decimals) to take out of the account's cash. */
  amount: bigint;
  /** Default: the wallet's own address (on the hub). */
  receiver?: Address;
};

export type WithdrawCashReturnType = { txHash: Hex };

/**
 * Pays `amount` of the account's cash to `receiver` on the hub. Refused by name when the cash is short
 * (`InsufficientCash`), the engine holds too little beyond its insurance fund (`InsufficientLiquidity`:
 * profit is paid as losers repay), a price the account uses is stale (`StalePrice`), or the account
 * would fall under its initial margin (`InsufficientMargin`).
 *
 * @example
 * await withdrawCash(hubWallet, network, { amount: parseEther("250") });
 */
export async function withdrawCash(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  { amount, receiver }: WithdrawCashParameters,
): Promise<WithdrawCashReturnType> {
  assertOnHub(wallet, network);
  const client = clientOf(hubOf(network));
  const request = {
    address: network.margin.engine,
    abi: engineAbi,
    functionName: "withdrawCash",
    args: [amount, receiver ?? wallet.account.address],
  } as const;
  // Gas with headroom: what lands before this transaction (a credit, a message) can make it cost more.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  assertSucceeded(receipt, "cash withdrawal");
  return { txHash };
}
