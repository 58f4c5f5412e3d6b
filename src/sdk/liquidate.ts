// liquidate: a keeper's liquidation of an unhealthy account at the hub: closes half (or all) of a
// position, repays the account's debt in the settlement token, and is paid collateral plus its bonus by
// the vault of the rollup that holds it.
import { type Address, type Hex, parseEventLogs } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { marginEngineAbi } from "../contracts/generated/index.js";
import { assertOnHub, assertSucceeded, engineAbi, hubOf, type MarginNetwork } from "./marginEngine.js";
import { clientOf, rollupOf } from "./network.js";
import { ensureAllowance } from "./openIntent.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type LiquidateParameters = {
  account: Address;
  /** The market whose position to close (default 0). */
  marketId?: number | bigint;
  /** Where the collateral to seize lies, and which token (default: JUSD there). */
  chainId: number | bigint;
  token?: Address;
  /** Most settlement tokens (JUSD at the hub) to repay; 0 closes without repaying. */
  maxRepay: bigint;
};

export type LiquidateReturnType = {
  txHash: Hex;
  closedSize: bigint;
  price: bigint;
  repaid: bigint;
  seized: bigint;
  /** The seize message to `chainId` (absent when the collateral was on the hub and paid at once). */
  messageId?: Hex;
};

/**
 * Liquidates `account` (refused by name when it is healthy: `AccountHealthy`, or has nothing to take:
 * `NothingToLiquidate`).
 *
 * @example
 * const { seized, messageId } = await liquidate(keeperOnHub, network, {
 *   account, chainId: 902, maxRepay: parseEther("1000"),
 * });
 */
export async function liquidate(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  { account, marketId = 0, chainId, token, maxRepay }: LiquidateParameters,
): Promise<LiquidateReturnType> {
  assertOnHub(wallet, network);
  const hub = hubOf(network);
  if (maxRepay > 0n) {
    await ensureAllowance(wallet, network, hub.contracts.bridgedToken, network.margin.engine, maxRepay);
  }
  const client = clientOf(hub);
  const request = {
    address: network.margin.engine,
    abi: engineAbi,
    functionName: "liquidate",
    args: [
      account,
      BigInt(marketId),
      BigInt(chainId),
      token ?? rollupOf(network, chainId).contracts.bridgedToken,
      maxRepay,
    ],
  } as const;
  // Gas with headroom: what lands before this transaction (a credit, a message) can make it cost more.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  assertSucceeded(receipt, "liquidation");
  const [event] = parseEventLogs({ abi: marginEngineAbi, logs: receipt.logs, eventName: "Liquidated" });
  if (!event) throw new Error(`liquidation ${txHash} emitted no Liquidated event`);
  const { closedSize, price, repaid, seized, messageId } = event.args;
  return {
    txHash,
    closedSize,
    price,
    repaid,
    seized,
    messageId: BigInt(messageId) === 0n ? undefined : messageId,
  };
}
