// The filler's inventory: its balance of each asset on each rollup, what its fills in flight will take
// from it, and what its repayments on their way will add: what the inventory checks and the repayment
// choice read.
import { type Address, erc20Abi } from "viem";
import { decodeOrder } from "../../protocol/intents.js";
import type { FillerOrder } from "../../store/filler-store.js";
import type { Asset } from "./config.js";
import type { FillerKey } from "./filler-key.js";

/** Per asset symbol, per chain id. */
export type Holdings = Map<string, Map<number, bigint>>;

export function assetOf(
  assets: readonly Asset[],
  chainId: number | bigint,
  token: Address,
): Asset | undefined {
  const wanted = token.toLowerCase();
  return assets.find((asset) => asset.tokens.get(Number(chainId))?.toLowerCase() === wanted);
}

/**
 * The key's balances, less the outputs of fills signed but not yet known mined (`filling`): what it may
 * still spend.
 */
export async function readHoldings(
  keys: ReadonlyMap<number, FillerKey>,
  assets: readonly Asset[],
  filling: readonly FillerOrder[],
): Promise<Holdings> {
  const holdings: Holdings = new Map();
  for (const asset of assets) {
    const perChain = new Map<number, bigint>();
    await Promise.all(
      [...asset.tokens.entries()].map(async ([chainId, token]) => {
        const key = keys.get(chainId);
        if (!key) return;
        const balance = await key.client.readContract({
          address: token,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [key.address],
        });
        perChain.set(chainId, balance);
      }),
    );
    holdings.set(asset.symbol, perChain);
  }
  for (const order of filling) {
    const { data } = decodeOrder(order.originData);
    const asset = assetOf(assets, order.destinationChainId, data.outputToken);
    const perChain = asset && holdings.get(asset.symbol);
    perChain?.set(
      order.destinationChainId,
      (perChain.get(order.destinationChainId) ?? 0n) - data.outputAmount,
    );
  }
  return holdings;
}

/**
 * One asset's inventory per chain after a fill of `outputAmount` on `destinationChainId`, counting the
 * inputs of filled (or filling) orders still to be repaid on the chain each named.
 */
export function inventoryAfterFill(
  holdings: ReadonlyMap<number, bigint>,
  awaitingRepayment: readonly FillerOrder[],
  destinationChainId: number,
  outputAmount: bigint,
): Map<number, bigint> {
  const inventory = new Map(holdings);
  const add = (chainId: number, amount: bigint) =>
    inventory.set(chainId, (inventory.get(chainId) ?? 0n) + amount);
  for (const order of awaitingRepayment) {
    if (order.repaymentChainId === undefined) continue;
    add(order.repaymentChainId, decodeOrder(order.originData).data.inputAmount);
  }
  add(destinationChainId, -outputAmount);
  return inventory;
}

/** Holdings as plain records (for the status output). */
export function holdingsRecord(holdings: Holdings): Record<string, Record<string, bigint>> {
  return Object.fromEntries(
    [...holdings.entries()].map(([symbol, perChain]) => [
      symbol,
      Object.fromEntries([...perChain.entries()].map(([chainId, amount]) => [String(chainId), amount])),
    ]),
  );
}
