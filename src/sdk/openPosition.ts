// openPosition: opens or grows (or, with the opposite sign, reduces) a perpetual position at the hub at
// the oracle price.
import type { Hex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { assertOnHub, assertSucceeded, engineAbi, hubOf, type MarginNetwork } from "./marginEngine.js";
import { clientOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type OpenPositionParameters = {
  /** Default 0 (the devnet's ETH perpetual). */
  marketId?: number | bigint;
  /** Whole units x 1e18: positive buys (long), negative sells (short). */
  size: bigint;
};

export type OpenPositionReturnType = { txHash: Hex };

/**
 * Changes the wallet's position by `size`; adding risk needs fresh prices and the initial margin
 * afterwards (refusals by name: `InsufficientMargin`, `StalePrice`, `MarketDisabled`).
 *
 * @example
 * await openPosition(hubWallet, network, { size: parseEther("2") }); // long 2 ETH
 */
export async function openPosition(
  wallet: JunctionWalletClient,
  network: MarginNetwork,
  { marketId = 0, size }: OpenPositionParameters,
): Promise<OpenPositionReturnType> {
  assertOnHub(wallet, network);
  const client = clientOf(hubOf(network));
  const request = {
    address: network.margin.engine,
    abi: engineAbi,
    functionName: "modifyPosition",
    args: [BigInt(marketId), size],
  } as const;
  // Gas with headroom: what lands before this transaction (a credit, a message) can make it cost more.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  assertSucceeded(receipt, "position change");
  return { txHash };
}
