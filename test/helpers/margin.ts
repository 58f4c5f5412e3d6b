// Test helpers for the margin engine on a devnet: funded traders with collateral on any rollup, prices
// pushed by the devnet's feeder, trades by delayed order with the price an order waits for pushed by the kit, and an account read back in the shape of the TypeScript twin, so a test
// computes what it expects with src/protocol/margin.ts.
import { type Address, erc20Abi, type Hex } from "viem";
import { type JunctionWalletClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { ownedTestTokenAbi } from "../../src/contracts/generated/index.js";
import { MARGIN_DEFAULTS } from "../../src/devnet/deploy-margin.js";
import {
  assetId,
  type ClosePositionParameters,
  type CollateralConfig,
  closePosition,
  collateralKey,
  depositCollateral,
  engineAbi,
  type MarginAccount,
  type MarketConfig,
  type OpenPositionParameters,
  openPosition,
  oracleAbi,
  type RiskParams,
  waitForDelivery,
} from "../../src/sdk/index.js";
import { fundedKey } from "./chain.js";
import type { TestDevnet } from "./devnet.js";

export type Trader = { key: Hex; address: Address };

export function marginKit(devnet: TestDevnet) {
  const manifest = devnet.manifest;
  const margin = manifest.margin;
  const hubId = margin.hubChainId;
  const wallets = new Map<string, JunctionWalletClient>();
  const wallet = (key: Hex, chainId: number) => {
    const id = `${key}:${chainId}`;
    let found = wallets.get(id);
    if (!found) {
      found = walletClientFor(rollupOf(manifest, chainId), key);
      wallets.set(id, found);
    }
    return found;
  };
  const client = (chainId: number) => publicClientFor(rollupOf(manifest, chainId));
  const hub = client(hubId);
  const engine = { address: margin.engine, abi: engineAbi } as const;
  const jusd = (chainId: number) => rollupOf(manifest, chainId).contracts.bridgedToken;
  const prices = new Map<Hex, bigint>([
    [assetId("ETH"), MARGIN_DEFAULTS.prices.ETH],
    [assetId("USD"), MARGIN_DEFAULTS.prices.USD],
  ]);

  const confirm = async (chainId: number, hash: Hex) => {
    const receipt = await client(chainId).waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`tx ${hash} on ${chainId} reverted`);
  };

  const kit = {
    manifest,
    margin,
    hubId,
    wallet,
    client,
    hub,
    engine,
    jusd,
    prices,
    confirm,

    /** A fresh funded key. */
    trader: async (): Promise<Trader> => fundedKey(manifest),

    /** Sends `amount` JUSD on `chainId` to `to`: from the user on the hub, from the filler elsewhere. */
    giveJusd: async (to: Address, chainId: number, amount: bigint) => {
      const from = chainId === hubId ? manifest.accounts.user : manifest.accounts.filler;
      const hash = await wallet(from.privateKey, chainId).writeContract({
        address: jusd(chainId),
        abi: erc20Abi,
        functionName: "transfer",
        args: [to, amount],
      });
      await confirm(chainId, hash);
    },

    /** Mints the devnet's test ETH as the deployer, the only account that may. */
    mintTestAsset: async (to: Address, chainId: number, amount: bigint) => {
      const hash = await wallet(manifest.accounts.deployer.privateKey, chainId).writeContract({
        address: margin.testAsset,
        abi: ownedTestTokenAbi,
        functionName: "mint",
        args: [to, amount],
      });
      await confirm(chainId, hash);
    },

    balance: (chainId: number, token: Address, owner: Address) =>
      client(chainId).readContract({
        address: token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [owner],
      }),

    /** Deposits and waits until the hub credited it. */
    deposit: async (trader: Trader, chainId: number, token: Address, amount: bigint) => {
      const { messageId } = await depositCollateral(wallet(trader.key, chainId), manifest, { token, amount });
      if (messageId) {
        const delivered = await waitForDelivery(manifest, { id: messageId, timeoutMs: 90_000 });
        if (delivered.status !== "delivered") throw new Error(`deposit ${messageId} ${delivered.status}`);
      }
      return messageId;
    },

    /**
     * Sets prices at the hub as the devnet's feeder (also refreshes them: they are fresh again), for every
     * asset or only those `only` names.
     */
    setPrices: async (next: Partial<Record<"ETH" | "USD", bigint>>, only?: readonly ("ETH" | "USD")[]) => {
      for (const [symbol, price] of Object.entries(next)) prices.set(assetId(symbol), price as bigint);
      const assets = only ? only.map((symbol) => assetId(symbol)) : [...prices.keys()];
      const hash = await wallet(manifest.accounts.deployer.privateKey, hubId).writeContract({
        address: margin.oracle,
        abi: oracleAbi,
        functionName: "setPrices",
        args: [assets, assets.map((asset) => prices.get(asset) as bigint)],
        // An estimate in the same second as the last update undercounts the slot write: fixed gas.
        gas: 300_000n,
      });
      await confirm(hubId, hash);
    },

    /**
     * Trades like `openPosition` / `closePosition` (delayed orders) where no price agent runs: once the
     * order is requested, the kit's prices are pushed again in a later block (what the devnet's price
     * agent does on its own), and the SDK executes the order at them.
     */
    open: (wallet: JunctionWalletClient, params: OpenPositionParameters) =>
      openPosition(wallet, manifest, { ...params, onRequested: () => kit.setPrices({}) }),
    close: (wallet: JunctionWalletClient, params: ClosePositionParameters = {}) =>
      closePosition(wallet, manifest, { ...params, onRequested: () => kit.setPrices({}) }),

    /** The engine's configuration, in the twin's shapes. */
    config: async (): Promise<{
      collaterals: CollateralConfig[];
      markets: MarketConfig[];
      risk: RiskParams;
    }> => {
      const [collaterals, markets, risk] = await Promise.all([
        hub.readContract({ ...engine, functionName: "collaterals" }),
        hub.readContract({ ...engine, functionName: "markets" }),
        hub.readContract({ ...engine, functionName: "riskParams" }),
      ]);
      const [fullLiquidationHealth, staleLiquidationHealth, dustFloor] = risk;
      return {
        collaterals: [...collaterals],
        markets: [...markets],
        risk: { fullLiquidationHealth, staleLiquidationHealth, dustFloor },
      };
    },

    /** The account as the engine holds it, in the twin's shape. */
    account: async (owner: Address): Promise<MarginAccount> => {
      const { collaterals, markets } = await kit.config();
      const collateral = new Map<string, bigint>();
      for (const entry of collaterals) {
        const amount = await hub.readContract({
          ...engine,
          functionName: "collateralOf",
          args: [owner, entry.chainId, entry.token],
        });
        collateral.set(collateralKey(entry.chainId, entry.token), amount);
      }
      const positions = new Map<number, { size: bigint; entryPrice: bigint }>();
      for (const marketId of markets.keys()) {
        positions.set(
          marketId,
          await hub.readContract({ ...engine, functionName: "positionOf", args: [owner, BigInt(marketId)] }),
        );
      }
      const cash = await hub.readContract({ ...engine, functionName: "cashOf", args: [owner] });
      return { collateral, cash, positions };
    },

    collateralOf: (owner: Address, chainId: number, token: Address) =>
      hub.readContract({ ...engine, functionName: "collateralOf", args: [owner, BigInt(chainId), token] }),
  };
  return kit;
}

export type MarginKit = ReturnType<typeof marginKit>;
