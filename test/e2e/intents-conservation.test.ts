// Conservation under the liquidity router, on a devnet of three rollups: 200 random operations —
// intents opened over the canonical and optimistic paths in every direction, fills by a filler repaid on
// the origin or back on the destination, pool fills, orders left to expire and certified unfilled, and
// liquidity moved between the pools — never create or destroy a token: the JUSD on all rollups never
// exceeds what exists (what is in flight is burned), and once every message has landed it is exactly
// what exists; every order ends repaid or refunded, never both; each settler holds exactly its open
// escrows; each pool's books match its balance.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, erc20Abi, type Hex, parseEther } from "viem";
import { increaseTime } from "../../src/chain/anvil.js";
import { type JunctionWalletClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { liquidityPoolAbi } from "../../src/contracts/generated/index.js";
import { jusdTotalSupply } from "../../src/devnet/deploy.js";
import { seededRandom } from "../../src/protocol/prng.js";
import {
  bridgeTokens,
  certifyUnfilled,
  fillIntent,
  getIntent,
  type IntentPath,
  isOpenProven,
  openIntent,
  requestSlowFill,
  waitForDelivery,
} from "../../src/sdk/index.js";
import { settlerAbi } from "../../src/sdk/intentSettler.js";
import { waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

const ROLLUPS = 3;
const OPERATIONS = 200;

type Opened = {
  orderId: Hex;
  originData: Hex;
  from: number;
  to: number;
  path: IntentPath;
  fillDeadline: number;
};

describe("intents: conservation over 200 random operations", () => {
  let devnet: TestDevnet;
  let chainIds: number[];
  let jusd: Address;

  const wallet = (key: Hex, chainId: number): JunctionWalletClient =>
    walletClientFor(rollupOf(devnet.manifest, chainId), key);
  const client = (chainId: number) => publicClientFor(rollupOf(devnet.manifest, chainId));
  const totalOnChains = async () => {
    let sum = 0n;
    for (const chainId of chainIds) {
      sum += await client(chainId).readContract({
        address: jusd,
        abi: erc20Abi,
        functionName: "totalSupply",
      });
    }
    return sum;
  };

  before(async () => {
    devnet = await startTestDevnet({ rollups: ROLLUPS });
    chainIds = devnet.manifest.rollups.map((rollup) => rollup.chainId);
    jusd = devnet.manifest.rollups[0]?.contracts.bridgedToken as Address;
    // The user's JUSD is minted on the first rollup: it bridges some to the others to open orders there.
    const [first, ...others] = chainIds as [number, ...number[]];
    const userOnFirst = wallet(devnet.manifest.accounts.user.privateKey, first);
    const sent = [];
    for (const to of others) {
      sent.push(
        await bridgeTokens(userOnFirst, devnet.manifest, {
          amount: parseEther("20000"),
          destinationChainId: to,
        }),
      );
    }
    for (const { messageId } of sent)
      await waitForDelivery(devnet.manifest, { id: messageId, timeoutMs: 60_000 });
  });

  after(async () => {
    await devnet?.stop();
  });

  it("neither creates nor destroys JUSD, and settles every order exactly once", async () => {
    const random = seededRandom(2026);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const { user, filler, rebalancer } = devnet.manifest.accounts;
    const total = jusdTotalSupply(ROLLUPS);
    const opened: Opened[] = [];
    const unfilled = new Set<Opened>();
    const slowRequested = new Set<Opened>();
    const counts = { open: 0, fill: 0, slowRequest: 0, poolFill: 0, certify: 0, move: 0, skipped: 0 };

    for (let i = 0; i < OPERATIONS; i++) {
      const roll = random();
      if (roll < 0.4 || unfilled.size === 0) {
        const from = pick(chainIds);
        const to = pick(chainIds.filter((chainId) => chainId !== from));
        const path = pick(["canonical", "optimistic"] as const);
        const inputAmount = parseEther(String(1 + Math.floor(random() * 50)));
        const order = await openIntent(wallet(user.privateKey, from), devnet.manifest, {
          destinationChainId: to,
          inputAmount,
          outputAmount: inputAmount - inputAmount / 500n,
          path,
          // Not much shorter: automined blocks in the same second each add a second to the chain's clock.
          fillWithinSeconds: random() < 0.2 ? 300 : 3600,
        });
        const entry = { ...order, from, to, path, fillDeadline: order.order.fillDeadline };
        opened.push(entry);
        unfilled.add(entry);
        counts.open++;
      } else if (roll < 0.6) {
        // Fillers take what was not left to the pools.
        const candidates = [...unfilled].filter((order) => !slowRequested.has(order));
        if (candidates.length === 0) {
          counts.skipped++;
          continue;
        }
        const order = pick(candidates);
        unfilled.delete(order);
        const repayOn = random() < 0.5 ? order.from : order.to;
        await fillIntent(wallet(filler.privateKey, order.to), devnet.manifest, {
          originData: order.originData,
          repayment: { chainId: repayOn },
        }).catch(async (error) => {
          // Past its deadline (a clock moved by a certificate below): certify it instead.
          if (!String(error).includes("FillDeadlinePassed")) throw error;
          await certifyUnfilled(wallet(filler.privateKey, order.to), devnet.manifest, order);
          counts.certify++;
        });
        counts.fill++;
      } else if (roll < 0.7) {
        // Ask a canonical order's origin to prove it open, so a pool may fill it later.
        const candidates = [...unfilled].filter(
          (order) => !slowRequested.has(order) && order.path === "canonical",
        );
        const order = candidates.length > 0 ? pick(candidates) : undefined;
        if (order) {
          await requestSlowFill(wallet(user.privateKey, order.from), devnet.manifest, order);
          slowRequested.add(order);
          counts.slowRequest++;
        }
      } else if (roll < 0.8) {
        const candidates = [...unfilled].filter((order) => slowRequested.has(order));
        const order = candidates.length > 0 ? pick(candidates) : undefined;
        if (!order) {
          counts.skipped++;
          continue;
        }
        await waitUntil(() => isOpenProven(devnet.manifest, order), Boolean, "the order proven open", 30_000);
        unfilled.delete(order);
        const destination = rollupOf(devnet.manifest, order.to);
        const hash = await wallet(filler.privateKey, order.to).writeContract({
          address: destination.contracts.liquidityPool,
          abi: [...liquidityPoolAbi, ...settlerAbi],
          functionName: "fill",
          args: [destination.contracts.settlers[order.path], order.orderId, order.originData],
          gas: 1_000_000n,
        });
        const receipt = await client(order.to).waitForTransactionReceipt({ hash });
        if (receipt.status === "success") {
          counts.poolFill++;
        } else {
          // Refused (past its deadline, or the pool short of idle liquidity): left open for later.
          unfilled.add(order);
          counts.skipped++;
        }
      } else if (roll < 0.9) {
        // Let the shortest-lived open order expire on its destination and certify it unfilled.
        const candidates = [...unfilled].filter((order) => !slowRequested.has(order));
        if (candidates.length === 0) {
          counts.skipped++;
          continue;
        }
        const order = candidates.sort((x, y) => x.fillDeadline - y.fillDeadline)[0] as Opened;
        unfilled.delete(order);
        const now = Number((await client(order.to).getBlock()).timestamp);
        if (now <= order.fillDeadline)
          await increaseTime(rollupOf(devnet.manifest, order.to), order.fillDeadline - now + 1);
        await certifyUnfilled(wallet(user.privateKey, order.to), devnet.manifest, order);
        counts.certify++;
      } else {
        const from = pick(chainIds);
        const to = pick(chainIds.filter((chainId) => chainId !== from));
        const pool = rollupOf(devnet.manifest, from).contracts.liquidityPool;
        const idle = await client(from).readContract({
          address: pool,
          abi: liquidityPoolAbi,
          functionName: "idle",
        });
        const amount = (idle * BigInt(1 + Math.floor(random() * 5))) / 100n;
        if (amount > 0n) {
          const hash = await wallet(rebalancer.privateKey, from).writeContract({
            address: pool,
            abi: liquidityPoolAbi,
            functionName: "sendLiquidity",
            args: [BigInt(to), amount],
            // Appends to the Outbox: room for messages that land between estimate and execution.
            gas: 800_000n,
          });
          assert.equal((await client(from).waitForTransactionReceipt({ hash })).status, "success");
          counts.move++;
        }
      }
      if (i % 20 === 0) assert.ok((await totalOnChains()) <= total, `step ${i}: more JUSD than exists`);
    }
    // What is still open is certified unfilled, so every order ends.
    for (const order of unfilled) {
      const now = Number((await client(order.to).getBlock()).timestamp);
      if (now <= order.fillDeadline)
        await increaseTime(rollupOf(devnet.manifest, order.to), order.fillDeadline - now + 1);
      await certifyUnfilled(wallet(user.privateKey, order.to), devnet.manifest, order);
      counts.certify++;
    }
    assert.ok(
      counts.fill > 20 && counts.poolFill > 3 && counts.certify > 5 && counts.move > 5,
      JSON.stringify(counts),
    );

    for (const order of opened) {
      const intent = await waitUntil(
        () =>
          getIntent(devnet.manifest, {
            orderId: order.orderId,
            originChainId: order.from,
            destinationChainId: order.to,
            path: order.path,
          }),
        (value) => value.origin.state === "repaid" || value.origin.state === "refunded",
        `order ${order.orderId} settled`,
        60_000,
      );
      const expected = intent.destination.state === "filled" ? "repaid" : "refunded";
      assert.equal(intent.origin.state, expected, `order ${order.orderId}`);
    }
    // Every order is settled on its origin, so what is still in flight is burned and not yet minted.
    await waitUntil(totalOnChains, (sum) => sum === total, "every JUSD in flight to land", 120_000);
    for (const chainId of chainIds) {
      const rollup = rollupOf(devnet.manifest, chainId);
      for (const settler of Object.values(rollup.contracts.settlers)) {
        const held = await client(chainId).readContract({
          address: jusd,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [settler],
        });
        assert.equal(held, 0n, `settler ${settler} on ${chainId} holds ${held} with every order settled`);
      }
      const pool = rollup.contracts.liquidityPool;
      const [idle, outstanding, balance] = await Promise.all([
        client(chainId).readContract({ address: pool, abi: liquidityPoolAbi, functionName: "idle" }),
        client(chainId).readContract({ address: pool, abi: liquidityPoolAbi, functionName: "outstanding" }),
        client(chainId).readContract({
          address: jusd,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [pool],
        }),
      ]);
      assert.equal(outstanding, 0n, `pool on ${chainId} still awaits repayments`);
      assert.equal(idle, balance, `pool on ${chainId}: books ${idle}, balance ${balance}`);
    }
    // The pools' loans to each other net to zero across the network.
    let lent = 0n;
    let borrowed = 0n;
    for (const chainId of chainIds) {
      const pool = rollupOf(devnet.manifest, chainId).contracts.liquidityPool;
      lent += await client(chainId).readContract({
        address: pool,
        abi: liquidityPoolAbi,
        functionName: "totalLent",
      });
      borrowed += await client(chainId).readContract({
        address: pool,
        abi: liquidityPoolAbi,
        functionName: "totalBorrowed",
      });
    }
    assert.equal(lent, borrowed);
  });
});
