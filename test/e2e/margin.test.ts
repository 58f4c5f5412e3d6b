// The cross-rollup margin engine on a devnet of two rollups (901 is the hub, 902 holds most of the
// collateral), real nodes and the canonical path: deposits on both rollups count at the hub, once; a
// position opens with enough margin and is refused by name without; two withdrawals racing on two rollups
// never exceed the free collateral; after a 30 % crash exactly the accounts the TypeScript twin finds
// under health 1 are liquidated (half, in full below 0.95, in full when the rest would be dust) and their
// collateral is seized on 902 and paid to the keeper there, while a withdrawal made before the crash and
// the seizure never spend the same collateral; stale prices refuse new risk but not the liquidation of a
// clearly unhealthy account; the insurance fund covers a shortfall and past it bad debt is recorded.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, erc20Abi, type Hex, parseEther, parseUnits } from "viem";
import { increaseTime } from "../../src/chain/anvil.js";
import { walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { inboxWithErrorsAbi } from "../../src/contracts/errors.js";
import { ownedTestTokenAbi } from "../../src/contracts/generated/index.js";
import { MARGIN_DEFAULTS } from "../../src/devnet/deploy-margin.js";
import {
  assetId,
  canLiquidate,
  collateralKey,
  getMarginAccount,
  type LiquidateReturnType,
  liquidate,
  liquidationCloseSize,
  liquidationRepayCap,
  OrderCancelledError,
  openPosition,
  proveMessage,
  realisedPnl,
  requestMarginOrder,
  requestWithdrawal,
  seizure,
  valueAccount,
  WAD,
  waitForDelivery,
  withdrawCash,
} from "../../src/sdk/index.js";
import { gasWithHeadroom } from "../../src/sdk/outboxGas.js";
import { rejects } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { type MarginKit, marginKit, type Trader } from "../helpers/margin.js";

const HUB = 901;
const B = 902;
const MAX_REPAY = parseEther("1000000");
const eth = (value: string) => parseEther(value);
const usd = (value: string) => parseUnits(value, 18);

describe("margin engine across rollups", () => {
  let devnet: TestDevnet;
  let kit: MarginKit;
  let keeper: Trader;
  /** Every trader with JUSD collateral on B, for the vault's conservation check. */
  const onB: Trader[] = [];

  before(async () => {
    devnet = await startTestDevnet({ rollups: 2 });
    kit = marginKit(devnet);
    keeper = await kit.trader();
    await kit.giveJusd(keeper.address, HUB, usd("100000"));
  });

  after(async () => {
    await devnet?.stop();
  });

  /** A trader with `deposit` JUSD of collateral on B (credited at the hub) and a long of `size` ETH. */
  const traderOnB = async (deposit: bigint, size: bigint) => {
    const trader = await kit.trader();
    onB.push(trader);
    await kit.giveJusd(trader.address, B, deposit);
    await kit.deposit(trader, B, kit.jusd(B), deposit);
    // Deliveries take a while: push the same prices again so they are fresh for the open.
    await kit.setPrices({});
    if (size !== 0n) await kit.open(kit.wallet(trader.key, HUB), { size });
    return trader;
  };

  /**
   * Liquidates `account` against its JUSD on B, asserting exactly what the twin expects (or a refusal);
   * `stale` names the assets whose price is stale.
   */
  const liquidateAsTwinSays = async (
    account: Address,
    stale: ReadonlySet<Hex> = new Set(),
  ): Promise<LiquidateReturnType | undefined> => {
    const config = await kit.config();
    const held = await kit.account(account);
    const valued = valueAccount(held, config, kit.prices, stale);
    const call = liquidate(kit.wallet(keeper.key, HUB), kit.manifest, {
      account,
      chainId: B,
      maxRepay: MAX_REPAY,
    });
    if (!canLiquidate(valued, config.risk)) {
      await rejects(call, "AccountHealthy");
      return undefined;
    }
    const price = kit.prices.get(assetId("ETH")) as bigint;
    const position = held.positions.get(0) ?? { size: 0n, entryPrice: 0n };
    const closed = liquidationCloseSize(position.size, price, valued.liquidationHealth, config.risk);
    const cash = held.cash + realisedPnl(closed, position.entryPrice, price);
    const cap = cash < 0n ? liquidationRepayCap(-cash, valued.liquidationHealth, config.risk) : 0n;
    const entry = config.collaterals.find((c) => Number(c.chainId) === B && c.token === kit.jusd(B));
    assert.ok(entry);
    const available = held.collateral.get(collateralKey(B, kit.jusd(B))) ?? 0n;
    const expected = seizure(entry, kit.prices.get(entry.asset) as bigint, available, cap);
    const result = await call;
    assert.equal(result.closedSize, closed, "closed size");
    assert.equal(result.repaid, expected.repaid, "repaid");
    assert.equal(result.seized, expected.seized, "seized");
    return result;
  };

  it("lists as priced collateral a devnet test asset only the deployer can mint", async () => {
    const stranger = await kit.trader();
    await rejects(
      kit.wallet(stranger.key, B).writeContract({
        address: kit.margin.testAsset,
        abi: ownedTestTokenAbi,
        functionName: "mint",
        args: [stranger.address, eth("1000000")],
      }),
      "OwnableUnauthorizedAccount",
    );
  });

  it("sends an order's execution with room for a credit that lands between its estimate and its block", async () => {
    const trader = await kit.trader();
    await kit.mintTestAsset(trader.address, HUB, eth("2"));
    await kit.mintTestAsset(trader.address, B, eth("2"));
    await kit.deposit(trader, HUB, kit.margin.testAsset, eth("1"));
    const hub = kit.wallet(trader.key, HUB);
    await requestMarginOrder(hub, kit.manifest, { size: eth("0.5") });
    await kit.setPrices({});
    const execute = { ...kit.engine, functionName: "executeOrder", args: [trader.address, 0n] } as const;
    const estimate = await kit.hub.estimateContractGas({ ...execute, account: hub.account });
    // The relayer credits collateral on 902 meanwhile: the margin check now values one more entry.
    await kit.deposit(trader, B, kit.margin.testAsset, eth("1"));
    const now = await kit.hub.estimateContractGas({ ...execute, account: hub.account });
    assert.ok(now > estimate, `the credit makes the execution dearer (${estimate} → ${now} gas)`);
    // Sent with the stale exact estimate, its trade runs out of gas, and the engine reverts rather than
    // cancel the order (a caller must not cancel an order by starving it) …
    const exact = await hub.writeContract({ ...execute, gas: estimate });
    const receipt = await kit.hub.waitForTransactionReceipt({ hash: exact });
    assert.equal(receipt.status, "reverted");
    assert.equal(
      await kit.hub.readContract({ ...kit.engine, functionName: "pendingOrders", args: [trader.address] }),
      1n,
    );
    // … with the SDK's headroom over that same estimate it lands.
    const roomy = await hub.writeContract({ ...execute, gas: gasWithHeadroom(estimate) });
    await kit.confirm(HUB, roomy);
    assert.equal(
      (await getMarginAccount(kit.manifest, { account: trader.address })).positions[0]?.size,
      eth("0.5"),
    );
  });

  it("credits deposits on 901 and 902 at the hub, each exactly once", async () => {
    const trader = await kit.trader();
    await kit.mintTestAsset(trader.address, HUB, eth("10"));
    await kit.mintTestAsset(trader.address, B, eth("10"));
    const onHub = await kit.deposit(trader, HUB, kit.margin.testAsset, eth("1"));
    assert.equal(onHub, undefined, "a deposit on the hub is credited without a message");
    const messageId = await kit.deposit(trader, B, kit.margin.testAsset, eth("2"));
    assert.ok(messageId);

    assert.equal(await kit.collateralOf(trader.address, HUB, kit.margin.testAsset), eth("1"));
    assert.equal(await kit.collateralOf(trader.address, B, kit.margin.testAsset), eth("2"));
    const expected = valueAccount(await kit.account(trader.address), await kit.config(), kit.prices);
    // 3 ETH x $3,000 x 80 %.
    assert.equal(expected.collateralValue, usd("7200"));
    const onChain = await getMarginAccount(kit.manifest, { account: trader.address });
    assert.equal(onChain.collateralValue, expected.collateralValue);
    assert.equal(onChain.health, expected.health);

    // The deposit's message delivered again, late: the Inbox refuses it, nothing is credited twice.
    const { message, proof } = await proveMessage(kit.manifest, { id: messageId, sourceChainId: B });
    const stranger = await kit.trader();
    await rejects(
      kit.wallet(stranger.key, HUB).writeContract({
        address: rollupOf(kit.manifest, HUB).contracts.inbox,
        abi: inboxWithErrorsAbi,
        functionName: "deliver",
        args: [message, proof],
      }),
      "MessageAlreadyProcessed",
    );
    assert.equal(await kit.collateralOf(trader.address, B, kit.margin.testAsset), eth("2"));

    // Opens with enough margin (2 ETH: $600 initial margin of $7,200) …
    const hub = kit.wallet(trader.key, HUB);
    await kit.open(hub, { size: eth("2") });
    // … and 23 more would need $7,500: refused by name.
    await rejects(kit.open(hub, { size: eth("23") }), "InsufficientMargin");
    const after = await getMarginAccount(kit.manifest, { account: trader.address });
    assert.equal(after.positions[0]?.size, eth("2"));
    assert.equal(after.initialRequirement, usd("600"));
  });

  it("trades by delayed order through the SDK: the fill is the next price; a limit beyond it cancels by name", async () => {
    const trader = await kit.trader();
    await kit.mintTestAsset(trader.address, HUB, eth("2"));
    await kit.deposit(trader, HUB, kit.margin.testAsset, eth("2"));
    const hub = kit.wallet(trader.key, HUB);
    const price = kit.prices.get(assetId("ETH")) as bigint;
    // The next price is 1 % up: a buy limited to the current price is cancelled, nothing changes.
    const up = (price * 101n) / 100n;
    const limited = openPosition(hub, kit.manifest, {
      size: eth("1"),
      limitPrice: price,
      onRequested: () => kit.setPrices({ ETH: up }),
    });
    await assert.rejects(limited, (error) => {
      assert.ok(error instanceof OrderCancelledError, String(error));
      assert.equal(error.refusal, "LimitPrice");
      return true;
    });
    const account = await getMarginAccount(kit.manifest, { account: trader.address });
    assert.deepEqual(account.positions, []);
    assert.equal(account.cash, 0n);
    // Without a limit it fills at that next price, not at the one current when it was requested. The
    // account lists the order meanwhile: waiting, then ready at that price; gone once executed.
    const ordersOf = async () => (await getMarginAccount(kit.manifest, { account: trader.address })).orders;
    const fill = await openPosition(hub, kit.manifest, {
      size: eth("1"),
      onRequested: async () => {
        const [waiting] = await ordersOf();
        assert.deepEqual([waiting?.marketId, waiting?.sizeDelta, waiting?.ready], [0, eth("1"), false]);
        await kit.setPrices({ ETH: price });
        const [ready] = await ordersOf();
        assert.deepEqual([ready?.ready, ready?.price], [true, price]);
      },
    });
    assert.deepEqual([fill.size, fill.price], [eth("1"), price]);
    assert.deepEqual(await ordersOf(), []);
    await kit.close(hub);
  });

  it("lets only one of two withdrawals racing on two rollups through when both exceed the free collateral", async () => {
    const racer = await kit.trader();
    for (const chainId of [HUB, B]) {
      await kit.mintTestAsset(racer.address, chainId, eth("5"));
      await kit.deposit(racer, chainId, kit.margin.testAsset, eth("5"));
    }
    // $24,000 of margin; long 20 ETH needs $6,000: $18,000 (7.5 test ETH) is free.
    const hub = kit.wallet(racer.key, HUB);
    await kit.open(hub, { size: eth("20") });
    // Both requests are signed before either is mined (fixed gas, no estimate), from their own wallet.
    const racing = walletClientFor(rollupOf(kit.manifest, HUB), racer.key);
    const nonce = await kit.hub.getTransactionCount({ address: racer.address, blockTag: "pending" });
    const hashes = await Promise.all(
      [HUB, B].map((chainId, i) =>
        racing.writeContract({
          ...kit.engine,
          functionName: "requestWithdrawal",
          args: [BigInt(chainId), kit.margin.testAsset, eth("5"), racer.address],
          gas: 1_000_000n,
          nonce: nonce + i,
        }),
      ),
    );
    const receipts = await Promise.all(hashes.map((hash) => kit.hub.waitForTransactionReceipt({ hash })));
    assert.deepEqual(
      receipts.map((receipt) => receipt.status),
      ["success", "reverted"],
      "the first request wins, the second finds the free collateral gone",
    );
    const left = await getMarginAccount(kit.manifest, { account: racer.address });
    assert.ok(left.equity >= BigInt(left.initialRequirement));
    assert.equal(await kit.collateralOf(racer.address, HUB, kit.margin.testAsset), 0n);
    assert.equal(await kit.collateralOf(racer.address, B, kit.margin.testAsset), eth("5"));
    // The loser's request, made again, is refused by name.
    await rejects(
      requestWithdrawal(hub, kit.manifest, { chainId: B, token: kit.margin.testAsset, amount: eth("5") }),
      "InsufficientMargin",
    );
    await kit.close(hub);
  });

  it("liquidates exactly the accounts under 1 after a 30 % crash, seizing on 902, never what a withdrawal took", async () => {
    // Longs of ETH with JUSD on B; at $2,100 their healths are (twin) about: safe 36.7, partial 0.97,
    // full 0.76, dust 0.97 (its other half would be $84 of dust), borderline 1.05, and the withdrawer
    // is under water.
    const safe = await traderOnB(usd("5000"), eth("1"));
    const partial = await traderOnB(usd("10548"), eth("10"));
    const full = await traderOnB(usd("10316"), eth("10"));
    const dust = await traderOnB(usd("84.4"), eth("0.08"));
    const borderline = await traderOnB(usd("10632"), eth("10"));
    const withdrawer = await traderOnB(usd("2000"), eth("2"));
    // Just before the crash, the withdrawer takes all the initial margin allows ($1,300 of value).
    const withdrawal = await requestWithdrawal(kit.wallet(withdrawer.key, HUB), kit.manifest, {
      chainId: B,
      amount: usd("1368"),
    });
    assert.ok(withdrawal.messageId);

    await kit.setPrices({ ETH: usd("2100") });
    // After the crash nothing more leaves: the engine debited the withdrawal before the crash, and now
    // refuses another.
    await rejects(
      requestWithdrawal(kit.wallet(withdrawer.key, HUB), kit.manifest, { chainId: B, amount: usd("1") }),
      "InsufficientMargin",
    );

    const config = await kit.config();
    const accounts = { safe, partial, full, dust, borderline, withdrawer };
    const expectedUnder = new Set<string>();
    for (const [name, trader] of Object.entries(accounts)) {
      const valued = valueAccount(await kit.account(trader.address), config, kit.prices);
      if (canLiquidate(valued, config.risk)) expectedUnder.add(name);
    }
    assert.deepEqual([...expectedUnder].sort(), ["dust", "full", "partial", "withdrawer"]);

    const keeperOnB = await kit.balance(B, kit.jusd(B), keeper.address);
    const badDebtBefore = await kit.hub.readContract({ ...kit.engine, functionName: "badDebt" });
    const results = new Map<string, LiquidateReturnType | undefined>();
    for (const [name, trader] of Object.entries(accounts)) {
      results.set(name, await liquidateAsTwinSays(trader.address));
      assert.equal(results.get(name) !== undefined, expectedUnder.has(name), name);
    }
    // Half of the partial account's 10 ETH; all of the others'.
    assert.equal(results.get("partial")?.closedSize, eth("5"));
    assert.equal(results.get("full")?.closedSize, eth("10"));
    assert.equal(results.get("dust")?.closedSize, eth("0.08"));
    // Once half is closed the partial account is healthy again: a second keeper is refused.
    await rejects(
      liquidate(kit.wallet(keeper.key, HUB), kit.manifest, {
        account: partial.address,
        chainId: B,
        maxRepay: 1n,
      }),
      "AccountHealthy",
    );

    // The seizures are paid to the keeper by the vault on 902.
    let seized = 0n;
    for (const result of results.values()) {
      if (!result?.messageId) continue;
      seized += result.seized;
      const delivered = await waitForDelivery(kit.manifest, { id: result.messageId, timeoutMs: 90_000 });
      assert.equal(delivered.status, "delivered");
    }
    assert.equal(await kit.balance(B, kit.jusd(B), keeper.address), keeperOnB + seized);

    // The withdrawer's withdrawal is paid too; it and the seizure never overlapped: the seizure took only
    // what was left, and the shortfall beyond it is recorded as bad debt (the insurance fund is empty).
    await waitForDelivery(kit.manifest, { id: withdrawal.messageId, timeoutMs: 90_000 });
    assert.equal(await kit.balance(B, kit.jusd(B), withdrawer.address), usd("1368"));
    assert.equal(results.get("withdrawer")?.seized, usd("632"));
    const shortfall = -(
      realisedPnl(eth("2"), usd("3000"), usd("2100")) + (results.get("withdrawer")?.repaid ?? 0n)
    );
    assert.equal(
      await kit.hub.readContract({ ...kit.engine, functionName: "badDebt" }),
      badDebtBefore + shortfall,
    );
    assert.equal((await getMarginAccount(kit.manifest, { account: withdrawer.address })).cash, 0n);

    // Conservation on 902: the vault holds exactly what the hub credits there (nothing is in flight).
    let credited = 0n;
    for (const trader of onB) credited += await kit.collateralOf(trader.address, B, kit.jusd(B));
    assert.equal(await kit.balance(B, kit.jusd(B), kit.margin.vault), credited);
  });

  it("refuses new risk on stale prices, and liquidates only clearly unhealthy accounts until they are fresh", async () => {
    // Opened at $2,100; after a 7 % fall to $1,953 their healths are about 0.95 and 0.85.
    const shaky = await traderOnB(usd("2524"), eth("10"));
    const sinking = await traderOnB(usd("2421"), eth("10"));
    await kit.setPrices({ ETH: usd("1953") });
    const config = await kit.config();
    const health = async (trader: Trader) =>
      valueAccount(await kit.account(trader.address), config, kit.prices).health;
    const shakyHealth = await health(shaky);
    const sinkingHealth = await health(sinking);
    assert.ok(shakyHealth < WAD && shakyHealth >= config.risk.staleLiquidationHealth, `shaky ${shakyHealth}`);
    assert.ok(sinkingHealth < config.risk.staleLiquidationHealth, `sinking ${sinkingHealth}`);

    await increaseTime(rollupOf(kit.manifest, HUB), MARGIN_DEFAULTS.priceMaxAge + 1);
    // ETH's feeder stops; the settlement token's goes on, so the JUSD collateral keeps its value (stale
    // collateral would count for nothing in a liquidation, and could not be seized).
    await kit.setPrices({}, ["USD"]);
    const staleEth = new Set([assetId("ETH")]);
    const fresh = await kit.trader();
    await kit.mintTestAsset(fresh.address, HUB, eth("1"));
    await kit.deposit(fresh, HUB, kit.margin.testAsset, eth("1"));
    await rejects(kit.open(kit.wallet(fresh.key, HUB), { size: eth("0.1") }), "StalePrice");
    // With no position and no debt, a withdrawal needs no price at all.
    await requestWithdrawal(kit.wallet(fresh.key, HUB), kit.manifest, {
      chainId: HUB,
      token: kit.margin.testAsset,
      amount: eth("1"),
    });
    // A position may not be reduced at a stale price either (it would be a free option on the real one).
    await rejects(kit.close(kit.wallet(shaky.key, HUB)), "StalePrice");

    // On stale prices only the clearly unhealthy account is liquidated.
    assert.equal(await liquidateAsTwinSays(shaky.address, staleEth), undefined);
    assert.ok(await liquidateAsTwinSays(sinking.address, staleEth));
    // Fresh again, the other one is liquidated too.
    await kit.setPrices({ ETH: usd("1953") });
    assert.ok(await liquidateAsTwinSays(shaky.address));
  });

  it("covers a shortfall from the insurance fund, and records bad debt past it", async () => {
    const funder = kit.wallet(kit.manifest.accounts.user.privateKey, HUB);
    const read = async () => ({
      fund: await kit.hub.readContract({ ...kit.engine, functionName: "insuranceFund" }),
      badDebt: await kit.hub.readContract({ ...kit.engine, functionName: "badDebt" }),
    });
    const approve = await funder.writeContract({
      address: kit.jusd(HUB),
      abi: erc20Abi,
      functionName: "approve",
      args: [kit.margin.engine, usd("1000")],
    });
    await kit.confirm(HUB, approve);
    await kit.confirm(
      HUB,
      await funder.writeContract({ ...kit.engine, functionName: "fundInsurance", args: [usd("1000")] }),
    );
    const small = await traderOnB(usd("300.2"), eth("1"));
    const large = await traderOnB(usd("1000"), eth("4"));
    const start = await read();
    assert.equal(start.fund, usd("1000"));

    // ETH falls another 30 %: both accounts are under water and liquidated in full.
    await kit.setPrices({ ETH: usd("1367.1") });
    const price = usd("1367.1");
    const shortfallOf = async (trader: Trader, size: bigint) => {
      const result = await liquidateAsTwinSays(trader.address);
      assert.ok(result);
      assert.equal(result.closedSize, size);
      return -(realisedPnl(size, usd("1953"), price) + result.repaid);
    };
    const smallShortfall = await shortfallOf(small, eth("1"));
    assert.ok(smallShortfall > 0n && smallShortfall < start.fund);
    const afterSmall = await read();
    assert.equal(afterSmall.fund, start.fund - smallShortfall);
    assert.equal(afterSmall.badDebt, start.badDebt);

    const largeShortfall = await shortfallOf(large, eth("4"));
    assert.ok(largeShortfall > afterSmall.fund);
    const afterLarge = await read();
    assert.equal(afterLarge.fund, 0n);
    assert.equal(afterLarge.badDebt, start.badDebt + largeShortfall - afterSmall.fund);
    for (const trader of [small, large]) {
      const account = await getMarginAccount(kit.manifest, { account: trader.address });
      assert.equal(account.cash, 0n);
      assert.deepEqual(account.positions, []);
      assert.deepEqual(account.collateral, []);
    }
  });

  it("pays realised profit out in JUSD at the hub, from what losers repaid, never the insurance fund", async () => {
    const winner = await traderOnB(usd("1000"), eth("1"));
    await kit.setPrices({ ETH: usd("1500") });
    await kit.close(kit.wallet(winner.key, HUB));
    // Long 1 ETH from $1,367.1 to $1,500.
    const profit = realisedPnl(eth("1"), usd("1367.1"), usd("1500"));
    assert.equal((await getMarginAccount(kit.manifest, { account: winner.address })).cash, profit);
    const read = (functionName: "insuranceFund" | "freeSettlement") =>
      kit.hub.readContract({ ...kit.engine, functionName });
    const [fund, free] = [await read("insuranceFund"), await read("freeSettlement")];
    assert.ok(free >= profit, `the liquidations' repayments back the profit (${free})`);
    const before = await kit.balance(HUB, kit.jusd(HUB), winner.address);
    await withdrawCash(kit.wallet(winner.key, HUB), kit.manifest, { amount: profit });
    assert.equal(await kit.balance(HUB, kit.jusd(HUB), winner.address), before + profit);
    assert.equal((await getMarginAccount(kit.manifest, { account: winner.address })).cash, 0n);
    assert.equal(await read("insuranceFund"), fund);
    assert.equal(await read("freeSettlement"), free - profit);
    await rejects(
      withdrawCash(kit.wallet(winner.key, HUB), kit.manifest, { amount: 1n }),
      "InsufficientCash",
    );
  });
});
