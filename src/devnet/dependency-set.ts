// The devnet's dependency set (`junction devnet --dependency-set FILE`): which rollups may message which.
// Read and checked here, then written on chain by the contracts' owner (the deployer): each rollup's
// Outbox refuses destinations outside its set (DestinationNotInDependencySet, at send time, so nothing is
// lost) and each Inbox refuses sources that may not message it (SourceNotInDependencySet: a forged
// checkpoint of a rollup outside the set proves nothing here). Without a file every rollup may message
// every other, and the contracts stay unrestricted.
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
 * Reads a dependency set file: `{ "901": [902], "902": [901, 903] }` lets 901 message 902, and 902
 * message 901 and 903; a rollup that is no key messages nobody. Every chain id must be one of `rollups`.
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
 * Restricts every rollup's Outbox and Inbox to the set, as their owner. Run it while the nodes still mine
 * on their own (before a sequencer takes them over) and before anyone bonds: bond updates go only to the
 * rollups an Outbox may message.
 */
export async function applyDependencySet(
  rollups: readonly RollupMessaging[],
  ownerKey: Hex,
  set: DependencySet,
): Promise<void> {
  await Promise.all(
    rollups.map(async (rollup) => {
      const wallet = walletClientFor(rollup, ownerKey);
      const client = publicClientFor(rollup);
      const { outbox, inbox } = rollup.contracts;
      const destinations = destinationsOf(set, rollup.chainId).map(BigInt);
      const sources = sourcesOf(set, rollup.chainId).map(BigInt);
      // Expiry notices go back to any source that messaged this rollup.
      const hashes: Hex[] = [
        await wallet.writeContract({
          address: outbox,
          abi: outboxAbi,
          functionName: "setInbox",
          args: [inbox],
        }),
      ];
      if (destinations.length > 0) {
        hashes.push(
          await wallet.writeContract({
            address: outbox,
            abi: outboxAbi,
            functionName: "setDependencySet",
            args: [destinations, true],
          }),
        );
      }
      hashes.push(
        await wallet.writeContract({
          address: outbox,
          abi: outboxAbi,
          functionName: "setRestricted",
          args: [true],
        }),
      );
      if (sources.length > 0) {
        hashes.push(
          await wallet.writeContract({
            address: inbox,
            abi: inboxAbi,
            functionName: "setSourceDependencies",
            args: [sources, true],
          }),
        );
      }
      hashes.push(
        await wallet.writeContract({
          address: inbox,
          abi: inboxAbi,
          functionName: "setSourcesRestricted",
          args: [true],
        }),
      );
      await confirmAll(client, hashes, `setting the dependency set on chain ${rollup.chainId} failed`);
    }),
  );
}
