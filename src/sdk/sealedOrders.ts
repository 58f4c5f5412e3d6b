// commitSealedOrder and revealSealedOrder: a sealed order at the OrderGateway of the wallet's rollup. The
// commit shows only the deposits (deposit both tokens, enough for either side, to hide the side); the
// reveal, in the round's reveal window, turns it into an order of that round's one-price auction.
import { type Hex, parseEventLogs, toHex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { orderGatewayAbi } from "../contracts/generated/index.js";
import { sealedCommitment } from "../protocol/orderbook.js";
import { SendMessageError } from "./errors.js";
import { clientOf, rollupOf } from "./network.js";
import { ensureAllowance } from "./openIntent.js";
import { gatewayAbi, type OrderbookNetwork, orderbookOf } from "./orderGateway.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type SealedOrderParameters = {
  side: "buy" | "sell";
  price: bigint;
  amount: bigint;
  /** Base deposited (default: `amount`, whatever the side). */
  baseDeposit?: bigint;
  /** Quote deposited (default: `amount x price`, whatever the side). */
  quoteDeposit?: bigint;
  /** Keep it secret until the reveal (default: 32 random bytes). */
  salt?: Hex;
  marketId?: Hex;
};

export type CommitSealedOrderReturnType = {
  sealedId: bigint;
  round: bigint;
  salt: Hex;
  commitment: Hex;
  txHash: Hex;
};

/**
 * Commits a sealed order for the current round; keep `salt` (and the order) to reveal it.
 *
 * @example
 * const sealed = await commitSealedOrder(walletOn901, network, { side: "buy", price: parseEther("3000"), amount: parseEther("1") });
 */
export async function commitSealedOrder(
  wallet: JunctionWalletClient,
  network: OrderbookNetwork,
  parameters: SealedOrderParameters,
): Promise<CommitSealedOrderReturnType> {
  const orderbook = orderbookOf(network);
  const client = clientOf(rollupOf(network, wallet.chain.id));
  const marketId = parameters.marketId ?? orderbook.marketId;
  const salt = parameters.salt ?? toHex(crypto.getRandomValues(new Uint8Array(32)));
  const commitment = sealedCommitment({
    chainId: wallet.chain.id,
    gateway: orderbook.gateway,
    owner: wallet.account.address,
    marketId,
    isBuy: parameters.side === "buy",
    price: parameters.price,
    amount: parameters.amount,
    salt,
  });
  const baseDeposit = parameters.baseDeposit ?? parameters.amount;
  const quoteDeposit =
    parameters.quoteDeposit ?? (parameters.amount * parameters.price + 10n ** 18n - 1n) / 10n ** 18n;
  const [base, quote] = await client.readContract({
    address: orderbook.gateway,
    abi: gatewayAbi,
    functionName: "markets",
    args: [marketId],
  });
  if (baseDeposit > 0n) await ensureAllowance(wallet, network, base, orderbook.gateway, baseDeposit);
  if (quoteDeposit > 0n) await ensureAllowance(wallet, network, quote, orderbook.gateway, quoteDeposit);
  const request = {
    address: orderbook.gateway,
    abi: gatewayAbi,
    functionName: "commitSealed",
    args: [marketId, commitment, baseDeposit, quoteDeposit],
  } as const;
  // Headroom, as for placeOrder: the deposits' transfers may be fresh storage writes by the time it lands.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  const [committed] = parseEventLogs({
    abi: orderGatewayAbi,
    logs: receipt.logs,
    eventName: "SealedCommitted",
  });
  if (receipt.status !== "success" || !committed) {
    throw new SendMessageError("committing the sealed order reverted", { details: `tx ${txHash}` });
  }
  return { sealedId: committed.args.sealedId, round: committed.args.round, salt, commitment, txHash };
}

/**
 * Reveals a sealed order in its round's reveal window; it joins that round's auction.
 *
 * @example
 * const { orderId } = await revealSealedOrder(walletOn901, network, { sealedId, side: "buy", price, amount, salt });
 */
export async function revealSealedOrder(
  wallet: JunctionWalletClient,
  network: OrderbookNetwork,
  {
    sealedId,
    side,
    price,
    amount,
    salt,
  }: { sealedId: bigint; side: "buy" | "sell"; price: bigint; amount: bigint; salt: Hex },
): Promise<{ orderId: bigint; txHash: Hex }> {
  const orderbook = orderbookOf(network);
  const txHash = await wallet.writeContract({
    address: orderbook.gateway,
    abi: gatewayAbi,
    functionName: "revealSealed",
    args: [sealedId, side === "buy", price, amount, salt],
  });
  const receipt = await clientOf(rollupOf(network, wallet.chain.id)).waitForTransactionReceipt({
    hash: txHash,
  });
  const [revealed] = parseEventLogs({
    abi: orderGatewayAbi,
    logs: receipt.logs,
    eventName: "SealedRevealed",
  });
  if (receipt.status !== "success" || !revealed) {
    throw new SendMessageError("revealing the sealed order reverted", { details: `tx ${txHash}` });
  }
  return { orderId: revealed.args.orderId, txHash };
}
