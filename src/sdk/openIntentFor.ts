// Gasless intents: the user signs an ERC-7683 GaslessCrossChainOrder (EIP-712) and anyone (a filler, a
// relayer of orders) opens it with `openFor`, paying the gas; the user's input is taken from its
// allowance to the settler.
import type { Hex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { type GaslessOrder, gaslessOrderStruct, gaslessOrderTypedData } from "../protocol/intents.js";
import { openedOrder, settlerAbi, settlerOf } from "./intentSettler.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";
import {
  ensureAllowance,
  type IntentParameters,
  intentTerms,
  type OpenIntentReturnType,
} from "./openIntent.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type SignIntentParameters = IntentParameters & {
  /** Default: random. Each nonce opens at most one order; `invalidateNonce` cancels a signed one. */
  nonce?: bigint;
  /** Seconds from now the signed order may still be opened (default 300). */
  openWithinSeconds?: number;
  /** Approve the settler for the input now (default true), so the order can be opened later. */
  approve?: boolean;
};

export type SignedIntent = { order: GaslessOrder; signature: Hex };

/**
 * Signs a gasless order with the wallet (its user) for the wallet's rollup, approving the input.
 *
 * @example
 * const signed = await signIntent(userWallet, network, { destinationChainId: 902, inputAmount, outputAmount });
 * const { orderId } = await openIntentFor(fillerWallet, network, signed);
 */
export async function signIntent(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  params: SignIntentParameters,
): Promise<SignedIntent> {
  const origin = rollupOf(network, wallet.chain.id);
  const settler = settlerOf(origin, params.path);
  const { data, fillDeadline, now } = await intentTerms(wallet, network, params);
  if (params.approve ?? true)
    await ensureAllowance(wallet, network, data.inputToken, settler, data.inputAmount);
  const random = crypto.getRandomValues(new Uint8Array(16));
  const order: GaslessOrder = {
    originSettler: settler,
    user: wallet.account.address,
    nonce: params.nonce ?? BigInt(`0x${Buffer.from(random).toString("hex")}`),
    originChainId: BigInt(origin.chainId),
    openDeadline: now + (params.openWithinSeconds ?? 300),
    fillDeadline,
    orderData: data,
  };
  const signature = await wallet.signTypedData(gaslessOrderTypedData(order));
  return { order, signature };
}

/** Opens a user's signed gasless order, the submitting wallet paying the gas. */
export async function openIntentFor(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { order, signature }: SignedIntent,
): Promise<OpenIntentReturnType> {
  const origin = rollupOf(network, wallet.chain.id);
  const request = {
    address: order.originSettler,
    abi: settlerAbi,
    functionName: "openFor",
    args: [gaslessOrderStruct(order), signature, "0x"],
  } as const;
  const client = clientOf(origin);
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  return { ...openedOrder(receipt), txHash };
}
