// The margin engine on one anvil node, for contract tests that need no devnet: the real Outbox and Inbox
// (no verifier proves anything here, so every payout is on this chain), the oracle, the vault (whose hub is
// this chain) and the engine, three collaterals (ETH, OLD and the settlement token JUSD) and two markets
// (ETH, BTC), priced and configured like the devnet. Tokens are TestTokens anyone can mint.
import assert from "node:assert/strict";
import { type Address, getContractAddress, type Hex, parseEther, zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type AnvilNode, setBalance } from "../../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import {
  collateralVaultAbi,
  collateralVaultBytecode,
  inboxAbi,
  inboxBytecode,
  marginEngineAbi,
  marginEngineBytecode,
  outboxAbi,
  outboxBytecode,
  priceOracleAbi,
  priceOracleBytecode,
  testTokenAbi,
  testTokenBytecode,
} from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { assetId, WAD } from "../../src/protocol/margin.js";
import { OrderCancelledError } from "../../src/sdk/errors.js";
import { engineAbi } from "../../src/sdk/marginEngine.js";
import { type OrderOutcome, outcomeIn } from "../../src/sdk/marginOrders.js";

type Wallet = ReturnType<typeof walletClientFor>;

/**
 * A trade through the engine's delayed orders, as a keeper-less test makes it: `trader` requests it,
 * `push` publishes a price in a later block (the prices a test has set, again), `executor` executes it.
 * A cancelled order throws `OrderCancelledError` naming the engine's reason (read by `revertName`).
 */
export async function tradeByOrder(
  client: ReturnType<typeof publicClientFor>,
  engine: Address,
  trader: Wallet,
  executor: Wallet,
  push: () => Promise<unknown>,
  order: { marketId: bigint; size: bigint; limitPrice?: bigint },
): Promise<OrderOutcome & { status: "executed" }> {
  const mined = async (hash: Hex) => {
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    return receipt;
  };
  const contract = { address: engine, abi: engineAbi } as const;
  await mined(
    await trader.writeContract({
      ...contract,
      functionName: "requestOrder",
      args: [order.marketId, order.size, order.limitPrice ?? 0n],
    }),
  );
  await push();
  const receipt = await mined(
    await executor.writeContract({
      ...contract,
      functionName: "executeOrder",
      args: [trader.account.address, order.marketId],
      gas: 2_000_000n,
    }),
  );
  const outcome = outcomeIn(receipt.logs, trader.account.address, order.marketId);
  assert.ok(outcome, "the execution settled the order");
  if (outcome.status === "cancelled") throw new OrderCancelledError(outcome.reason, outcome.txHash);
  return outcome;
}

export const LOCAL_PRICE_MAX_AGE = 3600;

export async function deployLocalMargin(node: AnvilNode) {
  const client = publicClientFor(node);
  const deployer = walletClientFor(node, devnetAccounts().deployer.privateKey);
  const from = deployer.account.address;
  const chainId = BigInt(node.chainId);
  const mined = async (hash: Promise<Hex>) => {
    const receipt = await client.waitForTransactionReceipt({ hash: await hash });
    assert.equal(receipt.status, "success");
    return receipt;
  };
  const deploy = async (abi: unknown, bytecode: Hex, args: readonly unknown[]) =>
    (await mined(deployer.deployContract({ abi, bytecode, args } as never))).contractAddress as Address;

  const eth = await deploy(testTokenAbi, testTokenBytecode, []);
  const old = await deploy(testTokenAbi, testTokenBytecode, []);
  const jusd = await deploy(testTokenAbi, testTokenBytecode, []);
  // The Outbox names its Inbox at creation: the next contract this account creates.
  const plannedInbox = getContractAddress({
    from,
    nonce: BigInt((await client.getTransactionCount({ address: from })) + 1),
  });
  const outbox = await deploy(outboxAbi, outboxBytecode, [from, plannedInbox]);
  // The deployer stands in for the default verifier: nothing is ever proven on this one chain.
  const inbox = await deploy(inboxAbi, inboxBytecode, [from, outbox, from]);
  const oracle = await deploy(priceOracleAbi, priceOracleBytecode, [from, BigInt(LOCAL_PRICE_MAX_AGE)]);
  const nonce = await client.getTransactionCount({ address: from });
  const plannedEngine = getContractAddress({ from, nonce: BigInt(nonce + 1) });
  const vault = await deploy(collateralVaultAbi, collateralVaultBytecode, [
    from,
    outbox,
    inbox,
    chainId,
    plannedEngine,
  ]);
  const engine = await deploy(marginEngineAbi, marginEngineBytecode, [
    from,
    outbox,
    inbox,
    oracle,
    vault,
    jusd,
  ]);
  assert.equal(engine.toLowerCase(), plannedEngine.toLowerCase());

  const asOwner = { account: deployer.account, chain: deployer.chain } as const;
  const engineContract = { address: engine, abi: marginEngineAbi } as const;
  const oracleAt = { address: oracle, abi: priceOracleAbi } as const;
  await mined(
    deployer.writeContract({ ...oracleAt, ...asOwner, functionName: "setFeeder", args: [from, true] }),
  );
  const prices = new Map<Hex, bigint>([
    [assetId("ETH"), parseEther("3000")],
    [assetId("BTC"), parseEther("60000")],
    [assetId("OLD"), parseEther("10")],
    [assetId("USD"), WAD],
  ]);
  /** Pushes `next` (merged into the last prices) for every asset, or only for the assets `only` names. */
  const setPrices = async (next: Partial<Record<"ETH" | "BTC" | "OLD" | "USD", bigint>>, only?: string[]) => {
    for (const [symbol, price] of Object.entries(next)) prices.set(assetId(symbol), price as bigint);
    const assets = only ? only.map((symbol) => assetId(symbol)) : [...prices.keys()];
    await mined(
      deployer.writeContract({
        ...oracleAt,
        ...asOwner,
        functionName: "setPrices",
        args: [assets, assets.map((asset) => prices.get(asset) as bigint)],
        gas: 500_000n,
      }),
    );
  };
  await setPrices({});
  const marketAssets = ["ETH", "BTC"];
  /** A trade by order (see `tradeByOrder`); the deployer pushes the market's price again and executes. */
  const trade = (wallet: Wallet, marketId: bigint, size: bigint, limitPrice = 0n) =>
    tradeByOrder(
      client,
      engine,
      wallet,
      deployer,
      () => setPrices({}, [marketAssets[Number(marketId)] as string]),
      {
        marketId,
        size,
        limitPrice,
      },
    );
  const collaterals = [
    { token: eth, asset: assetId("ETH"), decimals: 18, haircutBps: 8_000, bonusBps: 1_000 },
    { token: old, asset: assetId("OLD"), decimals: 18, haircutBps: 5_000, bonusBps: 1_000 },
    { token: jusd, asset: assetId("USD"), decimals: 18, haircutBps: 9_500, bonusBps: 500 },
  ] as const;
  for (const c of collaterals) {
    await mined(
      deployer.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        ...asOwner,
        functionName: "setTokenEnabled",
        args: [c.token, true],
      }),
    );
    await mined(
      deployer.writeContract({
        ...engineContract,
        ...asOwner,
        functionName: "setCollateral",
        args: [chainId, c.token, c.asset, c.decimals, c.haircutBps, c.bonusBps],
      }),
    );
  }
  for (const [symbol, initial, maintenance] of [
    ["ETH", 1_000, 500],
    ["BTC", 2_000, 1_000],
  ] as const) {
    await mined(
      deployer.writeContract({
        ...engineContract,
        ...asOwner,
        functionName: "addMarket",
        args: [assetId(symbol), initial, maintenance],
      }),
    );
  }
  const risk = {
    fullLiquidationHealth: (95n * WAD) / 100n,
    staleLiquidationHealth: (90n * WAD) / 100n,
    dustFloor: parseEther("100"),
  };
  await mined(
    deployer.writeContract({ ...engineContract, ...asOwner, functionName: "setRiskParams", args: [risk] }),
  );

  /** A funded key holding `mint` of every token, with the vault and the engine approved for all of it. */
  const trader = async (mint = 10n ** 30n) => {
    const key = generatePrivateKey();
    const address = privateKeyToAccount(key).address;
    await setBalance(node, address, parseEther("100"));
    const wallet = walletClientFor(node, key);
    for (const token of [eth, old, jusd]) {
      await mined(
        wallet.writeContract({
          address: token,
          abi: testTokenAbi,
          functionName: "mint",
          args: [address, mint],
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
  };

  const balance = (token: Address, owner: Address) =>
    client.readContract({ address: token, abi: testTokenAbi, functionName: "balanceOf", args: [owner] });

  return {
    client,
    deployer,
    chainId,
    mined,
    eth,
    old,
    jusd,
    outbox,
    inbox,
    oracle,
    vault,
    engine,
    engineContract,
    prices,
    setPrices,
    trade,
    risk,
    trader,
    balance,
    zeroAddress,
  };
}

export type LocalMargin = Awaited<ReturnType<typeof deployLocalMargin>>;
