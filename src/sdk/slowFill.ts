// Slow fills: when no filler takes an order, the destination's pool fills it — once the order's origin
// has proven it open there (a pool cannot read the origin itself). `requestSlowFill` sends that proof
// from the origin; `fillFromPool` asks the destination's pool to fill once it has arrived.
import type { Hex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { junctionErrorsAbi } from "../contracts/errors.js";
import { liquidityPoolAbi } from "../contracts/generated/index.js";
import { decodeOrder, orderIdOf, pathName } from "../protocol/intents.js";
import { SendMessageError } from "./errors.js";
import { settlerAbi, settlerOf } from "./intentSettler.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

/**
 * Sends, from the order's origin (the wallet's rollup), the proof that it is open to its destination.
 *
 * @example
 * await requestSlowFill(wallet, network, { originData });
 * // once delivered: await fillFromPool(destinationWallet, network, { originData });
 */
export async function requestSlowFill(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { originData }: { originData: Hex },
): Promise<{ txHash: Hex }> {
  const origin = rollupOf(network, wallet.chain.id);
  const order = decodeOrder(originData);
  const request = {
    address: order.settler,
    abi: settlerAbi,
    functionName: "requestSlowFill",
    args: [orderIdOf(originData)],
  } as const;
  const client = clientOf(origin);
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success") throw new SendMessageError(`requestSlowFill ${txHash} reverted`);
  return { txHash };
}

/** Whether the order's origin has proven it open on its destination. */
export async function isOpenProven(network: JunctionNetwork, { originData }: { originData: Hex }) {
  const order = decodeOrder(originData);
  const destination = rollupOf(network, order.data.destinationChainId);
  const provenFrom = await clientOf(destination).readContract({
    address: order.settler,
    abi: settlerAbi,
    functionName: "openProvenFrom",
    args: [orderIdOf(originData)],
  });
  return provenFrom === order.originChainId;
}

/**
 * Has the destination's pool (the wallet's rollup) fill the order; the wallet pays only the gas.
 *
 * @example
 * await fillFromPool(wallet, network, { originData });
 */
export async function fillFromPool(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { originData }: { originData: Hex },
): Promise<{ txHash: Hex }> {
  const destination = rollupOf(network, wallet.chain.id);
  const order = decodeOrder(originData);
  const path = pathName(order.terms.path);
  const request = {
    address: destination.contracts.liquidityPool,
    abi: [...liquidityPoolAbi, ...junctionErrorsAbi],
    functionName: "fill",
    args: [path ? settlerOf(destination, path) : order.settler, orderIdOf(originData), originData],
  } as const;
  const client = clientOf(destination);
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success") throw new SendMessageError(`pool fill ${txHash} reverted`);
  return { txHash };
}
