// executeMarginOrder: executes anyone's pending margin order once a price published after its request exists
// (what a keeper does, and what openPosition does itself when no keeper did).
import type { Address } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { assertOnHub, assertSucceeded, engineAbi, hubOf, type MarginNetwork } from "./marginEngine.js";
import { type OrderOutcome, outcomeIn } from "./marginOrders.js";
import { clientOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type ExecuteMarginOrderParameters = {
  /** Whose order. */
  account: Address;
  marketId?: number | bigint;
};

export type ExecuteMarginOrderReturnType = OrderOutcome;

/**
 * Executes `account`'s order in `marketId` at the first price after its request; the engine cancels it
 * instead (the outcome names the reason) when that price is beyond its limit, came too late, or the trade
 * fails its margin checks. Refused by name: `PriceNotFresh` (no price after the request yet), `NoOrder`.
 *
 * @example
 * const outcome = await executeMarginOrder(keeperOnHub, network, { account, marketId: 0 });
 * if (outcome.status === "executed") console.log(outcome.price);
 */
export async function executeMarginOrder(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  { account, marketId = 0 }: ExecuteMarginOrderParameters,
): Promise<ExecuteMarginOrderReturnType> {
  assertOnHub(wallet, network);
  const client = clientOf(hubOf(network));
  const request = {
    address: network.margin.engine,
    abi: engineAbi,
    functionName: "executeOrder",
    args: [account, BigInt(marketId)],
  } as const;
  // Gas with headroom: a collateral credit landing first adds an entry to the margin check; short of gas,
  // the engine reverts (ExecutionOutOfGas) rather than cancel the order.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  assertSucceeded(receipt, "order execution");
  const outcome = outcomeIn(receipt.logs, account, BigInt(marketId));
  if (!outcome) throw new Error(`order execution ${txHash} emitted no outcome`);
  return outcome;
}
