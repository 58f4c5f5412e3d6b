// closePosition: closes all (or part) of the wallet's position in a market by a delayed order; the PnL
// goes to the account's cash at the hub.
import type { Hex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { assertOnHub, engineAbi, hubOf, type MarginNetwork } from "./marginEngine.js";
import { clientOf } from "./network.js";
import { type OpenPositionParameters, openPosition } from "./openPosition.js";

export type ClosePositionParameters = {
  marketId?: number | bigint;
  /** How much of the position to close, as a positive size (default: all of it). */
  size?: bigint;
} & Pick<OpenPositionParameters, "limitPrice" | "onRequested" | "pollingIntervalMs">;

/** `closed` is the size closed; `price` what it closed at (absent when there was nothing to close). */
export type ClosePositionReturnType = { txHash?: Hex; closed: bigint; price?: bigint };

/**
 * Closes the position (nothing to do when it is flat) by a reduce-only delayed order, like `openPosition`:
 * at the first price published after the request, never more than the position then.
 *
 * @example
 * await closePosition(hubWallet, network, {}); // the whole ETH position
 */
export async function closePosition(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  { marketId = 0, size, ...order }: ClosePositionParameters,
): Promise<ClosePositionReturnType> {
  assertOnHub(wallet, network);
  const position = await clientOf(hubOf(network)).readContract({
    address: network.margin.engine,
    abi: engineAbi,
    functionName: "positionOf",
    args: [wallet.account.address, BigInt(marketId)],
  });
  if (position.size === 0n) return { closed: 0n };
  const whole = position.size < 0n ? -position.size : position.size;
  const amount = size === undefined || size > whole ? whole : size;
  const delta = position.size > 0n ? -amount : amount;
  // Reduce-only: should a liquidation shrink the position before the order executes, it closes what is
  // left instead of opening the other side.
  const fill = await openPosition(wallet, network, { ...order, marketId, size: delta, reduceOnly: true });
  return { txHash: fill.txHash, closed: fill.size < 0n ? -fill.size : fill.size, price: fill.price };
}
