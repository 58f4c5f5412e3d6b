// `junction pool deposit|withdraw|status`: an LP's side of the liquidity router's pools (ERC-4626, one
// per rollup), and the pools' books: idle, paid out awaiting repayment, lent to and borrowed from twins.
import { type Address, erc20Abi, formatEther } from "viem";
import { walletClientFor } from "../chain/clients.js";
import type { RollupEntry } from "../chain/manifest.js";
import { junctionErrorsAbi } from "../contracts/errors.js";
import { liquidityPoolAbi } from "../contracts/generated/index.js";
import { publicClientFor, rollupOf } from "../sdk/index.js";
import {
  intFlag,
  keyFlag,
  manifestOf,
  networkFlags,
  parseFlags,
  printJson,
  UsageError,
  weiFlag,
} from "./options.js";

export const usage = `junction pool deposit|withdraw --chain CHAIN --amount WEI [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction pool status [--chain CHAIN] [--account ADDRESS] [--data-dir DIR | --manifest FILE]
  deposit: adds AMOUNT of JUSD to CHAIN's pool for LP shares (ERC-4626; shares round in the pool's
  favour). withdraw: takes AMOUNT back, at most the pool's idle liquidity (what is not out on fills or
  lent to another rollup's pool). status: every pool's (or CHAIN's) assets, idle, outstanding, lent,
  borrowed, share price, and the account's (default: the user's) shares.`;

const poolAbi = [...liquidityPoolAbi, ...junctionErrorsAbi] as const;

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === "deposit" || action === "withdraw") return move(action, rest);
  if (action === "status") return status(rest);
  if (action === "--help" || action === "-h" || action === undefined) {
    console.log(usage);
    return action === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown pool action "${action}"`, { details: "use deposit, withdraw or status" });
}

async function move(action: "deposit" | "withdraw", argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    chain: { type: "string" },
    amount: { type: "string" },
    "private-key": { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const amount = weiFlag("amount", values.amount);
  const manifest = manifestOf(values);
  const rollup = rollupOf(manifest, intFlag("chain", values.chain, -1, 1));
  const wallet = walletClientFor(rollup, keyFlag(values["private-key"], manifest.accounts.user.privateKey));
  const client = publicClientFor(rollup);
  const pool = rollup.contracts.liquidityPool;
  const owner = wallet.account.address;
  if (action === "deposit") {
    const approve = await wallet.writeContract({
      address: rollup.contracts.bridgedToken,
      abi: erc20Abi,
      functionName: "approve",
      args: [pool, amount],
    });
    await client.waitForTransactionReceipt({ hash: approve });
  }
  const hash =
    action === "deposit"
      ? await wallet.writeContract({
          address: pool,
          abi: poolAbi,
          functionName: "deposit",
          args: [amount, owner],
        })
      : await wallet.writeContract({
          address: pool,
          abi: poolAbi,
          functionName: "withdraw",
          args: [amount, owner, owner],
        });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new UsageError(`${action} transaction ${hash} reverted`);
  printJson({ action, amount, txHash: hash, ...(await poolState(rollup, owner)) });
  return 0;
}

async function status(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    chain: { type: "string" },
    account: { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const manifest = manifestOf(values);
  const account = (values.account ?? manifest.accounts.user.address) as Address;
  const rollups =
    values.chain === undefined
      ? manifest.rollups
      : [rollupOf(manifest, intFlag("chain", values.chain, -1, 1))];
  printJson(await Promise.all(rollups.map((rollup) => poolState(rollup, account))));
  return 0;
}

/** One pool's books and `account`'s position in it. */
export async function poolState(rollup: RollupEntry, account: Address) {
  const client = publicClientFor(rollup);
  const read = <
    N extends "totalAssets" | "totalSupply" | "idle" | "outstanding" | "totalLent" | "totalBorrowed",
  >(
    functionName: N,
  ) => client.readContract({ address: rollup.contracts.liquidityPool, abi: liquidityPoolAbi, functionName });
  const [totalAssets, totalSupply, idle, outstanding, lent, borrowed, shares] = await Promise.all([
    read("totalAssets"),
    read("totalSupply"),
    read("idle"),
    read("outstanding"),
    read("totalLent"),
    read("totalBorrowed"),
    client.readContract({
      address: rollup.contracts.liquidityPool,
      abi: liquidityPoolAbi,
      functionName: "balanceOf",
      args: [account],
    }),
  ]);
  const assetsPerShare = await client.readContract({
    address: rollup.contracts.liquidityPool,
    abi: liquidityPoolAbi,
    functionName: "convertToAssets",
    args: [10n ** 24n],
  });
  return {
    chainId: rollup.chainId,
    pool: rollup.contracts.liquidityPool,
    totalAssets,
    totalSupply,
    idle,
    outstanding,
    lent,
    borrowed,
    /** JUSD per 10^6 shares (the pool's shares carry 6 extra decimals). */
    jusdPerMillionShares: formatEther(assetsPerShare),
    account,
    shares,
  };
}
