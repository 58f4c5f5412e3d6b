// Shared by the order book's SDK functions: the gateway's ABI (with every Junction error, so refusals
// decode by name), the network shape they need, and reading an order back in one typed object.
import type { Address, Hex } from "viem";
import type { Manifest } from "../chain/manifest.js";
import { junctionErrorsAbi } from "../contracts/errors.js";
import { orderGatewayAbi } from "../contracts/generated/index.js";
import { ConfigError } from "../errors.js";
import { chainOfOrder } from "../protocol/orderbook.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";

export const gatewayAbi = [...orderGatewayAbi, ...junctionErrorsAbi] as const;

/** A network with order gateways (the devnet manifest has this shape). */
export type OrderbookNetwork = JunctionNetwork & Pick<Manifest, "orderbook">;

/** The order book's addresses; throws a ConfigError when the network has none (an older manifest). */
export function orderbookOf(network: OrderbookNetwork): NonNullable<Manifest["orderbook"]> {
  if (!network.orderbook) {
    throw new ConfigError("this network has no order book", {
      details: "its manifest predates the order gateways; start a new devnet",
    });
  }
  return network.orderbook;
}

/** An order as its gateway holds it. */
export type GatewayOrder = {
  id: bigint;
  chainId: number;
  owner: Address;
  marketId: Hex;
  isBuy: boolean;
  cancelled: boolean;
  price: bigint;
  amount: bigint;
  filled: bigint;
  reserved: bigint;
  escrow: bigint;
  /** When its owner asked to cancel (its rollup's clock, unix seconds; 0n: never). */
  cancelRequestedAt: bigint;
};

/**
 * Reads an order from the gateway of the rollup it lives on (its id names the rollup).
 *
 * @example
 * const order = await getOrder(network, { orderId });
 * console.log(order.filled, "of", order.amount);
 */
export async function getOrder(
  network: OrderbookNetwork,
  { orderId }: { orderId: bigint },
): Promise<GatewayOrder> {
  const { gateway } = orderbookOf(network);
  const chainId = chainOfOrder(orderId);
  const order = await clientOf(rollupOf(network, chainId)).readContract({
    address: gateway,
    abi: gatewayAbi,
    functionName: "orderOf",
    args: [orderId],
  });
  return { id: orderId, chainId, ...order };
}
