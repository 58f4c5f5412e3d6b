// One relayed trust path measured on a running devnet: paced messages (one at a time, end-to-end
// latency) and an all-to-all burst from a worker thread (offered and delivered rates), the gas each
// delivered message cost its destination, and the gas of the path's checkpoints.
import type { Hex } from "viem";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { type Manifest, rollupOf } from "../src/chain/manifest.js";
import { optimisticVerifierAbi, rollupHubAbi, zkVerifierAbi } from "../src/contracts/generated/index.js";
import type { Devnet } from "../src/devnet/devnet.js";
import { burstInWorker } from "./burst.js";
import { type Load, measureLoad } from "./load.js";
import { type Stats, stats } from "./report.js";
import { type BurstResult, MessageWatch, type Seen, sendBenchMessage } from "./workload.js";

export type PathName = "canonical" | "optimistic" | "zk";

export type PathBurst = BurstResult & {
  load: Load;
  deliveryTransactions: number;
  messagesPerTransaction: Stats;
  /** Delivery transactions each relayer key sent, most first. */
  transactionsBySender: number[];
  /** Canonical path: L1 hub checkpoints posted while the burst ran. */
  checkpoints?: number;
  /**
   * Canonical path: send seen to a global root covering it seen on its destination (proposer, L1,
   * root importer), and from there to its delivery (the relayer).
   */
  proof?: { waitMs: Stats; relayMs: Stats };
};

export type PathResult = {
  paced: { latencyMs: Stats };
  burst: PathBurst;
  destinationGasPerMessage: Stats;
  checkpointGas: Stats;
  /** zk only: Groth16 proving time of each proof the prover made during the run. */
  provingMs?: Stats;
};

export type PathConfig = { paced: number; messages: number; pollMs: number };

const recorders = { canonical: "recorder", optimistic: "optimisticRecorder", zk: "zkRecorder" } as const;

export async function measurePath(
  devnet: Devnet,
  path: PathName,
  config: PathConfig,
  baselinePerSecond: number,
): Promise<PathResult> {
  const { manifest } = devnet;
  const recipientOn = (chainId: number) => rollupOf(manifest, chainId).contracts[recorders[path]];
  const [from, to] = manifest.rollups.map((rollup) => rollup.chainId) as [number, number];

  // Paced: one user, one message at a time, from this thread (its load is light).
  const watch = new MessageWatch(
    [from, to].map((chainId) => ({
      chainId,
      client: publicClientFor(rollupOf(manifest, chainId)),
      outbox: rollupOf(manifest, chainId).contracts.outbox,
      inbox: rollupOf(manifest, chainId).contracts.inbox,
    })),
  );
  await watch.start();
  const wallet = walletClientFor(rollupOf(manifest, from), manifest.accounts.user.privateKey);
  const paced: number[] = [];
  for (let i = 0; i < config.paced; i++) {
    const tx = await sendBenchMessage(
      wallet,
      rollupOf(manifest, from).contracts.outbox,
      to,
      recipientOn(to),
      `${path} paced ${i}`,
    );
    await watch.untilDelivered([tx], 5);
    const delivered = watch.delivered.get(watch.idOf(tx) as Hex) as Seen;
    paced.push(delivered.at - (watch.sent.get(tx) as Seen).at);
  }

  const l1 = publicClientFor(manifest.l1);
  const l1Before = await l1.getBlockNumber();
  const { value: burst, load } = await measureLoad(
    devnet.nodes.map((node) => node.pid),
    () =>
      burstInWorker({
        rollups: manifest.rollups.map((rollup) => ({
          chainId: rollup.chainId,
          rpcUrl: rollup.rpcUrl,
          watchUrl: rollup.rpcUrl,
          outbox: rollup.contracts.outbox,
          inbox: rollup.contracts.inbox,
          recipient: recipientOn(rollup.chainId),
          ...(path === "canonical" ? { oracle: rollup.contracts.globalRootOracle } : {}),
        })),
        ...(path === "canonical"
          ? {
              l1: {
                chainId: manifest.l1.chainId,
                rpcUrl: manifest.l1.rpcUrl,
                hub: manifest.l1.contracts.rollupHub,
                deployBlock: manifest.l1.deployBlock,
              },
            }
          : {}),
        privateKey: manifest.accounts.user.privateKey,
        messages: config.messages,
        tag: `${path} burst`,
        pollMs: config.pollMs,
        baselinePerSecond,
      }),
  );
  const checkpoints =
    path === "canonical"
      ? await hubCheckpoints(manifest, l1Before + 1n, await l1.getBlockNumber())
      : undefined;
  return {
    paced: { latencyMs: stats(paced) },
    burst: {
      ...burst.result,
      load,
      deliveryTransactions: burst.deliveries.transactions,
      messagesPerTransaction: burst.deliveries.messagesPerTransaction,
      transactionsBySender: Object.values(burst.deliveries.bySender).sort((a, b) => b - a),
      ...(checkpoints === undefined ? {} : { checkpoints }),
      ...(burst.proof
        ? { proof: { waitMs: stats(burst.proof.waitMs), relayMs: stats(burst.proof.relayMs) } }
        : {}),
    },
    destinationGasPerMessage: stats(burst.deliveries.gasPerMessage),
    checkpointGas: stats(await checkpointGas(manifest, path)),
  };
}

/** L1 hub checkpoints posted in the L1 blocks [from, to]. */
async function hubCheckpoints(manifest: Manifest, from: bigint, to: bigint): Promise<number> {
  if (to < from) return 0;
  const logs = await publicClientFor(manifest.l1).getContractEvents({
    address: manifest.l1.contracts.rollupHub,
    abi: rollupHubAbi,
    eventName: "CheckpointPosted",
    fromBlock: from,
    toBlock: to,
  });
  return logs.length;
}

/** Gas of every checkpoint the path posted so far: L1 hub checkpoints, optimistic submissions, zk epochs. */
async function checkpointGas(manifest: Manifest, path: PathName): Promise<number[]> {
  if (path === "canonical") {
    const l1 = publicClientFor(manifest.l1);
    const logs = await l1.getContractEvents({
      address: manifest.l1.contracts.rollupHub,
      abi: rollupHubAbi,
      eventName: "CheckpointPosted",
      fromBlock: 0n,
    });
    return Promise.all(
      logs.map(async (log) =>
        Number((await l1.getTransactionReceipt({ hash: log.transactionHash })).gasUsed),
      ),
    );
  }
  const gas: number[] = [];
  for (const rollup of manifest.rollups) {
    const client = publicClientFor(rollup);
    // Zk: one EpochImported per submitEpoch, carrying every rollup's checkpoint: the gas per destination
    // per epoch. Optimistic: one submission per checkpoint.
    const logs =
      path === "zk"
        ? await client.getContractEvents({
            address: rollup.contracts.zkVerifier,
            abi: zkVerifierAbi,
            eventName: "EpochImported",
            fromBlock: 0n,
          })
        : await client.getContractEvents({
            address: rollup.contracts.optimisticVerifier,
            abi: optimisticVerifierAbi,
            eventName: "CheckpointSubmitted",
            fromBlock: 0n,
          });
    for (const hash of new Set<Hex>(logs.map((log) => log.transactionHash))) {
      gas.push(Number((await client.getTransactionReceipt({ hash })).gasUsed));
    }
  }
  return gas;
}
