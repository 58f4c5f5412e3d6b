// Gas per message delivered in one Inbox.deliverBatch of 20 against Inbox.deliver of one, measured
// directly on a devnet without a relayer: messages on the canonical path from the first rollup to the
// second, proven against the global root the destination imported, delivered by hand, each
// transaction's gasUsed read from its receipt.
import type { Hex } from "viem";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { getPostedCheckpoints, getSentMessages } from "../src/chain/events.js";
import type { Manifest } from "../src/chain/manifest.js";
import { globalRootOracleAbi, inboxAbi } from "../src/contracts/generated/index.js";
import { type GlobalInclusion, HubHistory } from "../src/protocol/checkpoint.js";
import { canonicalProver, type OutboxProver } from "../src/protocol/proof.js";
import { type Stats, stats } from "./report.js";
import { sendBenchMessage } from "./workload.js";

export type BatchGasResult = {
  batchSize: number;
  /** gasUsed of each single `deliver`. */
  singleGas: Stats;
  /** gasUsed of the batch divided by its messages. */
  batchGasPerMessage: number;
  /** 1 − batched / single (p50): what a message saves by travelling in the batch. */
  saving: number;
};

const SINGLES = 5;

/**
 * Sends `1 + SINGLES + batchSize` messages and delivers the first ones alone, the rest in one batch.
 * The very first delivery to the recorder also initialises its storage: it warms up, uncounted, so
 * single and batched messages are measured on the same state.
 */
export async function measureBatchGas(manifest: Manifest, batchSize = 20): Promise<BatchGasResult> {
  const [source, destination] = manifest.rollups as [
    Manifest["rollups"][number],
    Manifest["rollups"][number],
  ];
  const sourceClient = publicClientFor(source);
  const destinationClient = publicClientFor(destination);
  const user = walletClientFor(source, manifest.accounts.user.privateKey);
  const ours = new Set<Hex>();
  for (let i = 0; i < 1 + SINGLES + batchSize; i++) {
    const hash = await sendBenchMessage(
      user,
      source.contracts.outbox,
      destination.chainId,
      destination.contracts.recorder,
      `batch gas ${i}`,
    );
    await sourceClient.waitForTransactionReceipt({ hash, pollingInterval: 5 });
    ours.add(hash);
  }
  // Every id of the Outbox (the proof is over all of them); the devnet's agents send too (bonds).
  const all = await getSentMessages(
    sourceClient,
    source.contracts.outbox,
    BigInt(source.deployBlock),
    await sourceClient.getBlockNumber(),
  );
  const sent = all.filter((item) => ours.has(item.txHash));
  const last = sent[sent.length - 1]?.message.nonce ?? 0n;
  const prover = await proverCovering(
    manifest,
    destination,
    last,
    all.map((item) => item.id),
  );

  const relayer = walletClientFor(destination, manifest.accounts.relayer.privateKey);
  const gasOf = async (hash: Hex) =>
    Number((await destinationClient.waitForTransactionReceipt({ hash, pollingInterval: 5 })).gasUsed);
  const singles: number[] = [];
  for (const item of sent.slice(0, 1 + SINGLES)) {
    const hash = await relayer.writeContract({
      address: destination.contracts.inbox,
      abi: inboxAbi,
      functionName: "deliver",
      args: [item.message, prover.prove(item.message.nonce)],
    });
    singles.push(await gasOf(hash));
  }
  singles.shift(); // the warm-up
  const batch = sent.slice(1 + SINGLES);
  const hash = await relayer.writeContract({
    address: destination.contracts.inbox,
    abi: inboxAbi,
    functionName: "deliverBatch",
    args: [
      batch.map((item) => item.message),
      {
        count: prover.count,
        root: prover.root,
        paths: batch.map((item) => prover.prove(item.message.nonce).path),
        verifierData: prover.prove(0n).verifierData,
      },
    ],
  });
  const batchGasPerMessage = (await gasOf(hash)) / batch.length;
  const single = stats(singles);
  return { batchSize, singleGas: single, batchGasPerMessage, saving: 1 - batchGasPerMessage / single.p50 };
}

/** Waits until the destination imported a global root covering `nonce` of the source; its prover. */
async function proverCovering(
  manifest: Manifest,
  destination: Manifest["rollups"][number],
  nonce: bigint,
  ids: readonly Hex[],
): Promise<OutboxProver> {
  const l1 = publicClientFor(manifest.l1);
  const source = BigInt((manifest.rollups[0] as Manifest["rollups"][number]).chainId);
  const started = Date.now();
  for (;;) {
    const history = new HubHistory();
    const posted = await getPostedCheckpoints(
      l1,
      manifest.l1.contracts.rollupHub,
      BigInt(manifest.l1.deployBlock),
      await l1.getBlockNumber(),
    );
    for (const event of posted) history.add(event);
    const index = await publicClientFor(destination).readContract({
      address: destination.contracts.globalRootOracle,
      abi: globalRootOracleAbi,
      functionName: "latestIndex",
    });
    const inclusion: GlobalInclusion | undefined =
      index > 0n && index <= history.latestIndex ? history.inclusion(index, source) : undefined;
    if (inclusion && inclusion.checkpoint.count > nonce) return canonicalProver(ids, inclusion);
    if (Date.now() - started > 60_000) {
      throw new Error(
        `no global root covering message ${nonce} reached chain ${destination.chainId} in 60 s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
