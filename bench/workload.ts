// The message workload every path's benchmark sends: one small message through a rollup's Outbox, and
// the moment its send is seen mined.
import { type Address, type Hex, parseEventLogs, toHex } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../src/chain/clients.js";
import { outboxAbi } from "../src/contracts/generated/index.js";

/** Sends `tag` to `recipient` on chain `to`, with a fixed handler gas limit and a one-hour deadline. */
export function sendBenchMessage(
  wallet: JunctionWalletClient,
  outbox: Address,
  to: number,
  recipient: Address,
  tag: string,
) {
  return wallet.writeContract({
    address: outbox,
    abi: outboxAbi,
    functionName: "send",
    args: [BigInt(to), recipient, toHex(tag), 200_000n, BigInt(Math.floor(Date.now() / 1000) + 3600)],
    gas: 400_000n,
  });
}

/** Waits for the send's receipt; returns the message id, when it was seen and its block. */
export async function minedMessage(client: JunctionPublicClient, tx: Hex) {
  const receipt = await client.waitForTransactionReceipt({ hash: tx, pollingInterval: 5 });
  const [event] = parseEventLogs({ abi: outboxAbi, logs: receipt.logs, eventName: "MessageSent" });
  if (!event) throw new Error(`send ${tx} emitted no MessageSent`);
  return { id: event.args.id, minedAt: performance.now(), blockNumber: receipt.blockNumber };
}
