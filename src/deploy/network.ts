// `junction deploy`'s work: checks that every RPC URL serves the chain id the config says, deploys (or
// verifies) Junction through the same steps as the devnet (src/devnet/deploy.ts, deterministic through
// CREATE2, see deploy-steps.ts), and counts the deployer's transactions on every chain, so a re-run can
// show it sent none.
import { publicClientFor } from "../chain/clients.js";
import type { Manifest } from "../chain/manifest.js";
import { sealOpenDependencySet } from "../devnet/dependency-set.js";
import { deployNetwork } from "../devnet/deploy.js";
import { ConfigError } from "../errors.js";
import type { ResolvedNetwork } from "./config.js";

export type NetworkDeployment = {
  manifest: Manifest;
  /** Transactions the deployer sent, per chain id: all zero when everything was already deployed. */
  transactions: Record<number, number>;
};

export async function deployToNetwork(network: ResolvedNetwork): Promise<NetworkDeployment> {
  const chains = [
    { field: "l1", endpoint: network.l1 },
    ...network.rollups.map((endpoint, i) => ({ field: `rollups[${i}]`, endpoint })),
  ];
  await Promise.all(chains.map(({ field, endpoint }) => checkChainId(field, endpoint)));
  const deployer = network.accounts.deployer.address;
  const nonces = () =>
    Promise.all(
      chains.map(({ endpoint }) =>
        publicClientFor(endpoint).getTransactionCount({ address: deployer, blockTag: "pending" }),
      ),
    );
  const before = await nonces();
  const manifest = await deployNetwork({
    l1: network.l1,
    rollups: network.rollups,
    accounts: network.accounts,
    optimistic: network.optimistic,
    zk: { committeeKeys: network.committeeKeys, threshold: network.threshold },
    solvencyPublisher: network.solvencyPublisher,
  });
  // No dependency set here: every Outbox and Inbox is sealed open to every chain, so the owner can never
  // restrict a pair later and strand messages in flight (a re-run finds the seals and sends nothing).
  await sealOpenDependencySet(manifest.rollups, network.accounts.deployer.privateKey);
  const after = await nonces();
  const transactions = Object.fromEntries(
    chains.map(({ endpoint }, i) => [endpoint.chainId, (after[i] ?? 0) - (before[i] ?? 0)]),
  );
  return { manifest, transactions };
}

async function checkChainId(field: string, endpoint: { chainId: number; rpcUrl: string }): Promise<void> {
  let served: number;
  try {
    served = await publicClientFor(endpoint).getChainId();
  } catch (cause) {
    throw new ConfigError(`${field}.rpcUrl: no JSON-RPC answer from ${endpoint.rpcUrl}`, { cause });
  }
  if (served !== endpoint.chainId) {
    throw new ConfigError(
      `${field}.chainId is ${endpoint.chainId}, but ${endpoint.rpcUrl} serves chain ${served}`,
    );
  }
}
