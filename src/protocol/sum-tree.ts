// Merkle-sum trees for proof of solvency: one tree per asset over every user's liability. Twin of
// contracts/apps/solvency/SolvencyRegistry.sol (verifyInclusion) and circuits/solvency.circom.
//
// Every node is a (hash, sum) pair and a parent commits BOTH children's hashes and sums:
//   parent.hash = Poseidon(left.hash, left.sum, right.hash, right.sum), parent.sum = left.sum + right.sum.
// Maxwell's original tree hashed only the parent sum, which lets an operator shift value between
// siblings unseen (ePrint 2018/1139). A leaf is Poseidon(saltedId, balance) with
// saltedId = Poseidon(address, salt): a proof shows its siblings' hashes and sums but no address.
//
// Bounds: a balance is in [0, 2^96) and a tree is at most 2^32 leaves deep, so every sum is below 2^128,
// far under the BN254 field (2^254) and uint256: no sum can wrap around to a small number (Summa #237).
// Positions: leaves are sorted by saltedId, strictly increasing, so a duplicated user or a moved leaf is
// visible to anyone auditing the leaves. Padding leaves (beyond the last user) are the node (PAD, 0),
// PAD = Poseidon(0, 0); no user has saltedId 0.
import { buildPoseidon } from "circomlibjs";
import { JunctionError } from "../errors.js";

export const BALANCE_BITS = 96;
export const MAX_BALANCE = 2n ** 96n - 1n;
export const SUM_BITS = 128;
/** Exclusive bound on every sum in a tree of at most MAX_SUM_TREE_DEPTH levels. */
export const SUM_BOUND = 2n ** 128n;
export const MAX_SUM_TREE_DEPTH = 32;
/** The BN254 scalar field: every hash input and output is below it. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export type SumNode = { hash: bigint; sum: bigint };
export type SumLeaf = { saltedId: bigint; balance: bigint };

/** A user's inclusion proof: the leaf, its position, and every sibling's hash and sum, leaf level first. */
export type SumProof = { index: number; leaf: SumLeaf; siblings: SumNode[] };

export type SumTree = {
  depth: number;
  leaves: SumLeaf[];
  /** levels[0] are the leaf nodes (without padding), levels[depth] = [root]. */
  levels: SumNode[][];
  root: SumNode;
};

/** A balance below zero. */
export class NegativeBalanceError extends JunctionError {
  override name = "NegativeBalanceError" as const;
}
/** A balance at or above 2^96. */
export class BalanceOutOfRangeError extends JunctionError {
  override name = "BalanceOutOfRangeError" as const;
}
/** A sibling's sum outside [0, 2^128): in a field, a "negative" sum is a huge one. */
export class SumOutOfRangeError extends JunctionError {
  override name = "SumOutOfRangeError" as const;
}
/** Two sums add up to 2^128 or more. */
export class SumOverflowError extends JunctionError {
  override name = "SumOverflowError" as const;
}
/** The same user twice in one tree. */
export class DuplicateUserError extends JunctionError {
  override name = "DuplicateUserError" as const;
}
/** Leaves out of saltedId order: a leaf moved to another position. */
export class LeafOrderError extends JunctionError {
  override name = "LeafOrderError" as const;
}
/** A proof's position is outside the tree, or a leaf's saltedId is not a usable field element. */
export class LeafPositionError extends JunctionError {
  override name = "LeafPositionError" as const;
}
/** A proof does not lead to the published root (tampered balance, sibling or position). */
export class RootMismatchError extends JunctionError {
  override name = "RootMismatchError" as const;
}
/** A user is not in the tree (dropped), or a proof is someone else's. */
export class UserNotIncludedError extends JunctionError {
  override name = "UserNotIncludedError" as const;
}
/** The leaf shows another balance than the one the user knows it has. */
export class BalanceMismatchError extends JunctionError {
  override name = "BalanceMismatchError" as const;
}

export type SumTreeHasher = {
  saltedId(user: bigint, salt: bigint): bigint;
  leaf(leaf: SumLeaf): SumNode;
  parent(left: SumNode, right: SumNode): SumNode;
  /** The root of an all-padding subtree of the given height. */
  padding(height: number): SumNode;
};

let hasher: Promise<SumTreeHasher> | undefined;

/** The Poseidon hasher the trees use (circomlibjs, the same parameters as circomlib's Poseidon). */
export function sumTreeHasher(): Promise<SumTreeHasher> {
  hasher ??= buildPoseidon().then((poseidon) => {
    const hash = (inputs: bigint[]) => poseidon.F.toObject(poseidon(inputs));
    const pads: SumNode[] = [{ hash: hash([0n, 0n]), sum: 0n }];
    const self: SumTreeHasher = {
      saltedId: (user, salt) => hash([user, salt]),
      leaf: ({ saltedId, balance }) => ({ hash: hash([saltedId, balance]), sum: balance }),
      parent: (left, right) => ({
        hash: hash([left.hash, left.sum, right.hash, right.sum]),
        sum: left.sum + right.sum,
      }),
      padding(height) {
        while (pads.length <= height) {
          const below = pads[pads.length - 1] as SumNode;
          pads.push(self.parent(below, below));
        }
        return pads[height] as SumNode;
      },
    };
    return self;
  });
  return hasher;
}

/** Refuses a balance outside [0, 2^96). */
export function checkBalance(balance: bigint, what = "balance"): void {
  if (balance < 0n) throw new NegativeBalanceError(`${what} ${balance} is negative`);
  if (balance > MAX_BALANCE) {
    throw new BalanceOutOfRangeError(`${what} ${balance} is not below 2^${BALANCE_BITS}`);
  }
}

/** Depth of the smallest tree that holds `count` leaves (at least 1). */
export function sumTreeDepth(count: number): number {
  let depth = 1;
  while (2 ** depth < count) depth++;
  return depth;
}

/**
 * Builds the tree over `leaves`, which must be sorted by saltedId, strictly increasing.
 *
 * @example
 * const h = await sumTreeHasher();
 * const tree = buildSumTree(h, [{ saltedId: h.saltedId(0xa11cen, 7n), balance: 5n }]);
 */
export function buildSumTree(h: SumTreeHasher, leaves: readonly SumLeaf[], minDepth = 1): SumTree {
  const depth = Math.max(minDepth, sumTreeDepth(leaves.length));
  if (depth > MAX_SUM_TREE_DEPTH) {
    throw new LeafPositionError(`${leaves.length} leaves need more than ${MAX_SUM_TREE_DEPTH} levels`);
  }
  for (const [i, leaf] of leaves.entries()) {
    checkBalance(leaf.balance, `balance of leaf ${i}`);
    if (leaf.saltedId <= 0n || leaf.saltedId >= FIELD_MODULUS) {
      throw new LeafPositionError(`leaf ${i} has saltedId ${leaf.saltedId}, outside (0, p)`);
    }
    const previous = leaves[i - 1];
    if (previous && previous.saltedId === leaf.saltedId) {
      throw new DuplicateUserError(`leaves ${i - 1} and ${i} are the same user`);
    }
    if (previous && previous.saltedId > leaf.saltedId) {
      throw new LeafOrderError(`leaf ${i} is out of order`, { details: "leaves are sorted by saltedId" });
    }
  }
  const levels: SumNode[][] = [leaves.map((leaf) => h.leaf(leaf))];
  for (let height = 0; height < depth; height++) {
    const below = levels[height] as SumNode[];
    const above: SumNode[] = [];
    for (let i = 0; i < below.length; i += 2) {
      const node = h.parent(below[i] as SumNode, below[i + 1] ?? h.padding(height));
      if (node.sum >= SUM_BOUND) throw new SumOverflowError(`sum at level ${height + 1} reaches 2^128`);
      above.push(node);
    }
    levels.push(above);
  }
  const root = levels[depth]?.[0] ?? h.padding(depth);
  return { depth, leaves: [...leaves], levels, root };
}

/** The position of the user's leaf, or throws UserNotIncludedError. */
export function indexOfUser(tree: SumTree, saltedId: bigint): number {
  let low = 0;
  let high = tree.leaves.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = (tree.leaves[middle] as SumLeaf).saltedId;
    if (at === saltedId) return middle;
    if (at < saltedId) low = middle + 1;
    else high = middle - 1;
  }
  throw new UserNotIncludedError("no leaf for this user in the tree");
}

export function sumProof(h: SumTreeHasher, tree: SumTree, index: number): SumProof {
  const leaf = tree.leaves[index];
  if (!leaf) throw new LeafPositionError(`no leaf at ${index}`);
  const siblings: SumNode[] = [];
  for (let height = 0; height < tree.depth; height++) {
    const position = index >> height;
    siblings.push(tree.levels[height]?.[position ^ 1] ?? h.padding(height));
  }
  return { index, leaf: { ...leaf }, siblings };
}

/** Recomputes the root a proof leads to, checking every range on the way. */
export function rootFromSumProof(h: SumTreeHasher, proof: SumProof): SumNode {
  checkBalance(proof.leaf.balance, "leaf balance");
  const depth = proof.siblings.length;
  if (depth < 1 || depth > MAX_SUM_TREE_DEPTH) {
    throw new LeafPositionError(`a path of ${depth} levels is outside 1..${MAX_SUM_TREE_DEPTH}`);
  }
  if (!Number.isInteger(proof.index) || proof.index < 0 || proof.index >= 2 ** depth) {
    throw new LeafPositionError(`position ${proof.index} is outside a depth-${depth} tree`);
  }
  if (proof.leaf.saltedId <= 0n || proof.leaf.saltedId >= FIELD_MODULUS) {
    throw new LeafPositionError("the leaf's saltedId is outside (0, p)");
  }
  let node = h.leaf(proof.leaf);
  for (const [height, sibling] of proof.siblings.entries()) {
    if (sibling.sum < 0n || sibling.sum >= SUM_BOUND) {
      throw new SumOutOfRangeError(`sibling sum at level ${height} is outside [0, 2^128)`);
    }
    if (sibling.hash < 0n || sibling.hash >= FIELD_MODULUS) {
      throw new RootMismatchError(`sibling hash at level ${height} is not a field element`);
    }
    if (node.sum + sibling.sum >= SUM_BOUND) {
      throw new SumOverflowError(`sum at level ${height + 1} reaches 2^128`);
    }
    const isRight = ((proof.index >> height) & 1) === 1;
    node = isRight ? h.parent(sibling, node) : h.parent(node, sibling);
  }
  return node;
}

/** Throws a named error unless the proof leads to `root` (hash and sum). */
export function verifySumProof(h: SumTreeHasher, proof: SumProof, root: SumNode): void {
  const computed = rootFromSumProof(h, proof);
  if (computed.hash !== root.hash || computed.sum !== root.sum) {
    throw new RootMismatchError("the proof does not lead to the published root", {
      details: `computed sum ${computed.sum}, published ${root.sum}`,
    });
  }
}

/**
 * The user's own check: the proof is about them (their address and salt), shows the balance they know
 * they have, and leads to the published root.
 */
export function checkUserInclusion(
  h: SumTreeHasher,
  proof: SumProof,
  root: SumNode,
  user: { id: bigint; salt: bigint; balance?: bigint },
): void {
  if (h.saltedId(user.id, user.salt) !== proof.leaf.saltedId) {
    throw new UserNotIncludedError("the proof's leaf is not this user's", {
      details: "its saltedId is not Poseidon(address, salt)",
    });
  }
  if (user.balance !== undefined && user.balance !== proof.leaf.balance) {
    throw new BalanceMismatchError(`the tree counts ${proof.leaf.balance}, the user is owed ${user.balance}`);
  }
  verifySumProof(h, proof, root);
}

/**
 * The collection step's audit: every user the apps owe appears exactly once with what they are owed
 * (detects a dropped user and a tampered balance before publishing), and the leaves are in order.
 */
export function auditSumTree(tree: SumTree, owed: ReadonlyMap<bigint, bigint>): void {
  const seen = new Set<bigint>();
  for (const [i, leaf] of tree.leaves.entries()) {
    const previous = tree.leaves[i - 1];
    if (seen.has(leaf.saltedId)) throw new DuplicateUserError(`leaf ${i} repeats a user`);
    if (previous && previous.saltedId > leaf.saltedId) throw new LeafOrderError(`leaf ${i} is out of order`);
    seen.add(leaf.saltedId);
    const expected = owed.get(leaf.saltedId);
    if (expected === undefined) throw new UserNotIncludedError(`leaf ${i} is nobody the apps owe`);
    if (expected !== leaf.balance) {
      throw new BalanceMismatchError(`leaf ${i} counts ${leaf.balance}, the apps owe ${expected}`);
    }
  }
  if (seen.size !== owed.size) {
    throw new UserNotIncludedError(`${owed.size - seen.size} owed user(s) are missing from the tree`);
  }
}
