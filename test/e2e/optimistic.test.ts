// The optimistic trust path on a devnet with every agent running: delivery only after the challenge
// window, a malicious attester caught and slashed, a wrong challenge paid to the attester, and every
// refusal by name.
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
import { type RollupEntry, rollupOf } from "../../src/chain/manifest.js";
import { inboxWithErrorsAbi } from "../../src/contracts/errors.js";
import {
  bondManagerAbi,
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
    const rogue = await fundedKey(manifest);
    const owner = walletClientFor(target, manifest.accounts.deployer.privateKey);
    await targetClient.waitForTransactionReceipt({
      hash: await owner.writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "setAttester",
        args: [901n, rogue.address, true],
      }),
    });
    const bondAmount = parseEther("2");
    await sourceClient.waitForTransactionReceipt({
      hash: await walletClientFor(source, rogue.key).writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "bond",
        value: bondAmount,
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
      (bond) => bond === bondAmount,
      "the rogue's bond to reach 902",
    );

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
    const [watchtowerBefore, burnBefore] = await Promise.all([
      sourceClient.getBalance({ address: watchtower }),
      sourceClient.getBalance({ address: burn }),
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
    const reports = await sourceClient.getContractEvents({
      address: source.contracts.bondManager,
      abi: bondManagerAbi,
      eventName: "RootReported",
      fromBlock: slash.blockNumber,
    });
    const spent = await Promise.all(
      [slash.transactionHash, ...reports.map((report) => report.transactionHash)].map(async (hash) => {
        const txReceipt = await sourceClient.getTransactionReceipt({ hash });
        return txReceipt.gasUsed * txReceipt.effectiveGasPrice;
      }),
    );
    const watchtowerAfter = await sourceClient.getBalance({ address: watchtower });
    assert.equal(
      watchtowerAfter - watchtowerBefore + spent.reduce((a, b) => a + b, 0n),
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

    const honestSignature = await signCheckpoint(stranger.key, 901n, count, root);
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
});
