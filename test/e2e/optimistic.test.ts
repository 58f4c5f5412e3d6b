// The optimistic trust path on a devnet with every agent running: delivery only after the challenge
// window, a malicious attester caught and slashed, a wrong challenge paid to the attester, every
// refusal by name, and the hardening of issue 11: bounded counts, signatures bound to the deployment,
// a slashed attester's pending checkpoints void, challengers refunded, bond messages that never expire.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  BaseError,
  decodeErrorResult,
  encodeFunctionData,
  type Hex,
  keccak256,
  parseEther,
  toHex,
} from "viem";
import { type JunctionPublicClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { getSentMessages } from "../../src/chain/events.js";
import { type RollupEntry, rollupOf } from "../../src/chain/manifest.js";
import { inboxWithErrorsAbi } from "../../src/contracts/errors.js";
import {
  bondManagerAbi,
  inboxAbi,
  optimisticVerifierAbi,
  testRecipientAbi,
  testRecipientBytecode,
} from "../../src/contracts/generated/index.js";
import { MESSAGE_TREE_DEPTH, merkleRoot } from "../../src/protocol/merkle.js";
import { type Message, messageId } from "../../src/protocol/message.js";
import { type MessageProof, outboxProver } from "../../src/protocol/proof.js";
import { getMessageStatus, sendMessage, waitForDelivery } from "../../src/sdk/index.js";
import { fundedKey, rejects, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { checkpointOf, outboxIds, signCheckpoint, submitCheckpoint } from "../helpers/optimistic.js";

const WINDOW = 10;

function isRevertData(value: unknown): value is { data: Hex } {
  return (
    typeof value === "object" &&
    value !== null &&
    "data" in value &&
    typeof value.data === "string" &&
    value.data.startsWith("0x")
  );
}
const PENDING = 1;
const CHALLENGED = 2;
const CONFIRMED = 3;
const REJECTED = 4;
const ABANDONED = 5;

describe("optimistic trust path", () => {
  let devnet: TestDevnet;
  let source: RollupEntry;
  let target: RollupEntry;
  let targetClient: JunctionPublicClient;
  let sourceClient: JunctionPublicClient;
  let recipient: Address;
  let verifier: Address;

  /** Sends a message to the optimistic recipient and waits for the attester's checkpoint covering it. */
  async function sendCovered(body: Hex) {
    const wallet = walletClientFor(source, devnet.manifest.accounts.user.privateKey);
    const sent = await sendMessage(wallet, devnet.manifest, { destinationChainId: 902, recipient, body });
    const count = sent.message.nonce + 1n;
    const checkpoint = await waitUntil(
      () => checkpointOf(targetClient, verifier, 901n, count),
      (value) => value.state !== 0,
      "the attester's checkpoint",
    );
    return { sent, count, checkpoint };
  }

  /** Runs deliver as of a block with timestamp `time`, without sending it; rejects with the decoded error. */
  async function simulateDeliver(message: Message, proof: MessageProof, time: bigint): Promise<void> {
    try {
      await targetClient.call({
        to: target.contracts.inbox,
        data: encodeFunctionData({
          abi: inboxWithErrorsAbi,
          functionName: "deliver",
          args: [message, proof],
        }),
        blockOverrides: { time },
      });
    } catch (error) {
      const data = error instanceof BaseError ? error.walk((cause) => isRevertData(cause)) : undefined;
      if (!isRevertData(data)) throw error;
      throw new Error(decodeErrorResult({ abi: inboxWithErrorsAbi, data: data.data }).errorName);
    }
  }

  /** Runs `functionName` on `to` as of a block with timestamp `time` (and optionally an older block). */
  async function simulateAt(
    client: JunctionPublicClient,
    to: Address,
    data: Hex,
    time: bigint,
    blockNumber?: bigint,
  ): Promise<void> {
    try {
      await client.call({ to, data, blockOverrides: { time }, blockNumber });
    } catch (error) {
      const revert = error instanceof BaseError ? error.walk((cause) => isRevertData(cause)) : undefined;
      if (!isRevertData(revert)) throw error;
      throw new Error(decodeErrorResult({ abi: inboxWithErrorsAbi, data: revert.data }).errorName);
    }
  }

  /** Registers a fresh attester for 901 on 902 and bonds it on 901 until 902 knows. */
  async function bondedStranger(amount: bigint) {
    const { manifest } = devnet;
    const key = await fundedKey(manifest);
    const owner = walletClientFor(target, manifest.accounts.deployer.privateKey);
    await targetClient.waitForTransactionReceipt({
      hash: await owner.writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "setAttester",
        args: [901n, key.address, true],
      }),
    });
    await sourceClient.waitForTransactionReceipt({
      hash: await walletClientFor(source, key.key).writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "bond",
        value: amount,
      }),
    });
    await waitUntil(
      () =>
        targetClient.readContract({
          address: verifier,
          abi: optimisticVerifierAbi,
          functionName: "bondOnSource",
          args: [901n, key.address],
        }),
      (bond) => bond === amount,
      "the stranger's bond to reach 902",
    );
    return key;
  }

  const creditOf = (account: Address) =>
    targetClient.readContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "credit",
      args: [account],
    });

  before(async () => {
    devnet = await startTestDevnet({ challengeWindow: WINDOW });
    const { manifest } = devnet;
    source = rollupOf(manifest, 901);
    target = rollupOf(manifest, 902);
    targetClient = publicClientFor(target);
    sourceClient = publicClientFor(source);
    verifier = target.contracts.optimisticVerifier;
    const deployer = walletClientFor(target, manifest.accounts.deployer.privateKey);
    const hash = await deployer.deployContract({
      abi: testRecipientAbi,
      bytecode: testRecipientBytecode,
      args: [target.contracts.inbox],
    });
    recipient = (await targetClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
    await targetClient.waitForTransactionReceipt({
      hash: await deployer.writeContract({
        address: recipient,
        abi: testRecipientAbi,
        functionName: "chooseVerifier",
        args: [901n, verifier],
      }),
    });
    // The attester's bond on 901 reaches 902 as a canonical message.
    await waitUntil(
      () =>
        targetClient.readContract({
          address: verifier,
          abi: optimisticVerifierAbi,
          functionName: "bondOnSource",
          args: [901n, manifest.accounts.attester.address],
        }),
      (bond) => bond >= parseEther("1"),
      "the attester's bond to reach 902",
    );
  });

  after(async () => {
    await devnet?.stop();
  });

  it("delivers after the challenge window and refuses one second before it ends", async () => {
    const { sent, count, checkpoint } = await sendCovered(toHex("optimistic hello"));
    assert.equal(checkpoint.state, PENDING);
    const finalAt = checkpoint.submittedAt + BigInt(WINDOW);
    const ids = await outboxIds(devnet.manifest, 901);
    const proof = outboxProver(ids, count, checkpoint.root, "0x").prove(sent.message.nonce);
    await assert.rejects(simulateDeliver(sent.message, proof, finalAt - 1n), /^Error: ChallengeWindowOpen$/);
    await simulateDeliver(sent.message, proof, finalAt);

    const delivered = await waitForDelivery(devnet.manifest, { id: sent.id, timeoutMs: 60_000 });
    assert.equal(delivered.status, "delivered");
    assert.equal(delivered.path, "optimistic");
    assert.ok(BigInt(delivered.delivery?.timestamp ?? 0) >= finalAt, "delivered only once the window passed");
  });

  it("catches a malicious attester: challenged in time, slashed, prover paid its share, message never delivered", async () => {
    const { manifest } = devnet;
    const bondAmount = parseEther("2");
    const rogue = await bondedStranger(bondAmount);

    // A message that was never sent, claimed as the Outbox's next one.
    const ids = await outboxIds(manifest, 901);
    const count = BigInt(ids.length) + 1n;
    const forged: Message = {
      version: 1,
      nonce: count - 1n,
      sourceChainId: 901n,
      sender: rogue.address,
      destinationChainId: 902n,
      recipient,
      gasLimit: 200_000n,
      deadline: 4_000_000_000n,
      body: toHex("mint me a fortune"),
    };
    const forgedIds = [...ids, messageId(forged)];
    const forgedRoot = merkleRoot(forgedIds, MESSAGE_TREE_DEPTH);
    const watchtower = manifest.accounts.watchtower.address;
    const burn = "0x000000000000000000000000000000000000dEaD";
    const beforeBlock = await sourceClient.getBlockNumber();
    const [watchtowerBefore, burnBefore] = await Promise.all([
      sourceClient.getBalance({ address: watchtower, blockNumber: beforeBlock }),
      sourceClient.getBalance({ address: burn, blockNumber: beforeBlock }),
    ]);
    const { receipt } = await submitCheckpoint(manifest, 902, rogue.key, {
      sourceChainId: 901n,
      count,
      root: forgedRoot,
    });
    const submittedAt = (await targetClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;

    await waitUntil(
      () => checkpointOf(targetClient, verifier, 901n, count),
      (value) => value.state === CHALLENGED,
      "the watchtower's challenge",
    );
    // The true root at `count` exists once the Outbox really holds that many messages; then the
    // watchtower reports it and the challenge settles.
    await sendMessage(walletClientFor(source, manifest.accounts.user.privateKey), manifest, {
      destinationChainId: 902,
      recipient,
      body: toHex("the real message"),
    });
    const settled = await waitUntil(
      () => checkpointOf(targetClient, verifier, 901n, count),
      (value) => value.state === REJECTED,
      "the challenge to settle",
      60_000,
    );
    assert.equal(settled.challenger, watchtower);
    const challenged = await targetClient.getContractEvents({
      address: verifier,
      abi: optimisticVerifierAbi,
      eventName: "CheckpointChallenged",
      args: { count },
      fromBlock: receipt.blockNumber,
    });
    const challengeBlock = await targetClient.getBlock({ blockNumber: challenged[0]?.blockNumber ?? 0n });
    assert.ok(challengeBlock.timestamp < submittedAt + BigInt(WINDOW), "challenged inside the window");

    // Slashed on the source: half to the prover (the watchtower), half burned.
    const slashes = await sourceClient.getContractEvents({
      address: source.contracts.bondManager,
      abi: bondManagerAbi,
      eventName: "AttesterSlashed",
      args: { attester: rogue.address },
      fromBlock: 0n,
    });
    assert.equal(slashes.length, 1);
    const slash = slashes[0];
    assert.ok(slash);
    assert.equal(slash.args.reward, bondAmount / 2n);
    assert.equal(slash.args.burned, bondAmount / 2n);
    assert.equal(slash.args.prover, watchtower);
    assert.equal((await sourceClient.getBalance({ address: burn })) - burnBefore, bondAmount / 2n);
    // What the watchtower paid for every transaction it sent on the source meanwhile (the report, the
    // slash, and any attempt that reverted or lost a race), so its balance shows the reward exactly.
    const afterBlock = await sourceClient.getBlockNumber();
    const watchtowerAfter = await sourceClient.getBalance({ address: watchtower, blockNumber: afterBlock });
    let spent = 0n;
    for (let number = beforeBlock + 1n; number <= afterBlock; number++) {
      const block = await sourceClient.getBlock({ blockNumber: number, includeTransactions: true });
      for (const tx of block.transactions) {
        if (tx.from.toLowerCase() !== watchtower.toLowerCase()) continue;
        const txReceipt = await sourceClient.getTransactionReceipt({ hash: tx.hash });
        spent += txReceipt.gasUsed * txReceipt.effectiveGasPrice;
      }
    }
    assert.equal(
      watchtowerAfter - watchtowerBefore + spent,
      bondAmount / 2n,
      "the prover got exactly its share",
    );
    const bond = await sourceClient.readContract({
      address: source.contracts.bondManager,
      abi: bondManagerAbi,
      functionName: "bondOf",
      args: [rogue.address],
    });
    assert.equal(bond.amount, 0n);
    assert.equal(bond.slashed, true);
    assert.equal(
      await targetClient.readContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "credit",
        args: [watchtower],
      }),
      BigInt(manifest.optimistic.challengeBond),
      "the challenger gets its bond back",
    );

    // The forged message can never be delivered, not even after the window.
    const proof = outboxProver(forgedIds, count, forgedRoot, "0x").prove(forged.nonce);
    await assert.rejects(
      simulateDeliver(forged, proof, submittedAt + BigInt(WINDOW) + 100n),
      /^Error: CheckpointRejected$/,
    );
  });

  it("a challenge of a correct checkpoint costs the challenger its bond, and the checkpoint becomes final", async () => {
    const { manifest } = devnet;
    const { count, checkpoint } = await sendCovered(toHex("honest"));
    const attester = checkpoint.attester;
    const creditBefore = await targetClient.readContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "credit",
      args: [attester],
    });
    const challenger = walletClientFor(target, manifest.accounts.user.privateKey);
    await targetClient.waitForTransactionReceipt({
      hash: await challenger.writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "challenge",
        args: [901n, count],
        value: BigInt(manifest.optimistic.challengeBond),
      }),
    });
    assert.equal((await checkpointOf(targetClient, verifier, 901n, count)).state, CHALLENGED);
    await rejects(
      targetClient.readContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "verifyRoot",
        args: [901n, count, checkpoint.root, "0x"],
      }),
      "CheckpointFrozen",
    );
    // Anyone may bring the source's true root over the canonical path.
    const reporter = walletClientFor(source, manifest.accounts.user.privateKey);
    await sourceClient.waitForTransactionReceipt({
      hash: await reporter.writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "reportRoot",
        args: [count, 902n],
      }),
    });
    await waitUntil(
      () => checkpointOf(targetClient, verifier, 901n, count),
      (value) => value.state === CONFIRMED,
      "settlement",
      60_000,
    );
    const creditAfter = await targetClient.readContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "credit",
      args: [attester],
    });
    assert.equal(creditAfter - creditBefore, BigInt(manifest.optimistic.challengeBond));
    assert.equal(
      await targetClient.readContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "credit",
        args: [manifest.accounts.user.address],
      }),
      0n,
    );
    await targetClient.readContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "verifyRoot",
      args: [901n, count, checkpoint.root, "0x"],
    });
  });

  it("refuses unregistered, unbonded, replayed and wrong-source checkpoints, early withdrawals and non-fraud", async () => {
    const { manifest } = devnet;
    const ids = await outboxIds(manifest, 901);
    const count = BigInt(ids.length);
    const root = merkleRoot(ids, MESSAGE_TREE_DEPTH);
    const stranger = await fundedKey(manifest);
    await rejects(
      submitCheckpoint(manifest, 902, stranger.key, { sourceChainId: 901n, count: count + 50n, root }),
      "NotRegisteredAttester",
    );

    const owner = walletClientFor(target, manifest.accounts.deployer.privateKey);
    await targetClient.waitForTransactionReceipt({
      hash: await owner.writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "setAttester",
        args: [901n, stranger.address, true],
      }),
    });
    await rejects(
      submitCheckpoint(manifest, 902, stranger.key, { sourceChainId: 901n, count: count + 50n, root }),
      "AttesterNotBonded",
    );

    const submitted = await targetClient.getContractEvents({
      address: verifier,
      abi: optimisticVerifierAbi,
      eventName: "CheckpointSubmitted",
      fromBlock: 0n,
      strict: true,
    });
    const first = submitted[0];
    assert.ok(first);
    const replay = walletClientFor(target, manifest.accounts.user.privateKey);
    await rejects(
      replay.writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "submitCheckpoint",
        args: [first.args.sourceChainId, first.args.count, first.args.root, first.args.signature],
      }),
      "CheckpointAlreadySubmitted",
    );
    await rejects(
      submitCheckpoint(manifest, 902, manifest.accounts.attester.privateKey, {
        sourceChainId: 902n,
        count: 1n,
        root,
      }),
      "WrongSourceChain",
    );

    const leaver = walletClientFor(source, stranger.key);
    await sourceClient.waitForTransactionReceipt({
      hash: await leaver.writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "bond",
        value: parseEther("1"),
      }),
    });
    await sourceClient.waitForTransactionReceipt({
      hash: await leaver.writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "requestWithdrawal",
      }),
    });
    await rejects(
      leaver.writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "withdraw",
      }),
      "WithdrawalNotReady",
    );

    const honestSignature = await signCheckpoint(stranger.key, source.contracts.outbox, 901n, count, root);
    await rejects(
      leaver.writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "proveFraud",
        args: [901n, count, root, honestSignature],
      }),
      "CheckpointNotFraudulent",
    );
    await rejects(
      leaver.writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "proveFraud",
        args: [902n, count, keccak256("0x01"), honestSignature],
      }),
      "WrongSourceChain",
    );
    const status = await getMessageStatus(manifest, { id: ids[0] as Hex });
    assert.ok(["canonical", "optimistic"].includes(status.path));
  });

  it("refuses a checkpoint at count 2^32 and signatures made for another deployment's Outbox", async () => {
    const { manifest } = devnet;
    const attester = manifest.accounts.attester;
    // Before the fix a bonded attester's checkpoint at 2^32 was accepted and could never be settled.
    await rejects(
      submitCheckpoint(manifest, 902, attester.privateKey, {
        sourceChainId: 901n,
        count: 2n ** 32n,
        root: keccak256(toHex("beyond any Outbox")),
      }),
      "CountOutOfRange",
    );
    // The honest attester's signature over another Outbox (another deployment reusing chain id 901):
    // a lie there, but it must not be importable here nor slash the attester here.
    const elsewhere = "0x000000000000000000000000000000000000dEaD";
    const lie = keccak256(toHex("a root of another deployment"));
    const ids = await outboxIds(manifest, 901);
    const replayed = await signCheckpoint(attester.privateKey, elsewhere, 901n, BigInt(ids.length), lie);
    const user = walletClientFor(target, manifest.accounts.user.privateKey);
    await rejects(
      user.writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "submitCheckpoint",
        args: [901n, BigInt(ids.length), lie, replayed],
      }),
      "NotRegisteredAttester",
    );
    await rejects(
      walletClientFor(source, manifest.accounts.user.privateKey).writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "proveFraud",
        args: [901n, BigInt(ids.length), lie, replayed],
      }),
      "NothingToSlash",
    );
    const bond = await sourceClient.readContract({
      address: source.contracts.bondManager,
      abi: bondManagerAbi,
      functionName: "bondOf",
      args: [attester.address],
    });
    assert.equal(bond.slashed, false, "the honest attester keeps its bond");
  });

  it("voids a slashed attester's pending checkpoints and refunds its challenger at once", async () => {
    const { manifest } = devnet;
    const rogue = await bondedStranger(parseEther("1"));
    const ids = await outboxIds(manifest, 901);
    let honestCount = 0n;
    for (let count = 1n; count <= BigInt(ids.length) && honestCount === 0n; count++) {
      if ((await checkpointOf(targetClient, verifier, 901n, count)).state === 0) honestCount = count;
    }
    assert.ok(honestCount > 0n, "a past count without a checkpoint");
    const honestRoot = merkleRoot(ids.slice(0, Number(honestCount)), MESSAGE_TREE_DEPTH);
    const { receipt } = await submitCheckpoint(manifest, 902, rogue.key, {
      sourceChainId: 901n,
      count: honestCount,
      root: honestRoot,
    });
    const submittedAt = (await targetClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
    // A lie far ahead of the Outbox: no root report can settle a challenge of it.
    const lieCount = BigInt(ids.length) + 1000n;
    await submitCheckpoint(manifest, 902, rogue.key, {
      sourceChainId: 901n,
      count: lieCount,
      root: keccak256(toHex("never")),
    });
    const challenged = await waitUntil(
      () => checkpointOf(targetClient, verifier, 901n, lieCount),
      (value) => value.state === CHALLENGED,
      "the watchtower's challenge",
    );
    // The watchtower proves the fraud on 901; the slash travels to 902.
    await waitUntil(
      () =>
        targetClient.readContract({
          address: verifier,
          abi: optimisticVerifierAbi,
          functionName: "slashedOnSource",
          args: [901n, rogue.address],
        }),
      (slashed) => slashed,
      "the slash to reach 902",
      60_000,
    );
    // Before the fix this challenger's bond stayed frozen forever.
    const creditBefore = await creditOf(challenged.challenger);
    const anyone = walletClientFor(target, manifest.accounts.user.privateKey);
    await targetClient.waitForTransactionReceipt({
      hash: await anyone.writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "refundChallenge",
        args: [901n, lieCount],
      }),
    });
    assert.equal((await checkpointOf(targetClient, verifier, 901n, lieCount)).state, ABANDONED);
    assert.equal(
      (await creditOf(challenged.challenger)) - creditBefore,
      BigInt(manifest.optimistic.challengeBond),
    );
    // Its unchallenged checkpoint would have become final after the window; now it never verifies.
    const verify = encodeFunctionData({
      abi: optimisticVerifierAbi,
      functionName: "verifyRoot",
      args: [901n, honestCount, honestRoot, "0x"],
    });
    await assert.rejects(
      simulateAt(targetClient, verifier, verify, submittedAt + BigInt(WINDOW) + 1n),
      /^Error: AttesterSlashed$/,
    );
  });

  it("defends a challenged honest checkpoint; an unsettled challenge is refundable only after the timeout", async () => {
    const { manifest } = devnet;
    const { count, checkpoint } = await sendCovered(toHex("challenged by a griefer"));
    const creditBefore = await creditOf(checkpoint.attester);
    const griefer = walletClientFor(target, manifest.accounts.user.privateKey);
    const challenged = await targetClient.waitForTransactionReceipt({
      hash: await griefer.writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "challenge",
        args: [901n, count],
        value: BigInt(manifest.optimistic.challengeBond),
      }),
    });
    const challengedAt = (await targetClient.getBlock({ blockNumber: challenged.blockNumber })).timestamp;
    const refund = encodeFunctionData({
      abi: optimisticVerifierAbi,
      functionName: "refundChallenge",
      args: [901n, count],
    });
    const timeout = BigInt(manifest.optimistic.settlementTimeout);
    // Before the fix there was no way back for a bond stuck in an unsettleable challenge.
    await assert.rejects(
      simulateAt(targetClient, verifier, refund, challengedAt + timeout - 1n),
      /^Error: ChallengeNotRefundable$/,
    );
    await simulateAt(targetClient, verifier, refund, challengedAt + timeout);
    // No one has to: the watchtower reports the true root, the checkpoint is confirmed, and the
    // griefer's bond goes to the attester.
    await waitUntil(
      () => checkpointOf(targetClient, verifier, 901n, count),
      (value) => value.state === CONFIRMED,
      "the watchtower's root report to confirm the checkpoint",
      60_000,
    );
    assert.equal(
      (await creditOf(checkpoint.attester)) - creditBefore,
      BigInt(manifest.optimistic.challengeBond),
    );
  });

  it("bond messages never expire, and their canonical path cannot be switched by the Inbox owner", async () => {
    const { manifest } = devnet;
    const sent = await getSentMessages(
      sourceClient,
      source.contracts.outbox,
      0n,
      await sourceClient.getBlockNumber(),
    );
    const bondMessage = sent.find(
      (entry) =>
        entry.message.sender.toLowerCase() === source.contracts.bondManager.toLowerCase() &&
        entry.message.destinationChainId === 902n,
    );
    assert.ok(bondMessage, "a bond message from 901 to 902");
    assert.equal(bondMessage.message.deadline, 2n ** 64n - 1n);
    // As of the block before its delivery, 31 days later: before the fix (30-day deadline) anyone could
    // expire the slash notice and 902 would trust the old bond forever.
    const deliveries = await targetClient.getContractEvents({
      address: target.contracts.inbox,
      abi: inboxAbi,
      eventName: "MessageDelivered",
      args: { id: bondMessage.id },
      fromBlock: 0n,
    });
    const deliveredIn = deliveries[0]?.blockNumber;
    assert.ok(deliveredIn, "the bond message was delivered");
    const latest = await targetClient.getBlock({ blockTag: "latest" });
    const expire = encodeFunctionData({ abi: inboxAbi, functionName: "expire", args: [bondMessage.message] });
    await assert.rejects(
      simulateAt(
        targetClient,
        target.contracts.inbox,
        expire,
        latest.timestamp + 31n * 24n * 3600n,
        deliveredIn - 1n,
      ),
      /^Error: MessageNotExpired$/,
    );

    // The Inbox owner switches the default verifier; the optimistic verifier's bond messages still need
    // the canonical path (it pinned it when its attesters were registered).
    const owner = walletClientFor(target, manifest.accounts.deployer.privateKey);
    const setDefault = async (address: Address) =>
      targetClient.waitForTransactionReceipt({
        hash: await owner.writeContract({
          address: target.contracts.inbox,
          abi: inboxAbi,
          functionName: "setDefaultVerifier",
          args: [address],
        }),
      });
    await setDefault(target.contracts.sequencerVerifier);
    try {
      const pinned = await targetClient.readContract({
        address: target.contracts.inbox,
        abi: inboxAbi,
        functionName: "verifierFor",
        args: [verifier, 901n],
      });
      assert.equal(pinned.toLowerCase(), target.contracts.canonicalVerifier.toLowerCase());
    } finally {
      await setDefault(target.contracts.canonicalVerifier);
    }
  });
});
