// One epoch of proof of solvency, off chain: the liabilities aggregated per user and asset, each user's
// salt, the Merkle-sum tree per asset, and the archive the publisher keeps so it can hand each user their
// proof later. Pure except for the archive's file I/O at the bottom.
import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Address, getAddress, type Hex, hexToBigInt } from "viem";
import { JunctionError } from "../errors.js";
import {
  auditSumTree,
  buildSumTree,
  checkBalance,
  FIELD_MODULUS,
  type SumLeaf,
  type SumTree,
  type SumTreeHasher,
  sumTreeDepth,
} from "../protocol/sum-tree.js";
import { assetId } from "./assets.js";
import type { RollupBlock } from "./instant.js";
import type { Reserve } from "./reserves.js";
import type { Liability } from "./sources.js";

export type EpochUser = { user: Address; salt: bigint; balances: Record<string, bigint> };

/** What the publisher keeps of an epoch (private: it holds every user's balances and salts). */
export type EpochArchive = {
  superblockHeight: bigint;
  blocks: RollupBlock[];
  assets: string[];
  users: EpochUser[];
  reserves: Reserve[];
  /** Each asset's tree depth as published; absent in archives written before it was recorded. */
  depths?: Record<string, number>;
};

/** The publisher has no archive of the epoch asked for. */
export class EpochArchiveMissingError extends JunctionError {
  override name = "EpochArchiveMissingError" as const;
}

/** A user's salt in the epoch taken at `superblockHeight`: HMAC-SHA256 of the publisher's secret, below p. */
export function saltOf(secret: Hex, superblockHeight: bigint, user: Address): bigint {
  const mac = createHmac("sha256", Buffer.from(secret.slice(2), "hex"))
    .update(`junction-solvency:${superblockHeight}:${user.toLowerCase()}`)
    .digest("hex");
  return (hexToBigInt(`0x${mac}`) % (FIELD_MODULUS - 1n)) + 1n;
}

/** Sums each user's liabilities per asset over every source; refuses any out of range. */
export function aggregateLiabilities(
  liabilities: readonly Liability[],
  secret: Hex,
  superblockHeight: bigint,
): EpochUser[] {
  const byUser = new Map<Address, Record<string, bigint>>();
  for (const { user, asset, amount } of liabilities) {
    checkBalance(amount, `${asset} owed to ${user}`);
    const key = getAddress(user);
    const balances = byUser.get(key) ?? {};
    balances[asset] = (balances[asset] ?? 0n) + amount;
    byUser.set(key, balances);
  }
  return [...byUser.entries()].map(([user, balances]) => {
    for (const [asset, amount] of Object.entries(balances)) checkBalance(amount, `${asset} owed to ${user}`);
    return { user, salt: saltOf(secret, superblockHeight, user), balances };
  });
}

/** The leaves of one asset's tree: every user owed some of it, sorted by saltedId. */
export function leavesOf(h: SumTreeHasher, users: readonly EpochUser[], asset: string): SumLeaf[] {
  return users
    .filter((user) => (user.balances[asset] ?? 0n) > 0n)
    .map((user) => ({
      saltedId: h.saltedId(hexToBigInt(user.user), user.salt),
      balance: user.balances[asset] as bigint,
    }))
    .sort((a, b) => (a.saltedId < b.saltedId ? -1 : a.saltedId > b.saltedId ? 1 : 0));
}

/**
 * Trees are at least this deep: a tree of up to 8 users is then exactly one batch of the zk circuit
 * (circuits/solvency.circom, depth 3), so its root can be proven in range (SolvencyRegistry.proveBatch).
 */
export const MIN_TREE_DEPTH = 3;

/**
 * An epoch tree's depth: the smallest multiple of 3 (at least MIN_TREE_DEPTH) that holds `leafCount`
 * leaves, so that batches of 8 leaves fold eight at a time exactly into the root
 * (circuits/solvency-fold.circom). At most 30 levels: 2^30 users per asset.
 */
export function epochTreeDepth(leafCount: number): number {
  return Math.max(MIN_TREE_DEPTH, 3 * Math.ceil(sumTreeDepth(leafCount) / 3));
}

/** Per asset, what the sources owe each user (by saltedId): summed straight from the liabilities. */
export type OwedBySource = ReadonlyMap<string, ReadonlyMap<bigint, bigint>>;

/**
 * What the liability sources owe, per asset and saltedId, computed from their raw entries and not from
 * `aggregateLiabilities`' output, so the collection audit compares two independent computations.
 */
export function owedBySource(
  h: SumTreeHasher,
  liabilities: readonly Liability[],
  secret: Hex,
  superblockHeight: bigint,
): OwedBySource {
  const sums = new Map<string, Map<string, bigint>>();
  for (const { user, asset, amount } of liabilities) {
    const perUser = sums.get(asset) ?? new Map<string, bigint>();
    const key = user.toLowerCase();
    perUser.set(key, (perUser.get(key) ?? 0n) + amount);
    sums.set(asset, perUser);
  }
  const owed = new Map<string, Map<bigint, bigint>>();
  for (const [asset, perUser] of sums) {
    const bySalted = new Map<bigint, bigint>();
    for (const [user, amount] of perUser) {
      if (amount === 0n) continue;
      const salt = saltOf(secret, superblockHeight, getAddress(user));
      bySalted.set(h.saltedId(hexToBigInt(user as Hex), salt), amount);
    }
    owed.set(asset, bySalted);
  }
  return owed;
}

/**
 * One tree per asset, each audited (`auditSumTree`) against what the users are owed: `owed` when given
 * (the publisher passes `owedBySource` of the raw liabilities, so a user dropped or a balance changed
 * between the sources and the tree is named), otherwise the archive's own balances (rebuilding a
 * published epoch's trees from its archive, where only the leaves' order and uniqueness are at stake).
 */
export function buildEpochTrees(
  h: SumTreeHasher,
  archive: Pick<EpochArchive, "assets" | "users" | "depths">,
  owed?: OwedBySource,
): Map<string, SumTree> {
  const trees = new Map<string, SumTree>();
  for (const asset of archive.assets) {
    const leaves = leavesOf(h, archive.users, asset);
    const tree = buildSumTree(h, leaves, archive.depths?.[asset] ?? epochTreeDepth(leaves.length));
    let expected = owed?.get(asset) ?? (owed ? new Map<bigint, bigint>() : undefined);
    if (!expected) {
      const fromArchive = new Map<bigint, bigint>();
      for (const user of archive.users) {
        const balance = user.balances[asset] ?? 0n;
        if (balance > 0n) fromArchive.set(h.saltedId(hexToBigInt(user.user), user.salt), balance);
      }
      expected = fromArchive;
    }
    auditSumTree(tree, expected);
    trees.set(asset, tree);
  }
  return trees;
}

/** The registry's `liabilities` argument: per asset (sorted by asset id) the root hash and total. */
export function liabilitiesArgument(
  trees: ReadonlyMap<string, SumTree>,
): { asset: Hex; root: bigint; total: bigint }[] {
  return [...trees.entries()]
    .map(([asset, tree]) => ({ asset: assetId(asset), root: tree.root.hash, total: tree.root.sum }))
    .sort((a, b) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
}

const replacer = (_key: string, value: unknown) => (typeof value === "bigint" ? `${value}n` : value);
const reviver = (_key: string, value: unknown) =>
  typeof value === "string" && /^-?\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value;

export function archiveFile(dataDir: string, superblockHeight: bigint): string {
  return join(dataDir, "solvency", `superblock-${superblockHeight}.json`);
}

export function saveArchive(dataDir: string, archive: EpochArchive): string {
  const file = archiveFile(dataDir, archive.superblockHeight);
  mkdirSync(join(dataDir, "solvency"), { recursive: true });
  writeFileSync(file, JSON.stringify(archive, replacer), { mode: 0o600 });
  return file;
}

export function loadArchive(dataDir: string, superblockHeight: bigint): EpochArchive {
  const file = archiveFile(dataDir, superblockHeight);
  if (!existsSync(file)) {
    throw new EpochArchiveMissingError(`no archive of the epoch at superblock ${superblockHeight}`, {
      details: `expected ${file}; only the publisher that published the epoch has it`,
    });
  }
  return JSON.parse(readFileSync(file, "utf8"), reviver) as EpochArchive;
}

/** The publisher's secret salt key, created on first use (it never leaves the data directory). */
export function publisherSecret(dataDir: string): Hex {
  const file = join(dataDir, "solvency", "secret");
  if (!existsSync(file)) {
    mkdirSync(join(dataDir, "solvency"), { recursive: true });
    writeFileSync(file, `0x${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return readFileSync(file, "utf8").trim() as Hex;
}
