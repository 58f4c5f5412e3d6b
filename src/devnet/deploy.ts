// Deploys Junction's contracts: the hub on L1, and the same contracts at the same addresses on every
// rollup (each step's contracts created by its CREATE2-placed factory, see deploy-steps.ts, so the
// deployer's nonce does not matter). Transactions are pipelined by nonce, then awaited. A step found
// complete on a chain is verified, not redeployed or reconfigured.
import { type Address, type Hex, isAddressEqual, zeroAddress } from "viem";
import { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
import type { Manifest, OptimisticSettings, RollupContracts, ZkSettings } from "../chain/manifest.js";
import * as artifacts from "../contracts/generated/index.js";
import { buildCommittee } from "../protocol/committee.js";
import { reserveTokens } from "../solvency/assets.js";
import { listedHolders } from "../solvency/reserves.js";
import { solvencyPublisherAccount } from "./accounts.js";
import { deployMargin } from "./deploy-margin.js";
import { deployOrderbook } from "./deploy-orderbook.js";
import { deployRouter, type RouterDeployOptions } from "./deploy-router.js";
import { deploySolvency } from "./deploy-solvency.js";
import { confirmAll, DeploymentError, DeploymentMismatchError, deployAll } from "./deploy-steps.js";

export { DeploymentError } from "./deploy-steps.js";

export type RollupDeployment = { contracts: RollupContracts; deployBlock: number };

export type RollupDeployOptions = {
  /** The account allowed to import global roots. */
  system: Address;
  /** The other rollups: bond changes are broadcast to them, and their attester is registered here. */
  peers: readonly number[];
  attester: Address;
  /** The shared sequencer's key, accepted by the SequencerVerifier. */
  sequencer: Address;
  /** The zk path's genesis committee of every peer: its Poseidon root and threshold. */
  committee: { root: bigint; threshold: number };
  optimistic: OptimisticSettings;
  /** The devnet's bridged token: what is minted at genesis here, to whom. */
  token: { genesis: { holder: Address; amount: bigint }[]; guardian: Address; capPerHour: bigint };
  router: Omit<RouterDeployOptions, "messaging" | "peers">;
};

/** Deploys the rollup contracts and registers the attester for every peer rollup. */
export async function deployRollup(
  endpoint: Endpoint,
  deployerKey: Hex,
  { system, peers, attester, sequencer, committee, optimistic, token, router }: RollupDeployOptions,
): Promise<RollupDeployment> {
  const configure = async (at: Address[]) => {
    const [tokenBridge, bridgedToken] = [at[11] as Address, at[12] as Address];
    await configureBridge(endpoint, deployerKey, { tokenBridge, bridgedToken }, peers, token.capPerHour);
    await configurePaths(
      endpoint,
      deployerKey,
      {
        optimisticVerifier: at[8] as Address,
        optimisticRecorder: at[9] as Address,
        sequencerVerifier: at[13] as Address,
        sequencerRecorder: at[14] as Address,
        zkVerifier: at[16] as Address,
        zkRecorder: at[17] as Address,
      },
      peers,
      { attester, committee },
    );
  };
  // A re-run reads back the roles `configure` gave: the attester and the zk committee of every peer.
  const check = async (at: Address[]) => {
    const client = publicClientFor(endpoint);
    for (const peer of peers) {
      const [isAttester, zkCommittee] = await Promise.all([
        client.readContract({
          address: at[8] as Address,
          abi: artifacts.optimisticVerifierAbi,
          functionName: "isAttester",
          args: [BigInt(peer), attester],
        }),
        client.readContract({
          address: at[16] as Address,
          abi: artifacts.zkVerifierAbi,
          functionName: "committeeOf",
          args: [BigInt(peer)],
        }),
      ]);
      if (!isAttester) {
        throw new DeploymentMismatchError(
          `rollup ${endpoint.chainId}: the config's attester ${attester} is not registered for source ${peer}`,
          {
            details:
              "register it with the owner's OptimisticVerifier.setAttester(source, attester, true) (and remove the old one), then re-run",
          },
        );
      }
      if (zkCommittee.epoch === 0n && zkCommittee.root !== committee.root) {
        throw new DeploymentMismatchError(
          `rollup ${endpoint.chainId}: the zk committee of source ${peer} is not the config's`,
          { details: "a genesis committee is set once; later ones come from committee handovers" },
        );
      }
    }
  };
  const result = await deployAll(
    endpoint,
    deployerKey,
    "messaging",
    (at, deployer) => {
      const [oracle, verifier, outbox, inbox] = [at[0], at[1], at[2], at[3]];
      return [
        { abi: artifacts.globalRootOracleAbi, bytecode: artifacts.globalRootOracleBytecode, args: [system] },
        {
          abi: artifacts.canonicalVerifierAbi,
          bytecode: artifacts.canonicalVerifierBytecode,
          args: [oracle],
        },
        { abi: artifacts.outboxAbi, bytecode: artifacts.outboxBytecode, args: [deployer, inbox] },
        { abi: artifacts.inboxAbi, bytecode: artifacts.inboxBytecode, args: [deployer, outbox, verifier] },
        {
          abi: artifacts.junctionGatewayAbi,
          bytecode: artifacts.junctionGatewayBytecode,
          args: [outbox, inbox],
        },
        {
          abi: artifacts.crossRollupGreeterAbi,
          bytecode: artifacts.crossRollupGreeterBytecode,
          args: [outbox, inbox],
        },
        {
          abi: artifacts.messageRecorderAbi,
          bytecode: artifacts.messageRecorderBytecode,
          args: [inbox, deployer],
        },
        {
          abi: artifacts.bondManagerAbi,
          bytecode: artifacts.bondManagerBytecode,
          args: [deployer, outbox, at[8], BigInt(optimistic.withdrawalDelay), peers.map(BigInt)],
        },
        {
          abi: artifacts.optimisticVerifierAbi,
          bytecode: artifacts.optimisticVerifierBytecode,
          args: [
            deployer,
            inbox,
            at[7],
            BigInt(optimistic.challengeWindow),
            BigInt(optimistic.challengeBond),
            BigInt(optimistic.minBond),
            BigInt(optimistic.settlementTimeout),
            verifier,
          ],
        },
        {
          abi: artifacts.messageRecorderAbi,
          bytecode: artifacts.messageRecorderBytecode,
          args: [inbox, deployer],
        },
        { abi: artifacts.hashedTimelockAbi, bytecode: artifacts.hashedTimelockBytecode, args: [] },
        {
          abi: artifacts.tokenBridgeAbi,
          bytecode: artifacts.tokenBridgeBytecode,
          args: [deployer, outbox, inbox, token.guardian],
        },
        {
          abi: artifacts.crosschainTokenAbi,
          bytecode: artifacts.crosschainTokenBytecode,
          args: [
            "Junction Dollar",
            "JUSD",
            at[11],
            token.genesis.map((entry) => entry.holder),
            token.genesis.map((entry) => entry.amount),
          ],
        },
        {
          abi: artifacts.sequencerVerifierAbi,
          bytecode: artifacts.sequencerVerifierBytecode,
          args: [deployer, at[8], BigInt(optimistic.minBond), sequencer],
        },
        {
          abi: artifacts.messageRecorderAbi,
          bytecode: artifacts.messageRecorderBytecode,
          args: [inbox, deployer],
        },
        { abi: artifacts.groth16VerifierAbi, bytecode: artifacts.groth16VerifierBytecode, args: [] },
        { abi: artifacts.zkVerifierAbi, bytecode: artifacts.zkVerifierBytecode, args: [deployer, at[15]] },
        {
          abi: artifacts.messageRecorderAbi,
          bytecode: artifacts.messageRecorderBytecode,
          args: [inbox, deployer],
        },
      ];
    },
    configure,
    check,
  );
  const [
    globalRootOracle,
    canonicalVerifier,
    outbox,
    inbox,
    gateway,
    greeter,
    recorder,
    bondManager,
    optimisticVerifier,
    optimisticRecorder,
    htlc,
    tokenBridge,
    bridgedToken,
    sequencerVerifier,
    sequencerRecorder,
    groth16Verifier,
    zkVerifier,
    zkRecorder,
  ] = result.addresses;
  if (
    !globalRootOracle ||
    !canonicalVerifier ||
    !outbox ||
    !inbox ||
    !gateway ||
    !greeter ||
    !recorder ||
    !bondManager ||
    !optimisticVerifier ||
    !optimisticRecorder ||
    !htlc ||
    !tokenBridge ||
    !bridgedToken ||
    !sequencerVerifier ||
    !sequencerRecorder ||
    !groth16Verifier ||
    !zkVerifier ||
    !zkRecorder
  ) {
    throw new DeploymentError(`expected 18 rollup contracts, deployed ${result.addresses.length}`);
  }
  const { settlers, liquidityPool } = await deployRouter(endpoint, deployerKey, {
    ...router,
    messaging: {
      outbox,
      inbox,
      tokenBridge,
      bridgedToken,
      canonicalVerifier,
      optimisticVerifier,
      sequencerVerifier,
      zkVerifier,
    },
    peers,
  });
  return {
    contracts: {
      globalRootOracle,
      canonicalVerifier,
      outbox,
      inbox,
      gateway,
      greeter,
      recorder,
      bondManager,
      optimisticVerifier,
      optimisticRecorder,
      htlc,
      tokenBridge,
      bridgedToken,
      sequencerVerifier,
      sequencerRecorder,
      groth16Verifier,
      zkVerifier,
      zkRecorder,
      settlers,
      liquidityPool,
    },
    deployBlock: result.deployBlock,
  };
}

/**
 * Registers the attester and the zk genesis committee for every peer, and points the optimistic,
 * sequencer and zk recorders at their paths for every peer.
 */
export async function configurePaths(
  endpoint: Endpoint,
  ownerKey: Hex,
  contracts: Pick<
    RollupContracts,
    | "optimisticVerifier"
    | "optimisticRecorder"
    | "sequencerVerifier"
    | "sequencerRecorder"
    | "zkVerifier"
    | "zkRecorder"
  >,
  sources: readonly number[],
  { attester, committee }: { attester: Address; committee: { root: bigint; threshold: number } },
): Promise<void> {
  const wallet = walletClientFor(endpoint, ownerKey);
  const client = publicClientFor(endpoint);
  const hashes: Hex[] = [];
  for (const source of sources) {
    hashes.push(
      await wallet.writeContract({
        address: contracts.optimisticVerifier,
        abi: artifacts.optimisticVerifierAbi,
        functionName: "setAttester",
        args: [BigInt(source), attester, true],
      }),
      await wallet.writeContract({
        address: contracts.optimisticRecorder,
        abi: artifacts.messageRecorderAbi,
        functionName: "chooseVerifier",
        args: [BigInt(source), contracts.optimisticVerifier],
      }),
      await wallet.writeContract({
        address: contracts.sequencerRecorder,
        abi: artifacts.messageRecorderAbi,
        functionName: "chooseVerifier",
        args: [BigInt(source), contracts.sequencerVerifier],
      }),
      await wallet.writeContract({
        address: contracts.zkRecorder,
        abi: artifacts.messageRecorderAbi,
        functionName: "chooseVerifier",
        args: [BigInt(source), contracts.zkVerifier],
      }),
    );
    // Set once (a second call reverts): a run that stopped during this configuration skips it.
    const genesis = await client.readContract({
      address: contracts.zkVerifier,
      abi: artifacts.zkVerifierAbi,
      functionName: "committeeOf",
      args: [BigInt(source)],
    });
    if (genesis.root === 0n) {
      hashes.push(
        await wallet.writeContract({
          address: contracts.zkVerifier,
          abi: artifacts.zkVerifierAbi,
          functionName: "setGenesisCommittee",
          args: [BigInt(source), committee.root, BigInt(committee.threshold), 0n],
        }),
      );
    }
  }
  await confirmAll(client, hashes, `configuring the trust paths on chain ${endpoint.chainId} failed`);
}

/**
 * Opens routes to and from every peer for the bridged token, native ETH, and the wrapped ETH of every
 * peer, each with an outbound and an inbound cap per hour.
 */
export async function configureBridge(
  endpoint: Endpoint,
  ownerKey: Hex,
  contracts: { tokenBridge: Address; bridgedToken: Address },
  peers: readonly number[],
  capPerHour: bigint,
): Promise<void> {
  const wallet = walletClientFor(endpoint, ownerKey);
  const client = publicClientFor(endpoint);
  const native = zeroAddress;
  const wrappedNative = await Promise.all(
    peers.map((home) =>
      client.readContract({
        address: contracts.tokenBridge,
        abi: artifacts.tokenBridgeAbi,
        functionName: "wrappedTokenFor",
        args: [BigInt(home), native],
      }),
    ),
  );
  const hashes: Hex[] = [];
  for (const token of [contracts.bridgedToken, native, ...wrappedNative]) {
    const cap = token === contracts.bridgedToken ? capPerHour : NATIVE_CAP_PER_HOUR;
    for (const peer of peers) {
      // The same cap both ways: what may leave for a peer, and what may arrive from it.
      for (const functionName of ["configureRoute", "configureInbound"] as const) {
        hashes.push(
          await wallet.writeContract({
            address: contracts.tokenBridge,
            abi: artifacts.tokenBridgeAbi,
            functionName,
            args: [token, BigInt(peer), cap, 3600n],
          }),
        );
      }
    }
  }
  await confirmAll(client, hashes, `configuring the token bridge on chain ${endpoint.chainId} failed`);
}

/** Devnet cap of native ETH (and wrapped ETH) per route and hour. */
const NATIVE_CAP_PER_HOUR = 1_000n * 10n ** 18n;

/**
 * Superblocks the devnet's sequencer has to include a transaction queued on the L1 (counted from the
 * posted height at queueing; posting lags sealing by a few superblocks).
 */
export const FORCED_INCLUSION_DELAY = 64n;

/** The hub step's contracts: the RollupHub and the SuperblockLog. */
export function hubPlan(rollupChainIds: readonly number[], sequencer: Address) {
  return (_at: Address[], deployer: Address) => [
    { abi: artifacts.rollupHubAbi, bytecode: artifacts.rollupHubBytecode, args: [deployer] },
    {
      abi: artifacts.superblockLogAbi,
      bytecode: artifacts.superblockLogBytecode,
      args: [sequencer, FORCED_INCLUSION_DELAY, rollupChainIds.map(BigInt)],
    },
  ];
}

/**
 * Deploys the RollupHub and registers every rollup with `proposer` (skipping one already registered, so
 * a run that stopped while registering can repeat it); a re-run of a complete hub checks that the
 * registered rollups and their proposer are the config's.
 */
export async function deployHub(
  endpoint: Endpoint,
  deployerKey: Hex,
  rollupChainIds: readonly number[],
  proposer: Address,
  sequencer: Address,
): Promise<{ rollupHub: Address; superblockLog: Address; deployBlock: number }> {
  const wallet = walletClientFor(endpoint, deployerKey);
  const client = publicClientFor(endpoint);
  const hubAt = (rollupHub: Address | undefined) =>
    ({ address: rollupHub as Address, abi: artifacts.rollupHubAbi }) as const;
  const register = async ([rollupHub]: Address[]) => {
    const hashes: Hex[] = [];
    // A run that stopped during this configuration repeats it: a registered rollup is skipped.
    const registered = await client.readContract({ ...hubAt(rollupHub), functionName: "chainIds" });
    for (const chainId of rollupChainIds) {
      if (registered.includes(BigInt(chainId))) continue;
      hashes.push(
        await wallet.writeContract({
          address: rollupHub as Address,
          abi: artifacts.rollupHubAbi,
          functionName: "registerRollup",
          args: [BigInt(chainId), proposer],
        }),
      );
    }
    await confirmAll(client, hashes, "registering rollups on the hub failed");
  };
  // A re-run reads back what `register` wrote: the rollups registered and their proposer.
  const check = async ([rollupHub]: Address[]) => {
    const registered = await client.readContract({ ...hubAt(rollupHub), functionName: "chainIds" });
    const planned = rollupChainIds.map(BigInt);
    if (registered.length !== planned.length || planned.some((id) => !registered.includes(id))) {
      throw new DeploymentMismatchError(
        `hub on chain ${endpoint.chainId}: the rollups registered (${registered.join(", ")}) are not the config's (${rollupChainIds.join(", ")})`,
        {
          details:
            "the hub cannot unregister or add a rollup after deployment; deploy with another deployer key",
        },
      );
    }
    for (const chainId of rollupChainIds) {
      const entry = await client.readContract({
        ...hubAt(rollupHub),
        functionName: "rollupOf",
        args: [BigInt(chainId)],
      });
      if (!isAddressEqual(entry.proposer, proposer)) {
        throw new DeploymentMismatchError(
          `hub on chain ${endpoint.chainId}: rollup ${chainId}'s proposer is ${entry.proposer}, the config's ${proposer}`,
          { details: "rotate it with the hub owner's RollupHub.setProposer(chainId, proposer), then re-run" },
        );
      }
    }
  };
  const { addresses, deployBlock } = await deployAll(
    endpoint,
    deployerKey,
    "hub",
    hubPlan(rollupChainIds, sequencer),
    register,
    check,
  );
  const [rollupHub, superblockLog] = addresses as [Address, Address];
  return { rollupHub, superblockLog, deployBlock };
}

/** Genesis supply of the devnet's JUSD minted to the user account on the first rollup. */
export const BRIDGED_TOKEN_GENESIS_SUPPLY = 1_000_000n * 10n ** 18n;
/** JUSD minted at genesis on every rollup to the filler (its inventory) and to the deployer (the pool's seed). */
export const FILLER_GENESIS_JUSD = 100_000n * 10n ** 18n;
export const POOL_SEED_JUSD = 100_000n * 10n ** 18n;
/** JUSD minted at genesis on the margin hub (the first rollup) to the keeper: what it repays debt with. */
export const KEEPER_GENESIS_JUSD = 1_000_000n * 10n ** 18n;
/** The pool's least spread: 0.1 % of an order's output. */
export const POOL_FEE_BPS = 10;
/** Seconds the devnet pools' fee income takes to reach the share price (a day would suit a real pool). */
export const POOL_PROFIT_UNLOCK_SECONDS = 300;
/** The devnet pools' exposure to each trust path: most they may have out on fills through its settler. */
export const POOL_SETTLER_CAPS = {
  canonical: 50_000n * 10n ** 18n,
  zk: 50_000n * 10n ** 18n,
  optimistic: 20_000n * 10n ** 18n,
  sequencer: 20_000n * 10n ** 18n,
} as const;

/** Every JUSD that exists on a devnet of `rollups` rollups: on the chains plus in flight, forever. */
export function jusdTotalSupply(rollups: number): bigint {
  return (
    BRIDGED_TOKEN_GENESIS_SUPPLY +
    KEEPER_GENESIS_JUSD +
    BigInt(rollups) * (FILLER_GENESIS_JUSD + POOL_SEED_JUSD)
  );
}

/**
 * What a devnet rollup is deployed with: its peers, the devnet's accounts in their roles, and its JUSD
 * genesis (the user's supply and the keeper's on the `first` rollup only; every rollup seeds its filler
 * and its pool). A rollup added to a running devnet (add-rollup.ts) is deployed with the same.
 */
export function rollupDeployOptions({
  accounts,
  optimistic,
  committee,
  peers,
  first,
}: {
  accounts: Manifest["accounts"];
  optimistic: OptimisticSettings;
  committee: { root: bigint; threshold: number };
  peers: readonly number[];
  first: boolean;
}): RollupDeployOptions {
  return {
    system: accounts.system.address,
    peers,
    attester: accounts.attester.address,
    sequencer: accounts.sequencer.address,
    committee,
    optimistic,
    token: {
      genesis: [
        { holder: accounts.user.address, amount: first ? BRIDGED_TOKEN_GENESIS_SUPPLY : 0n },
        { holder: accounts.filler.address, amount: FILLER_GENESIS_JUSD },
        { holder: accounts.keeper.address, amount: first ? KEEPER_GENESIS_JUSD : 0n },
        { holder: accounts.deployer.address, amount: POOL_SEED_JUSD },
      ],
      guardian: accounts.deployer.address,
      capPerHour: BRIDGED_TOKEN_GENESIS_SUPPLY / 10n,
    },
    router: {
      repaymentDelays: { canonical: 5, optimistic: optimistic.challengeWindow, sequencer: 1, zk: 10 },
      rebalancer: accounts.rebalancer.address,
      poolFeeBps: POOL_FEE_BPS,
      profitUnlockPeriod: POOL_PROFIT_UNLOCK_SECONDS,
      settlerCaps: POOL_SETTLER_CAPS,
      poolSeed: POOL_SEED_JUSD,
    },
  };
}

export type DeployNetworkOptions = {
  l1: Endpoint & { blockTime: number };
  rollups: (Endpoint & { blockTime: number })[];
  accounts: Manifest["accounts"];
  optimistic: OptimisticSettings;
  zk: ZkSettings;
  /** Who publishes proof-of-solvency epochs on the L1 (default: the devnet's publisher account). */
  solvencyPublisher?: Address;
};

/** Deploys everything and returns the manifest describing it. */
export async function deployNetwork({
  l1,
  rollups,
  accounts,
  optimistic,
  zk,
  solvencyPublisher,
}: DeployNetworkOptions): Promise<Manifest> {
  const deployer = accounts.deployer.privateKey;
  const committee = { root: (await buildCommittee(zk.committeeKeys)).root, threshold: zk.threshold };
  const [hub, ...deployed] = await Promise.all([
    deployHub(
      l1,
      deployer,
      rollups.map((rollup) => rollup.chainId),
      accounts.proposer.address,
      accounts.sequencer.address,
    ),
    ...rollups.map((rollup) =>
      deployRollup(
        rollup,
        deployer,
        rollupDeployOptions({
          accounts,
          optimistic,
          committee,
          peers: rollups.filter((peer) => peer.chainId !== rollup.chainId).map((peer) => peer.chainId),
          first: rollup.chainId === rollups[0]?.chainId,
        }),
      ),
    ),
  ]);
  // Last, after every rollup's other contracts: the hub is the first rollup.
  const margin = await deployMargin(deployer, {
    rollups,
    contracts: deployed.map((entry) => entry.contracts),
    feeders: [accounts.deployer.address, accounts.feeder.address],
  });
  // After the margin engine: the gateways' base token is its test ETH.
  const orderbook = await deployOrderbook(deployer, {
    rollups,
    contracts: deployed.map((entry) => entry.contracts),
    testAsset: margin.testAsset,
    matcher: accounts.matcher.address,
    user: accounts.user.address,
  });
  // Proof of solvency on the L1, counting the rollups' JUSD, test ETH and native ETH as reserves.
  const holding = {
    rollups: rollups.map((rollup, i) => ({
      ...rollup,
      contracts: (deployed[i] as RollupDeployment).contracts,
    })),
    margin,
    orderbook,
  };
  const solvency = await deploySolvency(l1, deployer, {
    superblockLog: hub.superblockLog,
    publisher: solvencyPublisher ?? solvencyPublisherAccount().address,
    tokens: reserveTokens(holding),
    holders: listedHolders(holding),
  });
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    l1: {
      ...l1,
      deployBlock: hub.deployBlock,
      contracts: { rollupHub: hub.rollupHub, superblockLog: hub.superblockLog },
    },
    rollups: rollups.map((rollup, i) => {
      const entry = deployed[i] as RollupDeployment;
      return { ...rollup, deployBlock: entry.deployBlock, contracts: entry.contracts };
    }),
    optimistic,
    zk,
    margin,
    solvency,
    orderbook,
    accounts,
  };
}
