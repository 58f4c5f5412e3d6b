// The zk path on a devnet with the prover running: a message to a recipient on the zk path is
// delivered as soon as a Groth16 proof of the committee's signatures over its checkpoint is imported —
// no challenge window, no bond — a restarted prover picks up what is missing, and `--path zk` refuses
// recipients on other paths.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { toHex } from "viem";
import { Prover } from "../../src/agents/prover/prover.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import type { RollupEntry } from "../../src/chain/manifest.js";
import { zkVerifierAbi } from "../../src/contracts/generated/index.js";
import { createProver } from "../../src/devnet/devnet.js";
import { silentLogger } from "../../src/log.js";
import { sendMessage, TrustPathMismatchError, waitForDelivery } from "../../src/sdk/index.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

describe("zk trust path", () => {
  let devnet: TestDevnet;

  before(async () => {
    devnet = await startTestDevnet({ zk: true });
  });

  after(async () => {
    await devnet?.stop();
  });

  it("delivers once the proof of the committee's signatures is imported, without a window", async () => {
    const [a, b] = devnet.manifest.rollups as [RollupEntry, RollupEntry];
    const wallet = walletClientFor(a, devnet.manifest.accounts.user.privateKey);
    const sent = await sendMessage(wallet, devnet.manifest, {
      destinationChainId: b.chainId,
      recipient: b.contracts.zkRecorder,
      body: toHex("proven, not trusted"),
      path: "zk",
    });
    const delivered = await waitForDelivery(devnet.manifest, {
      id: sent.id,
      sourceChainId: BigInt(a.chainId),
      timeoutMs: 90_000,
    });
    assert.equal(delivered.status, "delivered");
    assert.equal(delivered.path, "zk");
    const client = publicClientFor(b);
    const imported = await client.getContractEvents({
      address: b.contracts.zkVerifier,
      abi: zkVerifierAbi,
      eventName: "CheckpointVerified",
      args: { sourceChainId: BigInt(a.chainId) },
      fromBlock: 0n,
      strict: true,
    });
    const covering = imported.find((log) => log.args.count > sent.message.nonce);
    assert.ok(covering, "a proven checkpoint covers the message");
    const deliveryBlock = delivered.delivery?.block ?? 0n;
    assert.ok(deliveryBlock >= covering.blockNumber, "delivered after the proof, not before");
    const [proofBlock, deliveredAt] = await Promise.all([
      client.getBlock({ blockNumber: covering.blockNumber }),
      client.getBlock({ blockNumber: deliveryBlock }),
    ]);
    // Final at once: no window between the import and the delivery beyond the relayer's next tick.
    assert.ok(deliveredAt.timestamp - proofBlock.timestamp <= 2n, "no challenge window on the zk path");

    // A prover that stopped and a new one that starts: the chains are its state, nothing is lost.
    const [first] = devnet.agents.filter((agent) => agent instanceof Prover);
    assert.ok(first);
    await first.stop();
    const again = await sendMessage(wallet, devnet.manifest, {
      destinationChainId: b.chainId,
      recipient: b.contracts.zkRecorder,
      body: toHex("sent while no prover ran"),
      path: "zk",
    });
    const restarted = createProver(devnet.manifest, silentLogger);
    await restarted.start();
    try {
      const late = await waitForDelivery(devnet.manifest, {
        id: again.id,
        sourceChainId: BigInt(a.chainId),
        timeoutMs: 90_000,
      });
      assert.equal(late.status, "delivered");
    } finally {
      await restarted.stop();
    }

    await assert.rejects(
      sendMessage(wallet, devnet.manifest, {
        destinationChainId: b.chainId,
        recipient: b.contracts.recorder,
        body: "0x",
        path: "zk",
      }),
      TrustPathMismatchError,
    );
  });
});
