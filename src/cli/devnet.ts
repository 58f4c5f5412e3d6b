// `junction devnet`: starts the local network and runs until Ctrl-C / SIGTERM, then stops every child.
import { resolve } from "node:path";
import type { Manifest } from "../chain/manifest.js";
import { DEFAULT_L1_PORT, startDevnet } from "../devnet/devnet.js";
import {
  dataDirOf,
  intFlag,
  loggerOf,
  networkFlags,
  numberFlag,
  parseFlags,
  untilSignal,
} from "./options.js";

export const usage = `junction devnet [--rollups N] [--block-time S] [--l1-block-time S] [--challenge-window S]
               [--data-dir DIR] [--port BASE]
  Starts an L1 (chain 900, port BASE) and N rollups (901, 902, ... on ports BASE+1000, BASE+1001, ...)
  as anvil nodes on 127.0.0.1, deploys Junction, runs every agent (proposer, root importer, relayer,
  attester, watchtower) and writes DIR/devnet.json. Defaults: 2 rollups, 1 s rollup blocks, 2 s L1
  blocks, a 4 s optimistic challenge window, BASE 8545, DIR .junction.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    rollups: { type: "string" },
    "block-time": { type: "string" },
    "l1-block-time": { type: "string" },
    port: { type: "string" },
    "challenge-window": { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const base = intFlag("port", values.port, DEFAULT_L1_PORT, 1);
  const logger = loggerOf(values);
  const stopping = untilSignal();
  const devnet = await startDevnet({
    rollups: intFlag("rollups", values.rollups, 2, 1),
    blockTime: numberFlag("block-time", values["block-time"], 1),
    l1BlockTime: numberFlag("l1-block-time", values["l1-block-time"], 2),
    challengeWindow: intFlag("challenge-window", values["challenge-window"], 4, 1),
    dataDir: dataDirOf(values),
    l1Port: base,
    rollupPort: base + 1000,
    logger,
  });
  console.log(describe(devnet.manifest, resolve(devnet.manifestFile)));
  const signal = await stopping;
  logger.info("Devnet#stop", "stopping devnet", { signal });
  await devnet.stop();
  return 0;
}

function describe(manifest: Manifest, manifestFile: string): string {
  const rows = [
    ["chain", "id", "rpc", "block time"],
    ["L1", String(manifest.l1.chainId), manifest.l1.rpcUrl, `${manifest.l1.blockTime}s`],
    ...manifest.rollups.map((rollup) => [
      "rollup",
      String(rollup.chainId),
      rollup.rpcUrl,
      `${rollup.blockTime}s`,
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  const table = rows
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "))
    .join("\n");
  const contracts = manifest.rollups[0]?.contracts;
  const lines = [
    "Junction devnet is running.",
    "",
    table,
    "",
    `RollupHub (L1)        ${manifest.l1.contracts.rollupHub}`,
    ...Object.entries(contracts ?? {}).map(
      ([name, address]) => `${name.padEnd(21)} ${address}  (every rollup)`,
    ),
    "",
    `manifest: ${manifestFile}`,
    "Press Ctrl-C to stop.",
  ];
  return lines.join("\n");
}
