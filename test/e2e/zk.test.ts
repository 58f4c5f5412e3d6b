// The zk path on a four-rollup devnet with the prover running: one Groth16 proof per epoch covers every
// rollup's checkpoint, and one import on a destination carries all four; messages to a recipient on the
// zk path are delivered as soon as an epoch covering them is imported — no challenge window, no bond —
// each proving its source's checkpoint with a path in the epoch tree. A restarted prover picks up what
// is missing, and `--path zk` refuses recipients on other paths. A message whose epoch was imported
// before its source's committee handed over still delivers after the hand-over.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { toHex } from "viem";
import { proveStatement, releaseProvingThreads } from "../../src/agents/prover/groth16.js";
import { Prover } from "../../src/agents/prover/prover.js";
import { ApiServer } from "../../src/api/server.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import type { RollupEntry } from "../../src/chain/manifest.js";
import { freePort } from "../../src/chain/ports.js";
import { zkVerifierAbi } from "../../src/contracts/generated/index.js";
import { createProver } from "../../src/devnet/devnet.js";
import { silentLogger } from "../../src/log.js";
import { buildCommittee, devCommitteeKeys, rotationStatement } from "../../src/protocol/committee.js";
import { EpochTree, encodeEpochEvidence } from "../../src/protocol/epoch.js";
import { sendMessage, TrustPathMismatchError, waitForDelivery } from "../../src/sdk/index.js";
import { rejects, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

describe("zk trust path", () => {
  let devnet: TestDevnet;

  before(async () => {
    devnet = await startTestDevnet({ zk: true, rollups: 4 });
  });

  after(async () => {
    await devnet?.stop();
  });

  it("one proof imports four rollups' checkpoints on a destination; messages are delivered without a window", async () => {
    const [a, b, c, d] = devnet.manifest.rollups as [RollupEntry, RollupEntry, RollupEntry, RollupEntry];
    const send = (from: RollupEntry, to: RollupEntry, body: string) =>
      sendMessage(walletClientFor(from, devnet.manifest.accounts.user.privateKey), devnet.manifest, {
        destinationChainId: to.chainId,
        recipient: to.contracts.zkRecorder,
        body: toHex(body),
        path: "zk",
      });
    const delivered = (from: RollupEntry, id: `0x${string}`) =>
      waitForDelivery(devnet.manifest, { id, sourceChainId: BigInt(from.chainId), timeoutMs: 120_000 });

    // d has a checkpoint of its own first; then a, b and c each send one message to d.
    const first = await send(d, a, "d first");
    assert.equal((await delivered(d, first.id)).status, "delivered");
    const sent = [
      { from: a, message: await send(a, d, "from a") },
      { from: b, message: await send(b, d, "from b") },
      { from: c, message: await send(c, d, "from c") },
    ];
    for (const { from, message } of sent) {
      const status = await delivered(from, message.id);
      assert.equal(status.status, "delivered");
      assert.equal(status.path, "zk");
    }

    const client = publicClientFor(d);
    const epochs = await client.getContractEvents({
      address: d.contracts.zkVerifier,
      abi: zkVerifierAbi,
      eventName: "EpochImported",
      fromBlock: 0n,
      strict: true,
    });
    const covers = (log: (typeof epochs)[number], from: RollupEntry, nonce: bigint) =>
      log.args.checkpoints.some(
        (checkpoint) => checkpoint.sourceChainId === BigInt(from.chainId) && checkpoint.count > nonce,
      );
    // One import on d whose single proof carries all four rollups' checkpoints, covering every message.
    const all = epochs.find(
      (log) =>
        log.args.checkpoints.length === 4 &&
        sent.every(({ from, message }) => covers(log, from, message.message.nonce)),
    );
    assert.ok(all, "an epoch imported on d covers the checkpoints of all four rollups");
    assert.equal(
      epochs.filter((log) => log.transactionHash === all.transactionHash).length,
      1,
      "one submitEpoch, one proof",
    );
    const tree = new EpochTree(
      all.args.checkpoints.map(({ sourceChainId, count, root }) => ({ chainId: sourceChainId, count, root })),
    );
    assert.equal(tree.root, all.args.epochRoot);
    // Every other rollup's checkpoint verifies on d with its path; d's own is no source of d's.
    for (const checkpoint of tree.checkpoints) {
      const check = client.readContract({
        address: d.contracts.zkVerifier,
        abi: zkVerifierAbi,
        functionName: "verifyRoot",
        args: [
          checkpoint.chainId,
          checkpoint.count,
          checkpoint.root,
          encodeEpochEvidence({
            epochRoot: tree.root,
            committeeRoot: all.args.committeeRoot,
            signerCount: all.args.signerCount,
            path: tree.path(checkpoint.chainId) ?? [],
          }),
        ],
      });
      if (checkpoint.chainId === BigInt(d.chainId)) await rejects(check, "UnknownSource");
      else await check;
    }

    // Final at once: no window between the first import covering a message and its delivery beyond
    // the relayer's next tick.
    const { from, message } = sent[0] as (typeof sent)[number];
    const covering = epochs.find((log) => covers(log, from, message.message.nonce));
    assert.ok(covering);
    const deliveryBlock = (await delivered(from, message.id)).delivery?.block ?? 0n;
    assert.ok(deliveryBlock >= covering.blockNumber, "delivered after the proof, not before");
    const [proofBlock, deliveredAt] = await Promise.all([
      client.getBlock({ blockNumber: covering.blockNumber }),
      client.getBlock({ blockNumber: deliveryBlock }),
    ]);
    assert.ok(deliveredAt.timestamp - proofBlock.timestamp <= 2n, "no challenge window on the zk path");

    // The API indexes each imported epoch: one final zk checkpoint per source and destination.
    const api = new ApiServer({
      network: devnet.manifest,
      database: join(devnet.dataDir, "api.sqlite"),
      port: await freePort(),
      logger: silentLogger,
    });
    await api.start();
    try {
      const { body } = await waitUntil(
        async () => {
          const response = await fetch(`${api.url}/v1/checkpoints?path=zk&limit=100`);
          return { body: (await response.json()) as { checkpoints: Record<string, unknown>[] } };
        },
        ({ body }) =>
          sent.every(({ from, message }) =>
            body.checkpoints.some(
              (checkpoint) =>
                checkpoint.sourceChainId === from.chainId &&
                checkpoint.destinationChainId === d.chainId &&
                BigInt(checkpoint.count as number) > message.message.nonce,
            ),
          ),
        "the covering zk checkpoints indexed",
        60_000,
      );
      const fromA = body.checkpoints.find(
        (checkpoint) => checkpoint.sourceChainId === a.chainId && checkpoint.destinationChainId === d.chainId,
      );
      assert.equal(fromA?.state, "final");
      assert.equal(fromA?.secondsLeft, null, "no window");
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      assert.match(
        metrics,
        new RegExp(`junction_zk_epochs_imported_total\\{destination="${d.chainId}"\\} [1-9]`),
      );
    } finally {
      await api.stop();
    }
  });

  it("a restarted prover proves what is missing; --path zk refuses other recipients", async () => {
    const [a, b] = devnet.manifest.rollups as [RollupEntry, RollupEntry];
    const wallet = walletClientFor(a, devnet.manifest.accounts.user.privateKey);
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
        timeoutMs: 120_000,
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

  it("a message whose epoch was imported before its source's committee handed over still delivers", async () => {
    // Review finding M3: a hand-over stranded messages only the old committee's epochs covered.
    const [, , c, d] = devnet.manifest.rollups as [RollupEntry, RollupEntry, RollupEntry, RollupEntry];
    const relayers = devnet.agents.filter((agent) => agent.name === "Relayer");
    assert.ok(relayers.length > 0);
    for (const relayer of relayers) await relayer.stop();
    const client = publicClientFor(d);
    const sent = await sendMessage(
      walletClientFor(c, devnet.manifest.accounts.user.privateKey),
      devnet.manifest,
      {
        destinationChainId: d.chainId,
        recipient: d.contracts.zkRecorder,
        body: toHex("covered before the hand-over"),
        path: "zk",
      },
    );
    // The old committee's epoch covering it lands on d; then no prover runs (nothing newer comes).
    const prover = createProver(devnet.manifest, silentLogger);
    await prover.start();
    try {
      for (let tries = 0; ; tries++) {
        const epochs = await client.getContractEvents({
          address: d.contracts.zkVerifier,
          abi: zkVerifierAbi,
          eventName: "EpochImported",
          fromBlock: 0n,
          strict: true,
        });
        const covered = epochs.some((log) =>
          log.args.checkpoints.some(
            (checkpoint) =>
              checkpoint.sourceChainId === BigInt(c.chainId) && checkpoint.count > sent.message.nonce,
          ),
        );
        if (covered) break;
        assert.ok(tries < 480, "an epoch covering the message was imported on d");
        await sleep(250);
      }
    } finally {
      await prover.stop();
    }
    // c hands over to the next committee on d, with a proof a quorum of the genesis committee signed.
    try {
      const genesis = await buildCommittee(devnet.manifest.zk.committeeKeys);
      const next = await buildCommittee(devCommitteeKeys("next"));
      const current = await client.readContract({
        address: d.contracts.zkVerifier,
        abi: zkVerifierAbi,
        functionName: "committeeOf",
        args: [BigInt(c.chainId)],
      });
      assert.equal(current.root, genesis.root);
      const rotation = await proveStatement(
        genesis,
        rotationStatement({
          sourceChainId: BigInt(c.chainId),
          currentRoot: genesis.root,
          nextRoot: next.root,
          nextThreshold: 2n,
          epoch: current.epoch + 1n,
        }),
        [0, 1, 2],
      );
      const wallet = walletClientFor(d, devnet.manifest.accounts.user.privateKey);
      const hash = await wallet.writeContract({
        address: d.contracts.zkVerifier,
        abi: zkVerifierAbi,
        functionName: "rotateCommittee",
        args: [
          rotation.proof,
          BigInt(c.chainId),
          genesis.root,
          rotation.signerCount,
          next.root,
          2n,
          current.epoch + 1n,
        ],
      });
      assert.equal((await client.waitForTransactionReceipt({ hash })).status, "success");
    } finally {
      await releaseProvingThreads();
    }
    // The relayers come back: the message proves its checkpoint in the old committee's epoch and lands.
    for (const relayer of relayers) await relayer.start();
    const status = await waitForDelivery(devnet.manifest, {
      id: sent.id,
      sourceChainId: BigInt(c.chainId),
      timeoutMs: 120_000,
    });
    assert.equal(status.status, "delivered");
    assert.equal(status.path, "zk");
  });
});
