// Shared by the margin SDK functions: the engine's and vault's ABIs (with every Junction error, so
// refusals decode by name), the hub and its client, and reading the events a margin transaction emitted.
import { type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import type { Manifest, RollupEntry } from "../chain/manifest.js";
import { junctionErrorsAbi } from "../contracts/errors.js";
import { collateralVaultAbi, marginEngineAbi, priceOracleAbi } from "../contracts/generated/index.js";
import { MarginHubError, SendMessageError } from "./errors.js";
import { type JunctionNetwork, rollupOf } from "./network.js";

export const engineAbi = [...marginEngineAbi, ...junctionErrorsAbi] as const;
export const vaultAbi = [...collateralVaultAbi, ...junctionErrorsAbi] as const;
export const oracleAbi = [...priceOracleAbi, ...junctionErrorsAbi] as const;

/** A network with a margin engine (the devnet manifest has this shape). */
export type MarginNetwork = JunctionNetwork & Pick<Manifest, "margin">;

/** The hub rollup, where the engine and the oracle live. */
export function hubOf(network: MarginNetwork): RollupEntry {
  return rollupOf(network, network.margin.hubChainId);
}

/** Throws unless the wallet is on the hub (every engine action is a hub transaction). */
export function assertOnHub(wallet: JunctionWalletClient, network: MarginNetwork): void {
  if (wallet.chain.id !== network.margin.hubChainId) {
    throw new MarginHubError(`margin engine actions go to the hub, chain ${network.margin.hubChainId}`, {
      details: `the wallet is on chain ${wallet.chain.id}`,
    });
  }
}

/** Throws with the transaction hash when a margin transaction reverted after mining. */
export function assertSucceeded(receipt: TransactionReceipt, what: string): void {
  if (receipt.status !== "success") {
    throw new SendMessageError(`${what} reverted`, { details: `tx ${receipt.transactionHash}` });
  }
}

/** The id of the message a vault's deposit or the engine's payout sent (zero on the hub itself). */
export function sentMessageId(receipt: TransactionReceipt): Hex | undefined {
  const [deposited] = parseEventLogs({ abi: collateralVaultAbi, logs: receipt.logs, eventName: "Deposited" });
  if (deposited) return deposited.args.messageId;
  const [withdrawal] = parseEventLogs({
    abi: marginEngineAbi,
    logs: receipt.logs,
    eventName: "WithdrawalRequested",
  });
  return withdrawal?.args.messageId;
}
