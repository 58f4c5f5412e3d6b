// The sequencer run on its own over a devnet that left it out (what `junction sequencer` does), stopped
// between the superblock that carried a message and the one that would deliver it, and started again:
// the new process continues the superblock heights from the L1 log and delivers what was owed.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { toHex } from "viem";
import type { Sequencer } from "../../src/agents/sequencer/sequencer.js";
import { anvilBlockControl } from "../../src/chain/anvil.js";
import type { BlockControl } from "../../src/chain/block-control.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import type { RollupEntry } from "../../src/chain/manifest.js";
import { inboxAbi, outboxAbi, superblockLogAbi } from "../../src/contracts/generated/index.js";
import { sequencerOf } from "../../src/devnet/sequencer.js";
import { createLogger } from "../../src/log.js";
import { messageId } from "../../src/protocol/message.js";
import { waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

const logger = createLogger(process.env.JUNCTION_TEST_LOG === "1" ? "debug" : "silent");

describe("sequencer restart", () => {
  let devnet: TestDevnet;
  let sequencer: Sequencer | undefined;

  before(async () => {
    devnet = await startTestDevnet({ sequencer: { superblockTimeMs: 200, run: false } });
  });

  after(async () => {
    // Agents first: a tick waiting for a receipt needs the sequencer to mine it.
    await Promise.all(devnet?.agents.map((agent) => agent.stop()) ?? []);
    await sequencer?.stop();
    await devnet?.stop();
  });

  it("continues the heights and delivers a message owed from before the stop", async () => {
    const { manifest } = devnet;
    const [a, b] = manifest.rollups as [RollupEntry, RollupEntry];
    sequencer = sequencerOf(manifest, logger);
    await sequencer.start();
    await waitUntil(
      async () => sequencer?.deliveriesReady() ?? false,
      Boolean,
      "the sequencer's bond everywhere",
      60_000,
    );
    await sequencer.pause();

    // B is mined after A in every superblock, so a message from B to A is delivered one superblock later.
    const wallet = walletClientFor(b, manifest.accounts.user.privateKey);
    const nonce = await publicClientFor(b).readContract({
      address: b.contracts.outbox,
      abi: outboxAbi,
      functionName: "count",
    });
    await wallet.writeContract({
      address: b.contracts.outbox,
      abi: outboxAbi,
      functionName: "send",
      args: [
        BigInt(a.chainId),
        a.contracts.sequencerRecorder,
        toHex("owed"),
        200_000n,
        BigInt(Math.floor(Date.now() / 1000) + 3600),
      ],
      gas: 400_000n,
    });
    const carrying = await sequencer.seal();
    const logs = await publicClientFor(b).getContractEvents({
      address: b.contracts.outbox,
      abi: outboxAbi,
      eventName: "MessageSent",
      fromBlock: BigInt(carrying.blocks[1]?.blockNumber ?? 0),
      strict: true,
    });
    const sent = logs.find((log) => log.args.message.nonce === nonce);
    assert.ok(sent, "the message is in B's block of the sealed superblock");
    const id = messageId({ ...sent.args.message, version: Number(sent.args.message.version) });
    const status = () =>
      publicClientFor({ chainId: a.chainId, rpcUrl: a.nodeRpcUrl ?? a.rpcUrl }).readContract({
        address: a.contracts.inbox,
        abi: inboxAbi,
        functionName: "status",
        args: [id],
      });
    assert.equal(await status(), 0, "not delivered yet: A was mined before B");
    await sequencer.stop();

    const l1 = publicClientFor(manifest.l1);
    const posted = await l1.readContract({
      address: manifest.l1.contracts.superblockLog,
      abi: superblockLogAbi,
      functionName: "latestHeight",
    });
    assert.equal(Number(posted), carrying.height, "stop posts every sealed superblock");

    sequencer = sequencerOf(manifest, logger);
    await sequencer.start();
    await waitUntil(status, (value) => value === 1, "the owed delivery after the restart", 30_000);
    const first = sequencer.latestSuperblock();
    assert.ok(first && first.height > carrying.height, "heights continue after the restart");
  });

  it("keeps what it owes when a node fails in the middle of a superblock", async () => {
    const { manifest } = devnet;
    const [a, b] = manifest.rollups as [RollupEntry, RollupEntry];
    await sequencer?.stop();
    // A fake for a fault the devnet cannot cause on demand: A's node refuses to mine once.
    let failNextMineOnA = false;
    const flakyOnA = (nodeRpcUrl: string): BlockControl => {
      const real = anvilBlockControl(nodeRpcUrl);
      if (nodeRpcUrl !== a.nodeRpcUrl) return real;
      return {
        ...real,
        mine: async () => {
          if (failNextMineOnA) {
            failNextMineOnA = false;
            throw new Error("node unavailable (injected)");
          }
          await real.mine();
        },
      };
    };
    sequencer = sequencerOf(manifest, logger, { blockControl: flakyOnA });
    await sequencer.start();
    await waitUntil(async () => sequencer?.deliveriesReady() ?? false, Boolean, "deliveries ready", 60_000);
    await sequencer.pause();
    const wallet = walletClientFor(b, manifest.accounts.user.privateKey);
    await wallet.writeContract({
      address: b.contracts.outbox,
      abi: outboxAbi,
      functionName: "send",
      args: [
        BigInt(a.chainId),
        a.contracts.sequencerRecorder,
        toHex("through a fault"),
        200_000n,
        BigInt(Math.floor(Date.now() / 1000) + 3600),
      ],
      gas: 400_000n,
    });
    const carrying = await sequencer.seal();
    const [sent] = await publicClientFor(b).getContractEvents({
      address: b.contracts.outbox,
      abi: outboxAbi,
      eventName: "MessageSent",
      fromBlock: BigInt(carrying.blocks[1]?.blockNumber ?? 0),
      toBlock: BigInt(carrying.blocks[1]?.blockNumber ?? 0),
      strict: true,
    });
    assert.ok(sent);
    const id = messageId({ ...sent.args.message, version: Number(sent.args.message.version) });
    failNextMineOnA = true;
    await assert.rejects(sequencer.seal(), /node unavailable/);
    const after = await sequencer.seal();
    const status = await publicClientFor({
      chainId: a.chainId,
      rpcUrl: a.nodeRpcUrl ?? a.rpcUrl,
    }).readContract({
      address: a.contracts.inbox,
      abi: inboxAbi,
      functionName: "status",
      args: [id],
    });
    assert.equal(status, 1, "the delivery owed before the fault landed in the next superblock");
    assert.ok(after.deliveries.includes(id));
    sequencer.resume();
  });
});
