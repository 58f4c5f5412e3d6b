// placeOrder, cancelOrder and completeCancelOrder: a limit order at the OrderGateway of the wallet's rollup,
// escrowed until filled or cancelled (a cancel is requested, then completed after the gateway's delay).
import { type Address, type BaseError, ContractFunctionRevertedError, type Hex, parseEventLogs } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../chain/clients.js";
import { revertName } from "../chain/revert.js";
import { orderGatewayAbi } from "../contracts/generated/index.js";
import { escrowFor } from "../protocol/orderbook.js";
import {
  CancelNotEffectiveError,
  CancelRefusedError,
  OrderOwnerIsContractError,
  SendMessageError,
} from "./errors.js";
import { clientOf, rollupOf } from "./network.js";
import { ensureAllowance } from "./openIntent.js";
import { gatewayAbi, getOrder, type OrderbookNetwork, orderbookOf } from "./orderGateway.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type PlaceOrderParameters = {
  side: "buy" | "sell";
  /** The limit: quote per whole base unit x 1e18 (e.g. parseEther("3000")). */
  price: bigint;
  /** Base units (e.g. parseEther("1.5")). */
  amount: bigint;
  /** Default: the network's market. */
  marketId?: Hex;
  /**
   * Place even though the owner address has code on this rollup (a contract wallet). Fills pay the owner
   * on the counterparty's rollup, at the same address: only set this when that address is yours there too.
   */
  allowContractOwner?: boolean;
};

/** EIP-7702 delegation designator: an EOA whose key still controls the address on every rollup. */
const DELEGATION_PREFIX = "0xef0100";

export type PlaceOrderReturnType = { orderId: bigint; txHash: Hex; escrow: bigint; token: Address };

/**
 * Approves the gateway for the escrow if needed (a buy: amount x price in quote; a sell: the base
 * amount) and places the order; the matcher sees it from the gateway's `OrderPlaced` event. A fill's
 * proceeds are paid on the counterparty's rollup to the same address: when that address has code here (a
 * contract wallet, not an EIP-7702 delegated EOA) this throws OrderOwnerIsContractError before anything
 * is sent, unless `allowContractOwner` is set.
 *
 * @example
 * const { orderId } = await placeOrder(walletOn901, network, { side: "buy", price: parseEther("3000"), amount: parseEther("1") });
 */
export async function placeOrder(
  wallet: JunctionWalletClient,
  network: OrderbookNetwork,
  { side, price, amount, marketId, allowContractOwner = false }: PlaceOrderParameters,
): Promise<PlaceOrderReturnType> {
  const orderbook = orderbookOf(network);
  const rollup = rollupOf(network, wallet.chain.id);
  const client = clientOf(rollup);
  if (!allowContractOwner) {
    const code = await client.getCode({ address: wallet.account.address });
    if (code && code !== "0x" && !code.toLowerCase().startsWith(DELEGATION_PREFIX)) {
      throw new OrderOwnerIsContractError(
        `${wallet.account.address} has code on ${rollup.chainId}: fills pay it on other rollups at the same address`,
        {
          details:
            "a contract wallet may not exist or belong to you there; pass allowContractOwner: true if it does",
        },
      );
    }
  }
  const market = marketId ?? orderbook.marketId;
  const [base, quote] = await client.readContract({
    address: orderbook.gateway,
    abi: gatewayAbi,
    functionName: "markets",
    args: [market],
  });
  const isBuy = side === "buy";
  const token = isBuy ? quote : base;
  const escrow = escrowFor(isBuy, amount, price);
  await ensureAllowance(wallet, network, token, orderbook.gateway, escrow);
  const request = {
    address: orderbook.gateway,
    abi: gatewayAbi,
    functionName: "place",
    args: [market, isBuy, price, amount],
  } as const;
  // Headroom: a payout that empties the gateway's balance of the token first makes the escrow's transfer
  // a fresh (dearer) storage write than the estimate saw.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  const [placed] = parseEventLogs({ abi: orderGatewayAbi, logs: receipt.logs, eventName: "OrderPlaced" });
  if (receipt.status !== "success" || !placed) {
    throw new SendMessageError("placing the order reverted", { details: `tx ${txHash}` });
  }
  return { orderId: placed.args.orderId, txHash, escrow, token };
}

export type CancelOrderParameters = {
  orderId: bigint;
  /**
   * Also complete the cancel once it is effective (the gateway's `cancelDelay` after the request: every
   * fill created before it has then been delivered or expired) and return the refund. Default false:
   * return after the request.
   */
  wait?: boolean;
  /** How often to try completing while waiting (default 2,000 ms). */
  pollMs?: number;
  /** Give up waiting after this long (default: the cancel delay plus two minutes). */
  timeoutMs?: number;
};

export type CancelOrderReturnType = {
  /** The request's transaction (undefined when a cancel was already requested). */
  txHash?: Hex;
  requestedAt: bigint;
  /** From when `completeCancelOrder` pays the escrow back (the order's rollup's clock, unix seconds). */
  effectiveAt: bigint;
  /** With `wait`: the completion's transaction and what came back (the escrow less pending legs). */
  completeTxHash?: Hex;
  refund?: bigint;
};

/**
 * Cancels the wallet's order on its rollup, at any time (the escape hatch), in two steps: the request takes
 * it out of matching at once (no fill created later takes it); the escrow comes back when the cancel
 * completes, `cancelDelay` later (fills created before the request and delivered meanwhile are honoured:
 * no "last look"). With `wait` this also completes it and returns the refund: the escrow less what the
 * order's own fills still waiting for the counterparty's answer may pay (that part pays the counterparty
 * on a CONFIRM or comes back, `EscrowRefunded`, on a REJECT or the fill's expiry). A cancel already
 * requested is not requested again. Throws CancelRefusedError when the gateway refuses (by name).
 *
 * @example
 * const { effectiveAt } = await cancelOrder(walletOn901, network, { orderId });
 * const { refund } = await cancelOrder(walletOn901, network, { orderId, wait: true });
 */
export async function cancelOrder(
  wallet: JunctionWalletClient,
  network: OrderbookNetwork,
  { orderId, wait = false, pollMs = 2_000, timeoutMs }: CancelOrderParameters,
): Promise<CancelOrderReturnType> {
  const orderbook = orderbookOf(network);
  const client = clientOf(rollupOf(network, wallet.chain.id));
  const [order, delay] = await Promise.all([
    getOrder(network, { orderId }),
    client.readContract({ address: orderbook.gateway, abi: gatewayAbi, functionName: "cancelDelay" }),
  ]);
  let txHash: Hex | undefined;
  let requestedAt = order.cancelRequestedAt;
  if (requestedAt === 0n || order.cancelled) {
    const request = {
      address: orderbook.gateway,
      abi: gatewayAbi,
      functionName: "requestCancel",
      args: [orderId],
      account: wallet.account,
    } as const;
    try {
      await client.simulateContract(request);
    } catch (error) {
      throw refusalOf(error, orderId);
    }
    txHash = await wallet.writeContract(request);
    const receipt = await client.waitForTransactionReceipt({ hash: txHash });
    const [requested] = parseEventLogs({
      abi: orderGatewayAbi,
      logs: receipt.logs,
      eventName: "CancelRequested",
    });
    if (receipt.status !== "success" || !requested) {
      throw new SendMessageError("requesting the cancel reverted", { details: `tx ${txHash}` });
    }
    requestedAt = requested.args.requestedAt;
  }
  const effectiveAt = requestedAt + delay + 1n;
  if (!wait) return { txHash, requestedAt, effectiveAt };
  const deadline = Date.now() + (timeoutMs ?? Number(delay) * 1000 + 120_000);
  for (;;) {
    try {
      const done = await completeCancelOrder(wallet, network, { orderId });
      return { txHash, requestedAt, effectiveAt, completeTxHash: done.txHash, refund: done.refund };
    } catch (error) {
      // Anyone may complete a cancel: if someone else did, the owner was paid all the same.
      if (error instanceof CancelRefusedError && error.refusal === "OrderCancelled") {
        const completed = await completedCancel(
          client,
          orderbook.gateway,
          orderId,
          BigInt(rollupOf(network, wallet.chain.id).deployBlock),
        );
        if (completed) return { txHash, requestedAt, effectiveAt, ...completed };
      }
      if (!(error instanceof CancelNotEffectiveError) || Date.now() + pollMs > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The completion of `orderId`'s cancel (its `Cancelled` event), whoever sent it. */
async function completedCancel(
  client: JunctionPublicClient,
  gateway: Address,
  orderId: bigint,
  fromBlock: bigint,
): Promise<{ completeTxHash: Hex; refund: bigint } | undefined> {
  const [cancelled] = await client.getContractEvents({
    address: gateway,
    abi: orderGatewayAbi,
    eventName: "Cancelled",
    args: { orderId },
    fromBlock,
    strict: true,
  });
  return cancelled ? { completeTxHash: cancelled.transactionHash, refund: cancelled.args.refund } : undefined;
}

/**
 * Completes a requested cancel once it is effective (anyone may; the owner is paid): returns the refund,
 * the escrow less what the order's own pending fills may still pay. Throws CancelNotEffectiveError before
 * `effectiveAt`, CancelRefusedError for another refusal (`CancelNotRequested`, `OrderCancelled`, …).
 *
 * @example
 * const { refund } = await completeCancelOrder(walletOn901, network, { orderId });
 */
export async function completeCancelOrder(
  wallet: JunctionWalletClient,
  network: OrderbookNetwork,
  { orderId }: { orderId: bigint },
): Promise<{ txHash: Hex; refund: bigint }> {
  const orderbook = orderbookOf(network);
  const client = clientOf(rollupOf(network, wallet.chain.id));
  const request = {
    address: orderbook.gateway,
    abi: gatewayAbi,
    functionName: "completeCancel",
    args: [orderId],
    account: wallet.account,
  } as const;
  let gas: bigint;
  try {
    // Against the pending block: its time is the node's clock now, while the latest block may be older
    // (a rollup that mines only on demand), so a cancel becomes completable without waiting for a block.
    gas = gasWithHeadroom(await client.estimateContractGas({ ...request, blockTag: "pending" }));
  } catch (error) {
    throw refusalOf(error, orderId);
  }
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  const [cancelled] = parseEventLogs({ abi: orderGatewayAbi, logs: receipt.logs, eventName: "Cancelled" });
  if (receipt.status !== "success" || !cancelled) {
    throw new SendMessageError("completing the cancel reverted", { details: `tx ${txHash}` });
  }
  return { txHash, refund: cancelled.args.refund };
}

/** The gateway's refusal of a cancel as a typed error (the error itself when it is no refusal). */
function refusalOf(error: unknown, orderId: bigint): unknown {
  const name = revertName(error);
  if (!name) return error;
  if (name === "CancelNotEffective") {
    const args = (error as BaseError).walk((cause) => cause instanceof ContractFunctionRevertedError) as
      | ContractFunctionRevertedError
      | undefined;
    return new CancelNotEffectiveError(orderId, (args?.data?.args?.[1] as bigint | undefined) ?? 0n);
  }
  return new CancelRefusedError(name, orderId);
}
