// The health formula's TypeScript twin (src/protocol/margin.ts) against the MarginEngine on a real anvil
// node, on random inputs: after every step of a random sequence of deposits (three collaterals with
// different decimals, haircuts and bonuses), trades in two markets and price moves, every account's
// on-chain valuation equals the twin's to the wei, and a liquidation attempt on a random account is
// refused exactly when the twin says it is healthy and otherwise closes, repays and seizes exactly what
// the twin computes. Everything lives on one chain, so the vault pays seizures at once.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, getContractAddress, type Hex, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type AnvilNode, setBalance, startAnvil } from "../../src/chain/anvil.js";
import { type JunctionPublicClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { freePort } from "../../src/chain/ports.js";
import { revertName } from "../../src/chain/revert.js";
import {
  collateralVaultAbi,
  collateralVaultBytecode,
  marginEngineAbi,
  marginEngineBytecode,
  priceOracleAbi,
  priceOracleBytecode,
  testTokenAbi,
  testTokenBytecode,
} from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { seededRandom } from "../../src/protocol/prng.js";
import {
  assetId,
  type CollateralConfig,
  collateralKey,
  engineAbi,
  isLiquidatable,
  liquidationCloseSize,
  liquidationRepayCap,
  type MarginAccount,
  type MarketConfig,
  mustClosePosition,
  type RiskParams,
  realisedPnl,
  seizure,
  valueAccount,
  WAD,
} from "../../src/sdk/index.js";
import { tradeByOrder } from "../helpers/margin-local.js";

const CHAIN_ID = 901;
const STEPS = 200;

describe("MarginEngine: the TypeScript twin on random inputs", () => {
  let node: AnvilNode;
  let client: JunctionPublicClient;
  const deployerKey = devnetAccounts().deployer.privateKey;

  before(async () => {
    node = await startAnvil({ chainId: CHAIN_ID, port: await freePort(), blockTime: 0 });
    client = publicClientFor(node);
  });

  after(async () => {
    await node?.stop();
  });

  it("values accounts and liquidates exactly as the twin computes", async () => {
    const random = seededRandom(Number(process.env.MARGIN_SEED ?? 3));
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
    const deployer = walletClientFor(node, deployerKey);
    const mined = async (hash: Promise<Hex>) => {
      const receipt = await client.waitForTransactionReceipt({ hash: await hash });
      assert.equal(receipt.status, "success");
      return receipt;
    };
    const deploy = async (abi: never, bytecode: Hex, args: readonly unknown[]) =>
      (await mined(deployer.deployContract({ abi, bytecode, args } as never))).contractAddress as Address;

    const from = deployer.account.address;
    const nonce = await client.getTransactionCount({ address: from });
    const tokens: Address[] = [];
    for (let i = 0; i < 4; i++) tokens.push(await deploy(testTokenAbi as never, testTokenBytecode, []));
    const settlement = tokens[3] as Address;
    const oracle = await deploy(priceOracleAbi as never, priceOracleBytecode, [from, 3600n]);
    const engineAt = getContractAddress({ from, nonce: BigInt(nonce + 6) });
    // The deployer stands in for the Outbox and the Inbox: every payout here is on this chain.
    const vault = await deploy(collateralVaultAbi as never, collateralVaultBytecode, [
      from,
      from,
      from,
      BigInt(CHAIN_ID),
      engineAt,
    ]);
    const engine = await deploy(marginEngineAbi as never, marginEngineBytecode, [
      from,
      from,
      from,
      oracle,
      vault,
      settlement,
    ]);
    assert.equal(engine.toLowerCase(), engineAt.toLowerCase());

    const symbols = ["ETH", "BTC", "USD"] as const;
    const prices = new Map<Hex, bigint>([
      [assetId("ETH"), parseEther("3000")],
      [assetId("BTC"), parseEther("60000")],
      [assetId("USD"), parseEther("1")],
    ]);
    const collaterals: CollateralConfig[] = [
      {
        chainId: BigInt(CHAIN_ID),
        token: tokens[0] as Address,
        asset: assetId("ETH"),
        decimals: 18,
        haircutBps: 8_000,
        bonusBps: 1_000,
      },
      {
        chainId: BigInt(CHAIN_ID),
        token: tokens[1] as Address,
        asset: assetId("BTC"),
        decimals: 8,
        haircutBps: 7_500,
        bonusBps: 1_200,
      },
      {
        chainId: BigInt(CHAIN_ID),
        token: tokens[2] as Address,
        asset: assetId("USD"),
        decimals: 6,
        haircutBps: 9_500,
        bonusBps: 500,
      },
    ];
    const markets: MarketConfig[] = [
      { asset: assetId("ETH"), initialMarginBps: 1_000, maintenanceMarginBps: 500, enabled: true },
      { asset: assetId("BTC"), initialMarginBps: 2_000, maintenanceMarginBps: 1_000, enabled: true },
    ];
    const risk: RiskParams = {
      fullLiquidationHealth: (95n * WAD) / 100n,
      staleLiquidationHealth: (90n * WAD) / 100n,
      dustFloor: parseEther("100"),
    };
    const write = (address: Address, abi: never, functionName: string, args: readonly unknown[]) =>
      mined(deployer.writeContract({ address, abi, functionName, args } as never));
    await write(oracle, priceOracleAbi as never, "setFeeder", [from, true]);
    // Fixed gas: an estimate made in the same second as the last update undercounts the storage write
    // (the slot's timestamp changes only when the block's does), and the transaction runs out of gas.
    const pushPrices = () =>
      mined(
        deployer.writeContract({
          address: oracle,
          abi: priceOracleAbi,
          functionName: "setPrices",
          args: [[...prices.keys()], [...prices.values()]],
          gas: 500_000n,
        }),
      );
    await pushPrices();
    for (const c of collaterals) {
      await write(vault, collateralVaultAbi as never, "setTokenEnabled", [c.token, true]);
      await write(engine, marginEngineAbi as never, "setCollateral", [
        c.chainId,
        c.token,
        c.asset,
        c.decimals,
        c.haircutBps,
        c.bonusBps,
      ]);
    }
    for (const m of markets) {
      await write(engine, marginEngineAbi as never, "addMarket", [
        m.asset,
        m.initialMarginBps,
        m.maintenanceMarginBps,
      ]);
    }
    await write(engine, marginEngineAbi as never, "setRiskParams", [risk]);

    const traders = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const key = generatePrivateKey();
        const address = privateKeyToAccount(key).address;
        await setBalance(node, address, parseEther("100"));
        const wallet = walletClientFor(node, key);
        for (const token of tokens) {
          await mined(
            wallet.writeContract({
              address: token,
              abi: testTokenAbi,
              functionName: "mint",
              args: [address, 10n ** 30n],
            }),
          );
          for (const spender of [vault, engine]) {
            await mined(
              wallet.writeContract({
                address: token,
                abi: testTokenAbi,
                functionName: "approve",
                args: [spender, 2n ** 255n],
              }),
            );
          }
        }
        return { key, address, wallet };
      }),
    );
    const keeper = traders[0] as (typeof traders)[number];

    const readAccount = async (owner: Address): Promise<MarginAccount> => {
      const e = { address: engine, abi: engineAbi } as const;
      const collateral = new Map<string, bigint>();
      for (const c of collaterals) {
        collateral.set(
          collateralKey(c.chainId, c.token),
          await client.readContract({
            ...e,
            functionName: "collateralOf",
            args: [owner, c.chainId, c.token],
          }),
        );
      }
      const positions = new Map<number, { size: bigint; entryPrice: bigint }>();
      for (const id of markets.keys()) {
        positions.set(
          id,
          await client.readContract({ ...e, functionName: "positionOf", args: [owner, BigInt(id)] }),
        );
      }
      const cash = await client.readContract({ ...e, functionName: "cashOf", args: [owner] });
      return { collateral, cash, positions };
    };
    const config = { collaterals, markets };
    let liquidations = 0;
    let refusals = 0;

    for (let step = 0; step < STEPS; step++) {
      const trader = pick(traders);
      const roll = random();
      if (roll < 0.3) {
        const c = pick(collaterals);
        // Between 0.001 and 2 whole units, in the token's own decimals.
        const amount = (BigInt(Math.floor(random() * 2_000) + 1) * 10n ** BigInt(c.decimals)) / 1000n + 1n;
        await mined(
          trader.wallet.writeContract({
            address: vault,
            abi: collateralVaultAbi,
            functionName: "deposit",
            args: [c.token, amount],
          }),
        );
      } else if (roll < 0.65) {
        const marketId = Math.floor(random() * markets.length);
        // Up to 8 units either way: most accounts trade near their initial margin, some are refused.
        const size = (BigInt(Math.floor(random() * 16_000_000)) - 8_000_000n) * 10n ** 12n;
        if (size === 0n) continue;
        try {
          // Through the engine's delayed orders: requested, a price pushed in a later block, executed.
          await tradeByOrder(client, engine, trader.wallet, deployer, pushPrices, {
            marketId: BigInt(marketId),
            size,
          });
        } catch (error) {
          assert.equal(revertName(error), "InsufficientMargin");
        }
      } else if (roll < 0.85) {
        const symbol = pick(symbols.slice(0, 2));
        const asset = assetId(symbol);
        const move = 0.65 + random() * 0.7;
        prices.set(asset, ((prices.get(asset) as bigint) * BigInt(Math.round(move * 10_000))) / 10_000n);
        await pushPrices();
      } else {
        // Mostly an account the twin finds unhealthy (when there is one), else anyone.
        const unhealthy = [];
        for (const each of traders) {
          const health = valueAccount(await readAccount(each.address), config, prices).health;
          if (isLiquidatable(health, risk)) unhealthy.push(each);
        }
        const target = unhealthy.length > 0 && random() < 0.8 ? pick(unhealthy) : pick(traders);
        const held = await readAccount(target.address);
        const valued = valueAccount(held, config, prices);
        const marketId = pick([0, 1]);
        const c = pick(collaterals);
        const call = keeper.wallet.writeContract({
          address: engine,
          abi: engineAbi,
          functionName: "liquidate",
          args: [target.address, BigInt(marketId), c.chainId, c.token, 10n ** 40n],
        });
        if (!isLiquidatable(valued.health, risk)) {
          await assert.rejects(call, (error) => revertName(error) === "AccountHealthy");
          refusals++;
        } else {
          const position = held.positions.get(marketId) ?? { size: 0n, entryPrice: 0n };
          const price = prices.get((markets[marketId] as MarketConfig).asset) as bigint;
          const closed = liquidationCloseSize(position.size, price, valued.health, risk);
          const cash = held.cash + realisedPnl(closed, position.entryPrice, price);
          const cap = cash < 0n ? liquidationRepayCap(-cash, valued.health, risk) : 0n;
          const expected = seizure(
            c,
            prices.get(c.asset) as bigint,
            held.collateral.get(collateralKey(c.chainId, c.token)) ?? 0n,
            cap,
          );
          if (mustClosePosition(held, marketId)) {
            await assert.rejects(call, (error) => revertName(error) === "MustClosePosition");
          } else if (closed === 0n && (expected.repaid === 0n || expected.seized === 0n)) {
            await assert.rejects(call, (error) => revertName(error) === "NothingToLiquidate");
          } else {
            const receipt = await mined(call);
            const after = await readAccount(target.address);
            const spent =
              (held.collateral.get(collateralKey(c.chainId, c.token)) ?? 0n) -
              (after.collateral.get(collateralKey(c.chainId, c.token)) ?? 0n);
            assert.equal(spent, expected.seized, `step ${step}: seized`);
            assert.equal(after.positions.get(marketId)?.size, position.size - closed, `step ${step}: closed`);
            assert.ok(receipt.logs.length > 0);
            liquidations++;
          }
        }
      }
      for (const each of traders) {
        const held = await readAccount(each.address);
        const state = await client.readContract({
          address: engine,
          abi: engineAbi,
          functionName: "accountState",
          args: [each.address],
        });
        const twin = valueAccount(held, config, prices);
        assert.equal(state.collateralValue, twin.collateralValue, `step ${step}: collateral value`);
        assert.equal(state.pnl, twin.pnl, `step ${step}: pnl`);
        assert.equal(state.equity, twin.equity, `step ${step}: equity`);
        assert.equal(state.initialRequirement, twin.initialRequirement, `step ${step}: initial`);
        assert.equal(state.maintenanceRequirement, twin.maintenanceRequirement, `step ${step}: maintenance`);
        assert.equal(state.health, twin.health, `step ${step}: health`);
      }
    }
    console.log(`margin twin: ${STEPS} steps, ${liquidations} liquidations, ${refusals} refused as healthy`);
    // The default seed (3) liquidates five times; another seed must still exercise both outcomes.
    assert.ok(liquidations > 0 && refusals > 0, "the sequence exercised no liquidation or no refusal");
  });
});
