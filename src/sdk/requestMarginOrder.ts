// requestMarginOrder: asks the margin engine to change the wallet's position; it executes later, at the first
// price published after the request (delayed orders against oracle front-running).
import { type Hex, parseEventLogs } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { assertOnHub, assertSucceeded, engineAbi, hubOf, type MarginNetwork } from "./marginEngine.js";
import { clientOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type RequestMarginOrderParameters = {
  /** Default 0 (the devnet's ETH perpetual). */
  marketId?: number | bigint;
  /** Whole units x 1e18: positive buys (long), negative sells (short). */
  size: bigint;
  /** Worst price accepted (USD x 1e18): at most this for a buy, at least this for a sell. Default: none. */
  limitPrice?: bigint;
  /**
   * Only reduce the position (a close): trimmed to the position at execution, never flipping it; cancelled
   * (`NothingToReduce`) when there is nothing to reduce then.
   */
  reduceOnly?: boolean;
};

export type RequestMarginOrderReturnType = {
  txHash: Hex;
  /** The request's block: the order executes only at a price published after it. */
  blockNumber: bigint;
  /** The request's log in that block: an outcome before it belongs to an earlier order. */
  logIndex: number;
  /** Unix seconds after which an order that found no price expires. */
  expiresAt: bigint;
};

/**
 * Records a pending order at the hub (one per account and market; refused by name: `OrderPending`,
 * `StalePrice`, `MarketDisabled`, `ZeroAmount`). Anyone executes it once a fresh price exists
 * (`executeOrder`); `openPosition` does it all.
 *
 * @example
 * const { blockNumber } = await requestMarginOrder(hubWallet, network, { size: parseEther("2") });
 */
export async function requestMarginOrder(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  { marketId = 0, size, limitPrice = 0n, reduceOnly = false }: RequestMarginOrderParameters,
): Promise<RequestMarginOrderReturnType> {
  assertOnHub(wallet, network);
  const client = clientOf(hubOf(network));
  const request = {
    address: network.margin.engine,
    abi: engineAbi,
    functionName: reduceOnly ? "requestReduceOrder" : "requestOrder",
    args: [BigInt(marketId), size, limitPrice],
  } as const;
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  assertSucceeded(receipt, "order request");
  const [event] = parseEventLogs({ abi: engineAbi, logs: receipt.logs, eventName: "OrderRequested" });
  if (!event) throw new Error(`order request ${txHash} emitted no OrderRequested event`);
  return {
    txHash,
    blockNumber: receipt.blockNumber,
    logIndex: event.logIndex,
    expiresAt: event.args.expiresAt,
  };
}
