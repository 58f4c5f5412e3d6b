// Saving and loading a devnet, its dependency set and its websocket endpoints, on two devnet start-ups:
// the first (a shared sequencer, rollups 901 and 902 may message each other, 903 nobody) delivers a
// message and a bridge transfer while a websocket client behind the sequencer watches blocks and logs,
// refuses a message outside the set by name at both ends (the set sealed on every rollup, no rollup
// added), and is saved on stop; the second starts from the saved state and still has the old message,
// the balances and the set, and delivers a new message. A devnet without a set whose owner seals an
// Inbox against every source: the relayer records the refused message as failed, not to be retried.
// Before the second start-up, the save is left as a kill in the middle of its swap would leave it (the
// complete new save still staged, an earlier one aside, nothing at the path): the load recovers the new one.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createPublicClient, encodeFunctionData, type Hex, toHex, webSocket, zeroHash } from "viem";
import { chainOf, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { type Manifest, rollupOf } from "../../src/chain/manifest.js";
import { consecutiveFreePorts, freePort } from "../../src/chain/ports.js";
import { junctionErrorsAbi } from "../../src/contracts/errors.js";
import { crosschainTokenAbi, inboxAbi, outboxAbi } from "../../src/contracts/generated/index.js";
import { type DevnetOptions, relayerDatabase, startDevnet } from "../../src/devnet/devnet.js";
import { chainStatePath, oldDir, stagedDir } from "../../src/devnet/state.js";
import { ConfigError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import { MESSAGE_VERSION } from "../../src/protocol/message.js";
import {
  BundleRefusedError,
  bridgeTokens,
  getMessageStatus,
  sendBundle,
  sendMessage,
  waitForDelivery,
} from "../../src/sdk/index.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { rejects, waitUntil } from "../helpers/chain.js";

const UNIT = 10n ** 18n;

describe("devnet --dump-state / --load-state, --dependency-set, websockets", () => {
  const dirs = ["data-1", "data-2", "state", "plain-data", "plain-state"].map((name) =>
    mkdtempSync(join(tmpdir(), `junction-${name}-`)),
  );
  const [firstData, secondData, stateDir, plainData, plainState] = dirs as [
    string,
    string,
    string,
    string,
    string,
  ];
  after(() => {
    for (const dir of dirs.flatMap((dir) => [dir, stagedDir(dir), oldDir(dir)])) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const send = (manifest: Manifest, from: number, to: number, text: string) =>
    sendMessage(walletClientFor(rollupOf(manifest, from), manifest.accounts.user.privateKey), manifest, {
      destinationChainId: to,
      recipient: rollupOf(manifest, to).contracts.recorder,
      body: toHex(text),
    });
  const jusd = (manifest: Manifest, chainId: number) => {
    const rollup = rollupOf(manifest, chainId);
    return publicClientFor(rollup).readContract({
      address: rollup.contracts.bridgedToken,
      abi: crosschainTokenAbi,
      functionName: "balanceOf",
      args: [manifest.accounts.user.address],
    });
  };
  /** 903 may message nobody: its Outbox refuses 901 by name, nothing is sent; the set is sealed. */
  const assertRefusedOutsideSet = async (manifest: Manifest) => {
    await rejects(send(manifest, 903, 901, "outside the set"), "DestinationNotInDependencySet");
    for (const rollup of manifest.rollups) {
      for (const address of [rollup.contracts.outbox, rollup.contracts.inbox]) {
        const sealed = await publicClientFor(rollup).readContract({
          address,
          abi: outboxAbi,
          functionName: "dependencySetSealed",
        });
        assert.equal(sealed, true, `chain ${rollup.chainId}: ${address} sealed`);
      }
    }
    // A forged checkpoint of 903 could vouch for any message; 901's Inbox refuses the source first.
    const inbox = rollupOf(manifest, 901).contracts.inbox;
    const forged = {
      version: MESSAGE_VERSION,
      nonce: 0n,
      sourceChainId: 903n,
      sender: manifest.accounts.user.address,
      destinationChainId: 901n,
      recipient: rollupOf(manifest, 901).contracts.recorder,
      gasLimit: 100_000n,
      deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
      body: "0x" as Hex,
    };
    await rejects(
      publicClientFor(rollupOf(manifest, 901)).simulateContract({
        address: inbox,
        abi: [...inboxAbi, ...junctionErrorsAbi],
        functionName: "deliver",
        args: [forged, { count: 1n, root: zeroHash, path: [], verifierData: "0x" }],
        account: manifest.accounts.relayer.address,
      }),
      "SourceNotInDependencySet",
    );
  };

  it("refuses to save or load PostgreSQL stores, and loads only a complete saved devnet", async () => {
    const base = { dataDir: firstData, logger: silentLogger, databaseUrl: "postgres://x@127.0.0.1:1/db" };
    await assert.rejects(startDevnet({ ...base, dumpState: stateDir }), ConfigError);
    await assert.rejects(startDevnet({ ...base, loadState: stateDir }), ConfigError);
    await assert.rejects(
      startDevnet({ dataDir: firstData, logger: silentLogger, loadState: stateDir }),
      /holds no saved devnet/,
    );
  });

  it("saves on stop and loads: old message, balances, set and heights survive; a new message is delivered", async () => {
    const ports = {
      l1Port: await freePort(),
      rollupPort: await consecutiveFreePorts(3),
      sequencer: { superblockTimeMs: 250, nodePort: await consecutiveFreePorts(3) },
    };
    const options: DevnetOptions = { logger: silentLogger, dataDir: firstData, rollups: 3, ...ports };
    const set = { "901": [902], "902": [901] };
    const first = await startDevnet({ ...options, dependencySet: set, dumpState: stateDir });
    let saved: { id: Hex; bridged: Hex; balances: bigint[]; heads: { number: bigint; timestamp: bigint }[] };
    try {
      const { manifest } = first;
      const rollup902 = rollupOf(manifest, 902);
      assert.equal(rollup902.wsUrl, `ws://127.0.0.1:${ports.rollupPort + 1}`, "the sequencer's endpoint");
      assert.equal(manifest.l1.wsUrl, `ws://127.0.0.1:${ports.l1Port}`);
      assert.deepEqual(manifest.dependencySet, set);
      // The set is sealed on every rollup: a newcomer could never be in it, so none is taken.
      await assert.rejects(first.addRollup(), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, /--dependency-set: it cannot take a new rollup/);
        return true;
      });
      assert.equal(first.manifest.rollups.length, 3);

      // A websocket client behind the sequencer, subscribed to 902's new blocks and Inbox logs.
      const ws = createPublicClient({
        chain: chainOf(rollup902),
        transport: webSocket(rollup902.wsUrl, { reconnect: false }),
      });
      const heads: { number: bigint; hash: Hex }[] = [];
      const delivered: Hex[] = [];
      const unwatchBlocks = ws.watchBlocks({
        poll: false,
        onBlock: (block) => heads.push({ number: block.number, hash: block.hash }),
      });
      const unwatchLogs = ws.watchContractEvent({
        address: rollup902.contracts.inbox,
        abi: inboxAbi,
        eventName: "MessageDelivered",
        poll: false,
        onLogs: (logs) => delivered.push(...logs.map((log) => log.args.id as Hex)),
      });
      try {
        const { id } = await send(manifest, 901, 902, "before the save");
        assert.equal((await waitForDelivery(manifest, { id, timeoutMs: 60_000 })).status, "delivered");
        await waitUntil(
          async () => delivered,
          (ids) => ids.includes(id),
          "the delivery over eth_subscribe logs",
        );
        // A bundle whose 901 leg fails is refused (its blocks, if mined, are undone within the seal).
        const user = manifest.accounts.user.privateKey;
        const refused = await sendBundle(manifest, {
          transactions: [
            {
              wallet: walletClientFor(rollup902, user),
              to: rollup902.contracts.bridgedToken,
              data: encodeFunctionData({
                abi: crosschainTokenAbi,
                functionName: "transfer",
                args: [manifest.accounts.filler.address, 1n],
              }),
              gas: 100_000n,
            },
            {
              wallet: walletClientFor(rollupOf(manifest, 901), user),
              to: rollupOf(manifest, 901).contracts.outbox,
              data: encodeFunctionData({
                abi: outboxAbi,
                functionName: "send",
                args: [0n, manifest.accounts.user.address, "0x", 100_000n, 4_000_000_000n],
              }),
              gas: 200_000n,
            },
          ],
        }).then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(refused instanceof BundleRefusedError, String(refused));
        const { id: later } = await send(manifest, 901, 902, "after the refused bundle");
        await waitForDelivery(manifest, { id: later, timeoutMs: 60_000 });
        await waitUntil(
          async () => delivered,
          (ids) => ids.includes(later),
          "the second delivery over logs",
        );
        // Heads arrive in order, one per block, each the block a read over HTTP finds at its height (the
        // wait for an undoable seal is tested deterministically in test/agents/sequencer-subscriptions).
        assert.ok(heads.length >= 3, `${heads.length} heads`);
        const http902 = publicClientFor(rollup902);
        for (const [i, head] of heads.entries()) {
          if (i > 0) assert.equal(head.number, (heads[i - 1]?.number as bigint) + 1n);
          assert.equal((await http902.getBlock({ blockNumber: head.number })).hash, head.hash);
        }
        // Ordinary requests over the same socket follow the sequencer's rules; subscriptions are two kinds.
        assert.equal(await ws.getChainId(), 902);
        await assert.rejects(ws.request({ method: "evm_mine" } as never), /produced by the shared sequencer/);
        await assert.rejects(
          ws.request({ method: "eth_subscribe", params: ["newPendingTransactions"] } as never),
          /newHeads and logs/,
        );

        await assertRefusedOutsideSet(manifest);

        const bridged = await bridgeTokens(
          walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey),
          manifest,
          { amount: 7n * UNIT, destinationChainId: 902 },
        );
        await waitForDelivery(manifest, { id: bridged.messageId, timeoutMs: 60_000 });
        const balances = [await jusd(manifest, 901), await jusd(manifest, 902)];
        assert.equal(balances[1], 7n * UNIT);
        const heads2 = await Promise.all(
          manifest.rollups.map((rollup) => publicClientFor(rollup).getBlock({ blockTag: "latest" })),
        );
        saved = {
          id,
          bridged: bridged.messageId,
          balances,
          heads: heads2.map((block) => ({ number: block.number, timestamp: block.timestamp })),
        };
      } finally {
        unwatchBlocks();
        unwatchLogs();
        await ws.transport.getRpcClient().then((socket) => socket.close());
      }
    } finally {
      await first.stop();
    }
    for (const chainId of [900, 901, 902, 903]) assert.ok(existsSync(chainStatePath(stateDir, chainId)));
    // A kill between moving the previous save aside and moving the staged one in: an earlier (here
    // unreadable) save aside, the complete save staged, no save at stateDir.
    renameSync(stateDir, stagedDir(stateDir));
    mkdirSync(oldDir(stateDir));
    writeFileSync(join(oldDir(stateDir), "devnet.json"), "an earlier save");
    assert.equal(existsSync(stateDir), false);

    const second = await startDevnet({ ...options, dataDir: secondData, loadState: stateDir });
    try {
      assert.deepEqual([existsSync(stagedDir(stateDir)), existsSync(oldDir(stateDir))], [false, false]);
      const { manifest } = second;
      assert.deepEqual(
        manifest.rollups.map((rollup) => rollup.contracts),
        first.manifest.rollups.map((rollup) => rollup.contracts),
        "nothing redeployed",
      );
      assert.equal((await getMessageStatus(manifest, { id: saved.id })).status, "delivered");
      assert.equal((await getMessageStatus(manifest, { id: saved.bridged })).status, "delivered");
      assert.deepEqual([await jusd(manifest, 901), await jusd(manifest, 902)], saved.balances);
      for (const [i, rollup] of manifest.rollups.entries()) {
        const head = await publicClientFor(rollup).getBlock({ blockTag: "latest" });
        const before = saved.heads[i] as { number: bigint; timestamp: bigint };
        assert.ok(head.number >= before.number, `chain ${rollup.chainId} kept its height`);
        assert.ok(head.timestamp >= before.timestamp, `chain ${rollup.chainId}'s clock did not go back`);
      }
      await assertRefusedOutsideSet(manifest);
      const { id } = await send(manifest, 901, 902, "after the load");
      assert.equal((await waitForDelivery(manifest, { id, timeoutMs: 60_000 })).status, "delivered");
      // The paths that count time (a challenge window) and bonds (the sequencer's) work on the loaded chains.
      const wallet = walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey);
      for (const path of ["optimistic", "sequencer"] as const) {
        const recorder = path === "optimistic" ? "optimisticRecorder" : "sequencerRecorder";
        const sent = await sendMessage(wallet, manifest, {
          destinationChainId: 902,
          recipient: rollupOf(manifest, 902).contracts[recorder],
          body: toHex(`after the load, ${path} path`),
          path,
        });
        const status = await waitForDelivery(manifest, { id: sent.id, timeoutMs: 60_000 });
        assert.equal(status.status, "delivered", path);
      }
    } finally {
      await second.stop();
    }
    // The saved devnet decides its shape: nothing starts when the options contradict it.
    const load = (extra: Partial<DevnetOptions>) =>
      startDevnet({ ...options, dataDir: secondData, loadState: stateDir, ...extra });
    await assert.rejects(load({ sequencer: undefined }), /rollups are sequenced/);
    await assert.rejects(load({ rollups: 2 }), /has 3 rollups, not 2/);
    await assert.rejects(load({ dependencySet: { "901": [903], "903": [901] } }), /keeps the dependency set/);
  });

  it("saves and loads a devnet without a sequencer, its rollups on their own nodes (and websockets)", async () => {
    const options: DevnetOptions = {
      logger: silentLogger,
      l1Port: await freePort(),
      rollupPort: await consecutiveFreePorts(2),
      dataDir: plainData,
    };
    const first = await startDevnet({ ...options, dumpState: plainState });
    let id: Hex;
    try {
      ({ id } = await send(first.manifest, 902, 901, "unsequenced"));
      assert.equal((await waitForDelivery(first.manifest, { id, timeoutMs: 60_000 })).status, "delivered");
    } finally {
      await first.stop();
    }
    const second = await startDevnet({ ...options, loadState: plainState });
    try {
      const rollup = rollupOf(second.manifest, 901);
      assert.equal(rollup.nodeRpcUrl, undefined);
      assert.equal(rollup.wsUrl, `ws://127.0.0.1:${options.rollupPort}`, "anvil's own websocket");
      const ws = createPublicClient({ chain: chainOf(rollup), transport: webSocket(rollup.wsUrl) });
      try {
        assert.equal(await ws.getBlockNumber(), await publicClientFor(rollup).getBlockNumber());
      } finally {
        await ws.transport.getRpcClient().then((socket) => socket.close());
      }
      assert.equal((await getMessageStatus(second.manifest, { id })).status, "delivered");
      const { id: next } = await send(second.manifest, 902, 901, "unsequenced, after the load");
      assert.equal(
        (await waitForDelivery(second.manifest, { id: next, timeoutMs: 60_000 })).status,
        "delivered",
      );
      // The owner closes 901's Inbox to every source and seals it (by hand: the devnet has no set, so
      // 902's Outbox still sends there). The relayer records the refusal as failed, never to be retried.
      const owner = walletClientFor(rollup, second.manifest.accounts.deployer.privateKey);
      const client = publicClientFor(rollup);
      for (const functionName of ["setSourcesRestricted", "sealDependencySet"] as const) {
        const hash = await owner.writeContract({
          address: rollup.contracts.inbox,
          abi: inboxAbi,
          functionName,
          args: functionName === "setSourcesRestricted" ? [true] : [],
        } as Parameters<typeof owner.writeContract>[0]);
        assert.equal((await client.waitForTransactionReceipt({ hash })).status, "success");
      }
      // Two, so that they may share a batch (its MessageSkipped names the refusal) or go one by one
      // (the estimate reverts with it): either way the same record.
      const refused = [
        (await send(second.manifest, 902, 901, "refused by 901's sealed set")).id,
        (await send(second.manifest, 902, 901, "refused again")).id,
      ];
      const store = new SqliteStore(relayerDatabase(plainData));
      try {
        for (const id of refused) {
          const stored = await waitUntil(
            () => store.get(id),
            (message) => message?.status === "failed",
            "the relayer's record of the refusal",
          );
          assert.match(stored?.lastError ?? "", /SourceNotInDependencySet/);
          assert.equal(stored?.nextAttemptAt, Number.MAX_SAFE_INTEGER, "never tried again");
          assert.equal(stored?.attempts, 1);
        }
      } finally {
        await store.close();
      }
    } finally {
      await second.stop();
    }
  });
});
