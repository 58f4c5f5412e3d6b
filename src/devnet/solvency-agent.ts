// The devnet's proof-of-solvency publisher, ready to start beside the other agents (what
// `junction solvency publish` runs with the devnet's defaults).

import { SolvencyPublisher } from "../agents/solvency/publisher.js";
import type { Logger } from "../log.js";
import { publisherSecret } from "../solvency/epoch.js";
import type { SolvencyNetwork } from "../solvency/publish.js";
import { solvencyPublisherAccount } from "./accounts.js";

export type DevnetSolvencyPublisherOptions = {
  dataDir: string;
  logger: Logger;
  /** Milliseconds between epochs (default 10 s, as `junction solvency publish`). */
  epochMs?: number;
  /** Prove every covered tree in range with the zk circuits after each epoch (`--zk`). */
  zk?: boolean;
};

/**
 * The publisher with the devnet's publisher key and the secret kept in DIR/solvency/secret; undefined
 * when the manifest has no SolvencyRegistry. Epochs are taken at posted superblocks, so start it only
 * on a devnet that runs the shared sequencer.
 *
 * @example
 * const publisher = devnetSolvencyPublisher(manifest, { dataDir, logger });
 * if (publisher) agents.push(publisher);
 */
export function devnetSolvencyPublisher(
  network: SolvencyNetwork,
  { dataDir, logger, epochMs = 10_000, zk = false }: DevnetSolvencyPublisherOptions,
): SolvencyPublisher | undefined {
  if (!network.solvency) return undefined;
  return new SolvencyPublisher({
    network,
    privateKey: solvencyPublisherAccount().privateKey,
    secret: publisherSecret(dataDir),
    dataDir,
    epochMs,
    logger,
    proveRanges: zk,
  });
}
