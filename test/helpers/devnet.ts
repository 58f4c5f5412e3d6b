// Test helpers: a devnet on free ports in a temporary data directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consecutiveFreePorts, freePort } from "../../src/chain/ports.js";
import { type Devnet, type DevnetOptions, startDevnet } from "../../src/devnet/devnet.js";
import { createLogger } from "../../src/log.js";

export type TestDevnet = Devnet & { dataDir: string };

export async function startTestDevnet(options: Partial<DevnetOptions> = {}): Promise<TestDevnet> {
  const rollups = options.rollups ?? 2;
  const dataDir = mkdtempSync(join(tmpdir(), "junction-test-"));
  const devnet = await startDevnet({
    rollups,
    dataDir,
    l1Port: await freePort(),
    rollupPort: await consecutiveFreePorts(rollups),
    logger: createLogger(process.env.JUNCTION_TEST_LOG === "1" ? "debug" : "silent"),
    ...options,
    sequencer: options.sequencer && {
      nodePort: await consecutiveFreePorts(rollups),
      ...options.sequencer,
    },
  });
  return {
    ...devnet,
    dataDir,
    stop: async () => {
      await devnet.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
