// placeOrder and cancelOrder: a limit order at the OrderGateway of the wallet's rollup, escrowed until filled or cancelled.
import { type Address, type Hex, parseEventLogs } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { orderGatewayAbi } from "../contracts/generated/index.js";
import { escrowFor } from "../protocol/orderbook.js";
import { SendMessageError } from "./errors.js";
import { clientOf, rollupOf } from "./network.js";
import { ensureAllowance } from "./openIntent.js";
import { gatewayAbi, type OrderbookNetwork, orderbookOf } from "./orderGateway.js";

export type PlaceOrderParameters = {
  side: "buy" | "sell";
  /** The limit: quote per whole base unit x 1e18 (e.g. parseEther("3000")). */
  price: bigint;
  /** Base units (e.g. parseEther("1.5")). */
  amount: bigint;
  /** Default: the network's market. */
  marketId?: Hex;
};

export type PlaceOrderReturnType = { orderId: bigint; txHash: Hex; escrow: bigint; token: Address };

/**
 * Approves the gateway for the escrow if needed (a buy: amount x price in quote; a sell: the base
 * amount) and places the order; the matcher sees it from the gateway's `OrderPlaced` event.
 *
 * @example
 * const { orderId } = await placeOrder(walletOn901, network, { side: "buy", price: parseEther("3000"), amount: parseEther("1") });
 */
export async function placeOrder(
  wallet: JunctionWalletClient,
  network: OrderbookNetwork,
  { side, price, amount, marketId }: PlaceOrderParameters,
): Promise<PlaceOrderReturnType> {
  const orderbook = orderbookOf(network);
  const rollup = rollupOf(network, wallet.chain.id);
  const client = clientOf(rollup);
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
  const txHash = await wallet.writeContract({
    address: orderbook.gateway,
    abi: gatewayAbi,
    functionName: "place",
    args: [market, isBuy, price, amount],
  });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  const [placed] = parseEventLogs({ abi: orderGatewayAbi, logs: receipt.logs, eventName: "OrderPlaced" });
  if (receipt.status !== "success" || !placed) {
    throw new SendMessageError("placing the order reverted", { details: `tx ${txHash}` });
  }
  return { orderId: placed.args.orderId, txHash, escrow, token };
}

/**
 * Cancels the wallet's order on its rollup, at any time: the escape hatch. `refund` is the escrow less what
 * fills still waiting for the counterparty's answer may pay; that part pays the counterparty on a CONFIRM or
 * comes back (`EscrowRefunded`) on a REJECT or the fill's expiry.
 *
 * @example
 * await cancelOrder(walletOn901, network, { orderId });
 */
export async function cancelOrder(
  wallet: JunctionWalletClient,
  network: OrderbookNetwork,
  { orderId }: { orderId: bigint },
): Promise<{ txHash: Hex; refund: bigint }> {
  const orderbook = orderbookOf(network);
  const txHash = await wallet.writeContract({
    address: orderbook.gateway,
    abi: gatewayAbi,
    functionName: "cancel",
    args: [orderId],
  });
  const receipt = await clientOf(rollupOf(network, wallet.chain.id)).waitForTransactionReceipt({
    hash: txHash,
  });
  const [cancelled] = parseEventLogs({ abi: orderGatewayAbi, logs: receipt.logs, eventName: "Cancelled" });
  if (receipt.status !== "success" || !cancelled) {
    throw new SendMessageError("cancelling the order reverted", { details: `tx ${txHash}` });
  }
  return { txHash, refund: cancelled.args.refund };
}
