// `junction deploy --config network.json`: deploys Junction to chains you already run, or verifies an
// earlier deployment there, and writes the manifest the other commands and `junction agents` read.
import { chmodSync, existsSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import {
  loadStoredManifest,
  manifestPath,
  type StoredManifest,
  saveManifest,
  withKeyReferences,
} from "../chain/manifest.js";
import { loadNetworkConfig } from "../deploy/config.js";
import { deployToNetwork } from "../deploy/network.js";
import { dataDirOf, parseFlags, printJson, requiredFlag } from "./options.js";

export const usage = `junction deploy --config FILE [--data-dir DIR | --manifest FILE]
  Deploys Junction to the L1 and rollups FILE names (any EVM JSON-RPC endpoints), each contract at the
  same address on every chain (CREATE2 through the deterministic deployment proxy, then the step's own
  factory), and writes the manifest (default DIR/devnet.json, DIR default .junction; readable by its owner
  only: it holds the roles' keys, except those FILE gives as {"env": "NAME"}: it names the variable). Run it again and it verifies what is deployed, sends no transaction and
  leaves the manifest as it was. Keys in FILE are hex or {"env": "NAME"}. See README "Deploying to your chains".`;

export async function run(
  argv: string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<number> {
  const { values } = parseFlags(argv, {
    config: { type: "string" },
    "data-dir": { type: "string" },
    manifest: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const network = loadNetworkConfig(requiredFlag("config", values.config), env);
  const file = values.manifest ?? manifestPath(dataDirOf(values));
  const deployed = await deployToNetwork(network);
  const { transactions } = deployed;
  // Keys the config gave as environment variables stay there: the manifest names the variable.
  const manifest = withKeyReferences(deployed.manifest, network.keyReferences);
  const previous = existsSync(file) ? loadStoredManifest(file) : undefined;
  const unchanged = previous !== undefined && isDeepStrictEqual(withoutDate(previous), withoutDate(manifest));
  if (unchanged)
    chmodSync(file, 0o600); // a manifest first written elsewhere (a devnet's) is protected too
  else saveManifest(file, manifest); // created readable by its owner only
  printJson({ manifest: file, written: !unchanged, transactions });
  return 0;
}

function withoutDate(manifest: StoredManifest): Omit<StoredManifest, "createdAt"> {
  const { createdAt: _, ...rest } = manifest;
  return rest;
}
