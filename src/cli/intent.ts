// `junction intent open|status`: opens an ERC-7683 order (on chain, or gasless: signed by the user and
// submitted by another key), and reads where an order stands on its origin and destination.
import type { Hex } from "viem";
import { walletClientFor } from "../chain/clients.js";
import { INTENT_PATHS, type IntentPath } from "../protocol/intents.js";
import { getIntent, openIntent, openIntentFor, rollupOf, signIntent, waitForFill } from "../sdk/index.js";
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
  weiFlag,
} from "./options.js";

export const usage = `junction intent open --from CHAIN --to CHAIN --amount WEI [--output WEI] [--path P] [--recipient ADDRESS]
                     [--fill-within S] [--exclusive-filler ADDRESS --exclusive-seconds S] [--gasless]
                     [--private-key KEY] [--submitter-key KEY] [--wait] [--timeout S] [--data-dir DIR | --manifest FILE]
junction intent status --order ID --from CHAIN --to CHAIN [--path P] [--data-dir DIR | --manifest FILE]
  open: escrows AMOUNT of JUSD on FROM for OUTPUT (default: AMOUNT less 0.2 %) paid to RECIPIENT
  (default: the sender) on TO by whoever fills first; the fill is proven back to FROM over the trust
  path P (canonical|optimistic|sequencer|zk, default canonical) and only then repays the filler.
  --fill-within S (default 600) is the fill deadline; after it, an unfilled order is refunded once its
  destination certifies it unfilled. --gasless signs the order (EIP-712) with the user's key and has
  --submitter-key (default: the devnet's filler) open it. --wait waits for the fill.
  status: the order's escrow on FROM (open|repaid|refunded) and its fill on TO (filled|certified-unfilled).`;

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === "open") return open(rest);
  if (action === "status") return status(rest);
  if (action === "--help" || action === "-h" || action === undefined) {
    console.log(usage);
    return action === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown intent action "${action}"`, { details: "use open or status" });
}

function pathFlag(value: string | undefined): IntentPath {
  if (value === undefined) return "canonical";
  if (!(INTENT_PATHS as readonly string[]).includes(value)) {
    throw new UsageError(`--path must be one of ${INTENT_PATHS.join(", ")}, got ${value}`);
  }
  return value as IntentPath;
}

async function open(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    from: { type: "string" },
    to: { type: "string" },
    amount: { type: "string" },
    output: { type: "string" },
    path: { type: "string" },
    recipient: { type: "string" },
    "fill-within": { type: "string" },
    "exclusive-filler": { type: "string" },
    "exclusive-seconds": { type: "string" },
    gasless: { type: "boolean" },
    "private-key": { type: "string" },
    "submitter-key": { type: "string" },
    wait: { type: "boolean" },
    timeout: { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const manifest = manifestOf(values);
  const from = intFlag("from", values.from, -1, 1);
  const to = intFlag("to", values.to, -1, 1);
  const origin = rollupOf(manifest, from);
  rollupOf(manifest, to);
  const inputAmount = weiFlag("amount", values.amount);
  const outputAmount =
    values.output === undefined ? inputAmount - (inputAmount * 2n) / 1000n : weiFlag("output", values.output);
  if (values["exclusive-seconds"] !== undefined && values["exclusive-filler"] === undefined) {
    throw new UsageError("--exclusive-seconds needs --exclusive-filler");
  }
  const params = {
    destinationChainId: to,
    inputAmount,
    outputAmount,
    path: pathFlag(values.path),
    recipient: values.recipient === undefined ? undefined : addressFlag("recipient", values.recipient),
    fillWithinSeconds: intFlag("fill-within", values["fill-within"], 600, 1),
    exclusiveFiller:
      values["exclusive-filler"] === undefined
        ? undefined
        : addressFlag("exclusive-filler", values["exclusive-filler"]),
    exclusiveSeconds: intFlag("exclusive-seconds", values["exclusive-seconds"], 30, 1),
  };
  const user = walletClientFor(origin, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const opened = values.gasless
    ? await openIntentFor(
        walletClientFor(origin, keyFlag(values["submitter-key"], manifest.accounts.filler.privateKey)),
        manifest,
        await signIntent(user, manifest, params),
      )
    : await openIntent(user, manifest, params);
  const summary = { orderId: opened.orderId, txHash: opened.txHash, path: params.path, order: opened.order };
  if (!values.wait) {
    printJson(summary);
    return 0;
  }
  const startedAt = Date.now();
  const filled = await waitForFill(manifest, {
    orderId: opened.orderId,
    originChainId: from,
    destinationChainId: to,
    path: params.path,
    timeoutMs: intFlag("timeout", values.timeout, 60, 1) * 1000,
  });
  printJson({ ...summary, ...filled, measuredFillLatencyMs: Date.now() - startedAt });
  return 0;
}

async function status(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    order: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    path: { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const orderId: Hex = hexFlag("order", values.order);
  if (orderId.length !== 66) throw new UsageError("--order must be a 32-byte order id");
  const manifest = manifestOf(values);
  printJson(
    await getIntent(manifest, {
      orderId,
      originChainId: intFlag("from", values.from, -1, 1),
      destinationChainId: intFlag("to", values.to, -1, 1),
      path: pathFlag(values.path),
    }),
  );
  return 0;
}
