// `junction bridge`: moves ERC-7802 tokens between rollups through the TokenBridge.
import { walletClientFor } from "../chain/clients.js";
import { bridgeTokens, messageStatusToJson, rollupOf, waitForDelivery } from "../sdk/index.js";
import {
  addressFlag,
  intFlag,
  keyFlag,
  manifestOf,
  networkFlags,
  parseFlags,
  printJson,
  requiredFlag,
  UsageError,
} from "./options.js";

export const usage = `junction bridge --amount WEI --from CHAIN --to CHAIN [--token ADDRESS] [--recipient ADDRESS]
                [--private-key KEY] [--wait] [--timeout SECONDS] [--data-dir DIR | --manifest FILE]
  Burns AMOUNT of TOKEN (default: the devnet's JUSD) on FROM and mints it to RECIPIENT (default: the
  sender) on TO. Refused by name when the route is paused or over its cap for the period.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    amount: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    token: { type: "string" },
    recipient: { type: "string" },
    "private-key": { type: "string" },
    wait: { type: "boolean" },
    timeout: { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const amountText = requiredFlag("amount", values.amount);
  if (!/^\d+$/.test(amountText) || BigInt(amountText) === 0n) {
    throw new UsageError(`--amount must be a positive integer in wei, got ${amountText}`);
  }
  const manifest = manifestOf(values);
  const from = intFlag("from", values.from, -1, 1);
  const wallet = walletClientFor(
    rollupOf(manifest, from),
    keyFlag(values["private-key"], manifest.accounts.user.privateKey),
  );
  const sent = await bridgeTokens(wallet, manifest, {
    amount: BigInt(amountText),
    destinationChainId: intFlag("to", values.to, -1, 1),
    token: values.token === undefined ? undefined : addressFlag("token", values.token),
    recipient: values.recipient === undefined ? undefined : addressFlag("recipient", values.recipient),
  });
  if (!values.wait) {
    printJson(sent);
    return 0;
  }
  const startedAt = Date.now();
  const timeoutMs = intFlag("timeout", values.timeout, 120, 1) * 1000;
  const delivered = await waitForDelivery(manifest, {
    id: sent.messageId,
    sourceChainId: from,
    timeoutMs,
    stopOnFailure: true,
  });
  printJson({ ...messageStatusToJson(delivered), measuredLatencyMs: Date.now() - startedAt });
  return delivered.status === "delivered" ? 0 : 1;
}
