// Folding the solvency range proofs on a real anvil node: trees of 25 and 9 users (depth 6, batches of 8
// leaves folded into the root) proven in range end to end through proveEpochRanges (what the publisher's
// --zk runs), and what cannot pass: a batch of another tree or another asset, a fold with a wrong or
// unproven child, a fold at a height that is not a batch boundary, and an out-of-range leaf or sum
// anywhere in the tree.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Address, keccak256, toHex, zeroAddress } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { circuitHash } from "../../scripts/zk-setup.js";
import { releaseProvingThreads } from "../../src/agents/prover/groth16.js";
import type { JunctionPublicClient, JunctionWalletClient } from "../../src/chain/clients.js";
import { solvencyRegistryAbi } from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { type SumTree, type SumTreeHasher, sumTreeHasher } from "../../src/protocol/sum-tree.js";
import { assetId } from "../../src/solvency/assets.js";
import {
  buildEpochTrees,
  type EpochArchive,
  type EpochUser,
  liabilitiesArgument,
} from "../../src/solvency/epoch.js";
import { BatchNotProvableError, proveBatch } from "../../src/solvency/zk.js";
import {
  proveEpochRange,
  proveEpochRanges,
  sendBatchProof,
  sendFoldProof,
} from "../../src/solvency/zk-epoch.js";
import { type FoldChild, foldPlan, proveFold } from "../../src/solvency/zk-fold.js";
import { rejects } from "../helpers/chain.js";
import { type ContractNode, startContractNode } from "../helpers/contract-node.js";
import { deploySolvencyL1, type SolvencyL1 } from "../helpers/solvency-l1.js";

const JUSD = "0x00000000000000000000000000000000000000aa" as Address;
const TETH = "0x00000000000000000000000000000000000000bb" as Address;
const POOL = "0x0000000000000000000000000000000000000c01" as Address;
const ASSETS = ["JUSD", "tETH", "ETH"];
const RESERVES = 10n ** 30n;

describe("SolvencyRegistry range proofs folded over a whole tree", () => {
  let l1: ContractNode;
  let client: JunctionPublicClient;
  let publisher: JunctionWalletClient;
  let prover: JunctionWalletClient;
  let solvencyL1: SolvencyL1;
  let network: { l1: { chainId: number; rpcUrl: string }; solvency: SolvencyL1["solvency"] };
  let h: SumTreeHasher;
  const accounts = devnetAccounts();

  const registry = () => ({ address: network.solvency.registry, abi: solvencyRegistryAbi }) as const;
  const rangeProven = (epoch: bigint, asset: string) =>
    client.readContract({ ...registry(), functionName: "rangeProven", args: [epoch, assetId(asset)] });
  const provenHeight = (epoch: bigint, asset: string, nodeHash: bigint) =>
    client.readContract({
      ...registry(),
      functionName: "provenHeight",
      args: [epoch, assetId(asset), nodeHash],
    });

  /** `count` users owed `balance(i)` of `asset`, with salts that differ per `seed`. */
  function usersOf(
    seed: number,
    counts: Record<string, number>,
    balance = (i: number) => BigInt(i + 1) * 10n ** 18n,
  ) {
    const users: EpochUser[] = [];
    const most = Math.max(...Object.values(counts));
    for (let i = 0; i < most; i++) {
      const balances: Record<string, bigint> = {};
      for (const [asset, count] of Object.entries(counts)) if (i < count) balances[asset] = balance(i);
      const key = keccak256(toHex(`solvency fold user ${i}`));
      users.push({ user: privateKeyToAddress(key), salt: BigInt(seed * 1000 + i + 1), balances });
    }
    return users;
  }

  /** Posts a superblock and publishes an epoch of `users` with POOL holding RESERVES of every asset. */
  async function publishEpoch(
    users: EpochUser[],
  ): Promise<{ epoch: bigint; archive: EpochArchive; trees: Map<string, SumTree> }> {
    const { height, blocks } = await solvencyL1.postSuperblock();
    const archive: EpochArchive = { superblockHeight: height, blocks, assets: ASSETS, users, reserves: [] };
    const trees = buildEpochTrees(h, archive);
    const reserves = [TETH, JUSD, zeroAddress]
      .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
      .map((token) => ({ chainId: 901n, blockNumber: height, holder: POOL, token, amount: RESERVES }));
    await l1.mined(
      publisher.writeContract({
        ...registry(),
        functionName: "publish",
        args: [height, blocks, liabilitiesArgument(trees), reserves],
      }),
    );
    const epoch = await client.readContract({ ...registry(), functionName: "epochCount" });
    return { epoch, archive, trees };
  }

  const target = (epoch: bigint, asset: string) => ({ registry: network.solvency.registry, epoch, asset });

  async function submitBatch(epoch: bigint, asset: string, leaves: SumTree["leaves"], nodeHash: bigint) {
    const { proof } = await proveBatch(leaves, nodeHash, RESERVES);
    return sendBatchProof(prover, target(epoch, asset), { nodeHash, proof });
  }

  /** Proves a fold of `children` and sends it naming `passed` as the children. */
  async function submitFold(
    epoch: bigint,
    asset: string,
    height: number,
    children: FoldChild[],
    parentHash: bigint,
    passed = children,
  ) {
    const { proof } = await proveFold(children, parentHash, RESERVES);
    return sendFoldProof(prover, target(epoch, asset), { height, children: passed, parentHash, proof });
  }

  before(async () => {
    h = await sumTreeHasher();
    l1 = await startContractNode(900);
    client = l1.client;
    publisher = l1.walletOf(accounts.proposer.privateKey);
    prover = l1.walletOf(accounts.prover.privateKey);
    solvencyL1 = await deploySolvencyL1(l1, {
      rollups: [901, 902],
      tokens: [
        { chainId: 901, token: JUSD, symbol: "JUSD" },
        { chainId: 901, token: TETH, symbol: "tETH" },
        { chainId: 901, token: zeroAddress, symbol: "ETH" },
      ],
      holders: [{ chainId: 901, holder: POOL }],
    });
    network = { l1: { chainId: 900, rpcUrl: l1.node.rpcUrl }, solvency: solvencyL1.solvency };
  });

  after(async () => {
    await releaseProvingThreads();
    await l1?.node.stop();
  });

  it("the committed fold artifacts were built from circuits/solvency-fold.circom", () => {
    const setup = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../circuits/build/solvency-fold.setup.json"), "utf8"),
    );
    assert.equal(
      setup.circuitHash,
      circuitHash("solvency-fold"),
      "run npm run zk:setup -- --circuit solvency-fold",
    );
  });

  it("proves trees of 25 and 9 users and an empty one in range: batches folded into each root (proveEpochRanges)", async () => {
    const { epoch, archive, trees } = await publishEpoch(usersOf(1, { JUSD: 25, ETH: 9 }));
    const jusd = trees.get("JUSD") as SumTree;
    assert.equal(jusd.depth, 6);
    assert.deepEqual(
      { batches: foldPlan(h, jusd).batches.length, folds: foldPlan(h, jusd).folds.length },
      { batches: 4, folds: 1 },
    );
    for (const asset of ASSETS) assert.equal(await rangeProven(epoch, asset), false);
    const result = await proveEpochRanges(prover, network, archive, epoch);
    assert.deepEqual(result, { proven: ASSETS, skipped: [] });
    for (const asset of ASSETS) assert.equal(await rangeProven(epoch, asset), true, asset);
    // The root was proven by a fold at height 6; each batch's node at height 3.
    assert.equal(await provenHeight(epoch, "JUSD", jusd.root.hash), 6n);
    for (const batch of jusd.levels[3] ?? []) assert.equal(await provenHeight(epoch, "JUSD", batch.hash), 3n);
    // Proving again submits nothing; a batch submitted anyway is refused.
    const again = await proveEpochRange(prover, network, archive, { epoch, asset: "JUSD" });
    assert.deepEqual(again.transactionHashes, []);
    const batch = foldPlan(h, jusd).batches[0];
    assert.ok(batch);
    await rejects(submitBatch(epoch, "JUSD", batch.leaves, batch.node.hash), "RangeAlreadyProven");
  });

  it("refuses a batch of another asset, an unproven or wrong child, a bad height; another tree's nodes never reach the root", async () => {
    const first = await publishEpoch(usersOf(1, { JUSD: 25, ETH: 9 }));
    const { epoch, trees } = await publishEpoch(usersOf(2, { JUSD: 25, ETH: 20 }));
    const jusd = foldPlan(h, trees.get("JUSD") as SumTree);
    const eth = foldPlan(h, trees.get("ETH") as SumTree);
    const [top] = jusd.folds;
    assert.ok(top);
    // A fold before its children are proven: the first child is named.
    await rejects(submitFold(epoch, "JUSD", 3, top.children, top.node.hash), "ChildNotProven");
    // A JUSD batch submitted as ETH's: the same reserves, so the proof holds, but it is not ETH's tree:
    // it is recorded as an ETH node and folds into no ETH root. A proof for other public inputs fails.
    const batch = jusd.batches[0];
    assert.ok(batch);
    const { proof } = await proveBatch(batch.leaves, batch.node.hash, RESERVES - 1n);
    await rejects(
      sendBatchProof(prover, target(epoch, "JUSD"), { nodeHash: batch.node.hash, proof }),
      "InvalidRangeProof",
    );
    // Epoch 1's JUSD batches (another tree: other salts) proven in epoch 2, then folded: the fold
    // proves a node, never the published root.
    const old = foldPlan(h, first.trees.get("JUSD") as SumTree);
    for (const step of old.batches) {
      await client.waitForTransactionReceipt({
        hash: await submitBatch(epoch, "JUSD", step.leaves, step.node.hash),
      });
    }
    const [oldTop] = old.folds;
    assert.ok(oldTop);
    await client.waitForTransactionReceipt({
      hash: await submitFold(epoch, "JUSD", 3, oldTop.children, oldTop.node.hash),
    });
    assert.equal(await provenHeight(epoch, "JUSD", oldTop.node.hash), 6n);
    assert.equal(await rangeProven(epoch, "JUSD"), false);
    // Now the honest batches; a fold that swaps in one of epoch 1's proven nodes for the honest child
    // (its proof made for the honest children) fails, and so would a fold proven over the swap, whose
    // parent is not the root.
    for (const step of jusd.batches) {
      await client.waitForTransactionReceipt({
        hash: await submitBatch(epoch, "JUSD", step.leaves, step.node.hash),
      });
    }
    const swapped = top.children.map((child, i) => (i === 0 ? (oldTop.children[0] as FoldChild) : child));
    await rejects(submitFold(epoch, "JUSD", 3, top.children, top.node.hash, swapped), "InvalidRangeProof");
    await rejects(submitFold(epoch, "JUSD", 4, top.children, top.node.hash), "InvalidFoldHeight");
    // Nor can a fold be made to claim another parent.
    await assert.rejects(
      submitFold(epoch, "JUSD", 3, top.children, top.node.hash + 1n),
      BatchNotProvableError,
    );
    assert.equal(await rangeProven(epoch, "JUSD"), false);
    await client.waitForTransactionReceipt({
      hash: await submitFold(epoch, "JUSD", 3, top.children, top.node.hash),
    });
    assert.equal(await rangeProven(epoch, "JUSD"), true);
    // ETH's tree (20 users: 3 batches, padding for the rest) is not proven by any of JUSD's nodes.
    assert.equal(await rangeProven(epoch, "ETH"), false);
    assert.equal(eth.batches.length, 3);
  });

  it("an out-of-range leaf or sum anywhere in a large tree cannot be proven", async () => {
    // The leaf of 2^96 sits in the third batch; a sum of 2^128 (p − x for a negative one is larger
    // still) is refused by the fold even where the child's hash is consistent with it.
    const balances = (i: number) => (i === 20 ? 2n ** 96n : BigInt(i + 1));
    const users = usersOf(3, { JUSD: 25 }, balances);
    const leaves = users
      .map((user) => ({
        saltedId: h.saltedId(BigInt(user.user), user.salt),
        balance: user.balances.JUSD as bigint,
      }))
      .sort((a, b) => (a.saltedId < b.saltedId ? -1 : 1));
    const outOfRange = leaves.findIndex((leaf) => leaf.balance === 2n ** 96n);
    const batch = Math.floor(outOfRange / 8);
    // Hash the batch as the circuit would (no range checks) to give the prover its best chance.
    let level = Array.from({ length: 8 }, (_, i) =>
      h.leaf(leaves[batch * 8 + i] ?? { saltedId: 0n, balance: 0n }),
    );
    while (level.length > 1)
      level = level.flatMap((_, i) => (i % 2 ? [] : [h.parent(level[i] as never, level[i + 1] as never)]));
    await assert.rejects(
      proveBatch(leaves.slice(batch * 8, batch * 8 + 8), (level[0] as { hash: bigint }).hash, RESERVES),
      BatchNotProvableError,
    );
    const pad = h.padding(2);
    const huge = { hash: pad.hash, sum: 2n ** 128n };
    const child = { left: huge, right: pad, hash: h.parent(huge, pad).hash };
    const children = [
      child,
      ...Array.from({ length: 7 }, () => ({ left: pad, right: pad, hash: h.padding(3).hash })),
    ];
    let nodes = children.map((c) => h.parent(c.left, c.right));
    while (nodes.length > 1)
      nodes = nodes.flatMap((_, i) => (i % 2 ? [] : [h.parent(nodes[i] as never, nodes[i + 1] as never)]));
    await assert.rejects(
      proveFold(children, (nodes[0] as { hash: bigint }).hash, 2n ** 127n),
      BatchNotProvableError,
    );
  });
});
