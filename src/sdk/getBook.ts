// getBook and getFills: the order book as the chains hold it, read from every rollup's OrderGateway (no
// matcher needed): the resting orders aggregated by price, and the fills each gateway paid.
import type { Address, Hex } from "viem";
import { orderGatewayAbi } from "../contracts/generated/index.js";
import type { Level } from "../protocol/orderbook-book.js";
import { clientOf } from "./network.js";
import { type GatewayOrder, gatewayAbi, type OrderbookNetwork, orderbookOf } from "./orderGateway.js";

export type GetBookReturnType = {
  marketId: Hex;
  /** Best first; amounts are what fills may still take (not filled, not reserved, not cancelled). */
  bids: Level[];
  asks: Level[];
  orders: GatewayOrder[];
};

/**
 * Reads every order of a market placed on any rollup and what remains of each.
 *
 * @example
 * const { bids, asks } = await getBook(network);
 */
export async function getBook(
  network: OrderbookNetwork,
  { marketId }: { marketId?: Hex } = {},
): Promise<GetBookReturnType> {
  const orderbook = orderbookOf(network);
  const market = marketId ?? orderbook.marketId;
  const orders: GatewayOrder[] = [];
  for (const rollup of network.rollups) {
    const client = clientOf(rollup);
    const placed = await client.getContractEvents({
      address: orderbook.gateway,
      abi: orderGatewayAbi,
      eventName: "OrderPlaced",
      args: { marketId: market },
      fromBlock: BigInt(rollup.deployBlock),
    });
    const read = await Promise.all(
      placed.map((event) =>
        client.readContract({
          address: orderbook.gateway,
          abi: gatewayAbi,
          functionName: "orderOf",
          args: [event.args.orderId as bigint],
        }),
      ),
    );
    for (const [i, order] of read.entries()) {
      orders.push({ id: placed[i]?.args.orderId as bigint, chainId: rollup.chainId, ...order });
    }
  }
  const open = orders.filter(
    (order) =>
      !order.cancelled && order.cancelRequestedAt === 0n && order.amount > order.filled + order.reserved,
  );
  const levels = (isBuy: boolean) => {
    const byPrice = new Map<bigint, Level>();
    for (const order of open.filter((entry) => entry.isBuy === isBuy)) {
      const level = byPrice.get(order.price) ?? { price: order.price, amount: 0n, orders: 0 };
      level.amount += order.amount - order.filled - order.reserved;
      level.orders += 1;
      byPrice.set(order.price, level);
    }
    const compare = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);
    return [...byPrice.values()].sort((a, b) =>
      isBuy ? compare(b.price, a.price) : compare(a.price, b.price),
    );
  };
  return { marketId: market, bids: levels(true), asks: levels(false), orders };
}

export type OrderFill = {
  chainId: number;
  fillId: Hex;
  order: bigint;
  counter: bigint;
  price: bigint;
  amount: bigint;
  /** Who this order's leg paid (the counterparty's owner), with what. */
  receiver: Address;
  token: Address;
  paid: bigint;
  txHash: Hex;
};

/**
 * The legs every gateway paid, optionally of one order; a fill settled on both rollups has two legs.
 *
 * @example
 * const legs = await getFills(network, { orderId });
 */
export async function getFills(
  network: OrderbookNetwork,
  { orderId }: { orderId?: bigint } = {},
): Promise<OrderFill[]> {
  const orderbook = orderbookOf(network);
  const fills: OrderFill[] = [];
  for (const rollup of network.rollups) {
    const events = await clientOf(rollup).getContractEvents({
      address: orderbook.gateway,
      abi: orderGatewayAbi,
      eventName: "OrderFilled",
      args: orderId === undefined ? undefined : { order: orderId },
      fromBlock: BigInt(rollup.deployBlock),
    });
    for (const event of events) {
      const args = event.args as Required<typeof event.args>;
      fills.push({
        chainId: rollup.chainId,
        fillId: args.fillId,
        order: args.order,
        counter: args.counter,
        price: args.price,
        amount: args.amount,
        receiver: args.receiver,
        token: args.token,
        paid: args.paid,
        txHash: event.transactionHash,
      });
    }
  }
  return fills;
}
