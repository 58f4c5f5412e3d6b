// `junction orders place|cancel|book|fills`: a trader's side of the unified order book, each a thin call
// of the SDK: a limit order escrowed at the gateway of any rollup, its cancel (the escape hatch), the
// book as every gateway holds it, and the legs the gateways paid.
import { formatEther, parseEther } from "viem";
import { walletClientFor } from "../chain/clients.js";
import {
  cancelOrder,
  commitSealedOrder,
  completeCancelOrder,
  getBook,
  getFills,
  placeOrder,
  revealSealedOrder,
  rollupOf,
} from "../sdk/index.js";
import {
  hexFlag,
  intFlag,
  keyFlag,
  keyFlags,
  manifestOf,
  networkFlags,
  parseFlags,
  printJson,
  requiredFlag,
  UsageError,
} from "./options.js";

export const usage = `junction orders place --chain CHAIN --side buy|sell --price P --amount N [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction orders cancel --order ID [--wait | --complete] [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction orders seal --chain CHAIN --side buy|sell --price P --amount N [--base-deposit N] [--quote-deposit N] [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction orders reveal --chain CHAIN --sealed ID --side buy|sell --price P --amount N --salt HEX [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction orders book [--data-dir DIR | --manifest FILE]
junction orders fills [--order ID] [--data-dir DIR | --manifest FILE]
  One order book over every rollup for the devnet's market (test ETH priced in JUSD). place: a limit
  order on CHAIN's gateway for N whole ETH at P JUSD each, escrowing N x P JUSD (a buy) or N ETH (a
  sell) until filled or cancelled; prints its id. The matcher fills it against orders of any rollup;
  the proceeds arrive on the counterparty's rollup, at the same address (an address with code is
  refused). cancel: at any time, on the order's rollup alone, in two steps: the request takes the
  order out of matching at once and prints when the cancel is effective (the gateway's cancel delay,
  5.5 min on the devnet: fills created before the request may still arrive and are honoured);
  --wait then waits and completes it, --complete completes an effective one (anyone's key may). The
  completion returns the escrow except what the order's own fills waiting for their answer may pay,
  which comes back if they are rejected or expire. book: the
  resting orders, aggregated by price. fills: the legs the gateways paid (one per order and fill). seal:
  a sealed order for the current round (only the deposits show; by default N ETH and N x P JUSD, deposit
  more of both to hide the side); prints its id, round and salt — keep them. reveal: in the round's
  reveal window (the 5 s after its 10 s commit window on the devnet) it joins that round's one-price
  auction. The key defaults to the devnet's user.`;

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case "place":
      return place(rest);
    case "cancel":
      return cancel(rest);
    case "seal":
      return seal(rest);
    case "reveal":
      return reveal(rest);
    case "book":
      return book(rest);
    case "fills":
      return fills(rest);
    case "--help":
    case "-h":
    case undefined:
      console.log(usage);
      return action === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown orders action "${action}"`, {
        details: "use place, cancel, seal, reveal, book or fills",
      });
  }
}

/** Whole units (18 decimals), positive. */
function unitsFlag(name: string, value: string | undefined): bigint {
  const text = requiredFlag(name, value);
  if (!/^\d+(\.\d{1,18})?$/.test(text) || parseEther(text) === 0n) {
    throw new UsageError(`--${name} must be a positive number of whole units, got ${text}`);
  }
  return parseEther(text);
}

function orderFlag(value: string | undefined): bigint {
  const text = requiredFlag("order", value);
  if (!/^\d+$/.test(text))
    throw new UsageError(`--order must be an order id (a decimal number), got ${text}`);
  return BigInt(text);
}

async function place(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...keyFlags,
    chain: { type: "string" },
    side: { type: "string" },
    price: { type: "string" },
    amount: { type: "string" },
  });
  if (values.help) return helped();
  const side = requiredFlag("side", values.side);
  if (side !== "buy" && side !== "sell") throw new UsageError(`--side must be buy or sell, got ${side}`);
  const manifest = manifestOf(values);
  const rollup = rollupOf(manifest, intFlag("chain", values.chain, -1, 1));
  const wallet = walletClientFor(rollup, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const result = await placeOrder(wallet, manifest, {
    side,
    price: unitsFlag("price", values.price),
    amount: unitsFlag("amount", values.amount),
  });
  printJson({ action: "place", chainId: rollup.chainId, side, ...result });
  return 0;
}

function sideFlag(value: string | undefined): "buy" | "sell" {
  const side = requiredFlag("side", value);
  if (side !== "buy" && side !== "sell") throw new UsageError(`--side must be buy or sell, got ${side}`);
  return side;
}

async function seal(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...keyFlags,
    chain: { type: "string" },
    side: { type: "string" },
    price: { type: "string" },
    amount: { type: "string" },
    "base-deposit": { type: "string" },
    "quote-deposit": { type: "string" },
  });
  if (values.help) return helped();
  const side = sideFlag(values.side);
  const manifest = manifestOf(values);
  const rollup = rollupOf(manifest, intFlag("chain", values.chain, -1, 1));
  const wallet = walletClientFor(rollup, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const deposit = (name: "base-deposit" | "quote-deposit") =>
    values[name] === undefined ? undefined : unitsFlag(name, values[name]);
  const result = await commitSealedOrder(wallet, manifest, {
    side,
    price: unitsFlag("price", values.price),
    amount: unitsFlag("amount", values.amount),
    baseDeposit: deposit("base-deposit"),
    quoteDeposit: deposit("quote-deposit"),
  });
  printJson({ action: "seal", chainId: rollup.chainId, ...result });
  return 0;
}

async function reveal(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...keyFlags,
    chain: { type: "string" },
    sealed: { type: "string" },
    side: { type: "string" },
    price: { type: "string" },
    amount: { type: "string" },
    salt: { type: "string" },
  });
  if (values.help) return helped();
  const side = sideFlag(values.side);
  const manifest = manifestOf(values);
  const rollup = rollupOf(manifest, intFlag("chain", values.chain, -1, 1));
  const wallet = walletClientFor(rollup, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const sealedText = requiredFlag("sealed", values.sealed);
  if (!/^\d+$/.test(sealedText))
    throw new UsageError(`--sealed must be a sealed order id, got ${sealedText}`);
  const result = await revealSealedOrder(wallet, manifest, {
    sealedId: BigInt(sealedText),
    side,
    price: unitsFlag("price", values.price),
    amount: unitsFlag("amount", values.amount),
    salt: hexFlag("salt", values.salt),
  });
  printJson({ action: "reveal", chainId: rollup.chainId, ...result });
  return 0;
}

async function cancel(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...keyFlags,
    order: { type: "string" },
    wait: { type: "boolean" },
    complete: { type: "boolean" },
  });
  if (values.help) return helped();
  if (values.wait && values.complete) throw new UsageError("pass --wait or --complete, not both");
  const manifest = manifestOf(values);
  const orderId = orderFlag(values.order);
  const rollup = rollupOf(manifest, Number(orderId >> 64n));
  const wallet = walletClientFor(rollup, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  if (values.complete) {
    printJson({
      action: "cancel-complete",
      orderId,
      ...(await completeCancelOrder(wallet, manifest, { orderId })),
    });
    return 0;
  }
  const result = await cancelOrder(wallet, manifest, { orderId, wait: values.wait === true });
  printJson({ action: result.refund === undefined ? "cancel-requested" : "cancelled", orderId, ...result });
  return 0;
}

async function book(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, networkFlags);
  if (values.help) return helped();
  const manifest = manifestOf(values);
  const { marketId, bids, asks } = await getBook(manifest);
  const show = (levels: typeof bids) =>
    levels.map((level) => ({
      price: formatEther(level.price),
      amount: formatEther(level.amount),
      orders: level.orders,
    }));
  printJson({ market: manifest.orderbook?.market, marketId, bids: show(bids), asks: show(asks) });
  return 0;
}

async function fills(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...networkFlags, order: { type: "string" } });
  if (values.help) return helped();
  const manifest = manifestOf(values);
  const orderId = values.order === undefined ? undefined : orderFlag(values.order);
  printJson(await getFills(manifest, { orderId }));
  return 0;
}

function helped(): number {
  console.log(usage);
  return 0;
}
