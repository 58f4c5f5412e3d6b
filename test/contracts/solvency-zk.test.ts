// Proof of solvency's batch circuit: an honest batch proves and verifies (snarkjs and the generated
// SolvencyBatchVerifier on anvil); a batch with a leaf of 2^96, a "negative" leaf hidden by a larger one,
// or a total above the reserves cannot be proven at all.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Address } from "viem";
import { circuitHash } from "../../scripts/zk-setup.js";
import { releaseProvingThreads } from "../../src/agents/prover/groth16.js";
import { type AnvilNode, startAnvil } from "../../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { freePort } from "../../src/chain/ports.js";
import {
  solvencyBatchVerifierAbi,
  solvencyBatchVerifierBytecode,
} from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import {
  buildSumTree,
  FIELD_MODULUS,
  type SumLeaf,
  type SumNode,
  type SumTreeHasher,
  sumTreeHasher,
} from "../../src/protocol/sum-tree.js";
import { BATCH_DEPTH, BatchNotProvableError, type BatchProof, proveBatch } from "../../src/solvency/zk.js";

let h: SumTreeHasher;

/** The root a batch's leaves hash to, with sums taken in the field as the circuit takes them (no checks). */
function fieldRoot(leaves: readonly SumLeaf[]): bigint {
  let level: SumNode[] = Array.from({ length: 2 ** BATCH_DEPTH }, (_, i) => {
    const leaf = leaves[i] ?? { saltedId: 0n, balance: 0n };
    const balance = ((leaf.balance % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;
    return h.leaf({ saltedId: leaf.saltedId, balance });
  });
  while (level.length > 1) {
    const above: SumNode[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const node = h.parent(level[i] as SumNode, level[i + 1] as SumNode);
      above.push({ hash: node.hash, sum: node.sum % FIELD_MODULUS });
    }
    level = above;
  }
  return (level[0] as SumNode).hash;
}

function leavesOf(balances: bigint[]): SumLeaf[] {
  return balances
    .map((balance, i) => ({ saltedId: h.saltedId(BigInt(0xb000 + i), 99n), balance }))
    .sort((a, b) => (a.saltedId < b.saltedId ? -1 : 1));
}

describe("solvency batch circuit", () => {
  let node: AnvilNode;
  let verifier: Address;

  const verifyOnChain = (batch: BatchProof, signals = batch.publicSignals) =>
    publicClientFor(node).readContract({
      address: verifier,
      abi: solvencyBatchVerifierAbi,
      functionName: "verifyProof",
      args: [batch.proof.a, batch.proof.b, batch.proof.c, signals],
    });

  before(async () => {
    h = await sumTreeHasher();
    node = await startAnvil({ chainId: 900, port: await freePort() });
    const wallet = walletClientFor(node, devnetAccounts().deployer.privateKey);
    const hash = await wallet.deployContract({
      abi: solvencyBatchVerifierAbi,
      bytecode: solvencyBatchVerifierBytecode,
      args: [],
    });
    verifier = (await publicClientFor(node).waitForTransactionReceipt({ hash })).contractAddress as Address;
  });

  after(async () => {
    await releaseProvingThreads();
    await node?.stop();
  });

  it("the committed artifacts were built from circuits/solvency.circom", () => {
    const setup = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../circuits/build/solvency.setup.json"), "utf8"),
    );
    assert.equal(
      setup.circuitHash,
      circuitHash("solvency"),
      "circuits/solvency.circom changed: run npm run zk:setup -- --circuit solvency",
    );
  });

  it("an honest batch (5 users, 3 padding leaves) proves against its sum tree's root and verifies on chain", async () => {
    const leaves = leavesOf([5n, 10n ** 18n, 2n ** 96n - 1n, 0n, 123n]);
    const tree = buildSumTree(h, leaves, BATCH_DEPTH);
    const batch = await proveBatch(leaves, tree.root.hash, tree.root.sum);
    assert.deepEqual(batch.publicSignals, [tree.root.hash, tree.root.sum]);
    assert.equal(await verifyOnChain(batch), true);
    // The same proof says nothing about another root or a smaller reserve.
    assert.equal(await verifyOnChain(batch, [tree.root.hash + 1n, tree.root.sum]), false);
    assert.equal(await verifyOnChain(batch, [tree.root.hash, tree.root.sum - 1n]), false);
  });

  it("cannot be produced for a leaf of 2^96, nor for a negative leaf offset by a larger one", async () => {
    const tooLarge = leavesOf([1n, 2n ** 96n, 3n]);
    await assert.rejects(proveBatch(tooLarge, fieldRoot(tooLarge), 2n ** 127n), BatchNotProvableError);
    // -5 enters the field as p - 5; with +10 beside it the field sum is 5, inside any bound.
    const negative = leavesOf([10n, -5n]);
    await assert.rejects(proveBatch(negative, fieldRoot(negative), 100n), BatchNotProvableError);
  });

  it("cannot be produced when the total exceeds the reserves, or for another root", async () => {
    const leaves = leavesOf([40n, 60n]);
    const tree = buildSumTree(h, leaves, BATCH_DEPTH);
    await assert.rejects(proveBatch(leaves, tree.root.hash, 99n), BatchNotProvableError);
    await assert.rejects(proveBatch(leaves, tree.root.hash + 1n, 100n), BatchNotProvableError);
  });
});
