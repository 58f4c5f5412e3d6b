// Every way Inbox.deliver must refuse a message, the failed → retried path, and batches (one outcome per
// message). The relayer is off so the test delivers by hand with proofs built by the SDK; the proposer
// and root importer run.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, keccak256, parseEventLogs, toHex } from "viem";
import { increaseTime } from "../../src/chain/anvil.js";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { inboxWithErrorsAbi } from "../../src/contracts/errors.js";
import { inboxAbi, testRecipientAbi, testRecipientBytecode } from "../../src/contracts/generated/index.js";
import { messageId as idOf, type Message } from "../../src/protocol/message.js";
import { type MessageProof, outboxProver } from "../../src/protocol/proof.js";
import { MessageNotProvableError, proveMessage, sendMessage } from "../../src/sdk/index.js";
import { rejects } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { outboxIds } from "../helpers/optimistic.js";

describe("Inbox refusals and retries", () => {
  let devnet: TestDevnet;
  let recipient: Address;
  let source: JunctionWalletClient;
  let relayerWallet: JunctionWalletClient;
  let destination: JunctionPublicClient;
  let inbox: Address;

  async function sendAndProve(body: Hex, options: { deadline?: bigint } = {}) {
    const sent = await sendMessage(source, devnet.manifest, {
      destinationChainId: 902,
      recipient,
      body,
      ...options,
    });
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        return await proveMessage(devnet.manifest, { id: sent.id, sourceChainId: 901 });
      } catch (error) {
        if (!(error instanceof MessageNotProvableError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error("message never became provable");
  }

  function deliver(message: Awaited<ReturnType<typeof sendAndProve>>["message"], proof: MessageProof) {
    return relayerWallet.writeContract({
      address: inbox,
      abi: inboxWithErrorsAbi,
      functionName: "deliver",
      args: [message, proof],
    });
  }

  before(async () => {
    devnet = await startTestDevnet({ relayer: false });
    const { manifest } = devnet;
    const target = rollupOf(manifest, 902);
    inbox = target.contracts.inbox;
    destination = publicClientFor(target);
    source = walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey);
    relayerWallet = walletClientFor(target, manifest.accounts.relayer.privateKey);
    const hash = await walletClientFor(target, manifest.accounts.deployer.privateKey).deployContract({
      abi: testRecipientAbi,
      bytecode: testRecipientBytecode,
      args: [inbox],
    });
    recipient = (await destination.waitForTransactionReceipt({ hash })).contractAddress as Address;
  });

  after(async () => {
    await devnet?.stop();
  });

  it("delivers once and refuses the replay", async () => {
    const { message, proof } = await sendAndProve(toHex("once"));
    await destination.waitForTransactionReceipt({ hash: await deliver(message, proof) });
    await rejects(deliver(message, proof), "MessageAlreadyProcessed");
    const count = await destination.readContract({
      address: recipient,
      abi: testRecipientAbi,
      functionName: "receivedCount",
    });
    assert.equal(count, 1n);
  });

  it("refuses forged and mismatched proofs", async () => {
    const first = await sendAndProve(toHex("first"));
    const second = await sendAndProve(toHex("second"));
    // Another message's path does not lead from this id to the root.
    await rejects(deliver(first.message, second.proof), "MessageNotInRoot");
    // A tampered sibling breaks the path.
    const tampered = [...first.proof.path];
    tampered[3] = keccak256(toHex("forged"));
    await rejects(deliver(first.message, { ...first.proof, path: tampered }), "MessageNotInRoot");
    // A tampered body changes the id.
    await rejects(deliver({ ...first.message, body: toHex("FIRST") }, first.proof), "MessageNotInRoot");
    // A root the L1 never checkpointed, with a path that does lead to it, is not in any global root.
    const fakeRoot = keccak256(toHex("fake root"));
    const { rootFromPath } = await import("../../src/protocol/merkle.js");
    const { messageId } = await import("../../src/protocol/message.js");
    const forgedPath = first.proof.path.map((_, i) => keccak256(toHex(`sibling ${i}`)));
    const forgedRoot = rootFromPath(messageId(first.message), Number(first.message.nonce), forgedPath);
    await rejects(
      deliver(first.message, { ...first.proof, root: forgedRoot, path: forgedPath }),
      "CheckpointNotInGlobalRoot",
    );
    // A global root this rollup never imported.
    const { encodeAbiParameters } = await import("viem");
    const unknownGlobal = encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint256" }, { type: "bytes32[]" }],
      [fakeRoot, 0n, Array.from({ length: 8 }, () => fakeRoot)],
    );
    await rejects(
      deliver(first.message, { ...first.proof, verifierData: unknownGlobal }),
      "UnknownGlobalRoot",
    );
    // A count that does not cover the nonce.
    await rejects(
      deliver(second.message, { ...second.proof, count: second.message.nonce }),
      "NonceNotCovered",
    );
  });

  it("refuses a message on the wrong destination", async () => {
    const { message, proof } = await sendAndProve(toHex("for 902"));
    const wrongInbox = rollupOf(devnet.manifest, 901).contracts.inbox;
    const wallet = walletClientFor(
      rollupOf(devnet.manifest, 901),
      devnet.manifest.accounts.relayer.privateKey,
    );
    await rejects(
      wallet.writeContract({
        address: wrongInbox,
        abi: inboxWithErrorsAbi,
        functionName: "deliver",
        args: [message, proof],
      }),
      "WrongDestination",
    );
  });

  it("refuses a message after its deadline", async () => {
    const block = await publicClientFor(rollupOf(devnet.manifest, 901)).getBlock();
    const { message, proof } = await sendAndProve(toHex("late"), { deadline: block.timestamp + 120n });
    await increaseTime(rollupOf(devnet.manifest, 902), 3600);
    await rejects(deliver(message, proof), "MessageExpired");
  });

  it("records a failing handler as failed, and retry delivers once the cause is fixed", async () => {
    const admin = walletClientFor(
      rollupOf(devnet.manifest, 902),
      devnet.manifest.accounts.deployer.privateKey,
    );
    const setFailing = async (value: boolean) =>
      destination.waitForTransactionReceipt({
        hash: await admin.writeContract({
          address: recipient,
          abi: testRecipientAbi,
          functionName: "setFailing",
          args: [value],
        }),
      });
    await setFailing(true);
    const { message, proof } = await sendAndProve(toHex("retry me"));
    const { messageId } = await import("../../src/protocol/message.js");
    const id = messageId(message);
    await destination.waitForTransactionReceipt({ hash: await deliver(message, proof) });
    assert.equal(
      await destination.readContract({ address: inbox, abi: inboxAbi, functionName: "status", args: [id] }),
      2,
    );
    // Delivering again is a replay; the way forward is retry.
    await rejects(deliver(message, proof), "MessageAlreadyProcessed");
    const retry = () =>
      relayerWallet.writeContract({ address: inbox, abi: inboxAbi, functionName: "retry", args: [message] });
    await destination.waitForTransactionReceipt({ hash: await retry() });
    assert.equal(
      await destination.readContract({ address: inbox, abi: inboxAbi, functionName: "status", args: [id] }),
      2,
    );
    const provenBy = () =>
      destination.readContract({ address: inbox, abi: inboxAbi, functionName: "provenBy", args: [id] });
    const canonical = rollupOf(devnet.manifest, 902).contracts.canonicalVerifier;
    assert.equal((await provenBy()).toLowerCase(), canonical.toLowerCase(), "kept for the retries");
    await setFailing(false);
    await destination.waitForTransactionReceipt({ hash: await retry() });
    assert.equal(
      await destination.readContract({ address: inbox, abi: inboxAbi, functionName: "status", args: [id] }),
      1,
    );
    // A retry proves nothing; the handler still learns which verifier proved the message.
    const seen = await destination.readContract({
      address: recipient,
      abi: testRecipientAbi,
      functionName: "lastVerifier",
    });
    assert.equal(seen.toLowerCase(), canonical.toLowerCase());
    assert.equal(BigInt(await provenBy()), 0n, "cleared once delivered");
    await rejects(retry(), "MessageNotFailed");
    const count = await destination.readContract({
      address: recipient,
      abi: testRecipientAbi,
      functionName: "receivedCount",
    });
    const last = await destination.readContract({
      address: recipient,
      abi: testRecipientAbi,
      functionName: "received",
      args: [count - 1n],
    });
    assert.equal(last.body, toHex("retry me"));
  });

  it("expires an undelivered message only after its deadline, once", async () => {
    const block = await publicClientFor(rollupOf(devnet.manifest, 901)).getBlock();
    const { message } = await sendAndProve(toHex("too late"), { deadline: block.timestamp + 100n });
    const { messageId } = await import("../../src/protocol/message.js");
    const id = messageId(message);
    const expire = () =>
      relayerWallet.writeContract({
        address: inbox,
        abi: inboxWithErrorsAbi,
        functionName: "expire",
        args: [message],
      });
    const now = (await destination.getBlock()).timestamp;
    if (now <= message.deadline) await rejects(expire(), "MessageNotExpired");
    await increaseTime(rollupOf(devnet.manifest, 902), 3600);
    await destination.waitForTransactionReceipt({ hash: await expire() });
    assert.equal(
      await destination.readContract({ address: inbox, abi: inboxAbi, functionName: "status", args: [id] }),
      3,
    );
    await rejects(expire(), "MessageAlreadyProcessed");
  });

  it("delivers a batch of 20 in one transaction: 19 delivered, a failing handler recorded failed, a replay skipped", async (t) => {
    const { manifest } = devnet;
    const target = rollupOf(manifest, 902);
    const deployer = walletClientFor(target, manifest.accounts.deployer.privateKey);
    const failing = (
      await destination.waitForTransactionReceipt({
        hash: await deployer.deployContract({
          abi: testRecipientAbi,
          bytecode: testRecipientBytecode,
          args: [inbox],
        }),
      })
    ).contractAddress as Address;
    await destination.waitForTransactionReceipt({
      hash: await deployer.writeContract({
        address: failing,
        abi: testRecipientAbi,
        functionName: "setFailing",
        args: [true],
      }),
    });
    const messages: Message[] = [];
    for (let i = 0; i < 20; i++) {
      const sent = await sendMessage(source, manifest, {
        destinationChainId: 902,
        recipient: i === 7 ? failing : recipient,
        body: toHex(`batch ${i}`),
      });
      messages.push(sent.message);
    }
    // One checkpoint covering all 20 (the last one's proof names it), one path each.
    const last = messages[messages.length - 1] as Message;
    let lastProof: MessageProof | undefined;
    for (let attempt = 0; attempt < 200 && !lastProof; attempt++) {
      lastProof = await proveMessage(manifest, { id: idOf(last), sourceChainId: 901 })
        .then((proven) => proven.proof)
        .catch((error: unknown) => {
          if (!(error instanceof MessageNotProvableError)) throw error;
          return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100));
        });
    }
    assert.ok(lastProof, "the batch became provable");
    const prover = outboxProver(
      await outboxIds(manifest, 901),
      lastProof.count,
      lastProof.root,
      lastProof.verifierData,
    );
    const batchProof = {
      count: lastProof.count,
      root: lastProof.root,
      paths: messages.map((message) => prover.prove(message.nonce).path),
      verifierData: lastProof.verifierData,
    };
    const deliverBatch = () =>
      relayerWallet.writeContract({
        address: inbox,
        abi: inboxWithErrorsAbi,
        functionName: "deliverBatch",
        args: [messages, batchProof],
        gas: 12_000_000n,
      });
    const receipt = await destination.waitForTransactionReceipt({ hash: await deliverBatch() });
    assert.equal(receipt.status, "success");
    const events = parseEventLogs({ abi: inboxAbi, logs: receipt.logs });
    const delivered = events.filter((event) => event.eventName === "MessageDelivered");
    const failed = events.filter((event) => event.eventName === "MessageFailed");
    assert.equal(delivered.length, 19);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.args.id, idOf(messages[7] as Message));
    const statuses = await Promise.all(
      messages.map((message) =>
        destination.readContract({
          address: inbox,
          abi: inboxAbi,
          functionName: "status",
          args: [idOf(message)],
        }),
      ),
    );
    assert.deepEqual(
      statuses,
      messages.map((_, i) => (i === 7 ? 2 : 1)),
    );
    // Another relayer's copy of the same batch changes nothing and does not revert.
    const replay = await destination.waitForTransactionReceipt({ hash: await deliverBatch() });
    assert.equal(replay.status, "success");
    const skipped = parseEventLogs({ abi: inboxAbi, logs: replay.logs, eventName: "MessageSkipped" });
    assert.equal(skipped.length, 20);
    t.diagnostic(`deliverBatch of 20: ${receipt.gasUsed} gas, ${receipt.gasUsed / 20n} per message`);
  });
});
