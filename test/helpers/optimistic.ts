// Helpers for optimistic-path tests: throwaway attester keys, signing, and proofs against any root.
import type { Address, Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { setBalance } from "../../src/chain/anvil.js";
import { type JunctionPublicClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { getSentMessages } from "../../src/chain/events.js";
import { type Manifest, rollupOf } from "../../src/chain/manifest.js";
import { optimisticVerifierAbi } from "../../src/contracts/generated/index.js";
import { checkpointTypedData } from "../../src/protocol/checkpoint-signature.js";

export async function waitUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      const last = JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item));
      throw new Error(`timed out waiting for ${what}; last value: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fresh key funded with 100 ETH on every rollup. */
export async function fundedKey(manifest: Manifest): Promise<{ key: Hex; address: Address }> {
  const key = generatePrivateKey();
  const { address } = privateKeyToAccount(key);
  for (const rollup of manifest.rollups) await setBalance(rollup, address, 100n * 10n ** 18n);
  return { key, address };
}

export async function signCheckpoint(
  key: Hex,
  sourceChainId: bigint,
  count: bigint,
  root: Hex,
): Promise<Hex> {
  return privateKeyToAccount(key).signTypedData(checkpointTypedData({ sourceChainId, count, root }));
}

/** Message ids of a source Outbox, in nonce order. */
export async function outboxIds(manifest: Manifest, chainId: number): Promise<Hex[]> {
  const rollup = rollupOf(manifest, chainId);
  const client = publicClientFor(rollup);
  const sent = await getSentMessages(client, rollup.contracts.outbox, 0n, await client.getBlockNumber());
  return sent.map((item) => item.id);
}

/** Submits a checkpoint signed by `key` to the OptimisticVerifier of `destination`. */
export async function submitCheckpoint(
  manifest: Manifest,
  destination: number,
  key: Hex,
  checkpoint: { sourceChainId: bigint; count: bigint; root: Hex },
) {
  const target = rollupOf(manifest, destination);
  const signature = await signCheckpoint(key, checkpoint.sourceChainId, checkpoint.count, checkpoint.root);
  const hash = await walletClientFor(target, key).writeContract({
    address: target.contracts.optimisticVerifier,
    abi: optimisticVerifierAbi,
    functionName: "submitCheckpoint",
    args: [checkpoint.sourceChainId, checkpoint.count, checkpoint.root, signature],
  });
  const receipt = await publicClientFor(target).waitForTransactionReceipt({ hash });
  return { signature, receipt };
}

export function checkpointOf(client: JunctionPublicClient, verifier: Address, source: bigint, count: bigint) {
  return client.readContract({
    address: verifier,
    abi: optimisticVerifierAbi,
    functionName: "checkpointOf",
    args: [source, count],
  });
}
