// The devnet's sequencing domain: the manifest as wallets see it (every rollup through the sequencer's
// endpoint) and the sequencer built from such a manifest, in the devnet or alone (`junction sequencer`).
import type { Hex } from "viem";
import { Sequencer, type SequencerConfig } from "../agents/sequencer/sequencer.js";
import type { Manifest } from "../chain/manifest.js";
import { ConfigError } from "../errors.js";
import type { Logger } from "../log.js";

/** The manifest as wallets and agents must see it: rollup `i` reached through the sequencer on `port + i`. */
export function sequencedManifest(manifest: Manifest, port: number, superblockTimeMs: number): Manifest {
  return {
    ...manifest,
    rollups: manifest.rollups.map((rollup, i) => ({
      ...rollup,
      rpcUrl: `http://127.0.0.1:${port + i}`,
      wsUrl: `ws://127.0.0.1:${port + i}`,
      nodeRpcUrl: rollup.rpcUrl,
      blockTime: superblockTimeMs / 1000,
    })),
    sequencer: { superblockTimeMs },
  };
}

/** The sequencer a sequenced manifest describes: its endpoints on the rollups' ports, nodes behind them. */
export function sequencerOf(
  manifest: Manifest,
  logger: Logger,
  options: {
    superblockTimeMs?: number;
    privateKey?: Hex;
    blockControl?: SequencerConfig["blockControl"];
  } = {},
): Sequencer {
  const settings = manifest.sequencer;
  if (!settings) {
    throw new ConfigError("this devnet has no sequencing domain", {
      details: "start it without --no-sequencer (add --external-sequencer to run the sequencer alone)",
    });
  }
  const endpoints = manifest.rollups.map((rollup) => {
    if (!rollup.nodeRpcUrl) throw new ConfigError(`rollup ${rollup.chainId} has no node behind a sequencer`);
    return {
      chainId: rollup.chainId,
      nodeRpcUrl: rollup.nodeRpcUrl,
      port: Number(new URL(rollup.rpcUrl).port),
    };
  });
  return new Sequencer({
    network: manifest,
    endpoints,
    superblockTimeMs: options.superblockTimeMs ?? settings.superblockTimeMs,
    privateKey: options.privateKey ?? manifest.accounts.sequencer.privateKey,
    blockControl: options.blockControl,
    logger,
  });
}
