// Saving and restoring a devnet (`junction devnet --dump-state DIR` / `--load-state DIR`). A saved devnet
// is a directory: every chain's anvil state (accounts, storage, blocks, receipts, height), the agents'
// SQLite stores, and the manifest, written last, so a directory without one is no saved devnet. Loading
// starts the nodes from their states (same contracts at the same addresses, nothing redeployed) and the
// agents from their stores, which then carry on where they stopped.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { dumpAnvilState } from "../chain/anvil.js";
import { loadManifest, type Manifest, manifestPath, saveManifest } from "../chain/manifest.js";
import { ConfigError } from "../errors.js";

/** The SQLite files (in the data directory) the devnet's agents and API keep their state in. */
export type StoreFiles = readonly string[];

export function chainStatePath(dir: string, chainId: number): string {
  return join(dir, "chains", `${chainId}.json`);
}

function storesDir(dir: string): string {
  return join(dir, "stores");
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

/**
 * Writes the devnet's state to `dir`: call it once the agents and the sequencer have stopped (their stores
 * are closed and the last superblocks posted) and before the nodes stop.
 *
 * @example
 * await saveDevnetState(".junction/saved", { manifest, nodes, stores });
 */
export async function saveDevnetState(
  dir: string,
  state: { manifest: Manifest; nodes: readonly { chainId: number; rpcUrl: string }[]; stores: StoreFiles },
): Promise<void> {
  // Everything is written to a staging directory first: a save that fails (a node already gone) leaves
  // the previous save whole.
  const staging = join(dir, ".saving");
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, "chains"), { recursive: true });
  mkdirSync(storesDir(staging), { recursive: true });
  for (const node of state.nodes) {
    writeFileSync(chainStatePath(staging, node.chainId), await dumpAnvilState(node.rpcUrl));
  }
  for (const file of state.stores) {
    for (const suffix of ["", "-wal"]) {
      if (existsSync(`${file}${suffix}`)) {
        copyFileSync(`${file}${suffix}`, join(storesDir(staging), `${basename(file)}${suffix}`));
      }
    }
  }
  // No manifest until every other file is in place: a half-moved state is never loaded.
  rmSync(manifestPath(dir), { force: true });
  for (const sub of ["chains", "stores"]) {
    rmSync(join(dir, sub), { recursive: true, force: true });
    renameSync(join(staging, sub), join(dir, sub));
  }
  rmSync(staging, { recursive: true, force: true });
  saveManifest(manifestPath(dir), state.manifest);
}

/** The manifest of a saved devnet, after checking every chain's state file is there. */
export function readDevnetState(dir: string): Manifest {
  const file = manifestPath(dir);
  if (!existsSync(file)) {
    throw new ConfigError(`${dir} holds no saved devnet (no ${basename(file)})`, {
      details: "save one with junction devnet --dump-state DIR; a stop that did not finish leaves none",
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
