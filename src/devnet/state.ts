// Saving and restoring a devnet (`junction devnet --dump-state DIR` / `--load-state DIR`). A saved devnet
// is a directory: every chain's anvil state (accounts, storage, blocks, receipts, height), the agents'
// SQLite stores, and the manifest. Loading starts the nodes from their states (same contracts at the same
// addresses, nothing redeployed) and the agents from their stores, which then carry on where they stopped.
//
// A save is written whole to a sibling directory, `DIR.junction-staged`, whose marker file is written
// last; then the previous save is renamed aside (`DIR.junction-old`), the staged one renamed to DIR, and
// the old one removed. Each rename is atomic, so a process killed at any point leaves DIR whole, or the
// complete staged save with DIR's previous one aside: loading (and the next save) finishes the swap.
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { dumpAnvilState } from "../chain/anvil.js";
import { loadManifest, MANIFEST_FILE, type Manifest, manifestPath, saveManifest } from "../chain/manifest.js";
import { ConfigError } from "../errors.js";

/** The SQLite files (in the data directory) the devnet's agents and API keep their state in. */
export type StoreFiles = readonly string[];

/** Written last in a staged save: a staged directory without it was cut short and is never loaded. */
export const COMPLETE_MARKER = ".complete";

export function chainStatePath(dir: string, chainId: number): string {
  return join(dir, "chains", `${chainId}.json`);
}

function storesDir(dir: string): string {
  return join(dir, "stores");
}

/** Where a save of `dir` is written before it replaces `dir` (a sibling: a rename stays on one disk). */
export function stagedDir(dir: string): string {
  return `${resolve(dir)}.junction-staged`;
}

/** Where `dir`'s previous save waits while the staged one takes its place. */
export function oldDir(dir: string): string {
  return `${resolve(dir)}.junction-old`;
}

/** With PostgreSQL the relayers' and watchtower's state is not in files this can copy. */
export function assertStateSupported(databaseUrl: string | undefined, flag: string): void {
  if (databaseUrl !== undefined) {
    throw new ConfigError(`${flag} keeps the agents' SQLite stores; it cannot save a PostgreSQL database`, {
      details:
        "drop --database-url (and DATABASE_URL) to keep the relayers' and watchtower's state in the data directory, or save the database with pg_dump yourself",
    });
  }
}

/** What a saved devnet's directory may hold (`.saving`: the staging directory of earlier versions). */
function isSaveEntry(name: string): boolean {
  return (
    ["chains", "stores", MANIFEST_FILE, COMPLETE_MARKER, ".saving"].includes(name) ||
    name.startsWith(`${MANIFEST_FILE}.tmp-`)
  );
}

/**
 * A save replaces its whole directory: refuses one that holds anything a saved devnet does not (a data
 * directory, say), which the save would delete.
 */
export function assertSaveTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new ConfigError(`--dump-state ${dir} is a file, not a directory`);
  const foreign = readdirSync(dir).filter((name) => !isSaveEntry(name));
  if (foreign.length > 0) {
    throw new ConfigError(
      `--dump-state ${dir} holds files that are no saved devnet's: ${foreign.join(", ")}`,
      {
        details: "a save replaces the whole directory; name an empty or new directory, or an earlier save",
      },
    );
  }
}

/** Flushes a file or directory to the disk, so a rename never lands before the data it names. */
function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(path);
    else fsyncPath(path);
  }
  fsyncPath(dir);
}

/**
 * Writes a complete save of the devnet to `stagedDir(dir)`, its marker last; `dir` is not touched.
 * Exported with `swapSteps` for the tests that stop a save between its steps.
 */
export async function stageDevnetState(
  dir: string,
  state: { manifest: Manifest; nodes: readonly { chainId: number; rpcUrl: string }[]; stores: StoreFiles },
): Promise<void> {
  const staged = stagedDir(dir);
  rmSync(staged, { recursive: true, force: true });
  mkdirSync(join(staged, "chains"), { recursive: true });
  mkdirSync(storesDir(staged), { recursive: true });
  for (const node of state.nodes) {
    writeFileSync(chainStatePath(staged, node.chainId), await dumpAnvilState(node.rpcUrl));
  }
  for (const file of state.stores) {
    for (const suffix of ["", "-wal"]) {
      if (existsSync(`${file}${suffix}`)) {
        copyFileSync(`${file}${suffix}`, join(storesDir(staged), `${basename(file)}${suffix}`));
      }
    }
  }
  saveManifest(manifestPath(staged), state.manifest);
  fsyncTree(staged);
  writeFileSync(join(staged, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  fsyncPath(join(staged, COMPLETE_MARKER));
  fsyncPath(staged);
}

/**
 * The swap of a complete staged save into `dir`, one atomic rename or one removal a step, in order. A
 * kill between two steps leaves what `recoverDevnetState` finishes.
 */
export const swapSteps: readonly { name: string; run: (dir: string) => void }[] = [
  {
    name: "move the previous save aside",
    run: (dir) => {
      if (existsSync(dir)) renameSync(dir, oldDir(dir));
    },
  },
  {
    name: "move the staged save in",
    run: (dir) => {
      renameSync(stagedDir(dir), dir);
      fsyncPath(dirname(resolve(dir)));
    },
  },
  { name: "remove the previous save", run: (dir) => rmSync(oldDir(dir), { recursive: true, force: true }) },
];

/**
 * Finishes or undoes a save that was cut short, so `dir` holds the newest complete save: a staged save
 * with its marker is swapped in (whether or not the previous one was already moved aside); one without is
 * removed, and a previous save left aside with no complete staged one is put back.
 */
export function recoverDevnetState(dir: string): void {
  const staged = stagedDir(dir);
  const old = oldDir(dir);
  if (existsSync(join(staged, COMPLETE_MARKER))) {
    // With `dir` in place, whatever is aside is the rest of a removal that was cut short.
    if (existsSync(dir)) rmSync(old, { recursive: true, force: true });
    for (const step of swapSteps) step.run(dir);
    return;
  }
  rmSync(staged, { recursive: true, force: true });
  if (!existsSync(dir) && existsSync(old)) renameSync(old, dir);
  else rmSync(old, { recursive: true, force: true });
}

/**
 * Writes the devnet's state to `dir`: call it once the agents and the sequencer have stopped (their stores
 * are closed and the last superblocks posted) and before the nodes stop. A save that fails (a node already
 * gone) leaves the previous save whole; one killed halfway leaves one `readDevnetState` recovers.
 *
 * @example
 * await saveDevnetState(".junction/saved", { manifest, nodes, stores });
 */
export async function saveDevnetState(
  dir: string,
  state: { manifest: Manifest; nodes: readonly { chainId: number; rpcUrl: string }[]; stores: StoreFiles },
): Promise<void> {
  recoverDevnetState(dir);
  assertSaveTarget(dir);
  try {
    await stageDevnetState(dir, state);
  } catch (error) {
    rmSync(stagedDir(dir), { recursive: true, force: true });
    throw error;
  }
  for (const step of swapSteps) step.run(dir);
}

/**
 * The manifest of a saved devnet, after finishing a save that was cut short (`recoverDevnetState`) and
 * checking every chain's state file is there.
 */
export function readDevnetState(dir: string): Manifest {
  recoverDevnetState(dir);
  const file = manifestPath(dir);
  if (!existsSync(file)) {
    throw new ConfigError(`${dir} holds no saved devnet (no ${basename(file)})`, {
      details: "save one with junction devnet --dump-state DIR",
    });
  }
  const manifest = loadManifest(file);
  for (const chainId of [manifest.l1.chainId, ...manifest.rollups.map((rollup) => rollup.chainId)]) {
    if (!existsSync(chainStatePath(dir, chainId))) {
      throw new ConfigError(`the saved devnet in ${dir} lacks chain ${chainId}'s state`, {
        details: chainStatePath(dir, chainId),
      });
    }
  }
  return manifest;
}

/** Replaces the data directory's stores with the saved ones (a store not saved starts empty). */
export function restoreStores(dir: string, stores: StoreFiles): void {
  const saved = existsSync(storesDir(dir)) ? new Set(readdirSync(storesDir(dir))) : new Set<string>();
  for (const file of stores) {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
    for (const suffix of ["", "-wal"]) {
      const name = `${basename(file)}${suffix}`;
      if (saved.has(name)) copyFileSync(join(storesDir(dir), name), `${file}${suffix}`);
    }
  }
}

/**
 * A saved manifest re-pointed at the nodes just started from it (the ports may differ): every rollup
 * reached at its node, as before a sequencer; the caller puts a sequencer in front again.
 */
export function rebaseManifest(
  manifest: Manifest,
  l1: { rpcUrl: string; wsUrl: string; blockTime: number },
  rollups: readonly { chainId: number; rpcUrl: string; wsUrl: string; blockTime: number }[],
): Manifest {
  return {
    ...manifest,
    l1: { ...manifest.l1, ...l1 },
    rollups: manifest.rollups.map((rollup, i) => {
      const node = rollups[i];
      if (node?.chainId !== rollup.chainId) throw new ConfigError(`no node for rollup ${rollup.chainId}`);
      const { nodeRpcUrl: _behindSequencer, ...entry } = rollup;
      return { ...entry, rpcUrl: node.rpcUrl, wsUrl: node.wsUrl, blockTime: node.blockTime };
    }),
    // This run's servers put their own URLs back.
    sequencer: undefined,
    api: undefined,
    admin: undefined,
  };
}
