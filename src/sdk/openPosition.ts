// openPosition: changes a perpetual position at the hub by a delayed order: requests it, waits for a price
// published after the request, and executes it unless a keeper already did.
import type { Address, Hex } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../chain/clients.js";
import { revertName } from "../chain/revert.js";
import { cancelMarginOrder } from "./cancelMarginOrder.js";
import { OrderCancelledError, OrderTimeoutError } from "./errors.js";
import { executeMarginOrder } from "./executeMarginOrder.js";
import { assertOnHub, engineAbi, hubOf, type MarginNetwork } from "./marginEngine.js";
import { findOutcome, type OrderOutcome } from "./marginOrders.js";
import { clientOf } from "./network.js";
import { type RequestMarginOrderReturnType, requestMarginOrder } from "./requestMarginOrder.js";

export type OpenPositionParameters = {
  /** Default 0 (the devnet's ETH perpetual). */
  marketId?: number | bigint;
  /** Whole units x 1e18: positive buys (long), negative sells (short). */
  size: bigint;
  /** Worst price accepted (USD x 1e18): at most this for a buy, at least this for a sell. Default: none. */
  limitPrice?: bigint;
  /** Only reduce the position, never flip it (what `closePosition` sends). Default false. */
  reduceOnly?: boolean;
  /** Called once the order is recorded (where no price agent runs, a test pushes a price here). */
  onRequested?: (request: RequestMarginOrderReturnType) => Promise<void> | void;
  /** How often to look for a price and an outcome, ms (default 250). */
  pollingIntervalMs?: number;
};

export type OpenPositionReturnType = {
  /** The request. */
  txHash: Hex;
  /** The execution (by this wallet or a keeper). */
  executionTxHash: Hex;
  /** The size traded and the price it traded at (the first price published after the request). */
  size: bigint;
  price: bigint;
};

/**
 * Changes the wallet's position by `size` through a delayed order and returns the fill. Refused by name
 * at the request (`StalePrice`, `MarketDisabled`, `OrderPending`) or, when the engine cancels the order,
 * an `OrderCancelledError` whose reason `revertName` reads (`InsufficientMargin`, `LimitPrice`,
 * `OrderExpired`, `StalePrice`).
 *
 * @example
 * const { price } = await openPosition(hubWallet, network, { size: parseEther("2") }); // long 2 ETH
 */
export async function openPosition(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  {
    marketId = 0,
    size,
    limitPrice,
    reduceOnly,
    onRequested,
    pollingIntervalMs = 250,
  }: OpenPositionParameters,
): Promise<OpenPositionReturnType> {
  assertOnHub(wallet, network);
  const request = await requestMarginOrder(wallet, network, { marketId, size, limitPrice, reduceOnly });
  await onRequested?.(request);
  const outcome = await settleOrder(wallet, network, BigInt(marketId), request, pollingIntervalMs);
  if (outcome.status === "cancelled") throw new OrderCancelledError(outcome.reason, outcome.txHash);
  return {
    txHash: request.txHash,
    executionTxHash: outcome.txHash,
    size: outcome.size,
    price: outcome.price,
  };
}

/** Waits until the order is executed or cancelled, executing it (or cancelling it once expired) itself. */
async function settleOrder(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  marketId: bigint,
  request: RequestMarginOrderReturnType,
  pollingIntervalMs: number,
): Promise<OrderOutcome> {
  const client = clientOf(hubOf(network));
  const account = wallet.account.address;
  // The chain's clock moves only with blocks: give up a while after the expiry by the wall clock too.
  const deadline = (Number(request.expiresAt) + 60) * 1000;
  for (;;) {
    const [pending, ready, expired] = await orderStatus(client, network, account, marketId);
    const settled = pending
      ? undefined
      : await findOutcome(client, network.margin.engine, account, marketId, request);
    if (settled) return settled;
    try {
      if (ready) return await executeMarginOrder(wallet, network, { account, marketId });
      if (expired || Date.now() > Number(request.expiresAt) * 1000) {
        const { txHash } = await cancelMarginOrder(wallet, network, { marketId });
        return { status: "cancelled", txHash, reason: "OrderExpired", by: account };
      }
    } catch (error) {
      // A keeper executed it first (refused at the estimate, or our transaction reverted behind its), or
      // the clock or a price moved under the call: look again.
      const name = revertName(error);
      const known = name === "NoOrder" || name === "OrderNotExpired" || name === "OrderExecutable";
      if (!known && (await isPending(client, network, account, marketId))) throw error;
    }
    if (Date.now() > deadline) {
      throw new OrderTimeoutError(`margin order of ${account} in market ${marketId} not settled`, {
        details: `requested in block ${request.blockNumber}; no price after it, and not cancellable`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollingIntervalMs));
  }
}

function orderStatus(
  client: JunctionPublicClient,
  network: MarginNetwork,
  account: Address,
  marketId: bigint,
) {
  return client.readContract({
    address: network.margin.engine,
    abi: engineAbi,
    functionName: "orderStatus",
    args: [account, marketId],
  });
}

async function isPending(
  client: JunctionPublicClient,
  network: MarginNetwork,
  account: Address,
  marketId: bigint,
): Promise<boolean> {
  const [pending] = await orderStatus(client, network, account, marketId);
  return pending;
}
