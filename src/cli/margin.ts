// `junction margin deposit|withdraw|open|close|execute|cancel|status`: a trader's side of the cross-rollup margin
// engine, each a thin call of the SDK: collateral into any rollup's vault, withdrawals and positions at
// the hub, and the account as the hub values it.
import { type Address, formatEther, parseEther } from "viem";
import { walletClientFor } from "../chain/clients.js";
import {
  cancelMarginOrder,
  closePosition,
  depositCollateral,
  executeMarginOrder,
  getMarginAccount,
  INFINITE_HEALTH,
  openPosition,
  requestWithdrawal,
  rollupOf,
  waitForDelivery,
} from "../sdk/index.js";
import {
  addressFlag,
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

export const usage = `junction margin deposit --chain CHAIN --amount N [--token ADDRESS] [--no-wait] [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction margin withdraw --chain CHAIN --amount N [--token ADDRESS] [--receiver ADDRESS] [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction margin open --size N [--market ID] [--limit PRICE] [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction margin close [--size N] [--market ID] [--limit PRICE] [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction margin execute --account ADDRESS [--market ID] [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction margin cancel [--market ID] [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction margin status [--account ADDRESS] [--data-dir DIR | --manifest FILE]
  One margin account per address across every rollup, kept on the hub (the first rollup). deposit: puts
  N tokens (whole units, default JUSD) into CHAIN's vault and waits until the hub credits them (not with
  --no-wait). withdraw: takes N of the collateral held on CHAIN out at the hub, which checks the initial
  margin without it; CHAIN's vault pays RECEIVER (default: the key) when the release arrives. open: changes
  the position in market ID (default 0, ETH-PERP) by N (whole units, negative sells) by a delayed order:
  requested now, executed at the first oracle price published after the request (by the keeper, or by
  this command once that price exists), cancelled with its reason when the price is beyond PRICE (USD,
  at most it for a buy, at least it for a sell) or the initial margin is not met. close: closes N of it
  (default all), the same way. execute: executes ADDRESS's pending order once its price exists (anyone
  may). cancel: withdraws the key's own order, only after it expired without a price. status: collateral
  per rollup, cash, positions, equity, requirements and health. The key defaults to the devnet's user.`;

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case "deposit":
      return deposit(rest);
    case "withdraw":
      return withdraw(rest);
    case "open":
    case "close":
      return trade(action, rest);
    case "execute":
      return execute(rest);
    case "cancel":
      return cancel(rest);
    case "status":
      return status(rest);
    case "--help":
    case "-h":
    case undefined:
      console.log(usage);
      return action === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown margin action "${action}"`, {
        details: "use deposit, withdraw, open, close or status",
      });
  }
}

/** Whole token units (18 decimals), positive; `signed` allows a negative size. */
function unitsFlag(name: string, value: string | undefined, signed = false): bigint {
  const text = requiredFlag(name, value);
  if (!(signed ? /^-?\d+(\.\d{1,18})?$/ : /^\d+(\.\d{1,18})?$/).test(text) || parseEther(text) === 0n) {
    throw new UsageError(
      `--${name} must be a ${signed ? "non-zero" : "positive"} number of whole units, got ${text}`,
    );
  }
  return parseEther(text);
}

async function deposit(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...keyFlags,
    chain: { type: "string" },
    amount: { type: "string" },
    token: { type: "string" },
    "no-wait": { type: "boolean" },
  });
  if (values.help) return helped();
  const manifest = manifestOf(values);
  const rollup = rollupOf(manifest, intFlag("chain", values.chain, -1, 1));
  const wallet = walletClientFor(rollup, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const amount = unitsFlag("amount", values.amount);
  const token = values.token === undefined ? undefined : addressFlag("token", values.token);
  const { txHash, messageId } = await depositCollateral(wallet, manifest, { amount, token });
  const credit =
    messageId && !values["no-wait"] ? await waitForDelivery(manifest, { id: messageId }) : undefined;
  printJson({
    action: "deposit",
    chainId: rollup.chainId,
    amount,
    txHash,
    messageId,
    credit: credit?.status,
  });
  return 0;
}

async function withdraw(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...keyFlags,
    chain: { type: "string" },
    amount: { type: "string" },
    token: { type: "string" },
    receiver: { type: "string" },
  });
  if (values.help) return helped();
  const manifest = manifestOf(values);
  const hub = rollupOf(manifest, manifest.margin.hubChainId);
  const wallet = walletClientFor(hub, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const chainId = intFlag("chain", values.chain, -1, 1);
  rollupOf(manifest, chainId);
  const result = await requestWithdrawal(wallet, manifest, {
    chainId,
    amount: unitsFlag("amount", values.amount),
    token: values.token === undefined ? undefined : addressFlag("token", values.token),
    receiver: values.receiver === undefined ? undefined : addressFlag("receiver", values.receiver),
  });
  printJson({ action: "withdraw", chainId, ...result });
  return 0;
}

async function trade(action: "open" | "close", argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...keyFlags,
    size: { type: "string" },
    market: { type: "string" },
    limit: { type: "string" },
  });
  if (values.help) return helped();
  const manifest = manifestOf(values);
  const hub = rollupOf(manifest, manifest.margin.hubChainId);
  const wallet = walletClientFor(hub, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const marketId = intFlag("market", values.market, 0);
  const limitPrice = values.limit === undefined ? undefined : unitsFlag("limit", values.limit);
  const result =
    action === "open"
      ? await openPosition(wallet, manifest, {
          marketId,
          size: unitsFlag("size", values.size, true),
          limitPrice,
        })
      : await closePosition(wallet, manifest, {
          marketId,
          size: values.size === undefined ? undefined : unitsFlag("size", values.size),
          limitPrice,
        });
  printJson({ action, marketId, ...result });
  return 0;
}

async function execute(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...keyFlags,
    account: { type: "string" },
    market: { type: "string" },
  });
  if (values.help) return helped();
  const manifest = manifestOf(values);
  const hub = rollupOf(manifest, manifest.margin.hubChainId);
  const wallet = walletClientFor(hub, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const account = addressFlag("account", requiredFlag("account", values.account));
  const marketId = intFlag("market", values.market, 0);
  const outcome = await executeMarginOrder(wallet, manifest, { account, marketId });
  printJson({ action: "execute", account, marketId, ...outcome });
  return 0;
}

async function cancel(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...keyFlags, market: { type: "string" } });
  if (values.help) return helped();
  const manifest = manifestOf(values);
  const hub = rollupOf(manifest, manifest.margin.hubChainId);
  const wallet = walletClientFor(hub, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const marketId = intFlag("market", values.market, 0);
  const result = await cancelMarginOrder(wallet, manifest, { marketId });
  printJson({ action: "cancel", marketId, ...result });
  return 0;
}

async function status(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...networkFlags, account: { type: "string" } });
  if (values.help) return helped();
  const manifest = manifestOf(values);
  const account: Address =
    values.account === undefined ? manifest.accounts.user.address : addressFlag("account", values.account);
  const state = await getMarginAccount(manifest, { account });
  const health = state.health === INFINITE_HEALTH ? "infinite" : formatEther(state.health);
  printJson({ ...state, health, healthWad: state.health });
  return 0;
}

function helped(): number {
  console.log(usage);
  return 0;
}
