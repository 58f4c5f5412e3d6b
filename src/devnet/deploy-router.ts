// Deploys the liquidity router on one rollup, right after the messaging contracts (its own factory step,
// so the same addresses on every rollup): one ERC-7683 IntentSettler per trust path, each told its
// path's verifier for every peer and opened to every peer as a destination, and the JUSD LiquidityPool,
// trusting each settler up to a cap, seeded by the deployer as its first LP.
import { type Address, type Hex, isAddressEqual } from "viem";
import { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
import type { RollupContracts } from "../chain/manifest.js";
import * as artifacts from "../contracts/generated/index.js";
import { INTENT_PATHS, type IntentPath, pathId } from "../protocol/intents.js";
import { confirmAll, DeploymentError, DeploymentMismatchError, deployAll } from "./deploy-steps.js";

export type RouterContracts = Pick<RollupContracts, "settlers" | "liquidityPool">;

export type RouterDeployOptions = {
  messaging: Pick<
    RollupContracts,
    | "outbox"
    | "inbox"
    | "tokenBridge"
    | "bridgedToken"
    | "canonicalVerifier"
    | "optimisticVerifier"
    | "sequencerVerifier"
    | "zkVerifier"
  >;
  peers: readonly number[];
  /** Seconds each path is expected to take to prove a fill: the orders' settlement terms. */
  repaymentDelays: Record<IntentPath, number>;
  rebalancer: Address;
  /** The pool's least spread, in basis points of an order's output. */
  poolFeeBps: number;
  /** Seconds the pool's fee income takes to reach its share price. */
  profitUnlockPeriod: number;
  /** Most the pool may have out on fills through each path's settler: its exposure to that path. */
  settlerCaps: Record<IntentPath, bigint>;
  /** JUSD the deployer deposits into the pool (it must hold that much here). */
  poolSeed: bigint;
};

export async function deployRouter(
  endpoint: Endpoint,
  deployerKey: Hex,
  {
    messaging,
    peers,
    repaymentDelays,
    rebalancer,
    poolFeeBps,
    profitUnlockPeriod,
    settlerCaps,
    poolSeed,
  }: RouterDeployOptions,
): Promise<RouterContracts> {
  const plan = (_at: Address[], deployer: Address) => [
    ...INTENT_PATHS.map((path) => ({
      abi: artifacts.intentSettlerAbi,
      bytecode: artifacts.intentSettlerBytecode,
      args: [
        deployer,
        messaging.outbox,
        messaging.inbox,
        messaging.tokenBridge,
        pathId(path),
        repaymentDelays[path],
      ],
    })),
    {
      abi: artifacts.liquidityPoolAbi,
      bytecode: artifacts.liquidityPoolBytecode,
      args: [
        messaging.bridgedToken,
        "Junction Dollar pool",
        "jpJUSD",
        messaging.tokenBridge,
        deployer,
        poolFeeBps,
        profitUnlockPeriod,
      ],
    },
  ];
  const configure = (at: Address[]) =>
    configureRouter(endpoint, deployerKey, at, { messaging, peers, rebalancer, settlerCaps, poolSeed });
  // A re-run reads back the role `configure` gave: the pool's rebalancer.
  const check = async (at: Address[]) => {
    const current = await publicClientFor(endpoint).readContract({
      address: at[4] as Address,
      abi: artifacts.liquidityPoolAbi,
      functionName: "rebalancer",
    });
    if (!isAddressEqual(current, rebalancer)) {
      throw new DeploymentMismatchError(
        `router on chain ${endpoint.chainId}: the pool's rebalancer is ${current}, the config's ${rebalancer}`,
        { details: "change it with the owner's LiquidityPool.setRebalancer(rebalancer), then re-run" },
      );
    }
  };
  const { addresses } = await deployAll(endpoint, deployerKey, "router", plan, configure, check);
  const [canonical, optimistic, sequencer, zk, liquidityPool] = addresses;
  if (!canonical || !optimistic || !sequencer || !zk || !liquidityPool) {
    throw new DeploymentError(`expected 5 router contracts, deployed ${addresses.length}`);
  }
  return { settlers: { canonical, optimistic, sequencer, zk }, liquidityPool };
}

async function configureRouter(
  endpoint: Endpoint,
  deployerKey: Hex,
  [canonical, optimistic, sequencer, zk, liquidityPool]: Address[],
  {
    messaging,
    peers,
    rebalancer,
    settlerCaps,
    poolSeed,
  }: Pick<RouterDeployOptions, "messaging" | "peers" | "rebalancer" | "settlerCaps" | "poolSeed">,
): Promise<void> {
  if (!canonical || !optimistic || !sequencer || !zk || !liquidityPool) {
    throw new DeploymentError("expected 5 router contracts");
  }
  const settlers = { canonical, optimistic, sequencer, zk };
  const wallet = walletClientFor(endpoint, deployerKey);
  // The canonical settler names the canonical verifier too, rather than follow the Inbox's default.
  const verifiers: Record<IntentPath, Address> = {
    canonical: messaging.canonicalVerifier,
    optimistic: messaging.optimisticVerifier,
    sequencer: messaging.sequencerVerifier,
    zk: messaging.zkVerifier,
  };
  const hashes: Hex[] = [];
  for (const path of INTENT_PATHS) {
    for (const peer of peers) {
      hashes.push(
        await wallet.writeContract({
          address: settlers[path],
          abi: artifacts.intentSettlerAbi,
          functionName: "chooseVerifier",
          args: [BigInt(peer), verifiers[path]],
        }),
        await wallet.writeContract({
          address: settlers[path],
          abi: artifacts.intentSettlerAbi,
          functionName: "enableDestination",
          args: [BigInt(peer), true],
        }),
      );
    }
    hashes.push(
      await wallet.writeContract({
        address: liquidityPool,
        abi: artifacts.liquidityPoolAbi,
        functionName: "setSettlerCap",
        args: [settlers[path], settlerCaps[path]],
      }),
    );
  }
  hashes.push(
    await wallet.writeContract({
      address: liquidityPool,
      abi: artifacts.liquidityPoolAbi,
      functionName: "setRebalancer",
      args: [rebalancer],
    }),
  );
  // The seed is deposited once: a run that stopped during this configuration finds shares and skips it.
  const shares = await publicClientFor(endpoint).readContract({
    address: liquidityPool,
    abi: artifacts.liquidityPoolAbi,
    functionName: "totalSupply",
  });
  if (poolSeed > 0n && shares === 0n) {
    hashes.push(
      await wallet.writeContract({
        address: messaging.bridgedToken,
        abi: artifacts.crosschainTokenAbi,
        functionName: "approve",
        args: [liquidityPool, poolSeed],
      }),
      await wallet.writeContract({
        address: liquidityPool,
        abi: artifacts.liquidityPoolAbi,
        functionName: "deposit",
        args: [poolSeed, wallet.account.address],
        gas: 300_000n,
      }),
    );
  }
  await confirmAll(
    publicClientFor(endpoint),
    hashes,
    `configuring the liquidity router on chain ${endpoint.chainId} failed`,
  );
}
