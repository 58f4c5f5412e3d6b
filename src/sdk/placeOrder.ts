// placeOrder and cancelOrder: a limit order at the OrderGateway of the wallet's rollup, escrowed until filled or cancelled.
import { type Address, type Hex, parseEventLogs } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { orderGatewayAbi } from "../contracts/generated/index.js";
import { escrowFor } from "../protocol/orderbook.js";
import { OrderOwnerIsContractError, SendMessageError } from "./errors.js";
import { clientOf, rollupOf } from "./network.js";
import { ensureAllowance } from "./openIntent.js";
import { gatewayAbi, type OrderbookNetwork, orderbookOf } from "./orderGateway.js";
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
