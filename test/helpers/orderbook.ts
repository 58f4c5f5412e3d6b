// Order book test helpers on a devnet: traders holding test ETH (minted by the deployer, its owner) and
// JUSD (from the filler's genesis inventory: the filler agent is off in these devnets) on chosen rollups,
// the matcher's raw batch submission, balance reads, and two-step cancels completed by moving every
// rollup's clock (anvil time travel, all rollups together so fill deadlines stay comparable).
import assert from "node:assert/strict";
import { type Address, erc20Abi, type Hex, parseEther, parseEventLogs } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { increaseTime, setBalance } from "../../src/chain/anvil.js";
import { type JunctionWalletClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { type Manifest, rollupOf } from "../../src/chain/manifest.js";
import { orderGatewayAbi, ownedTestTokenAbi } from "../../src/contracts/generated/index.js";
import { DEVNET_CANCEL_DELAY } from "../../src/devnet/deploy-orderbook.js";
import { gatewayAbi } from "../../src/sdk/orderGateway.js";
import { cancelOrder, completeCancelOrder, placeOrder } from "../../src/sdk/placeOrder.js";

export type Trader = { key: Hex; address: Address; wallet: (chainId: number) => JunctionWalletClient };

/** A fresh key with 100 ETH for gas on every rollup and `eth` test ETH and `jusd` JUSD on each of `chains`. */
export async function orderbookTrader(
  manifest: Manifest,
  chains: readonly number[],
  { eth = parseEther("100"), jusd = parseEther("20000") } = {},
): Promise<Trader> {
  const key = generatePrivateKey();
  const { address } = privateKeyToAccount(key);
  for (const rollup of manifest.rollups) await setBalance(rollup, address, parseEther("100"));
  for (const chainId of chains) {
    const rollup = rollupOf(manifest, chainId);
    const client = publicClientFor(rollup);
    const deployer = walletClientFor(rollup, manifest.accounts.deployer.privateKey);
    const filler = walletClientFor(rollup, manifest.accounts.filler.privateKey);
    const hashes = [
      await deployer.writeContract({
        address: manifest.margin.testAsset,
        abi: ownedTestTokenAbi,
        functionName: "mint",
        args: [address, eth],
      }),
      await filler.writeContract({
        address: rollup.contracts.bridgedToken,
        abi: erc20Abi,
        functionName: "transfer",
        args: [address, jusd],
      }),
    ];
    for (const hash of hashes) {
      assert.equal((await client.waitForTransactionReceipt({ hash })).status, "success");
    }
  }
  const wallets = new Map<number, JunctionWalletClient>();
  const wallet = (chainId: number) => {
    let existing = wallets.get(chainId);
    if (!existing) {
      existing = walletClientFor(rollupOf(manifest, chainId), key);
      wallets.set(chainId, existing);
    }
    return existing;
  };
  return { key, address, wallet };
}

export const price = (value: string) => parseEther(value);
export const amount = (value: string) => parseEther(value);

/** Places an order and returns its id. */
export async function place(
  manifest: Manifest,
  trader: Trader,
  chainId: number,
  side: "buy" | "sell",
  limit: bigint,
  size: bigint,
): Promise<bigint> {
  return (await placeOrder(trader.wallet(chainId), manifest, { side, price: limit, amount: size })).orderId;
}

export type RawFill = { order: bigint; counter: bigint; price: bigint; amount: bigint };

/** The matcher's `settle` on `chainId`'s gateway, as the devnet's matcher key (or `key`). */
export async function settleAs(
  manifest: Manifest,
  chainId: number,
  batchId: bigint,
  fills: RawFill[],
  key: Hex = manifest.accounts.matcher.privateKey,
) {
  const rollup = rollupOf(manifest, chainId);
  const wallet = walletClientFor(rollup, key);
  const hash = await wallet.writeContract({
    address: manifest.orderbook?.gateway as Address,
    abi: gatewayAbi,
    functionName: "settle",
    args: [batchId, fills],
  });
  const receipt = await publicClientFor(rollup).waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  return parseEventLogs({ abi: orderGatewayAbi, logs: receipt.logs });
}

export async function balanceOf(manifest: Manifest, chainId: number, token: Address, owner: Address) {
  return publicClientFor(rollupOf(manifest, chainId)).readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [owner],
  });
}

/** test ETH and JUSD of `owner` on `chainId`. */
export async function holdings(manifest: Manifest, chainId: number, owner: Address) {
  const rollup = rollupOf(manifest, chainId);
  return {
    eth: await balanceOf(manifest, chainId, manifest.margin.testAsset, owner),
    jusd: await balanceOf(manifest, chainId, rollup.contracts.bridgedToken, owner),
  };
}

/** anvil-only: moves every rollup's clock forward by `seconds` (together: fill deadlines compare clocks). */
export async function advanceClocks(manifest: Manifest, seconds: number): Promise<void> {
  for (const rollup of manifest.rollups) await increaseTime(rollup, seconds);
}

/**
 * Cancels orders in both steps without waiting: requests each cancel, moves every rollup's clock past the
 * gateway's cancel delay (anvil time travel) and completes each; returns each completion's refund.
 */
export async function cancelNow(
  manifest: Manifest,
  orders: readonly { trader: Trader; orderId: bigint }[],
): Promise<bigint[]> {
  for (const { trader, orderId } of orders) {
    await cancelOrder(trader.wallet(Number(orderId >> 64n)), manifest, { orderId });
  }
  await advanceClocks(manifest, DEVNET_CANCEL_DELAY + 1);
  const refunds: bigint[] = [];
  for (const { trader, orderId } of orders) {
    const { refund } = await completeCancelOrder(trader.wallet(Number(orderId >> 64n)), manifest, {
      orderId,
    });
    refunds.push(refund);
  }
  return refunds;
}
