// The Merkle-sum tree of proof of solvency: every proof verifies, and each attack on the tree or a proof
// is refused by its named error.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { seededRandom } from "../../src/protocol/prng.js";
import {
  auditSumTree,
  BalanceMismatchError,
  BalanceOutOfRangeError,
  buildSumTree,
  checkUserInclusion,
  DuplicateUserError,
  FIELD_MODULUS,
  indexOfUser,
  LeafOrderError,
  LeafPositionError,
  MAX_BALANCE,
  NegativeBalanceError,
  RootMismatchError,
  type SumLeaf,
  SumOutOfRangeError,
  SumOverflowError,
  type SumTreeHasher,
  sumProof,
  sumTreeHasher,
  UserNotIncludedError,
  verifySumProof,
} from "../../src/protocol/sum-tree.js";
import { aggregateLiabilities, buildEpochTrees, owedBySource } from "../../src/solvency/epoch.js";
import type { Liability } from "../../src/solvency/sources.js";

let h: SumTreeHasher;
type User = { id: bigint; salt: bigint; balance: bigint };

function usersOf(count: number, seed: number): User[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: 0x1000n + BigInt(i),
    salt: BigInt(Math.floor(random() * 2 ** 48)) * 65_537n + 1n,
    balance: BigInt(Math.floor(random() * 1e12)) * 10n ** 6n,
  }));
}

function leavesOf(users: readonly User[]): SumLeaf[] {
  return users
    .map((user) => ({ saltedId: h.saltedId(user.id, user.salt), balance: user.balance }))
    .sort((a, b) => (a.saltedId < b.saltedId ? -1 : a.saltedId > b.saltedId ? 1 : 0));
}

describe("sum tree", () => {
  before(async () => {
    h = await sumTreeHasher();
  });

  it("every user's proof verifies and the root sums every balance, for sizes 1 to 33", () => {
    for (let size = 1; size <= 33; size++) {
      const users = usersOf(size, size);
      const tree = buildSumTree(h, leavesOf(users));
      assert.equal(
        tree.root.sum,
        users.reduce((total, user) => total + user.balance, 0n),
      );
      for (const user of users) {
        const index = indexOfUser(tree, h.saltedId(user.id, user.salt));
        checkUserInclusion(h, sumProof(h, tree, index), tree.root, user);
      }
    }
  });

  it("a parent commits both children's sums: moving value between siblings changes the root", () => {
    const tree = buildSumTree(h, leavesOf(usersOf(2, 7)));
    const [a, b] = tree.levels[0] as [{ hash: bigint; sum: bigint }, { hash: bigint; sum: bigint }];
    const shifted = h.parent({ hash: a.hash, sum: a.sum + 1n }, { hash: b.hash, sum: b.sum - 1n });
    assert.equal(shifted.sum, tree.root.sum);
    assert.notEqual(shifted.hash, tree.root.hash);
  });

  it("refuses a tampered balance: the proof no longer leads to the root (RootMismatchError)", () => {
    const users = usersOf(10, 3);
    const tree = buildSumTree(h, leavesOf(users));
    const proof = sumProof(h, tree, 4);
    proof.leaf.balance -= 1n;
    assert.throws(() => verifySumProof(h, proof, tree.root), RootMismatchError);
    const sibling = sumProof(h, tree, 4);
    (sibling.siblings[1] as { sum: bigint }).sum -= 5n;
    assert.throws(() => verifySumProof(h, sibling, tree.root), RootMismatchError);
  });

  it("the user spots a leaf that counts less than it is owed (BalanceMismatchError)", () => {
    const users = usersOf(6, 4);
    const cheat = users.map((user, i) => (i === 2 ? { ...user, balance: user.balance / 2n } : user));
    const tree = buildSumTree(h, leavesOf(cheat));
    const user = users[2] as User;
    const proof = sumProof(h, tree, indexOfUser(tree, h.saltedId(user.id, user.salt)));
    assert.throws(() => checkUserInclusion(h, proof, tree.root, user), BalanceMismatchError);
  });

  it("refuses a negative balance when building (NegativeBalanceError) and a field-negative sibling sum in a proof (SumOutOfRangeError)", () => {
    const leaves = leavesOf(usersOf(4, 5));
    (leaves[1] as SumLeaf).balance = -1n;
    assert.throws(() => buildSumTree(h, leaves), NegativeBalanceError);
    const tree = buildSumTree(h, leavesOf(usersOf(4, 5)));
    const proof = sumProof(h, tree, 0);
    // A sibling claiming -x is, in the field, p - x: out of range, never a small number.
    (proof.siblings[0] as { sum: bigint }).sum = FIELD_MODULUS - 5n;
    assert.throws(() => verifySumProof(h, proof, tree.root), SumOutOfRangeError);
    const negativeLeaf = sumProof(h, tree, 0);
    negativeLeaf.leaf.balance = -3n;
    assert.throws(() => verifySumProof(h, negativeLeaf, tree.root), NegativeBalanceError);
  });

  it("refuses a balance of 2^96 (BalanceOutOfRangeError) and a sum that would pass 2^128 (SumOverflowError)", () => {
    const leaves = leavesOf(usersOf(2, 6));
    (leaves[0] as SumLeaf).balance = MAX_BALANCE + 1n;
    assert.throws(() => buildSumTree(h, leaves), BalanceOutOfRangeError);
    const tree = buildSumTree(h, leavesOf(usersOf(8, 6)));
    const proof = sumProof(h, tree, 3);
    (proof.siblings[2] as { sum: bigint }).sum = 2n ** 128n - 1n;
    assert.throws(() => verifySumProof(h, proof, tree.root), SumOverflowError);
  });

  it("a leaf moved to another position: out of order for the audit (LeafOrderError), wrong path for its proof (RootMismatchError)", () => {
    const leaves = leavesOf(usersOf(8, 8));
    const tree = buildSumTree(h, leaves);
    const moved = [...leaves];
    [moved[2], moved[5]] = [moved[5] as SumLeaf, moved[2] as SumLeaf];
    assert.throws(() => buildSumTree(h, moved), LeafOrderError);
    const proof = sumProof(h, tree, 2);
    assert.throws(() => verifySumProof(h, { ...proof, index: 5 }, tree.root), RootMismatchError);
    assert.throws(() => verifySumProof(h, { ...proof, index: 8 }, tree.root), LeafPositionError);
  });

  it("a duplicated user is refused (DuplicateUserError), when building and by the audit", () => {
    const leaves = leavesOf(usersOf(5, 9));
    const doubled = [...leaves.slice(0, 3), leaves[2] as SumLeaf, ...leaves.slice(3)];
    assert.throws(() => buildSumTree(h, doubled), DuplicateUserError);
    const tree = buildSumTree(h, leaves);
    const forged = { ...tree, leaves: doubled };
    const owed = new Map(leaves.map((leaf) => [leaf.saltedId, leaf.balance]));
    assert.throws(() => auditSumTree(forged, owed), DuplicateUserError);
  });

  it("a dropped user: no proof for it, and the audit of what the apps owe names it (UserNotIncludedError)", () => {
    const users = usersOf(7, 10);
    const all = leavesOf(users);
    const dropped = users[3] as User;
    const droppedId = h.saltedId(dropped.id, dropped.salt);
    const tree = buildSumTree(
      h,
      all.filter((leaf) => leaf.saltedId !== droppedId),
    );
    assert.throws(() => indexOfUser(tree, droppedId), UserNotIncludedError);
    const owed = new Map(all.map((leaf) => [leaf.saltedId, leaf.balance]));
    assert.throws(() => auditSumTree(tree, owed), UserNotIncludedError);
    // And someone else's proof is not the dropped user's.
    const other = sumProof(h, tree, 0);
    assert.throws(() => checkUserInclusion(h, other, tree.root, dropped), UserNotIncludedError);
    auditSumTree(buildSumTree(h, all), owed);
  });
});

describe("the collection step's audit (review L3)", () => {
  const secret = `0x${"5a".repeat(32)}` as const;
  const liabilities: Liability[] = [
    {
      source: "liquidity-pool",
      user: "0x00000000000000000000000000000000000000a1",
      asset: "JUSD",
      amount: 70n,
    },
    { source: "margin", user: "0x00000000000000000000000000000000000000A1", asset: "JUSD", amount: 30n },
    { source: "margin", user: "0x00000000000000000000000000000000000000b2", asset: "JUSD", amount: 5n },
    { source: "bridge", user: "0x00000000000000000000000000000000000000b2", asset: "ETH", amount: 9n },
  ];

  it("compares the trees with the sources' raw entries, so a balance changed or a user dropped after aggregation is named", async () => {
    const h = await sumTreeHasher();
    const owed = owedBySource(h, liabilities, secret, 7n);
    const archive = { assets: ["ETH", "JUSD"], users: aggregateLiabilities(liabilities, secret, 7n) };
    assert.equal(buildEpochTrees(h, archive, owed).get("JUSD")?.root.sum, 105n);
    const lowered = {
      ...archive,
      users: archive.users.map((user) =>
        user.balances.JUSD === 100n ? { ...user, balances: { ...user.balances, JUSD: 99n } } : user,
      ),
    };
    // Audited against the archive itself (as before the fix) the change cannot show…
    buildEpochTrees(h, lowered);
    // … against the sources it does.
    assert.throws(() => buildEpochTrees(h, lowered, owed), BalanceMismatchError);
    const dropped = { ...archive, users: archive.users.filter((user) => user.balances.ETH === undefined) };
    assert.throws(() => buildEpochTrees(h, dropped, owed), UserNotIncludedError);
  });
});
