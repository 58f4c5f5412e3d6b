// `junction bridge`: moves ERC-7802 tokens between rollups through the TokenBridge.
import { walletClientFor } from "../chain/clients.js";
import {
  assertTrustPath,
  bridgeTokens,
  lockAndBridge,
  messageStatusToJson,
  rollupOf,
  waitForDelivery,
} from "../sdk/index.js";
import {
  addressFlag,
  intFlag,
  keyFlag,
  manifestOf,
  networkFlags,
  parseFlags,
  printJson,
  UsageError,
  weiFlag,
} from "./options.js";

export const usage = `junction bridge --amount WEI --from CHAIN --to CHAIN [--token ADDRESS] [--lock] [--recipient ADDRESS] [--path P]
                [--private-key KEY] [--wait] [--timeout SECONDS] [--data-dir DIR | --manifest FILE]
  Burns AMOUNT of the ERC-7802 TOKEN (default: the devnet's JUSD; or a wrapped token) on FROM and mints
  it to RECIPIENT (default: the sender) on TO. With --lock, locks native ETH (no --token) or a plain
  ERC-20 on FROM, its home, and mints its wrapped token on TO. Refused by name when the route is
  paused or over its cap for the period. --path (canonical|optimistic) refuses to start unless the
  destination bridge proves transfers from FROM with that path.`;

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
    lock: { type: "boolean" },
    path: { type: "string" },
    timeout: { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const amount = weiFlag("amount", values.amount);
  const manifest = manifestOf(values);
  const from = intFlag("from", values.from, -1, 1);
  const wallet = walletClientFor(
    rollupOf(manifest, from),
    keyFlag(values["private-key"], manifest.accounts.user.privateKey),
  );
  const to = intFlag("to", values.to, -1, 1);
  if (values.path !== undefined) {
    if (values.path !== "canonical" && values.path !== "optimistic") {
      throw new UsageError(`--path must be canonical or optimistic, got ${values.path}`);
    }
    // The bridge's owner chooses its path per source; refuse before burning or locking anything.
    const bridgeOnDestination = rollupOf(manifest, to).contracts.tokenBridge;
    await assertTrustPath(manifest, {
      sourceChainId: from,
      destinationChainId: to,
      recipient: bridgeOnDestination,
      path: values.path,
    });
  }
  const transfer = {
    amount,
    destinationChainId: to,
    token: values.token === undefined ? undefined : addressFlag("token", values.token),
    recipient: values.recipient === undefined ? undefined : addressFlag("recipient", values.recipient),
  };
  const sent = values.lock
    ? await lockAndBridge(wallet, manifest, transfer)
    : await bridgeTokens(wallet, manifest, transfer);
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
