// The devnet's dependency set (`junction devnet --dependency-set FILE`): which rollups may message which.
// Read and checked here (it must be symmetric), then written on chain by the contracts' owner (the
// deployer) and sealed for good: each rollup's Outbox refuses destinations outside its set
// (DestinationNotInDependencySet, at send time, so nothing is lost) and each Inbox refuses sources that
// may not message it (SourceNotInDependencySet: a forged checkpoint of a rollup outside the set proves
// nothing here). Without a file every rollup may message every other, and the contracts stay
// unrestricted (and unsealed).
import { readFileSync } from "node:fs";
import type { Address, Hex } from "viem";
import { z } from "zod";
import { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
import { inboxAbi, outboxAbi } from "../contracts/generated/index.js";
import { ConfigError } from "../errors.js";
import { confirmAll } from "./deploy-steps.js";

/** Source chain id → the destinations it may message (as written in the file and the manifest). */
export const dependencySetSchema = z.record(
  z.string().regex(/^\d+$/, "keys are rollup chain ids"),
  z.array(z.number().int().positive()),
);

export type DependencySet = z.infer<typeof dependencySetSchema>;

/**
 * Reads a dependency set file: `{ "901": [902], "902": [901] }` lets 901 and 902 message each other; a
 * rollup that is no key messages nobody. Every chain id must be one of `rollups`, and the set must be
 * symmetric (if A may message B, B may message A): the optimistic path's bond updates, slashes and
 * root reports must reach every chain that takes checkpoints (and expiry notices) from a rollup.
 *
 * @example
 * const set = readDependencySet("deps.json", [901, 902, 903]);
 */
export function readDependencySet(file: string, rollups: readonly number[]): DependencySet {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot read the dependency set ${file}`, {
      details: error instanceof Error ? error.message : String(error),
    });
  }
  return parseDependencySet(json, rollups, file);
}

/** Checks a parsed dependency set against the devnet's rollups (see `readDependencySet`). */
export function parseDependencySet(json: unknown, rollups: readonly number[], where = "the dependency set") {
  const parsed = dependencySetSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`${where} is not { "<source chain id>": [<destination chain id>, …], … }`, {
      details: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
    });
  }
  const known = new Set(rollups);
  for (const [key, destinations] of Object.entries(parsed.data)) {
    const source = Number(key);
    for (const chainId of [source, ...destinations]) {
      if (!known.has(chainId)) {
        throw new ConfigError(`${where} names chain ${chainId}, which is not a rollup of this devnet`, {
          details: `the rollups are ${rollups.join(", ")}`,
        });
      }
    }
    if (destinations.includes(source)) {
      throw new ConfigError(`${where} lets ${source} message itself; a rollup is never its own destination`);
    }
  }
  for (const [key, destinations] of Object.entries(parsed.data)) {
    for (const destination of destinations) {
      if (!(parsed.data[String(destination)] ?? []).includes(Number(key))) {
        throw new ConfigError(
          `${where} is one-way: ${key} may message ${destination} but ${destination} may not message ${key}`,
          {
            details:
              "a dependency set must be symmetric: bond updates, slashes and root reports of the optimistic path travel back the other way",
          },
        );
      }
    }
  }
  return parsed.data;
}

/** The destinations `source` may message. */
export function destinationsOf(set: DependencySet, source: number): number[] {
  return [...new Set(set[String(source)] ?? [])];
}

/** The sources that may message `destination`. */
export function sourcesOf(set: DependencySet, destination: number): number[] {
  return Object.entries(set)
    .filter(([, destinations]) => destinations.includes(destination))
    .map(([source]) => Number(source));
}

type RollupMessaging = Endpoint & { contracts: { outbox: Address; inbox: Address } };

/**
 * Restricts every rollup's Outbox and Inbox to the set and seals both, as their owner: from then on
 * nobody (the owner included) changes the set, so a message in flight is never cut off. Run it while the
 * nodes still mine on their own (before a sequencer takes them over) and before anyone sends or bonds.
 */
export async function applyDependencySet(
  rollups: readonly RollupMessaging[],
  ownerKey: Hex,
  set: DependencySet,
): Promise<void> {
  await Promise.all(
    rollups.map(async (rollup) => {
      const wallet = walletClientFor(rollup, ownerKey);
      const { outbox, inbox } = rollup.contracts;
      const destinations = destinationsOf(set, rollup.chainId).map(BigInt);
      const sources = sourcesOf(set, rollup.chainId).map(BigInt);
      // Per contract: its chains (if any), the restriction, then the seal, in this order.
      const plan = [
        {
          address: outbox,
          abi: outboxAbi,
          add: "setDependencySet",
          restrict: "setRestricted",
          chainIds: destinations,
        },
        {
          address: inbox,
          abi: inboxAbi,
          add: "setSourceDependencies",
          restrict: "setSourcesRestricted",
          chainIds: sources,
        },
      ];
      const hashes: Hex[] = [];
      for (const { address, abi, add, restrict, chainIds } of plan) {
        const calls = [
          ...(chainIds.length > 0 ? [{ functionName: add, args: [chainIds, true] }] : []),
          { functionName: restrict, args: [true] },
          { functionName: "sealDependencySet", args: [] },
        ];
        for (const call of calls) {
          hashes.push(await wallet.writeContract({ address, abi, ...call } as never));
        }
      }
      await confirmAll(
        publicClientFor(rollup),
        hashes,
        `setting the dependency set on chain ${rollup.chainId} failed`,
      );
    }),
  );
}

/**
 * Seals every rollup's Outbox and Inbox open to every chain (no dependency set), as their owner, where not
 * sealed yet: from then on nobody (the owner included) can restrict a pair and cut off a message in
 * flight. What `junction deploy` does (a re-run finds the seals and sends nothing); the local devnet
 * leaves an open set unsealed, its owner being the well-known devnet key.
 */
export async function sealOpenDependencySet(
  rollups: readonly RollupMessaging[],
  ownerKey: Hex,
): Promise<void> {
  await Promise.all(
    rollups.map(async (rollup) => {
      const client = publicClientFor(rollup);
      const wallet = walletClientFor(rollup, ownerKey);
      const hashes: Hex[] = [];
      for (const contract of [
        { address: rollup.contracts.outbox, abi: outboxAbi },
        { address: rollup.contracts.inbox, abi: inboxAbi },
      ] as const) {
        const sealed = await client.readContract({
          ...contract,
          functionName: "dependencySetSealed",
        } as never);
        if (!sealed)
          hashes.push(
            await wallet.writeContract({ ...contract, functionName: "sealDependencySet" } as never),
          );
      }
      await confirmAll(client, hashes, `sealing the messaging contracts on chain ${rollup.chainId} failed`);
    }),
  );
}
