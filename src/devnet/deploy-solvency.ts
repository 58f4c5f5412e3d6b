// Deploys proof of solvency on the L1: circomlibjs's two Poseidon contracts (2 and 4 inputs, the hashes of
// the Merkle-sum tree's leaves and nodes), the zk circuits' SolvencyBatchVerifier and SolvencyFoldVerifier, and the
// SolvencyRegistry bound to the SuperblockLog, with the devnet's reserve tokens listed as their assets
// on every rollup and the publisher named.
import { poseidonContract } from "circomlibjs";
import { type Address, type Hex, isAddressEqual, zeroAddress } from "viem";
import { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
import type { Manifest } from "../chain/manifest.js";
import * as artifacts from "../contracts/generated/index.js";
import { assetId, type ReserveToken, reserveTokens } from "../solvency/assets.js";
import { holdersOf } from "../solvency/reserves.js";
import { confirmAll, DeploymentMismatchError, deployAll } from "./deploy-steps.js";

export type SolvencyContracts = NonNullable<Manifest["solvency"]>;

export type SolvencyDeployOptions = {
  superblockLog: Address;
  publisher: Address;
  /** Per rollup, the tokens its holders' reserves are counted in. */
  tokens: ReserveToken[];
  /** Per rollup, the contracts whose balances count as reserves. */
  holders: { chainId: number; holder: Address }[];
};

export async function deploySolvency(
  l1: Endpoint,
  deployerKey: Hex,
  { superblockLog, publisher, tokens, holders }: SolvencyDeployOptions,
): Promise<SolvencyContracts> {
  // circomlibjs's Poseidon contracts are raw creation code: no ABI, no constructor arguments.
  const raw = (bytecode: Hex) => ({ abi: [], bytecode, args: [] });
  const { addresses } = await deployAll(
    l1,
    deployerKey,
    "solvency",
    (at, deployer) => [
      raw(poseidonContract.createCode(2) as Hex),
      raw(poseidonContract.createCode(4) as Hex),
      {
        abi: artifacts.solvencyBatchVerifierAbi,
        bytecode: artifacts.solvencyBatchVerifierBytecode,
        args: [],
      },
      {
        abi: artifacts.solvencyFoldVerifierAbi,
        bytecode: artifacts.solvencyFoldVerifierBytecode,
        args: [],
      },
      {
        abi: artifacts.solvencyRegistryAbi,
        bytecode: artifacts.solvencyRegistryBytecode,
        args: [deployer, superblockLog, at[0], at[1], at[2], at[3]],
      },
    ],
    ([, , , , registry]) =>
      configureRegistry(l1, deployerKey, registry as Address, { publisher, tokens, holders }),
    // A re-run reads back the role the configuration gave: the publisher.
    async ([, , , , registry]) => {
      const current = await publicClientFor(l1).readContract({
        address: registry as Address,
        abi: artifacts.solvencyRegistryAbi,
        functionName: "publisher",
      });
      if (!isAddressEqual(current, publisher)) {
        throw new DeploymentMismatchError(
          `solvency registry on chain ${l1.chainId}: the publisher is ${current}, the config's ${publisher}`,
          { details: "change it with the owner's SolvencyRegistry.setPublisher(publisher), then re-run" },
        );
      }
    },
  );
  const [poseidon2, poseidon4, , , registry] = addresses as [Address, Address, Address, Address, Address];
  return { registry, poseidon2, poseidon4, publisher };
}

async function configureRegistry(
  l1: Endpoint,
  deployerKey: Hex,
  registry: Address,
  { publisher, tokens, holders }: Omit<SolvencyDeployOptions, "superblockLog">,
): Promise<void> {
  const wallet = walletClientFor(l1, deployerKey);
  const hashes: Hex[] = [
    await wallet.writeContract({
      address: registry,
      abi: artifacts.solvencyRegistryAbi,
      functionName: "setPublisher",
      args: [publisher],
    }),
  ];
  for (const { chainId, token, symbol } of tokens) {
    hashes.push(
      await wallet.writeContract({
        address: registry,
        abi: artifacts.solvencyRegistryAbi,
        functionName: "listToken",
        args: [BigInt(chainId), token, assetId(symbol)],
      }),
    );
  }
  for (const { chainId, holder } of holders) {
    hashes.push(
      await wallet.writeContract({
        address: registry,
        abi: artifacts.solvencyRegistryAbi,
        functionName: "listHolder",
        args: [BigInt(chainId), holder, true],
      }),
    );
  }
  await confirmAll(publicClientFor(l1), hashes, "configuring the SolvencyRegistry failed");
}

/**
 * Lists a rollup added to a running network in its SolvencyRegistry: the reserve tokens and holding
 * contracts `reserveTokens`/`holdersOf` name for it that have code there (a rollup added later has no
 * margin vault, order gateway nor tETH; their addresses are skipped, as the reserve readers skip them).
 */
export async function listRollupInRegistry(
  network: Pick<Manifest, "l1" | "rollups" | "margin" | "orderbook" | "solvency">,
  chainId: number,
  deployerKey: Hex,
): Promise<void> {
  const solvency = network.solvency;
  const rollup = network.rollups.find((entry) => entry.chainId === chainId);
  if (!solvency || !rollup) return;
  const client = publicClientFor(rollup);
  const hasCode = async (address: Address) =>
    address === zeroAddress || Boolean(await client.getCode({ address }));
  const tokens: ReserveToken[] = [];
  for (const entry of reserveTokens(network)) {
    if (entry.chainId === chainId && (await hasCode(entry.token))) tokens.push(entry);
  }
  const holders: { chainId: number; holder: Address }[] = [];
  for (const holder of new Set(holdersOf(network, chainId))) {
    if (await hasCode(holder)) holders.push({ chainId, holder });
  }
  const wallet = walletClientFor(network.l1, deployerKey);
  const hashes: Hex[] = [];
  for (const { token, symbol } of tokens) {
    hashes.push(
      await wallet.writeContract({
        address: solvency.registry,
        abi: artifacts.solvencyRegistryAbi,
        functionName: "listToken",
        args: [BigInt(chainId), token, assetId(symbol)],
      }),
    );
  }
  for (const { holder } of holders) {
    hashes.push(
      await wallet.writeContract({
        address: solvency.registry,
        abi: artifacts.solvencyRegistryAbi,
        functionName: "listHolder",
        args: [BigInt(chainId), holder, true],
      }),
    );
  }
  await confirmAll(
    publicClientFor(network.l1),
    hashes,
    `listing rollup ${chainId} in the SolvencyRegistry failed`,
  );
}
