// Deploys the cross-rollup margin engine after everything else: on every rollup, through the "margin"
// step's factory (so the same addresses), a test collateral token (a devnet asset priced as ETH that only
// the deployer can mint: never list a token anyone mints) and the CollateralVault; on the hub (the first
// rollup) the PriceOracle and the MarginEngine too, as the factory's third and fourth contracts, so the
// vault names one engine address everywhere.
// Then the hub lists every rollup's JUSD and test token as collateral, opens the ETH perpetual and
// prices both assets; each vault enables both tokens and trusts the hub over the canonical path.
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
import type { Manifest, RollupContracts } from "../chain/manifest.js";
import * as artifacts from "../contracts/generated/index.js";
import { assetId, WAD } from "../protocol/margin.js";
import { confirmAll, DeploymentError, deployAll, factoryAddress, plannedAddress } from "./deploy-steps.js";

export type MarginContracts = NonNullable<Manifest["margin"]>;

/** The devnet's margin settings; every health is 18-decimal (1e18 = 1.0), every USD amount too. */
export const MARGIN_DEFAULTS = {
  /** Seconds after which a price is stale. */
  priceMaxAge: 300,
  prices: { ETH: 3_000n * WAD, USD: WAD },
  /** ETH-PERP: 10 % initial (10x), 5 % maintenance. */
  market: { asset: "ETH", initialMarginBps: 1_000, maintenanceMarginBps: 500 },
  /** JUSD counts 95 % with a 5 % bonus; the test ETH 80 % with 10 % (haircut x (1 + bonus) <= 1). */
  jusd: { asset: "USD", decimals: 18, haircutBps: 9_500, bonusBps: 500 },
  testAsset: { asset: "ETH", decimals: 18, haircutBps: 8_000, bonusBps: 1_000 },
  risk: {
    fullLiquidationHealth: (95n * WAD) / 100n,
    staleLiquidationHealth: (90n * WAD) / 100n,
    dustFloor: 100n * WAD,
  },
  /**
   * What the engine's messages may pay out of each vault per day (releases and seizures): the most a broken
   * trust path could drain per day. Generous on the devnet; an operator sizes it to the vault's flows.
   */
  releaseCaps: { jusd: 10_000_000n * WAD, testAsset: 10_000n * WAD, period: 86_400 },
  /** Vaults the engine lists collateral for: two tokens each, within the engine's 32 collaterals. */
  maxVaultRollups: 16,
} as const;

export type MarginDeployOptions = {
  rollups: readonly Endpoint[];
  contracts: readonly Pick<RollupContracts, "outbox" | "inbox" | "bridgedToken" | "canonicalVerifier">[];
  /** Who may push prices (the devnet's deployer, which also owns the contracts, and the price agent). */
  feeders: readonly Address[];
};

/** Deploys and configures the margin contracts on every rollup; the first rollup is the hub. */
export async function deployMargin(
  deployerKey: Hex,
  { rollups, contracts, feeders }: MarginDeployOptions,
): Promise<MarginContracts> {
  const hub = rollups[0];
  if (!hub) throw new DeploymentError("the margin engine needs at least one rollup");
  const factory = factoryAddress("margin", privateKeyToAccount(deployerKey).address);
  const margin: MarginContracts = {
    hubChainId: hub.chainId,
    testAsset: plannedAddress(factory, 0),
    vault: plannedAddress(factory, 1),
    oracle: plannedAddress(factory, 2),
    engine: plannedAddress(factory, 3),
  };
  const vaultRollups = rollups.slice(0, MARGIN_DEFAULTS.maxVaultRollups);
  await Promise.all(
    rollups.map((rollup, i) => {
      const messaging = contracts[i] as MarginDeployOptions["contracts"][number];
      const configure = async () => {
        if (rollup.chainId === hub.chainId) {
          await configureHub(hub, deployerKey, margin, vaultRollups, contracts, feeders);
        }
        if (i < vaultRollups.length) await configureVault(rollup, deployerKey, margin, messaging);
      };
      return deployOn(rollup, deployerKey, messaging, margin, configure);
    }),
  );
  return margin;
}

async function deployOn(
  endpoint: Endpoint,
  deployerKey: Hex,
  messaging: MarginDeployOptions["contracts"][number],
  margin: MarginContracts,
  configure: () => Promise<void>,
): Promise<void> {
  const isHub = endpoint.chainId === margin.hubChainId;
  const { addresses } = await deployAll(
    endpoint,
    deployerKey,
    "margin",
    (_at, deployer) => [
      { abi: artifacts.ownedTestTokenAbi, bytecode: artifacts.ownedTestTokenBytecode, args: [deployer] },
      {
        abi: artifacts.collateralVaultAbi,
        bytecode: artifacts.collateralVaultBytecode,
        args: [deployer, messaging.outbox, messaging.inbox, BigInt(margin.hubChainId), margin.engine],
      },
      ...(isHub
        ? [
            {
              abi: artifacts.priceOracleAbi,
              bytecode: artifacts.priceOracleBytecode,
              args: [deployer, BigInt(MARGIN_DEFAULTS.priceMaxAge)],
            },
            {
              abi: artifacts.marginEngineAbi,
              bytecode: artifacts.marginEngineBytecode,
              args: [
                deployer,
                messaging.outbox,
                messaging.inbox,
                margin.oracle,
                margin.vault,
                messaging.bridgedToken,
              ],
            },
          ]
        : []),
    ],
    configure,
  );
  if (addresses[1] !== margin.vault || (isHub && addresses[3] !== margin.engine)) {
    throw new DeploymentError(`margin vault on chain ${endpoint.chainId} is not at its planned address`);
  }
}

async function configureHub(
  hub: Endpoint,
  deployerKey: Hex,
  margin: MarginContracts,
  vaultRollups: readonly Endpoint[],
  contracts: MarginDeployOptions["contracts"],
  feeders: readonly Address[],
): Promise<void> {
  const wallet = walletClientFor(hub, deployerKey);
  const engine = { address: margin.engine, abi: artifacts.marginEngineAbi } as const;
  const oracle = { address: margin.oracle, abi: artifacts.priceOracleAbi } as const;
  const { prices, market, jusd, testAsset, risk } = MARGIN_DEFAULTS;
  const hashes: Hex[] = [];
  for (const feeder of feeders) {
    hashes.push(await wallet.writeContract({ ...oracle, functionName: "setFeeder", args: [feeder, true] }));
  }
  hashes.push(
    await wallet.writeContract({
      ...oracle,
      functionName: "setPrices",
      args: [
        [assetId("ETH"), assetId("USD")],
        [prices.ETH, prices.USD],
      ],
    }),
    await wallet.writeContract({ ...engine, functionName: "setRiskParams", args: [risk] }),
  );
  // Each addMarket adds one more: a run that stopped during this configuration finds it and skips it.
  const markets = await publicClientFor(hub).readContract({ ...engine, functionName: "markets" });
  if (!markets.some((entry) => entry.asset === assetId(market.asset))) {
    hashes.push(
      await wallet.writeContract({
        ...engine,
        functionName: "addMarket",
        args: [assetId(market.asset), market.initialMarginBps, market.maintenanceMarginBps],
      }),
    );
  }
  // A collateral that counts is listed only once its asset has a price: the prices land first.
  await confirmAll(publicClientFor(hub), hashes.splice(0), "pricing the margin assets failed");
  for (const [i, rollup] of vaultRollups.entries()) {
    const chainId = BigInt(rollup.chainId);
    const token = contracts[i]?.bridgedToken as Address;
    for (const [address, entry] of [
      [token, jusd],
      [margin.testAsset, testAsset],
    ] as const) {
      hashes.push(
        await wallet.writeContract({
          ...engine,
          functionName: "setCollateral",
          args: [chainId, address, assetId(entry.asset), entry.decimals, entry.haircutBps, entry.bonusBps],
        }),
      );
    }
    if (rollup.chainId === hub.chainId) continue;
    hashes.push(
      await wallet.writeContract({
        ...engine,
        functionName: "setVaultChain",
        args: [chainId, true, contracts[0]?.canonicalVerifier as Address],
      }),
    );
  }
  await confirmAll(publicClientFor(hub), hashes, "configuring the margin engine on the hub failed");
}

async function configureVault(
  endpoint: Endpoint,
  deployerKey: Hex,
  margin: MarginContracts,
  messaging: MarginDeployOptions["contracts"][number],
): Promise<void> {
  const wallet = walletClientFor(endpoint, deployerKey);
  const vault = { address: margin.vault, abi: artifacts.collateralVaultAbi } as const;
  const hashes: Hex[] = [];
  const { releaseCaps } = MARGIN_DEFAULTS;
  for (const [token, cap] of [
    [messaging.bridgedToken, releaseCaps.jusd],
    [margin.testAsset, releaseCaps.testAsset],
  ] as const) {
    hashes.push(
      await wallet.writeContract({ ...vault, functionName: "setTokenEnabled", args: [token, true] }),
      await wallet.writeContract({
        ...vault,
        functionName: "setReleaseLimit",
        args: [token, cap, BigInt(releaseCaps.period)],
      }),
    );
  }
  if (endpoint.chainId !== margin.hubChainId) {
    hashes.push(
      await wallet.writeContract({
        ...vault,
        functionName: "chooseVerifier",
        args: [BigInt(margin.hubChainId), messaging.canonicalVerifier],
      }),
    );
  }
  await confirmAll(
    publicClientFor(endpoint),
    hashes,
    `configuring the margin vault on chain ${endpoint.chainId} failed`,
  );
}

/**
 * Points every margin message (deposit credits to the hub, releases and seizures to the vaults) at the
 * trust path `verifier` names: the devnet uses the sequencer path when its rollups share a sequencer,
 * so a seizure lands on the collateral's rollup within a superblock or two of the liquidation.
 */
export async function routeMarginMessages(
  rollups: readonly (Endpoint & {
    contracts: Pick<RollupContracts, "canonicalVerifier" | "optimisticVerifier" | "sequencerVerifier">;
  })[],
  deployerKey: Hex,
  margin: MarginContracts,
  verifier: "canonicalVerifier" | "optimisticVerifier" | "sequencerVerifier",
): Promise<void> {
  const hub = rollups.find((rollup) => rollup.chainId === margin.hubChainId);
  if (!hub) throw new DeploymentError(`the margin hub ${margin.hubChainId} is not among the rollups`);
  const engineHashes: Hex[] = [];
  const hubWallet = walletClientFor(hub, deployerKey);
  for (const rollup of rollups.slice(0, MARGIN_DEFAULTS.maxVaultRollups)) {
    if (rollup.chainId === hub.chainId) continue;
    engineHashes.push(
      await hubWallet.writeContract({
        address: margin.engine,
        abi: artifacts.marginEngineAbi,
        functionName: "chooseVerifier",
        args: [BigInt(rollup.chainId), hub.contracts[verifier]],
      }),
    );
    const hash = await walletClientFor(rollup, deployerKey).writeContract({
      address: margin.vault,
      abi: artifacts.collateralVaultAbi,
      functionName: "chooseVerifier",
      args: [BigInt(hub.chainId), rollup.contracts[verifier]],
    });
    await confirmAll(publicClientFor(rollup), [hash], `routing the vault on ${rollup.chainId} failed`);
  }
  await confirmAll(publicClientFor(hub), engineHashes, "routing the margin engine's messages failed");
}
