// The LiquidityPool's ERC-4626 books on a real anvil node: shares round in the pool's favour over a
// random sequence of deposits, mints, withdrawals and redemptions (shares bought are never worth more
// than was paid for them, the pool always covers every share, and the LPs together never take out more
// than they put in — one LP may, by the dust others' roundings left to all shares); a donation does not move the share price, so the first
// depositor cannot inflate it against the next one; liquidity arriving from a twin pool is booked as
// borrowed (not the LPs'), and what leaves is limited to the idle liquidity; only the bridge delivers,
// only trusted settlers and twins may send.
//
// The pool here is deployed with the test's own account standing in for the TokenBridge, so the test
// can call `onTokensBridged` as the bridge would after a mint (the e2e tests run the real bridge).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, encodeAbiParameters, parseEther } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../../src/chain/clients.js";
import { junctionErrorsAbi } from "../../src/contracts/errors.js";
import {
  liquidityPoolAbi,
  liquidityPoolBytecode,
  testTokenAbi,
  testTokenBytecode,
} from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { seededRandom } from "../../src/protocol/prng.js";
import { rejects } from "../helpers/chain.js";
import { type ContractNode, startContractNode } from "../helpers/contract-node.js";

const poolAbi = [...liquidityPoolAbi, ...junctionErrorsAbi] as const;

describe("LiquidityPool: ERC-4626 books", () => {
  let chain: ContractNode;
  let client: JunctionPublicClient;
  let deployer: JunctionWalletClient;
  let lps: JunctionWalletClient[];
  let token: Address;

  async function newPool(): Promise<Address> {
    // The deployer stands in for the TokenBridge.
    const pool = await chain.deploy(liquidityPoolAbi, liquidityPoolBytecode, [
      token,
      "pool",
      "P",
      deployer.account.address,
      deployer.account.address,
      10,
      0,
    ]);
    for (const lp of lps) {
      await chain.mined(
        lp.writeContract({
          address: token,
          abi: testTokenAbi,
          functionName: "approve",
          args: [pool, 2n ** 255n],
        }),
      );
    }
    return pool;
  }

  const read = (pool: Address) => ({
    assets: () => client.readContract({ address: pool, abi: poolAbi, functionName: "totalAssets" }),
    supply: () => client.readContract({ address: pool, abi: poolAbi, functionName: "totalSupply" }),
    idle: () => client.readContract({ address: pool, abi: poolAbi, functionName: "idle" }),
    shares: (owner: Address) =>
      client.readContract({ address: pool, abi: poolAbi, functionName: "balanceOf", args: [owner] }),
    balance: (owner: Address) =>
      client.readContract({ address: token, abi: testTokenAbi, functionName: "balanceOf", args: [owner] }),
  });

  before(async () => {
    chain = await startContractNode(901);
    ({ client, wallet: deployer } = chain);
    const accounts = devnetAccounts();
    lps = [accounts.user, accounts.filler, accounts.relayer].map((account) =>
      chain.walletOf(account.privateKey),
    );
    token = await chain.deploy(testTokenAbi, testTokenBytecode);
    for (const lp of lps) {
      await chain.mined(
        deployer.writeContract({
          address: token,
          abi: testTokenAbi,
          functionName: "mint",
          args: [lp.account.address, parseEther("1000000")],
        }),
      );
    }
  });

  after(async () => {
    await chain?.node.stop();
  });

  it("rounds every operation in the pool's favour over 120 random operations", async () => {
    const pool = await newPool();
    const books = read(pool);
    const random = seededRandom(7);
    const paidIn = new Map<Address, bigint>(lps.map((lp) => [lp.account.address, 0n]));
    const amount = () => BigInt(Math.floor(random() * 1e6)) * 10n ** BigInt(Math.floor(random() * 13)) + 1n;
    for (let i = 0; i < 120; i++) {
      const lp = lps[Math.floor(random() * lps.length)] as JunctionWalletClient;
      const owner = lp.account.address;
      const before = await books.balance(owner);
      const shares = await books.shares(owner);
      const op = Math.floor(random() * 4);
      const worth = async () =>
        client.readContract({
          address: pool,
          abi: poolAbi,
          functionName: "previewRedeem",
          args: [(await books.shares(owner)) - shares],
        });
      if (op === 0) {
        const assets = amount();
        await chain.mined(
          lp.writeContract({ address: pool, abi: poolAbi, functionName: "deposit", args: [assets, owner] }),
        );
        assert.ok((await worth()) <= assets, `step ${i}: deposit bought shares worth more than ${assets}`);
      } else if (op === 1) {
        await chain.mined(
          lp.writeContract({ address: pool, abi: poolAbi, functionName: "mint", args: [amount(), owner] }),
        );
        const paid = before - (await books.balance(owner));
        assert.ok((await worth()) <= paid, `step ${i}: mint bought shares worth more than ${paid}`);
      } else if (shares > 0n) {
        const part = (shares * BigInt(Math.floor(random() * 1000) + 1)) / 1000n;
        if (op === 2) {
          const max = await client.readContract({
            address: pool,
            abi: poolAbi,
            functionName: "maxWithdraw",
            args: [owner],
          });
          const assets = (max * BigInt(Math.floor(random() * 1000) + 1)) / 1000n;
          if (assets > 0n) {
            await chain.mined(
              lp.writeContract({
                address: pool,
                abi: poolAbi,
                functionName: "withdraw",
                args: [assets, owner, owner],
              }),
            );
          }
        } else if (part > 0n) {
          await chain.mined(
            lp.writeContract({
              address: pool,
              abi: poolAbi,
              functionName: "redeem",
              args: [part, owner, owner],
            }),
          );
        }
      }
      paidIn.set(owner, (paidIn.get(owner) ?? 0n) + (before - (await books.balance(owner))));
      // The pool covers every share at the price it quotes.
      const supply = await books.supply();
      const quoted = await client.readContract({
        address: pool,
        abi: poolAbi,
        functionName: "convertToAssets",
        args: [supply],
      });
      assert.ok(quoted <= (await books.assets()), `step ${i}: shares worth ${quoted} > assets`);
    }
    // Everyone leaves: together they take out no more than they put in.
    let net = 0n;
    for (const lp of lps) {
      const owner = lp.account.address;
      const shares = await books.shares(owner);
      const before = await books.balance(owner);
      if (shares > 0n) {
        await chain.mined(
          lp.writeContract({
            address: pool,
            abi: poolAbi,
            functionName: "redeem",
            args: [shares, owner, owner],
          }),
        );
      }
      net += (paidIn.get(owner) ?? 0n) - ((await books.balance(owner)) - before);
    }
    assert.ok(net >= 0n, `the LPs took out ${-net} more than they put in`);
    assert.equal(await books.supply(), 0n);
    // What the rounding kept stays in the pool, and the books match the balance.
    assert.equal(await books.idle(), await books.balance(pool));
  });

  it("ignores donations: the first depositor cannot inflate the share price against the next", async () => {
    const pool = await newPool();
    const books = read(pool);
    const [attacker, victim] = lps as [JunctionWalletClient, JunctionWalletClient];
    await chain.mined(
      attacker.writeContract({
        address: pool,
        abi: poolAbi,
        functionName: "deposit",
        args: [1n, attacker.account.address],
      }),
    );
    await chain.mined(
      attacker.writeContract({
        address: token,
        abi: testTokenAbi,
        functionName: "transfer",
        args: [pool, parseEther("10000")],
      }),
    );
    assert.equal(await books.assets(), 1n);
    const deposit = parseEther("100");
    await chain.mined(
      victim.writeContract({
        address: pool,
        abi: poolAbi,
        functionName: "deposit",
        args: [deposit, victim.account.address],
      }),
    );
    const victimAssets = await client.readContract({
      address: pool,
      abi: poolAbi,
      functionName: "previewRedeem",
      args: [await books.shares(victim.account.address)],
    });
    assert.ok(deposit - victimAssets <= 1n, `the victim lost ${deposit - victimAssets} wei`);
  });

  it("books liquidity from a twin as borrowed, limits withdrawals to idle, and refuses strangers", async () => {
    const pool = await newPool();
    const books = read(pool);
    const [lp, stranger] = lps as [JunctionWalletClient, JunctionWalletClient];
    await chain.mined(
      lp.writeContract({
        address: pool,
        abi: poolAbi,
        functionName: "deposit",
        args: [parseEther("100"), lp.account.address],
      }),
    );
    const assets = await books.assets();
    // The bridge minted 50 to the pool, then tells it the twin on 902 lent them.
    await chain.mined(
      deployer.writeContract({
        address: token,
        abi: testTokenAbi,
        functionName: "mint",
        args: [pool, parseEther("50")],
      }),
    );
    const loan = encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [0n, parseEther("50")]);
    await chain.mined(
      deployer.writeContract({
        address: pool,
        abi: poolAbi,
        functionName: "onTokensBridged",
        args: [902n, pool, token, parseEther("50"), loan],
      }),
    );
    assert.equal(await books.idle(), parseEther("150"));
    assert.equal(await books.assets(), assets, "borrowed liquidity is not the LPs'");
    const max = await client.readContract({
      address: pool,
      abi: poolAbi,
      functionName: "maxWithdraw",
      args: [lp.account.address],
    });
    assert.ok(max <= parseEther("100"));

    await rejects(
      stranger.writeContract({
        address: pool,
        abi: poolAbi,
        functionName: "onTokensBridged",
        args: [902n, pool, token, 1n, loan],
      }),
      "NotTokenBridge",
    );
    await rejects(
      deployer.writeContract({
        address: pool,
        abi: poolAbi,
        functionName: "onTokensBridged",
        args: [902n, stranger.account.address, token, 1n, loan],
      }),
      "UntrustedSender",
    );
    const malformed = encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [1n, 1n]);
    await rejects(
      deployer.writeContract({
        address: pool,
        abi: poolAbi,
        functionName: "onTokensBridged",
        args: [902n, pool, token, 5n, malformed],
      }),
      "MalformedTransfer",
    );
    const overRepaid = encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [5n, 0n]);
    await rejects(
      deployer.writeContract({
        address: pool,
        abi: poolAbi,
        functionName: "onTokensBridged",
        args: [902n, pool, token, 5n, overRepaid],
      }),
      "RepaymentExceedsLoan",
    );
  });
});
