// Cross-rollup atomic swaps with hash-time locks: the happy path with a watching agent, refunds after
// the deadlines, every refusal by name, and the CLI flow.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, parseEther, parseEventLogs } from "viem";
import { SwapWatcher } from "../../src/agents/swap-watcher/swap-watcher.js";
import { increaseTime } from "../../src/chain/anvil.js";
import { type JunctionPublicClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { type RollupEntry, rollupOf } from "../../src/chain/manifest.js";
import { hashedTimelockAbi, testTokenAbi, testTokenBytecode } from "../../src/contracts/generated/index.js";
import { silentLogger } from "../../src/log.js";
import {
  claimLock,
  findRevealedPreimage,
  getLock,
  lockFunds,
  newSwapSecret,
  refundLock,
  respondToSwap,
  SwapError,
} from "../../src/sdk/htlc.js";
import { fundedKey, rejects, waitUntil } from "../helpers/chain.js";
import { runCli } from "../helpers/cli.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

describe("atomic swaps", () => {
  let devnet: TestDevnet;
  let a: RollupEntry;
  let b: RollupEntry;
  let aClient: JunctionPublicClient;
  let bClient: JunctionPublicClient;
  let alice: { key: Hex; address: Address };
  let bob: { key: Hex; address: Address };
  let token: Address;
  const watchers: SwapWatcher[] = [];

  const now = async (client: JunctionPublicClient) => (await client.getBlock()).timestamp;

  before(async () => {
    devnet = await startTestDevnet({ agents: false });
    a = rollupOf(devnet.manifest, 901);
    b = rollupOf(devnet.manifest, 902);
    aClient = publicClientFor(a);
    bClient = publicClientFor(b);
    alice = { key: devnet.manifest.accounts.user.privateKey, address: devnet.manifest.accounts.user.address };
    bob = await fundedKey(devnet.manifest);
    const bobOnB = walletClientFor(b, bob.key);
    const hash = await bobOnB.deployContract({ abi: testTokenAbi, bytecode: testTokenBytecode });
    token = (await bClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
    for (const [functionName, args] of [
      ["mint", [bob.address, parseEther("10000")]],
      ["approve", [b.contracts.htlc, parseEther("10000")]],
    ] as const) {
      await bClient.waitForTransactionReceipt({
        hash: await bobOnB.writeContract({ address: token, abi: testTokenAbi, functionName, args }),
      });
    }
  });

  after(async () => {
    await Promise.all(watchers.map((watcher) => watcher.stop()));
    await devnet?.stop();
  });

  function watch(key: Hex): SwapWatcher {
    const watcher = new SwapWatcher({
      network: devnet.manifest,
      privateKey: key,
      logger: silentLogger,
      intervalMs: 100,
    });
    watchers.push(watcher);
    return watcher;
  }

  it("swaps ETH on 901 for tokens on 902; Bob's watcher claims once Alice's claim reveals the preimage", async () => {
    const { manifest } = devnet;
    const bobWatcher = watch(bob.key);
    await bobWatcher.start();
    const { preimage, hashlock } = newSwapSecret();
    const aliceLock = await lockFunds(walletClientFor(a, alice.key), manifest, {
      recipient: bob.address,
      amount: parseEther("1"),
      hashlock,
      deadline: (await now(aClient)) + 600n,
    });
    const bobLock = await respondToSwap(walletClientFor(b, bob.key), manifest, {
      initiatorLock: { chainId: 901, lockId: aliceLock.lockId },
      amount: parseEther("500"),
      token,
    });
    assert.equal(bobLock.recipient, alice.address);
    assert.equal(bobLock.hashlock, hashlock);
    assert.equal(bobLock.deadline, aliceLock.deadline - 120n, "the responder's deadline leaves the margin");

    await claimLock(walletClientFor(b, alice.key), manifest, { lockId: bobLock.lockId, preimage });
    assert.equal(
      await bClient.readContract({
        address: token,
        abi: testTokenAbi,
        functionName: "balanceOf",
        args: [alice.address],
      }),
      parseEther("500"),
    );
    assert.equal(await findRevealedPreimage(manifest, { chainId: 902, hashlock }), preimage);

    const settled = await waitUntil(
      () => getLock(manifest, { chainId: 901, lockId: aliceLock.lockId }),
      (lock) => lock.state === "claimed",
      "Bob's watcher to claim",
    );
    assert.equal(settled.recipient, bob.address);
    const [claim] = await aClient.getContractEvents({
      address: a.contracts.htlc,
      abi: hashedTimelockAbi,
      eventName: "Claimed",
      args: { lockId: aliceLock.lockId },
      fromBlock: 0n,
    });
    assert.ok(claim);
    const tx = await aClient.getTransaction({ hash: claim.transactionHash });
    assert.equal(tx.from.toLowerCase(), bob.address.toLowerCase(), "the watcher claimed from Bob's account");
    await bobWatcher.stop();
  });

  it("runs the same swap through the CLI", async () => {
    const { dataDir } = devnet;
    const initiated = await runCli([
      "swap",
      "initiate",
      "--from",
      "901",
      "--counterparty",
      bob.address,
      "--amount",
      "1000",
      "--timeout",
      "900",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(initiated.code, 0, initiated.stderr);
    const aliceLock = JSON.parse(initiated.stdout);
    assert.equal(aliceLock.state, "locked");
    const responded = await runCli([
      "swap",
      "respond",
      "--lock",
      aliceLock.lockId,
      "--lock-chain",
      "901",
      "--from",
      "902",
      "--amount",
      "2000",
      "--private-key",
      bob.key,
      "--data-dir",
      dataDir,
    ]);
    assert.equal(responded.code, 0, responded.stderr);
    const bobLock = JSON.parse(responded.stdout);
    const claimed = await runCli([
      "swap",
      "claim",
      "--lock",
      bobLock.lockId,
      "--chain",
      "902",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(claimed.code, 0, claimed.stderr);
    assert.equal(JSON.parse(claimed.stdout).state, "claimed");
    const revealed = await findRevealedPreimage(devnet.manifest, {
      chainId: 902,
      hashlock: aliceLock.hashlock,
    });
    assert.ok(revealed);
    const bobClaims = await runCli([
      "swap",
      "claim",
      "--lock",
      aliceLock.lockId,
      "--chain",
      "901",
      "--preimage",
      revealed,
      "--private-key",
      bob.key,
      "--data-dir",
      dataDir,
    ]);
    assert.equal(bobClaims.code, 0, bobClaims.stderr);
    const status = await runCli([
      "swap",
      "status",
      "--lock",
      aliceLock.lockId,
      "--chain",
      "901",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(JSON.parse(status.stdout).state, "claimed");
    const bad = await runCli(["swap", "claim", "--lock", "0x1234", "--chain", "901", "--data-dir", dataDir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--lock must be a 32-byte lock id/);
  });

  it("refunds both sides after their deadlines, and refuses wrong preimages, early refunds and late claims", async () => {
    const { manifest } = devnet;
    const aliceWatcher = watch(alice.key);
    await aliceWatcher.start();
    const { preimage, hashlock } = newSwapSecret();
    const aliceLock = await lockFunds(walletClientFor(a, alice.key), manifest, {
      recipient: bob.address,
      amount: parseEther("1"),
      hashlock,
      deadline: (await now(aClient)) + 600n,
    });
    const bobLock = await respondToSwap(walletClientFor(b, bob.key), manifest, {
      initiatorLock: { chainId: 901, lockId: aliceLock.lockId },
      amount: parseEther("0.5"),
    });
    const aliceOnB = walletClientFor(b, alice.key);
    const htlcCall = (functionName: "claim" | "refund", args: readonly [Hex, Hex] | readonly [Hex]) =>
      functionName === "claim"
        ? aliceOnB.writeContract({
            address: b.contracts.htlc,
            abi: hashedTimelockAbi,
            functionName,
            args: args as readonly [Hex, Hex],
          })
        : aliceOnB.writeContract({
            address: b.contracts.htlc,
            abi: hashedTimelockAbi,
            functionName,
            args: [args[0]],
          });
    await rejects(htlcCall("claim", [bobLock.lockId, `0x${"11".repeat(32)}`]), "InvalidPreimage");
    await rejects(htlcCall("refund", [bobLock.lockId]), "LockNotExpired");
    // Alice's lock is not Bob's to answer twice with the wrong account, and not Alice's own.
    await assert.rejects(
      respondToSwap(walletClientFor(b, alice.key), manifest, {
        initiatorLock: { chainId: 901, lockId: aliceLock.lockId },
        amount: 1n,
      }),
      SwapError,
    );

    // Nobody claims. Both deadlines pass.
    await increaseTime(b, 700);
    await increaseTime(a, 700);
    await rejects(htlcCall("claim", [bobLock.lockId, preimage]), "LockExpired");
    const bobBefore = await bClient.getBalance({ address: bob.address });
    const refundTx = await refundLock(walletClientFor(b, bob.key), manifest, { lockId: bobLock.lockId });
    const refundReceipt = await bClient.getTransactionReceipt({ hash: refundTx });
    const bobAfter = await bClient.getBalance({ address: bob.address });
    assert.equal(
      bobAfter - bobBefore + refundReceipt.gasUsed * refundReceipt.effectiveGasPrice,
      parseEther("0.5"),
    );
    assert.equal((await getLock(manifest, { chainId: 902, lockId: bobLock.lockId })).state, "refunded");
    await rejects(htlcCall("refund", [bobLock.lockId]), "LockSettled");

    // Alice's watcher refunds her expired lock by itself.
    const refunded = await waitUntil(
      () => getLock(manifest, { chainId: 901, lockId: aliceLock.lockId }),
      (lock) => lock.state === "refunded",
      "Alice's watcher to refund",
    );
    assert.equal(refunded.sender, alice.address);
    const events = parseEventLogs({
      abi: hashedTimelockAbi,
      logs: await aClient.getLogs({ address: a.contracts.htlc, fromBlock: 0n }),
      eventName: "Refunded",
    });
    assert.ok(events.some((event) => event.args.lockId === aliceLock.lockId));
    await assert.rejects(
      respondToSwap(walletClientFor(b, bob.key), manifest, {
        initiatorLock: { chainId: 901, lockId: aliceLock.lockId },
        amount: 1n,
      }),
      /refunded/,
    );
  });
});
