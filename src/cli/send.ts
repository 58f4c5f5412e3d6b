// `junction send`: sends a message from one rollup to another, optionally waiting for its delivery.

import { walletClientFor } from "../chain/clients.js";
import { rollupOf } from "../chain/manifest.js";
import { messageToJson } from "../protocol/message.js";
import { messageStatusToJson, sendMessage, waitForDelivery } from "../sdk/index.js";
import {
  addressFlag,
  hexFlag,
  intFlag,
  keyFlag,
  manifestOf,
  networkFlags,
  parseFlags,
  printJson,
  UsageError,
} from "./options.js";

export const usage = `junction send --from CHAIN --to CHAIN --recipient ADDRESS --body HEX [--gas-limit N] [--ttl SECONDS]
               [--path canonical|optimistic|sequencer|zk] [--private-key KEY] [--wait] [--timeout SECONDS]
               [--data-dir DIR | --manifest FILE]
  Sends BODY to RECIPIENT on chain TO through the Outbox of chain FROM, from the devnet's user account
  unless --private-key is given. --path refuses to send unless the recipient proves messages from
  FROM with that trust path (recipients choose it on chain). With --wait, prints the delivery and its measured latency (exit 1 if
  the recipient's handler failed: the relayer keeps retrying it until its deadline).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    from: { type: "string" },
    to: { type: "string" },
    recipient: { type: "string" },
    body: { type: "string" },
    "gas-limit": { type: "string" },
    ttl: { type: "string" },
    "private-key": { type: "string" },
    wait: { type: "boolean" },
    timeout: { type: "string" },
    path: { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const from = intFlag("from", values.from, -1, 1);
  const to = intFlag("to", values.to, -1, 1);
  const recipient = addressFlag("recipient", values.recipient);
  const body = hexFlag("body", values.body);
  const manifest = manifestOf(values);
  const wallet = walletClientFor(
    rollupOf(manifest, from),
    keyFlag(values["private-key"], manifest.accounts.user.privateKey),
  );
  const ttl = BigInt(intFlag("ttl", values.ttl, 86_400, 1));
  const path = values.path;
  if (
    path !== undefined &&
    path !== "canonical" &&
    path !== "optimistic" &&
    path !== "sequencer" &&
    path !== "zk"
  ) {
    throw new UsageError(`--path must be canonical, optimistic, sequencer or zk, got ${path}`);
  }
  const sent = await sendMessage(wallet, manifest, {
    destinationChainId: to,
    recipient,
    body,
    gasLimit: BigInt(intFlag("gas-limit", values["gas-limit"], 500_000, 1)),
    deadline: BigInt(Math.floor(Date.now() / 1000)) + ttl,
    path,
  });
  const sentAt = Date.now();
  const summary = {
    id: sent.id,
    txHash: sent.txHash,
    blockNumber: sent.blockNumber,
    message: messageToJson(sent.message),
  };
  if (!values.wait) {
    printJson(summary);
    return 0;
  }
  const timeoutMs = intFlag("timeout", values.timeout, 120, 1) * 1000;
  const delivered = await waitForDelivery(manifest, {
    id: sent.id,
    sourceChainId: from,
    timeoutMs,
    stopOnFailure: true,
  });
  printJson({ ...messageStatusToJson(delivered), measuredLatencyMs: Date.now() - sentAt });
  return delivered.status === "delivered" ? 0 : 1;
}
