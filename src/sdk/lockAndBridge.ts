// lockAndBridge: locks native ETH or a plain ERC-20 on its home rollup and mints its wrapped
// representation on another rollup (bridgeTokens moves the wrapped token onward or back home).
import { type Address, type Hex, parseEventLogs, zeroAddress } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { junctionErrorsAbi } from "../contracts/errors.js";
import { tokenBridgeAbi } from "../contracts/generated/index.js";
import { SendMessageError } from "./errors.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";
import { gasWithHeadroom } from "./outboxGas.js";

export type LockAndBridgeParameters = {
  amount: bigint;
  destinationChainId: number | bigint;
  /** A plain ERC-20 approved to the TokenBridge; omit for native ETH. */
  token?: Address;
  /** Default: the wallet's own address. */
  recipient?: Address;
};

export type LockAndBridgeReturnType = { messageId: Hex; txHash: Hex; wrappedToken: Address };

/**
 * Locks `amount` here and sends the mint of its WrappedToken (same address on every rollup) to the destination.
 *
 * @example
 * const { messageId, wrappedToken } = await lockAndBridge(wallet, network, { amount: parseEther("1"), destinationChainId: 902 });
 */
export async function lockAndBridge(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { amount, destinationChainId, token = zeroAddress, recipient }: LockAndBridgeParameters,
): Promise<LockAndBridgeReturnType> {
  const source = rollupOf(network, wallet.chain.id);
  rollupOf(network, destinationChainId);
  const client = clientOf(source);
  const request = {
    address: source.contracts.tokenBridge,
    abi: [...tokenBridgeAbi, ...junctionErrorsAbi],
    functionName: "lockAndBridge",
    args: [token, amount, BigInt(destinationChainId), recipient ?? wallet.account.address],
    value: token === zeroAddress ? amount : 0n,
  } as const;
  // Gas with headroom: what lands before this transaction (a credit, a message) can make it cost more.
  const gas = gasWithHeadroom(await client.estimateContractGas({ ...request, account: wallet.account }));
  const txHash = await wallet.writeContract({ ...request, gas });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  const [sent] = parseEventLogs({ abi: tokenBridgeAbi, logs: receipt.logs, eventName: "TransferSent" });
  if (receipt.status !== "success" || !sent)
    throw new SendMessageError(`lock transaction ${txHash} did not emit TransferSent`);
  const wrappedToken = await client.readContract({
    address: source.contracts.tokenBridge,
    abi: tokenBridgeAbi,
    functionName: "wrappedTokenFor",
    args: [BigInt(source.chainId), token],
  });
  return { messageId: sent.args.messageId, txHash, wrappedToken };
}
