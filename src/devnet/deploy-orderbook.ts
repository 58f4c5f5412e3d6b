// Deploys the unified order book after the margin engine: an OrderGateway on every rollup through the
// "orderbook" step's factory (so the same address), listing the devnet's market (the margin test ETH priced in JUSD, both at
// one address on every rollup), trusting every other rollup's gateway over the canonical path (pinned with
// chooseVerifier, so a change of the Inbox's default verifier does not change the gateways' trust), and naming
// the devnet's matcher. The deployer mints test ETH to the user on every rollup so orders can be tried.
import { type Address, type Hex, parseEther, zeroAddress } from "viem";
import { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
import type { Manifest, RollupContracts } from "../chain/manifest.js";
import * as artifacts from "../contracts/generated/index.js";
import { DEVNET_MARKET, marketIdOf } from "../protocol/orderbook.js";
import { confirmAll, DeploymentError, deployAll } from "./deploy-steps.js";

export type OrderbookContracts = NonNullable<Manifest["orderbook"]>;

/**
 * Seconds a fill message stays deliverable on the devnet before its expiry notice releases the leg. Short:
 * a cancel completes only `fillTtl + clockSkew` after its request (the gateway derives its `cancelDelay`),
 * and a cross-rollup fill on the canonical or sequencer path lands within seconds (an expired one only
 * releases the taker's leg).
 */
export const DEVNET_FILL_TTL = 300;
/** Most seconds the devnet's rollup clocks may differ (all run on one machine's clock). */
export const DEVNET_CLOCK_SKEW = 30;
/** Seconds from a cancel request until `completeCancel` may pay the escrow back (the gateway's `cancelDelay`). */
export const DEVNET_CANCEL_DELAY = DEVNET_FILL_TTL + DEVNET_CLOCK_SKEW;
/** Seconds of each sealed-order round's commit window, and of the reveal window after it. */
export const DEVNET_AUCTION_PERIOD = 10;
export const DEVNET_REVEAL_PERIOD = 5;
/** Test ETH minted to the devnet's user on every rollup for trying orders. */
export const USER_TEST_ETH = parseEther("100");

export type OrderbookDeployOptions = {
  rollups: readonly Endpoint[];
  contracts: readonly Pick<RollupContracts, "outbox" | "inbox" | "bridgedToken" | "canonicalVerifier">[];
  /** The margin test token (base of the devnet market), at one address on every rollup. */
  testAsset: Address;
  matcher: Address;
  user: Address;
  fillTtl?: number;
};

/** Deploys and configures a gateway on every rollup; throws unless all share one address. */
export async function deployOrderbook(
  deployerKey: Hex,
  options: OrderbookDeployOptions,
): Promise<OrderbookContracts> {
  const gateways = await Promise.all(
    options.rollups.map((rollup, i) => deployOn(rollup, deployerKey, options, i)),
  );
  const gateway = gateways[0] as Address;
  if (gateways.some((entry) => entry !== gateway)) {
    throw new DeploymentError("the order gateway's address differs between rollups");
  }
  return { gateway, market: DEVNET_MARKET, marketId: marketIdOf(DEVNET_MARKET) };
}

async function deployOn(
  endpoint: Endpoint,
  deployerKey: Hex,
  options: OrderbookDeployOptions,
  index: number,
): Promise<Address> {
  const messaging = options.contracts[index] as OrderbookDeployOptions["contracts"][number];
  const { addresses } = await deployAll(
    endpoint,
    deployerKey,
    "orderbook",
    (_at, deployer) => [
      {
        abi: artifacts.orderGatewayAbi,
        bytecode: artifacts.orderGatewayBytecode,
        args: [
          deployer,
          messaging.outbox,
          messaging.inbox,
          options.matcher,
          BigInt(options.fillTtl ?? DEVNET_FILL_TTL),
          BigInt(DEVNET_CLOCK_SKEW),
          BigInt(DEVNET_AUCTION_PERIOD),
          BigInt(DEVNET_REVEAL_PERIOD),
        ],
      },
    ],
    ([gateway]) => configureGateway(endpoint, deployerKey, options, messaging, gateway as Address),
  );
  return addresses[0] as Address;
}

async function configureGateway(
  endpoint: Endpoint,
  deployerKey: Hex,
  options: OrderbookDeployOptions,
  messaging: OrderbookDeployOptions["contracts"][number],
  gateway: Address,
): Promise<void> {
  const wallet = walletClientFor(endpoint, deployerKey);
  const client = publicClientFor(endpoint);
  const at = { address: gateway, abi: artifacts.orderGatewayAbi } as const;
  // A run that stopped during this configuration repeats it: the market (listed once, a second listing
  // reverts) and the user's test ETH (minted once) are skipped when already there.
  const [listed, userBalance] = await Promise.all([
    client.readContract({ ...at, functionName: "markets", args: [marketIdOf(DEVNET_MARKET)] }),
    client.readContract({
      address: options.testAsset,
      abi: artifacts.ownedTestTokenAbi,
      functionName: "balanceOf",
      args: [options.user],
    }),
  ]);
  const hashes: Hex[] = [];
  if (listed[0] === zeroAddress) {
    hashes.push(
      await wallet.writeContract({
        ...at,
        functionName: "listMarket",
        args: [marketIdOf(DEVNET_MARKET), options.testAsset, messaging.bridgedToken],
        gas: 200_000n,
      }),
    );
  }
  for (const peer of options.rollups) {
    if (peer.chainId === endpoint.chainId) continue;
    hashes.push(
      await wallet.writeContract({
        ...at,
        functionName: "setPeer",
        args: [BigInt(peer.chainId), true],
        gas: 100_000n,
      }),
      // The canonical path, chosen explicitly (the sequenced devnet re-routes to the sequencer's later).
      await wallet.writeContract({
        ...at,
        functionName: "chooseVerifier",
        args: [BigInt(peer.chainId), messaging.canonicalVerifier],
        gas: 100_000n,
      }),
    );
  }
  if (userBalance < USER_TEST_ETH) {
    hashes.push(
      await wallet.writeContract({
        address: options.testAsset,
        abi: artifacts.ownedTestTokenAbi,
        functionName: "mint",
        args: [options.user, USER_TEST_ETH],
        gas: 100_000n,
      }),
    );
  }
  await confirmAll(client, hashes, `configuring the order gateway on chain ${endpoint.chainId} failed`);
}

/**
 * Points the gateways' messages (fills, answers, expiry notices) from every peer at the trust path
 * `verifier` names: the devnet uses the sequencer path when its rollups share a sequencer.
 */
export async function routeOrderbookMessages(
  rollups: readonly (Endpoint & {
    contracts: Pick<RollupContracts, "canonicalVerifier" | "sequencerVerifier">;
  })[],
  deployerKey: Hex,
  orderbook: OrderbookContracts,
  verifier: "canonicalVerifier" | "sequencerVerifier",
): Promise<void> {
  await Promise.all(
    rollups.map(async (rollup) => {
      const wallet = walletClientFor(rollup, deployerKey);
      const hashes: Hex[] = [];
      for (const peer of rollups) {
        if (peer.chainId === rollup.chainId) continue;
        hashes.push(
          await wallet.writeContract({
            address: orderbook.gateway,
            abi: artifacts.orderGatewayAbi,
            functionName: "chooseVerifier",
            args: [BigInt(peer.chainId), rollup.contracts[verifier]],
          }),
        );
      }
      await confirmAll(
        publicClientFor(rollup),
        hashes,
        `routing the order gateway on ${rollup.chainId} failed`,
      );
    }),
  );
}
