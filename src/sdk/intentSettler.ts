// Shared by the intent SDK functions: the settler of a trust path on a rollup, the ABI they call it
// with (every Junction error included, so refusals are decoded by name), and reading an Open event.
import { type Address, type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import type { RollupEntry } from "../chain/manifest.js";
import { junctionErrorsAbi } from "../contracts/errors.js";
import { intentSettlerAbi } from "../contracts/generated/index.js";
import { decodeOrder, type IntentPath, type Order } from "../protocol/intents.js";
import { SendMessageError } from "./errors.js";

export const settlerAbi = [...intentSettlerAbi, ...junctionErrorsAbi] as const;

export function settlerOf(rollup: RollupEntry, path: IntentPath = "canonical"): Address {
  return rollup.contracts.settlers[path];
}

/** The order an `open`/`openFor` transaction opened, from its Open event. */
export function openedOrder(receipt: TransactionReceipt): { orderId: Hex; order: Order; originData: Hex } {
  const [open] = parseEventLogs({ abi: intentSettlerAbi, logs: receipt.logs, eventName: "Open" });
  const instruction = open?.args.resolvedOrder.fillInstructions[0];
  if (receipt.status !== "success" || !open || !instruction) {
    throw new SendMessageError(`transaction ${receipt.transactionHash} opened no order`);
  }
  return {
    orderId: open.args.orderId,
    order: decodeOrder(instruction.originData),
    originData: instruction.originData,
  };
}
