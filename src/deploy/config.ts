// The network config of `junction deploy` (network.json): the chains someone else runs, the deployer's
// key, and every role the devnet fakes, made explicit. Validated with zod at the edge; every refusal
// names the field. A key is given inline ("0x…") or as the name of an environment variable
// ({ "env": "NAME" }), so a config can be committed without its secrets.
import { readFileSync } from "node:fs";
import { type Hex, isHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";
import { type KeyReferences, type Manifest, optimisticSettings } from "../chain/manifest.js";
import { ConfigError } from "../errors.js";

const privateKey = z.custom<Hex>(
  (value) => typeof value === "string" && isHex(value) && value.length === 66,
  "not a 32-byte 0x-prefixed hex key",
);
const keySource = z.union([privateKey, z.object({ env: z.string().min(1) }).strict()], {
  error: 'expected a 32-byte 0x-prefixed hex key or { "env": "NAME" }',
});

const chain = z
  .object({
    chainId: z.number().int().positive(),
    rpcUrl: z.string().url(),
    /** Seconds between blocks (0: a block per transaction): agents pace their polling by it. */
    blockTime: z.number().nonnegative(),
  })
  .strict();

/** Roles an agent signs for: each needs its own key (two agents on one key collide on nonces). */
const agentRoles = ["system", "proposer", "attester", "sequencer", "relayer", "watchtower"] as const;
/** Roles only the apps' agents and the examples use: the deployer's key unless given. */
const optionalRoles = ["prover", "user", "filler", "rebalancer", "keeper", "feeder", "matcher"] as const;
type Role = (typeof agentRoles)[number] | (typeof optionalRoles)[number];

export const networkConfigSchema = z
  .object({
    l1: chain,
    rollups: z.array(chain).min(1).max(64),
    /** Deploys and owns every contract; pays for the deployment on every chain. */
    deployer: keySource,
    roles: z
      .object({
        ...Object.fromEntries(agentRoles.map((role) => [role, keySource])),
        ...Object.fromEntries(optionalRoles.map((role) => [role, keySource.optional()])),
      } as Record<(typeof agentRoles)[number], typeof keySource> &
        Record<(typeof optionalRoles)[number], z.ZodOptional<typeof keySource>>)
      .strict(),
    /** The zk path's genesis committee (the same for every source): its members' keys and threshold. */
    committee: z.object({ keys: z.array(keySource).min(1), threshold: z.number().int().positive() }).strict(),
    optimistic: optimisticSettings,
    /** Who publishes proof-of-solvency epochs on the L1 (default: the deployer). */
    solvencyPublisher: keySource.optional(),
  })
  .strict()
  .superRefine((config, context) => {
    const ids = [config.l1.chainId, ...config.rollups.map((rollup) => rollup.chainId)];
    for (const [i, id] of ids.entries()) {
      if (ids.indexOf(id) !== i) {
        context.addIssue({
          code: "custom",
          message: `chain id ${id} appears twice`,
          path: i === 0 ? ["l1", "chainId"] : ["rollups", i - 1, "chainId"],
        });
      }
    }
    if (config.committee.threshold > config.committee.keys.length) {
      context.addIssue({
        code: "custom",
        message: `threshold ${config.committee.threshold} exceeds the ${config.committee.keys.length} members`,
        path: ["committee", "threshold"],
      });
    }
  });

export type NetworkConfig = z.infer<typeof networkConfigSchema>;
type KeySource = z.infer<typeof keySource>;

/** A config with every key resolved and every role an account: what the deployment works with. */
export type ResolvedNetwork = {
  l1: NetworkConfig["l1"];
  rollups: NetworkConfig["rollups"];
  accounts: Manifest["accounts"];
  committeeKeys: Hex[];
  threshold: number;
  optimistic: NetworkConfig["optimistic"];
  solvencyPublisher: Hex;
  /** The keys the config gave as environment variables: the manifest names the variable, not the key. */
  keyReferences: KeyReferences;
};

/** Reads and validates `file`; keys given by environment variable are read from `env`. */
export function loadNetworkConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedNetwork {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new ConfigError(`cannot read the network config ${file}`, { cause });
  }
  return resolveNetworkConfig(json, env, file);
}

export function resolveNetworkConfig(
  json: unknown,
  env: Readonly<Record<string, string | undefined>>,
  source?: string,
): ResolvedNetwork {
  const parsed = networkConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`invalid network config${source ? ` ${source}` : ""}`, {
      details: z.prettifyError(parsed.error),
    });
  }
  const config = parsed.data;
  const resolve = (value: KeySource, field: string): Hex => {
    if (typeof value === "string") return value;
    const found = env[value.env];
    if (found === undefined || found === "") {
      throw new ConfigError(`${field}: environment variable ${value.env} is not set`);
    }
    if (!isHex(found) || found.length !== 66) {
      throw new ConfigError(
        `${field}: environment variable ${value.env} is not a 32-byte 0x-prefixed hex key`,
      );
    }
    return found;
  };
  const account = (key: Hex) => ({ address: privateKeyToAccount(key).address, privateKey: key });
  const deployerKey = resolve(config.deployer, "deployer");
  const roles = config.roles as Record<Role, KeySource | undefined>;
  const roleKey = (role: Role) => {
    const value = roles[role];
    return value === undefined ? deployerKey : resolve(value, `roles.${role}`);
  };
  const variableOf = (value: KeySource | undefined) => (typeof value === "object" ? value.env : undefined);
  const keyReferences: KeyReferences = {
    accounts: Object.fromEntries(
      (["deployer", ...agentRoles, ...optionalRoles] as const).flatMap((role) => {
        // An unset app role signs with the deployer's key, so it is kept as the deployer's is.
        const variable = variableOf(role === "deployer" ? config.deployer : (roles[role] ?? config.deployer));
        return variable ? [[role, variable]] : [];
      }),
    ),
    committeeKeys: config.committee.keys.map(variableOf),
  };
  const accounts = {
    deployer: account(deployerKey),
    ...Object.fromEntries([...agentRoles, ...optionalRoles].map((role) => [role, account(roleKey(role))])),
  } as Manifest["accounts"];
  const senders = ["deployer", "system", "proposer", "attester", "relayer", "watchtower"] as const;
  for (const [i, role] of senders.entries()) {
    const twin = senders.slice(0, i).find((other) => accounts[other].address === accounts[role].address);
    if (twin) {
      throw new ConfigError(
        `roles.${role} uses the same key as ${twin === "deployer" ? "the deployer" : `roles.${twin}`}`,
        {
          details: "each agent sends transactions and needs its own key, or their nonces collide",
        },
      );
    }
  }
  const committeeKeys = config.committee.keys.map((key, i) => resolve(key, `committee.keys[${i}]`));
  const publisherKey = config.solvencyPublisher
    ? resolve(config.solvencyPublisher, "solvencyPublisher")
    : deployerKey;
  return {
    l1: config.l1,
    rollups: config.rollups,
    accounts,
    committeeKeys,
    threshold: config.committee.threshold,
    optimistic: config.optimistic,
    solvencyPublisher: privateKeyToAccount(publisherKey).address,
    keyReferences,
  };
}
