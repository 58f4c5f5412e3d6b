// Reading the liquidity router's events over plain eth_getLogs in bounded block ranges: orders opened
// on an origin (the full order from the Open event), fills on a destination, liquidity the pools send
// each other. Shared by the filler and the rebalancer; the SDK reads single orders with getIntent.
import { type Address, getAbiItem, type Hex } from "viem";
import { intentSettlerAbi, liquidityPoolAbi } from "../contracts/generated/index.js";
import { decodeOrder, type Order, orderIdOf } from "../protocol/intents.js";
import type { JunctionPublicClient } from "./clients.js";
import { blockRanges } from "./events.js";

const openEvent = getAbiItem({ abi: intentSettlerAbi, name: "Open" });
const filledEvent = getAbiItem({ abi: intentSettlerAbi, name: "Filled" });
const liquiditySentEvent = getAbiItem({ abi: liquidityPoolAbi, name: "LiquiditySent" });

/** An order as its Open event announced it; `originData` is what a filler passes to `fill`. */
export type OpenedOrder = {
  orderId: Hex;
  order: Order;
  originData: Hex;
  /** The settler that emitted the event (the order's origin settler). */
  settler: Address;
  blockNumber: bigint;
};

/**
 * Orders opened on the settlers at `settlers` in [fromBlock, toBlock]. An event whose fill instruction
 * does not hash to its order id, or names another settler, is dropped: a filler must never fill
 * something other than what was escrowed.
 */
export async function getOpenedOrders(
  client: JunctionPublicClient,
  settlers: readonly Address[],
  fromBlock: bigint,
  toBlock: bigint,
): Promise<OpenedOrder[]> {
  const found: OpenedOrder[] = [];
  for (const [start, end] of blockRanges(fromBlock, toBlock)) {
    const logs = await client.getLogs({
      address: [...settlers],
      event: openEvent,
      fromBlock: start,
      toBlock: end,
      strict: true,
    });
    for (const log of logs) {
      const originData = log.args.resolvedOrder.fillInstructions[0]?.originData;
      if (!originData || orderIdOf(originData) !== log.args.orderId) continue;
      const order = decodeOrder(originData);
      if (order.settler.toLowerCase() !== log.address.toLowerCase()) continue;
      found.push({
        orderId: log.args.orderId,
        order,
        originData,
        settler: log.address,
        blockNumber: log.blockNumber,
      });
    }
  }
  return found;
}

export type FillEvent = {
  orderId: Hex;
  filler: Address;
  outputAmount: bigint;
  repaymentChainId: bigint;
  repaymentAddress: Address;
  messageId: Hex;
  settler: Address;
  txHash: Hex;
  blockNumber: bigint;
};

/** Fills recorded by the settlers at `settlers` in [fromBlock, toBlock], optionally of one filler. */
export async function getFills(
  client: JunctionPublicClient,
  settlers: readonly Address[],
  fromBlock: bigint,
  toBlock: bigint,
  filter: { orderId?: Hex; filler?: Address } = {},
): Promise<FillEvent[]> {
  const found: FillEvent[] = [];
  for (const [start, end] of blockRanges(fromBlock, toBlock)) {
    const logs = await client.getLogs({
      address: [...settlers],
      event: filledEvent,
      args: { orderId: filter.orderId, filler: filter.filler },
      fromBlock: start,
      toBlock: end,
      strict: true,
    });
    for (const log of logs) {
      found.push({
        orderId: log.args.orderId,
        filler: log.args.filler,
        outputAmount: log.args.outputAmount,
        repaymentChainId: log.args.repaymentChainId,
        repaymentAddress: log.args.repaymentAddress,
        messageId: log.args.messageId,
        settler: log.address,
        txHash: log.transactionHash,
        blockNumber: log.blockNumber,
      });
    }
  }
  return found;
}

/** Liquidity a pool sent to its twin on `chainId`: `repaid` of its debt there, `lent` as a new loan. */
export type LiquiditySent = {
  chainId: number;
  repaid: bigint;
  lent: bigint;
  messageId: Hex;
  blockNumber: bigint;
};

export async function getLiquiditySent(
  client: JunctionPublicClient,
  pool: Address,
  fromBlock: bigint,
  toBlock: bigint,
): Promise<LiquiditySent[]> {
  const found: LiquiditySent[] = [];
  for (const [start, end] of blockRanges(fromBlock, toBlock)) {
    const logs = await client.getLogs({
      address: pool,
      event: liquiditySentEvent,
      fromBlock: start,
      toBlock: end,
      strict: true,
    });
    for (const log of logs) {
      found.push({
        chainId: Number(log.args.chainId),
        repaid: log.args.repaid,
        lent: log.args.lent,
        messageId: log.args.messageId,
        blockNumber: log.blockNumber,
      });
    }
  }
  return found;
}
