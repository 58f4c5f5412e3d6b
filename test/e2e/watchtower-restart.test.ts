// The watchtower is down when a fraudulent checkpoint lands; restarted mid-window from its SQLite
// state it still challenges in time, and a case left half-done across another restart is finished.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEther, toHex } from "viem";
import type { Agent } from "../../src/agents/agent.js";
import { type JunctionPublicClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { type RollupEntry, rollupOf } from "../../src/chain/manifest.js";
import { bondManagerAbi, optimisticVerifierAbi } from "../../src/contracts/generated/index.js";
import { createWatchtower, watchtowerDatabase } from "../../src/devnet/devnet.js";
import { createLogger, silentLogger } from "../../src/log.js";
import { MESSAGE_TREE_DEPTH, merkleRoot } from "../../src/protocol/merkle.js";
import { messageId } from "../../src/protocol/message.js";
import { sendMessage } from "../../src/sdk/index.js";
import { WatchtowerSqliteStore } from "../../src/store/sqlite/watchtower-sqlite-store.js";
import { fundedKey, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { checkpointOf, outboxIds, submitCheckpoint } from "../helpers/optimistic.js";

const WINDOW = 20;
const CHALLENGED = 2;
const REJECTED = 4;

describe("watchtower restart", () => {
  let devnet: TestDevnet;
  let source: RollupEntry;
  let target: RollupEntry;
  let targetClient: JunctionPublicClient;
  let watchtower: Agent | undefined;

  before(async () => {
    devnet = await startTestDevnet({ challengeWindow: WINDOW, watchtower: false });
    source = rollupOf(devnet.manifest, 901);
    target = rollupOf(devnet.manifest, 902);
    targetClient = publicClientFor(target);
  });

  after(async () => {
    await watchtower?.stop();
    await devnet?.stop();
  });

  async function openCases() {
    const store = new WatchtowerSqliteStore(watchtowerDatabase(devnet.dataDir));
    try {
      return await store.openCases();
    } finally {
      await store.close();
    }
  }

  it("challenges in time after a restart mid-window, and finishes a half-done case after another", async () => {
    const { manifest } = devnet;
    const start = async () => {
      watchtower = createWatchtower(
        manifest,
        { dataDir: devnet.dataDir },
        process.env.JUNCTION_TEST_LOG === "1" ? createLogger("debug") : silentLogger,
      );
      await watchtower.start();
    };
    const stop = async () => {
      await watchtower?.stop();
      watchtower = undefined;
    };
    // A first run leaves a cursor behind.
    await start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await stop();

    const rogue = await fundedKey(manifest);
    const verifier = target.contracts.optimisticVerifier;
    const owner = walletClientFor(target, manifest.accounts.deployer.privateKey);
    await targetClient.waitForTransactionReceipt({
      hash: await owner.writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "setAttester",
        args: [901n, rogue.address, true],
      }),
    });
    await publicClientFor(source).waitForTransactionReceipt({
      hash: await walletClientFor(source, rogue.key).writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "bond",
        value: parseEther("1"),
      }),
    });
    await waitUntil(
      () =>
        targetClient.readContract({
          address: verifier,
          abi: optimisticVerifierAbi,
          functionName: "bondOnSource",
          args: [901n, rogue.address],
        }),
      (bond) => bond > 0n,
      "the rogue's bond to reach 902",
    );

    // While the watchtower is down: a checkpoint claiming five messages 901 has not sent (slashing
    // itself sends one, a bond update; the report of the true root waits for the other four).
    const ids = await outboxIds(manifest, 901);
    const padding = [1, 2, 3, 4].map((i) =>
      messageId({
        version: 1,
        nonce: BigInt(ids.length + i - 1),
        sourceChainId: 901n,
        sender: rogue.address,
        destinationChainId: 902n,
        recipient: rogue.address,
        gasLimit: 100_000n,
        deadline: 4_000_000_000n,
        body: toHex(`padding ${i}`),
      }),
    );
    const count = BigInt(ids.length) + 5n;
    const forgedId = messageId({
      version: 1,
      nonce: count - 1n,
      sourceChainId: 901n,
      sender: rogue.address,
      destinationChainId: 902n,
      recipient: rogue.address,
      gasLimit: 100_000n,
      deadline: 4_000_000_000n,
      body: "0x",
    });
    const { receipt } = await submitCheckpoint(manifest, 902, rogue.key, {
      sourceChainId: 901n,
      count,
      root: merkleRoot([...ids, ...padding, forgedId], MESSAGE_TREE_DEPTH),
    });
    const submittedAt = (await targetClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
    await new Promise((resolve) => setTimeout(resolve, 3000));

    await start();
    await waitUntil(
      () => checkpointOf(targetClient, verifier, 901n, count),
      (value) => value.state === CHALLENGED,
      "the challenge",
    );
    const [challenge] = await targetClient.getContractEvents({
      address: verifier,
      abi: optimisticVerifierAbi,
      eventName: "CheckpointChallenged",
      args: { count },
      fromBlock: receipt.blockNumber,
    });
    const challengedAt = (await targetClient.getBlock({ blockNumber: challenge?.blockNumber ?? 0n }))
      .timestamp;
    assert.ok(
      challengedAt < submittedAt + BigInt(WINDOW),
      `challenged at ${challengedAt}, window ends ${submittedAt + BigInt(WINDOW)}`,
    );
    await waitUntil(
      openCases,
      (cases) => cases.length === 1 && cases[0]?.fraudProven === true,
      "the fraud proof",
    );
    await stop();

    // The root report has to wait for the Outbox to reach `count`; that case survives the restart.
    const [open] = await openCases();
    assert.equal(open?.challenged, true);
    assert.equal(open?.reported, false);
    const user = walletClientFor(source, manifest.accounts.user.privateKey);
    for (let i = 0; i < 4; i++) {
      await sendMessage(user, manifest, {
        destinationChainId: 902,
        recipient: target.contracts.recorder,
        body: toHex(`real ${i}`),
      });
    }
    await start();
    await waitUntil(
      () => checkpointOf(targetClient, verifier, 901n, count),
      (value) => value.state === REJECTED,
      "settlement",
      60_000,
    );
    assert.deepEqual(await openCases(), []);
  });
});
