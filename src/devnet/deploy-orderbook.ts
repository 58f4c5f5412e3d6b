// Deploys the unified order book after the margin engine: an OrderGateway on every rollup at the same
// nonce (so the same address), listing the devnet's market (the margin test ETH priced in JUSD, both at
// one address on every rollup), trusting every other rollup's gateway over the canonical path (pinned with
// chooseVerifier, so a change of the Inbox's default verifier does not change the gateways' trust), and naming
// the devnet's matcher. The deployer mints test ETH to the user on every rollup so orders can be tried.
import { type Address, getContractAddress, type Hex, parseEther } from "viem";
import { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
import type { Manifest, RollupContracts } from "../chain/manifest.js";
import * as artifacts from "../contracts/generated/index.js";
import { DEVNET_MARKET, marketIdOf } from "../protocol/orderbook.js";
import { confirmAll, DeploymentError } from "./deploy-steps.js";

export type OrderbookContracts = NonNullable<Manifest["orderbook"]>;

/** Seconds a fill message stays deliverable on the devnet before its expiry notice releases the leg. */
export const DEVNET_FILL_TTL = 600;
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
  // The margin engine's configuration spent more of the deployer's nonces on the hub: catch the other
  // rollups up with empty transactions, so one nonce (one address) is free everywhere.
  const nonces = await Promise.all(
    options.rollups.map((rollup) => {
      const from = walletClientFor(rollup, deployerKey).account.address;
      return publicClientFor(rollup).getTransactionCount({ address: from, blockTag: "pending" });
    }),
  );
  const target = Math.max(...nonces);
  await Promise.all(
    options.rollups.map((rollup, i) => alignNonce(rollup, deployerKey, nonces[i] as number, target)),
  );
  const gateways = await Promise.all(
    options.rollups.map((rollup, i) => deployOn(rollup, deployerKey, options, i)),
  );
  const gateway = gateways[0] as Address;
  if (gateways.some((entry) => entry !== gateway)) {
    throw new DeploymentError("the order gateway's address differs between rollups", {
      details: "the deployer's nonce differed; deploy the order book on fresh chains",
    });
  }
  return { gateway, market: DEVNET_MARKET, marketId: marketIdOf(DEVNET_MARKET) };
}

async function alignNonce(endpoint: Endpoint, deployerKey: Hex, from: number, to: number): Promise<void> {
  const wallet = walletClientFor(endpoint, deployerKey);
  const hashes: Hex[] = [];
  for (let nonce = from; nonce < to; nonce++) {
    hashes.push(await wallet.sendTransaction({ to: wallet.account.address, value: 0n, nonce }));
  }
  await confirmAll(
    publicClientFor(endpoint),
    hashes,
    `aligning the deployer's nonce on ${endpoint.chainId} failed`,
  );
}

async function deployOn(
  endpoint: Endpoint,
  deployerKey: Hex,
  options: OrderbookDeployOptions,
  index: number,
): Promise<Address> {
  const client = publicClientFor(endpoint);
  const wallet = walletClientFor(endpoint, deployerKey);
  const from = wallet.account.address;
  const messaging = options.contracts[index] as OrderbookDeployOptions["contracts"][number];
  const nonce = await client.getTransactionCount({ address: from, blockTag: "pending" });
  const gateway = getContractAddress({ from, nonce: BigInt(nonce) });
  const deployHash = await wallet.deployContract({
    abi: artifacts.orderGatewayAbi,
    bytecode: artifacts.orderGatewayBytecode,
    args: [
      from,
      messaging.outbox,
      messaging.inbox,
      options.matcher,
      BigInt(options.fillTtl ?? DEVNET_FILL_TTL),
      BigInt(DEVNET_AUCTION_PERIOD),
      BigInt(DEVNET_REVEAL_PERIOD),
    ],
    nonce,
    gas: 6_000_000n,
  });
  const at = { address: gateway, abi: artifacts.orderGatewayAbi } as const;
  const hashes: Hex[] = [
    deployHash,
    await wallet.writeContract({
      ...at,
      functionName: "listMarket",
      args: [marketIdOf(DEVNET_MARKET), options.testAsset, messaging.bridgedToken],
      nonce: nonce + 1,
      gas: 200_000n,
    }),
  ];
  let next = nonce + 2;
  for (const peer of options.rollups) {
    if (peer.chainId === endpoint.chainId) continue;
    hashes.push(
      await wallet.writeContract({
        ...at,
        functionName: "setPeer",
        args: [BigInt(peer.chainId), true],
        nonce: next++,
        gas: 100_000n,
      }),
      // The canonical path, chosen explicitly (the sequenced devnet re-routes to the sequencer's later).
      await wallet.writeContract({
        ...at,
        functionName: "chooseVerifier",
        args: [BigInt(peer.chainId), messaging.canonicalVerifier],
        nonce: next++,
        gas: 100_000n,
      }),
    );
  }
  hashes.push(
    await wallet.writeContract({
      address: options.testAsset,
      abi: artifacts.ownedTestTokenAbi,
      functionName: "mint",
      args: [options.user, USER_TEST_ETH],
      nonce: next++,
      gas: 100_000n,
    }),
  );
  await confirmAll(client, hashes, `deploying the order gateway on chain ${endpoint.chainId} failed`);
  return gateway;
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
