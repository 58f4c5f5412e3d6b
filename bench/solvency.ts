// `npm run bench:solvency`: proof of solvency's costs. Per user count (default 10^3, 10^4, 10^5): the
// time to salt the users' ids, to build the Merkle-sum tree, to cut one user's proof and to verify it in
// TypeScript; the L1 gas of publishing an epoch and of verifyInclusion at that tree's depth (on a fresh
// anvil with the real SolvencyRegistry); and, when the batch circuit's artifacts exist, the Groth16
// proving time of one batch of 8 leaves and its on-chain verification gas; and a whole tree of
// `--fold-users` proven in range through the registry — every batch and every fold (proving time, gas of
// proveBatch and proveFold, until rangeProven).
// Writes bench/results/<date>-<commit>-solvency.{json,md}.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Address, encodeFunctionData, type Hex } from "viem";
import { releaseProvingThreads } from "../src/agents/prover/groth16.js";
import type { AnvilNode } from "../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import type { RollupEntry } from "../src/chain/manifest.js";
import {
  solvencyBatchVerifierAbi,
  solvencyBatchVerifierBytecode,
  solvencyRegistryAbi,
} from "../src/contracts/generated/index.js";
import { devnetAccounts, solvencyPublisherAccount } from "../src/devnet/accounts.js";
import { seededRandom } from "../src/protocol/prng.js";
import {
  buildSumTree,
  type SumLeaf,
  type SumTree,
  type SumTreeHasher,
  sumProof,
  sumTreeHasher,
  verifySumProof,
} from "../src/protocol/sum-tree.js";
import { getSuperblock } from "../src/sdk/getSuperblock.js";
import { assetId } from "../src/solvency/assets.js";
import { epochTreeDepth, publisherSecret } from "../src/solvency/epoch.js";
import { publishEpoch } from "../src/solvency/publish.js";
import { BATCH_DEPTH, proveBatch, SOLVENCY_ZKEY } from "../src/solvency/zk.js";
import { proveTreeInRange } from "../src/solvency/zk-epoch.js";
import { SOLVENCY_FOLD_ZKEY } from "../src/solvency/zk-fold.js";
import { startContractNode } from "../test/helpers/contract-node.js";
import { startTestDevnet } from "../test/helpers/devnet.js";
import { deploySolvencyL1 } from "../test/helpers/solvency-l1.js";
import { type Stats, stats } from "./report.js";
import { runStamp, writeResults } from "./results-file.js";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "1000,10000,100000" },
    proofs: { type: "string", default: "200" },
    epochs: { type: "string", default: "5" },
    batches: { type: "string", default: "5" },
    "fold-users": { type: "string", default: "100" },
    out: { type: "string", default: join(import.meta.dirname, "results") },
  },
});

type SizeResult = {
  users: number;
  depth: number;
  saltMs: number;
  buildMs: number;
  proof: Stats;
  verify: Stats;
  publishGas: string;
  verifyInclusionGas: string;
};

type Report = ReturnType<typeof runStamp> & {
  sizes: SizeResult[];
  zk?: { batchSize: number; constraints: number; proving: Stats; verifyGas: string };
  /** A whole tree proven in range on the registry: its batches, then its folds up to the root. */
  fold?: {
    users: number;
    depth: number;
    constraints: number;
    batchProving: Stats;
    foldProving: Stats;
    proveBatchGas: Stats;
    proveFoldGas: Stats;
    totalMs: number;
    rangeProven: boolean;
  };
  /** On a sequenced devnet (2 rollups, 250 ms superblocks): publishing an epoch, and how far behind it is. */
  epochs?: { publishMs: Stats; lagMs: Stats; lagSuperblocks: Stats; users: number; gas: Stats };
};

/**
 * Epoch lag on a devnet: each epoch is taken at the newest superblock posted on the L1; its lag is the
 * time from that superblock's sealing to the epoch's receipt, in ms and in superblocks sealed meanwhile.
 */
async function epochBench(epochs: number): Promise<Report["epochs"]> {
  const devnet = await startTestDevnet({ sequencer: { superblockTimeMs: 250 }, agents: false });
  try {
    const publishMs: number[] = [];
    const lagMs: number[] = [];
    const lagSuperblocks: number[] = [];
    const gas: number[] = [];
    let users = 0;
    const first = devnet.manifest.rollups[0] as RollupEntry;
    for (let i = 0; i < epochs; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const started = performance.now();
      const result = await publishEpoch(devnet.manifest, {
        publisherKey: solvencyPublisherAccount().privateKey,
        secret: publisherSecret(devnet.dataDir),
        dataDir: devnet.dataDir,
      });
      const receivedAt = Date.now();
      publishMs.push(performance.now() - started);
      if (!result.published) continue;
      users = result.users;
      gas.push(Number(result.gasUsed));
      const taken = await getSuperblock(first, Number(result.superblockHeight));
      const latest = await getSuperblock(first, "latest");
      if (taken) lagMs.push(receivedAt - taken.sealedAt);
      if (latest) lagSuperblocks.push(latest.height - Number(result.superblockHeight));
    }
    return {
      publishMs: stats(publishMs),
      lagMs: stats(lagMs),
      lagSuperblocks: stats(lagSuperblocks),
      users,
      gas: stats(gas),
    };
  } finally {
    await devnet.stop();
  }
}

function usersOf(count: number, h: SumTreeHasher): { leaves: SumLeaf[]; saltMs: number } {
  const random = seededRandom(count);
  const started = performance.now();
  const leaves = Array.from({ length: count }, (_, i) => ({
    saltedId: h.saltedId(BigInt(i + 1) * 0x10001n, BigInt(Math.floor(random() * 2 ** 52)) + 1n),
    balance: BigInt(Math.floor(random() * 1e9)) * 10n ** 12n,
  }));
  const saltMs = performance.now() - started;
  leaves.sort((a, b) => (a.saltedId < b.saltedId ? -1 : a.saltedId > b.saltedId ? 1 : 0));
  return { leaves, saltMs };
}

const JUSD_PLACEHOLDER = "0x00000000000000000000000000000000000000aa" as Address;
const HOLDER_PLACEHOLDER = "0x0000000000000000000000000000000000000c01" as Address;

/** A fresh L1 with the SuperblockLog (the deployer posts) and the SolvencyRegistry. */
async function chain() {
  const l1 = await startContractNode(900);
  const { solvency, postSuperblock } = await deploySolvencyL1(l1, {
    rollups: [901],
    // Every listed asset must be reported each epoch: list JUSD (a placeholder token) so it may be.
    tokens: [{ chainId: 901, token: JUSD_PLACEHOLDER, symbol: "JUSD" }],
    // The fold bench's tree needs reserves that cover it: one placeholder holder.
    holders: [{ chainId: 901, holder: HOLDER_PLACEHOLDER }],
  });
  let height = 0n;
  const publisher = l1.walletOf(devnetAccounts().proposer.privateKey);
  /** Posts a superblock and publishes the tree's root there (with `reserve`, if any); returns the publish gas. */
  async function publish(tree: SumTree, reserve?: bigint): Promise<bigint> {
    const superblock = await postSuperblock();
    height = superblock.height;
    const receipt = await l1.mined(
      publisher.writeContract({
        address: solvency.registry,
        abi: solvencyRegistryAbi,
        functionName: "publish",
        args: [
          height,
          superblock.blocks,
          [{ asset: assetId("JUSD"), root: tree.root.hash, total: tree.root.sum }],
          reserve === undefined
            ? []
            : [
                {
                  chainId: 901n,
                  blockNumber: height,
                  holder: HOLDER_PLACEHOLDER,
                  token: JUSD_PLACEHOLDER,
                  amount: reserve,
                },
              ],
        ],
      }),
    );
    return receipt.gasUsed;
  }
  return { node: l1.node, client: l1.client, registry: solvency.registry, publish, epoch: () => height };
}

/**
 * Gas of a transaction that calls a view (21,000 base and calldata included), after checking the call
 * succeeds: eth_estimateGas would find the least gas at which the call does not revert, and a Groth16
 * verifier starved of gas for its pairing returns false instead of reverting.
 */
async function viewTransactionGas(node: AnvilNode, to: Address, data: Hex): Promise<bigint> {
  const wallet = walletClientFor(node, devnetAccounts().deployer.privateKey);
  const hash = await wallet.sendTransaction({ to, data, gas: 5_000_000n });
  const receipt = await publicClientFor(node).waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error("the verification transaction reverted");
  return receipt.gasUsed;
}

async function verifyInclusionGas(
  node: AnvilNode,
  registry: Address,
  epoch: bigint,
  h: SumTreeHasher,
  tree: SumTree,
) {
  const proof = sumProof(h, tree, Math.floor(tree.leaves.length / 2));
  const data = encodeFunctionData({
    abi: solvencyRegistryAbi,
    functionName: "verifyInclusion",
    args: [
      epoch,
      assetId("JUSD"),
      proof.leaf.saltedId,
      proof.leaf.balance,
      BigInt(proof.index),
      proof.siblings.map((sibling) => sibling.hash),
      proof.siblings.map((sibling) => sibling.sum),
    ],
  });
  await publicClientFor(node).call({ to: registry, data });
  return viewTransactionGas(node, registry, data);
}

async function zkBench(node: AnvilNode, h: SumTreeHasher, batches: number): Promise<Report["zk"]> {
  if (!existsSync(SOLVENCY_ZKEY)) return undefined;
  const setup = await import("../circuits/build/solvency.setup.json", { with: { type: "json" } });
  const samples: number[] = [];
  let last: Awaited<ReturnType<typeof proveBatch>> | undefined;
  for (let i = 0; i < batches; i++) {
    const { leaves } = usersOf(8 + i, h);
    const batch = leaves.slice(0, 8);
    const tree = buildSumTree(h, batch, BATCH_DEPTH);
    last = await proveBatch(batch, tree.root.hash, tree.root.sum);
    samples.push(last.provingMs);
  }
  await releaseProvingThreads();
  const deployer = walletClientFor(node, devnetAccounts().deployer.privateKey);
  const client = publicClientFor(node);
  const hash = await deployer.deployContract({
    abi: solvencyBatchVerifierAbi,
    bytecode: solvencyBatchVerifierBytecode,
    args: [],
  });
  const verifier = (await client.waitForTransactionReceipt({ hash })).contractAddress as Address;
  const proof = last as NonNullable<typeof last>;
  const data = encodeFunctionData({
    abi: solvencyBatchVerifierAbi,
    functionName: "verifyProof",
    args: [proof.proof.a, proof.proof.b, proof.proof.c, proof.publicSignals],
  });
  const valid = await client.readContract({
    address: verifier,
    abi: solvencyBatchVerifierAbi,
    functionName: "verifyProof",
    args: [proof.proof.a, proof.proof.b, proof.proof.c, proof.publicSignals],
  });
  if (!valid) throw new Error("the batch proof did not verify on chain");
  const gas = await viewTransactionGas(node, verifier, data);
  return {
    batchSize: 8,
    constraints: setup.default.constraints,
    proving: stats(samples),
    verifyGas: gas.toString(),
  };
}

/** Proves a whole tree of `users` in range on the registry: every batch, then every fold up to the root. */
async function foldBench(
  l1: Awaited<ReturnType<typeof chain>>,
  h: SumTreeHasher,
  users: number,
): Promise<Report["fold"]> {
  if (!existsSync(SOLVENCY_FOLD_ZKEY) || !existsSync(SOLVENCY_ZKEY)) return undefined;
  const setup = await import("../circuits/build/solvency-fold.setup.json", { with: { type: "json" } });
  const { leaves } = usersOf(users, h);
  const tree = buildSumTree(h, leaves, epochTreeDepth(users));
  await l1.publish(tree, tree.root.sum);
  const epoch = l1.epoch();
  const prover = walletClientFor(l1.node, devnetAccounts().prover.privateKey);
  const started = performance.now();
  const steps = await proveTreeInRange(
    prover,
    l1.node,
    { registry: l1.registry, epoch, asset: "JUSD" },
    { tree, reserves: tree.root.sum },
  );
  const totalMs = performance.now() - started;
  await releaseProvingThreads();
  const batchProving: number[] = [];
  const foldProving: number[] = [];
  const proveBatchGas: number[] = [];
  const proveFoldGas: number[] = [];
  for (const step of steps) {
    const { gasUsed } = await l1.client.getTransactionReceipt({ hash: step.hash });
    (step.kind === "batch" ? batchProving : foldProving).push(step.provingMs);
    (step.kind === "batch" ? proveBatchGas : proveFoldGas).push(Number(gasUsed));
  }
  const rangeProven = await l1.client.readContract({
    address: l1.registry,
    abi: solvencyRegistryAbi,
    functionName: "rangeProven",
    args: [epoch, assetId("JUSD")],
  });
  if (!rangeProven) throw new Error("the folded proofs did not reach the published root");
  return {
    users,
    depth: tree.depth,
    constraints: setup.default.constraints,
    batchProving: stats(batchProving),
    foldProving: stats(foldProving),
    proveBatchGas: stats(proveBatchGas),
    proveFoldGas: stats(proveFoldGas),
    totalMs,
    rangeProven,
  };
}

function toMarkdown(report: Report): string {
  const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));
  const lines = [
    `# Proof of solvency benchmark`,
    "",
    `${report.date.slice(0, 10)}, commit ${report.commit}, ${report.machine.cores} cores, Node ${report.machine.node}. One asset; balances random below 10^21; Poseidon (circomlibjs) in one thread; gas on anvil with the real SolvencyRegistry and circomlibjs's Poseidon contracts.`,
    "",
    "| users | depth | salt ids (ms) | build tree (ms) | user proof p50 / p99 (ms) | verify proof p50 / p99 (ms) | publish gas | verifyInclusion gas |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...report.sizes.map(
      (size) =>
        `| ${size.users} | ${size.depth} | ${ms(size.saltMs)} | ${ms(size.buildMs)} | ${ms(size.proof.p50)} / ${ms(size.proof.p99)} | ${ms(size.verify.p50)} / ${ms(size.verify.p99)} | ${size.publishGas} | ${size.verifyInclusionGas} |`,
    ),
  ];
  if (report.zk) {
    lines.push(
      "",
      `zk batch (${report.zk.batchSize} leaves, ${report.zk.constraints} constraints, development setup): proving p50 ${ms(report.zk.proving.p50)} ms, max ${ms(report.zk.proving.max)} ms over ${report.zk.proving.n} batches; on-chain verifyProof ${report.zk.verifyGas} gas.`,
    );
  }
  if (report.fold) {
    const f = report.fold;
    lines.push(
      "",
      `zk range proof of a whole tree (${f.users} users, depth ${f.depth}; fold circuit ${f.constraints} constraints): ${f.batchProving.n} batches (proving p50 ${ms(f.batchProving.p50)} ms, proveBatch gas p50 ${f.proveBatchGas.p50}) and ${f.foldProving.n} folds (proving p50 ${ms(f.foldProving.p50)} ms, max ${ms(f.foldProving.max)} ms; proveFold gas p50 ${f.proveFoldGas.p50}, max ${f.proveFoldGas.max}); ${ms(f.totalMs)} ms in all until rangeProven.`,
    );
  }
  if (report.epochs) {
    const e = report.epochs;
    lines.push(
      "",
      `Epochs on a sequenced devnet (2 rollups, 250 ms superblocks, ${e.users} users owed, ${e.publishMs.n} epochs): publish (read every source and reserve at the posted superblock, build, archive, L1 transaction) p50 ${ms(e.publishMs.p50)} ms, max ${ms(e.publishMs.max)} ms; lag from the superblock's sealing to the epoch's receipt p50 ${ms(e.lagMs.p50)} ms, max ${ms(e.lagMs.max)} ms (${e.lagSuperblocks.p50} superblocks p50, ${e.lagSuperblocks.max} max); publish gas p50 ${e.gas.p50}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function main() {
  const h = await sumTreeHasher();
  const sizes = String(values.users).split(",").map(Number);
  const proofs = Number(values.proofs);
  const l1 = await chain();
  const report: Report = { ...runStamp(), sizes: [] };
  try {
    for (const users of sizes) {
      const { leaves, saltMs } = usersOf(users, h);
      const started = performance.now();
      const tree = buildSumTree(h, leaves);
      const buildMs = performance.now() - started;
      const proofTimes: number[] = [];
      const verifyTimes: number[] = [];
      const random = seededRandom(7);
      for (let i = 0; i < proofs; i++) {
        const index = Math.floor(random() * users);
        const t0 = performance.now();
        const proof = sumProof(h, tree, index);
        const t1 = performance.now();
        verifySumProof(h, proof, tree.root);
        verifyTimes.push(performance.now() - t1);
        proofTimes.push(t1 - t0);
      }
      const publishGas = await l1.publish(tree);
      const gas = await verifyInclusionGas(l1.node, l1.registry, l1.epoch(), h, tree);
      report.sizes.push({
        users,
        depth: tree.depth,
        saltMs,
        buildMs,
        proof: stats(proofTimes),
        verify: stats(verifyTimes),
        publishGas: publishGas.toString(),
        verifyInclusionGas: gas.toString(),
      });
      process.stderr.write(`bench:solvency: ${users} users done\n`);
    }
    report.zk = await zkBench(l1.node, h, Number(values.batches));
    report.fold = await foldBench(l1, h, Number(values["fold-users"]));
    report.epochs = await epochBench(Number(values.epochs));
  } finally {
    await l1.node.stop();
  }
  writeResults(String(values.out), "-solvency", report, toMarkdown(report));
}

await main();
