// Helpers for optimistic-path tests: signing checkpoints, submitting them, reading them back.
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type JunctionPublicClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { getSentMessages } from "../../src/chain/events.js";
import { type Manifest, rollupOf } from "../../src/chain/manifest.js";
import { optimisticVerifierAbi } from "../../src/contracts/generated/index.js";
import { checkpointTypedData } from "../../src/protocol/checkpoint-signature.js";

/** Signs a checkpoint for the deployment whose Outbox is at `outbox` (the same on every rollup). */
export async function signCheckpoint(
  key: Hex,
  outbox: Address,
  sourceChainId: bigint,
  count: bigint,
  root: Hex,
): Promise<Hex> {
  return privateKeyToAccount(key).signTypedData(checkpointTypedData({ outbox, sourceChainId, count, root }));
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
  const outbox = rollupOf(manifest, Number(checkpoint.sourceChainId)).contracts.outbox;
  const signature = await signCheckpoint(
    key,
    outbox,
    checkpoint.sourceChainId,
    checkpoint.count,
    checkpoint.root,
  );
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
