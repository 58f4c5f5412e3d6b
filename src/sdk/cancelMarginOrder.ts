// cancelMarginOrder: the account withdraws its own margin order once it expired without a price to execute at.
import type { Hex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { assertOnHub, assertSucceeded, engineAbi, hubOf, type MarginNetwork } from "./marginEngine.js";
import { clientOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type CancelMarginOrderParameters = { marketId?: number | bigint };

export type CancelMarginOrderReturnType = { txHash: Hex };

/**
 * Cancels the wallet's pending order in `marketId`. Refused by name before its expiry
 * (`OrderNotExpired`) and when a price came in time (`OrderExecutable`: execute it instead): seeing the
 * price is no reason to walk away from an order.
 *
 * @example
 * await cancelMarginOrder(hubWallet, network, { marketId: 0 });
 */
export async function cancelMarginOrder(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  { marketId = 0 }: CancelMarginOrderParameters,
): Promise<CancelMarginOrderReturnType> {
  assertOnHub(wallet, network);
  const client = clientOf(hubOf(network));
  const request = {
    address: network.margin.engine,
    abi: engineAbi,
    functionName: "cancelOrder",
    args: [BigInt(marketId)],
  } as const;
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  assertSucceeded(receipt, "order cancel");
  return { txHash };
}
