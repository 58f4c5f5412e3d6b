// A second devnet in the same data directory starts from fresh chains; what the first one's relayer
// stored must not make the second one skip messages.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toHex } from "viem";
import { walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { consecutiveFreePorts, freePort } from "../../src/chain/ports.js";
import { startDevnet } from "../../src/devnet/devnet.js";
import { silentLogger } from "../../src/log.js";
import { sendMessage, waitForDelivery } from "../../src/sdk/index.js";

describe("devnet restart in the same data directory", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "junction-restart-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("delivers on the second devnet although the first one's relayer saw later blocks", async () => {
    const ports = { l1Port: await freePort(), rollupPort: await consecutiveFreePorts(2) };
    for (const [run, messages] of [
      [1, 6],
      [2, 1],
    ] as const) {
      const devnet = await startDevnet({ dataDir, logger: silentLogger, ...ports });
      try {
        const { manifest } = devnet;
        const wallet = walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey);
        const recipient = rollupOf(manifest, 902).contracts.recorder;
        for (let i = 0; i < messages; i++) {
          const { id } = await sendMessage(wallet, manifest, {
            destinationChainId: 902,
            recipient,
            body: toHex(`run ${run} #${i}`),
          });
          const delivered = await waitForDelivery(manifest, { id, timeoutMs: 20_000 });
          assert.equal(delivered.status, "delivered", `run ${run} message ${i}`);
        }
      } finally {
        await devnet.stop();
      }
    }
  });
});
