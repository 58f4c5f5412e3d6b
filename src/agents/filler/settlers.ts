// What the order's settlers say about it: its escrow on the origin (escrowOf) and its fill record on
// the destination (fillOf). The order's settler has the same address on both.
import type { Hex } from "viem";
import type { JunctionPublicClient } from "../../chain/clients.js";
import type { Order } from "../../protocol/intents.js";
import { settlerAbi } from "../../sdk/intentSettler.js";
import { type ChainFacts, ESCROW_STATES, FILL_RECORD_STATES } from "./decide.js";

export async function escrowOf(origin: JunctionPublicClient, order: Order, orderId: Hex) {
  const escrow = await origin.readContract({
    address: order.settler,
    abi: settlerAbi,
    functionName: "escrowOf",
    args: [orderId],
  });
  return { state: ESCROW_STATES[escrow.state] ?? "none", inputAmount: escrow.inputAmount };
}

/**
 * Whether a closed order's payout is still pending on the origin: the token or the bridge refused it
 * when the fill was proven (a paused route, a cap), and it waits for anyone's `completePayout`.
 */
export async function payoutPending(
  origin: JunctionPublicClient,
  order: Order,
  orderId: Hex,
): Promise<boolean> {
  const payout = await origin.readContract({
    address: order.settler,
    abi: settlerAbi,
    functionName: "payoutOf",
    args: [orderId],
  });
  return payout.pending;
}

export async function orderFacts(
  origin: JunctionPublicClient,
  destination: JunctionPublicClient,
  order: Order,
  orderId: Hex,
): Promise<ChainFacts> {
  const [escrow, fill] = await Promise.all([
    escrowOf(origin, order, orderId),
    destination.readContract({
      address: order.settler,
      abi: settlerAbi,
      functionName: "fillOf",
      args: [orderId],
    }),
  ]);
  return { escrow: escrow.state, fill: FILL_RECORD_STATES[fill.state] ?? "none", filledBy: fill.filler };
}
