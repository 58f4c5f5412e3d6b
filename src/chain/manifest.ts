// The devnet manifest (`<data-dir>/devnet.json`): every chain, its RPC URL and contract addresses, and
// the devnet's well-known accounts. Validated with zod wherever it is read. On disk a key may be a
// reference to an environment variable ({ "env": "NAME" }, what `junction deploy` writes for keys its config
// gave that way): it is read when the key is first used, so a process needs only the variables of the keys
// it signs with.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Address, type Hex, isAddress, isHex } from "viem";
import { z } from "zod";
import { ConfigError } from "../errors.js";

const address = z.custom<Address>((value) => typeof value === "string" && isAddress(value), "not an address");
const privateKey = z.custom<Hex>(
  (value) => typeof value === "string" && isHex(value) && value.length === 66,
  "not a 32-byte hex key",
);

const account = z.object({ address, privateKey });
/** A key kept out of the file: the environment variable that holds it. */
const keyReference = z.object({ env: z.string().min(1) }).strict();
const storedKey = z.union([privateKey, keyReference]);

const rollupContracts = z.object({
  outbox: address,
  inbox: address,
  gateway: address,
  globalRootOracle: address,
  canonicalVerifier: address,
  greeter: address,
  recorder: address,
  bondManager: address,
  optimisticVerifier: address,
  optimisticRecorder: address,
  htlc: address,
  tokenBridge: address,
  bridgedToken: address,
  sequencerVerifier: address,
  sequencerRecorder: address,
  groth16Verifier: address,
  zkVerifier: address,
  zkRecorder: address,
  /** The liquidity router's ERC-7683 settlers, one per trust path. */
  settlers: z.object({ canonical: address, optimistic: address, sequencer: address, zk: address }),
  /** The JUSD LiquidityPool (ERC-4626). */
  liquidityPool: address,
});

export const optimisticSettings = z
  .object({
    /** Seconds a checkpoint stays challengeable. */
    challengeWindow: z.number().int().positive(),
    /** Wei a challenger posts. */
    challengeBond: z.string().regex(/^\d+$/),
    /** Wei an attester must have bonded on the source. */
    minBond: z.string().regex(/^\d+$/),
    /** Seconds after a challenge when an unsettled one refunds its challenger. */
    settlementTimeout: z.number().int().positive(),
    /**
     * Seconds between an attester's withdrawal request and its payout: a bond must stay slashable until
     * any challenge of its last checkpoint has settled or timed out.
     */
    withdrawalDelay: z.number().int().positive(),
  })
  .refine((settings) => settings.withdrawalDelay >= settings.challengeWindow + settings.settlementTimeout, {
    message: "withdrawalDelay must be at least challengeWindow + settlementTimeout",
    path: ["withdrawalDelay"],
  });

const zkSettings = z.object({
  /** Development keys of the committee every source shares in the devnet (never use them elsewhere). */
  committeeKeys: z.array(privateKey).min(1),
  /** Signatures a checkpoint needs. */
  threshold: z.number().int().positive(),
});

const sequencerSettings = z.object({
  /** Milliseconds between superblocks. */
  superblockTimeMs: z.number().int().positive(),
});

/** The cross-rollup margin engine: the vault at one address on every rollup, the rest on the hub. */
const marginContracts = z.object({
  /** The rollup the MarginEngine and its PriceOracle live on. */
  hubChainId: z.number().int().positive(),
  engine: address,
  oracle: address,
  /** The CollateralVault, at this address on every rollup. */
  vault: address,
  /** A mintable test collateral (priced as ETH), at this address on every rollup. */
  testAsset: address,
});

/** The unified order book: an OrderGateway at one address on every rollup, and the devnet's market. */
const orderbookContracts = z.object({
  gateway: address,
  /** The devnet market's symbol ("BASE/QUOTE") and its id (keccak256 of the symbol). */
  market: z.string(),
  marketId: z.custom<Hex>((value) => typeof value === "string" && isHex(value) && value.length === 66),
});

/** Proof of solvency on the L1: the SolvencyRegistry, its Poseidon hashers, and who publishes epochs. */
const solvencyContracts = z.object({
  registry: address,
  poseidon2: address,
  poseidon4: address,
  publisher: address,
});

export const manifestSchema = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  l1: z.object({
    chainId: z.number().int().positive(),
    rpcUrl: z.string().url(),
    /** JSON-RPC over websockets (eth_subscribe); absent in manifests written before it was listed. */
    wsUrl: z.string().url().optional(),
    blockTime: z.number().nonnegative(),
    deployBlock: z.number().int().nonnegative(),
    contracts: z.object({ rollupHub: address, superblockLog: address }),
  }),
  rollups: z
    .array(
      z.object({
        chainId: z.number().int().positive(),
        /** Where wallets and agents send requests: the sequencer's endpoint when one sequences the rollup. */
        rpcUrl: z.string().url(),
        /** `rpcUrl` over websockets (eth_subscribe newHeads / logs), through the sequencer when it has one. */
        wsUrl: z.string().url().optional(),
        /** The node itself, behind the sequencer; absent when the rollup mines on its own. */
        nodeRpcUrl: z.string().url().optional(),
        blockTime: z.number().nonnegative(),
        deployBlock: z.number().int().nonnegative(),
        contracts: rollupContracts,
      }),
    )
    .min(1),
  optimistic: optimisticSettings,
  /** Present when the rollups form one sequencing domain under the shared sequencer. */
  sequencer: sequencerSettings.optional(),
  /** The devnet's HTTP/WebSocket API and dashboard (`junction api`, src/api), when it runs one. */
  api: z.object({ url: z.string().url() }).optional(),
  /**
   * The running devnet's admin endpoint on 127.0.0.1 (`junction devnet add-rollup` posts to it), when it
   * serves one.
   */
  admin: z.object({ url: z.string().url() }).optional(),
  zk: zkSettings,
  margin: marginContracts,
  /** Absent in manifests written before proof of solvency existed. */
  solvency: solvencyContracts.optional(),
  /** Absent in manifests written before the order book existed. */
  orderbook: orderbookContracts.optional(),
  /** Source chain id → the rollups it may message, when the devnet restricts them (every pair otherwise). */
  dependencySet: z.record(z.string().regex(/^\d+$/), z.array(z.number().int().positive())).optional(),
  accounts: z.object({
    deployer: account,
    proposer: account,
    system: account,
    relayer: account,
    user: account,
    attester: account,
    watchtower: account,
    sequencer: account,
    prover: account,
    filler: account,
    rebalancer: account,
    /** The margin engine's keeper: liquidates with JUSD minted to it at genesis on the hub. */
    keeper: account,
    /** Pushes the margin engine's prices (the price agent). */
    feeder: account,
    /** Submits the order book's fill batches (the matcher agent). */
    matcher: account,
  }),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type KeyReference = z.infer<typeof keyReference>;
type Role = keyof Manifest["accounts"];
const roles = Object.keys(manifestSchema.shape.accounts.shape) as Role[];

/** The manifest as written: any key may be a reference to an environment variable. */
export const storedManifestSchema = manifestSchema.extend({
  zk: zkSettings.extend({ committeeKeys: z.array(storedKey).min(1) }),
  accounts: z.object(
    Object.fromEntries(roles.map((role) => [role, z.object({ address, privateKey: storedKey })])) as Record<
      Role,
      z.ZodObject<{ address: typeof address; privateKey: typeof storedKey }>
    >,
  ),
});
export type StoredManifest = z.infer<typeof storedManifestSchema>;

/** Which keys to write as references: environment variable names by role and by committee index. */
export type KeyReferences = {
  accounts: Partial<Record<Role, string>>;
  committeeKeys: (string | undefined)[];
};

/** `manifest` with the keys `references` names replaced by their variables, ready to save. */
export function withKeyReferences(manifest: Manifest, references: KeyReferences): StoredManifest {
  const accounts = Object.fromEntries(
    roles.map((role) => {
      const variable = references.accounts[role];
      const entry = manifest.accounts[role];
      return [role, variable ? { address: entry.address, privateKey: { env: variable } } : entry];
    }),
  ) as StoredManifest["accounts"];
  const committeeKeys = manifest.zk.committeeKeys.map((key, i) => {
    const variable = references.committeeKeys[i];
    return variable ? { env: variable } : key;
  });
  return { ...manifest, zk: { ...manifest.zk, committeeKeys }, accounts };
}

/**
 * The manifest with every key a string: a reference becomes a property that reads its variable when first
 * read, and throws a ConfigError naming the key and the variable when it is unset or not a key.
 */
function resolveKeyReferences(
  stored: StoredManifest,
  env: Readonly<Record<string, string | undefined>>,
  file: string,
): Manifest {
  const read = (reference: KeyReference, field: string): Hex => {
    const value = env[reference.env];
    if (value === undefined || value === "") {
      throw new ConfigError(
        `${field} of ${file} is read from environment variable ${reference.env}, which is not set`,
      );
    }
    if (!isHex(value) || value.length !== 66) {
      throw new ConfigError(
        `environment variable ${reference.env} (${field}) is not a 32-byte 0x-prefixed hex key`,
      );
    }
    return value;
  };
  /** Defines `key` on `target` to read `reference` when first read; saved again, it stays a reference. */
  const deferred = <T extends object>(
    target: T,
    key: PropertyKey,
    reference: KeyReference,
    field: string,
  ): T => {
    let value: Hex | undefined;
    Object.defineProperty(target, key, {
      enumerable: true,
      get: () => {
        value ??= read(reference, field);
        return value;
      },
    });
    return target;
  };
  /** JSON of an object whose deferred keys are written back as their references. */
  const storedAs = <T extends object>(target: T, json: unknown): T =>
    Object.defineProperty(target, "toJSON", { enumerable: false, value: () => json });
  const accounts = Object.fromEntries(
    roles.map((role) => {
      const { address: owner, privateKey: key } = stored.accounts[role];
      if (typeof key === "string") return [role, { address: owner, privateKey: key }];
      const entry = deferred(
        { address: owner } as Manifest["accounts"][Role],
        "privateKey",
        key,
        `accounts.${role}`,
      );
      return [role, storedAs(entry, { address: owner, privateKey: key })];
    }),
  ) as Manifest["accounts"];
  const committeeKeys: Hex[] = [];
  for (const [i, key] of stored.zk.committeeKeys.entries()) {
    if (typeof key === "string") committeeKeys.push(key);
    else deferred(committeeKeys, i, key, `zk.committeeKeys[${i}]`);
  }
  if (stored.zk.committeeKeys.some((key) => typeof key !== "string"))
    storedAs(committeeKeys, stored.zk.committeeKeys);
  return { ...stored, zk: { ...stored.zk, committeeKeys }, accounts };
}
export type RollupEntry = Manifest["rollups"][number];
export type RollupContracts = RollupEntry["contracts"];
export type OptimisticSettings = z.infer<typeof optimisticSettings>;
export type SequencerSettings = z.infer<typeof sequencerSettings>;
export type ZkSettings = z.infer<typeof zkSettings>;

export const MANIFEST_FILE = "devnet.json";
export const DEFAULT_DATA_DIR = ".junction";

export function manifestPath(dataDir: string): string {
  return join(dataDir, MANIFEST_FILE);
}

export function loadManifest(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Manifest {
  return resolveKeyReferences(loadStoredManifest(file), env, file);
}

/** The manifest as written (key references unresolved). */
export function loadStoredManifest(file: string): StoredManifest {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ConfigError(`no devnet manifest at ${file}`, {
      details: "start one with `npx junction devnet`, or pass --data-dir / --manifest",
      cause,
    });
  }
  const parsed = storedManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new ConfigError(`invalid devnet manifest ${file}`, { details: z.prettifyError(parsed.error) });
  }
  return parsed.data;
}

/**
 * Writes atomically so a reader never sees half a manifest. It holds private keys: the file is readable by
 * its owner only from its creation (mode 0600, whatever the umask), and a file it replaces ends up the same.
 */
export function saveManifest(file: string, manifest: Manifest | StoredManifest): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  // A stale temporary file of an earlier process with this pid is removed, so this one is created anew.
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  renameSync(temporary, file);
}

export function rollupOf(manifest: Pick<Manifest, "rollups">, chainId: number | bigint): RollupEntry {
  const rollup = manifest.rollups.find((entry) => entry.chainId === Number(chainId));
  if (!rollup) {
    const known = manifest.rollups.map((entry) => entry.chainId).join(", ");
    throw new ConfigError(`chain ${chainId} is not a rollup of this devnet`, {
      details: `rollups: ${known}`,
    });
  }
  return rollup;
}
