// A contract on one rollup calls a contract on another, proven through the L1 (canonical path), with
// the devnet's real agents running; plus every way a delivery must be refused, and expiry notices that
// reach a sender deployed only on the source and do not depend on the size of the expired message.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  decodeAbiParameters,
  encodeAbiParameters,
  type Hex,
  parseEventLogs,
  toFunctionSelector,
  toHex,
} from "viem";
import { greet } from "../../examples/greet.js";
import { increaseTime } from "../../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { revertName } from "../../src/chain/revert.js";
import {
  erc7786GreeterAbi,
  erc7786GreeterBytecode,
  inboxAbi,
  junctionGatewayAbi,
  outboxAbi,
  testRecipientAbi,
  testRecipientBytecode,
} from "../../src/contracts/generated/index.js";
import { formatEvmV1, parseEvmV1 } from "../../src/protocol/interop-address.js";
import { type Message, messageId } from "../../src/protocol/message.js";
import { sendMessage, waitForDelivery } from "../../src/sdk/index.js";
import { fundedKey, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

describe("canonical messaging on a devnet", () => {
  let devnet: TestDevnet;
  const recipients = new Map<number, Address>();

  before(async () => {
    devnet = await startTestDevnet();
    for (const rollup of devnet.manifest.rollups) {
      const wallet = walletClientFor(rollup, devnet.manifest.accounts.deployer.privateKey);
      const hash = await wallet.deployContract({
        abi: testRecipientAbi,
        bytecode: testRecipientBytecode,
        args: [rollup.contracts.inbox],
      });
      const receipt = await publicClientFor(rollup).waitForTransactionReceipt({ hash });
      recipients.set(rollup.chainId, receipt.contractAddress as Address);
    }
  });

  after(async () => {
    await devnet?.stop();
  });

  it("delivers A→B and B→A, and the handler sees source chain, sender and body", async () => {
    const { manifest } = devnet;
    for (const [from, to] of [
      [901, 902],
      [902, 901],
    ] as const) {
      const wallet = walletClientFor(rollupOf(manifest, from), manifest.accounts.user.privateKey);
      const body = toHex(`hello from ${from}`);
      const sent = await sendMessage(wallet, manifest, {
        destinationChainId: to,
        recipient: recipients.get(to) as Address,
        body,
      });
      const delivered = await waitForDelivery(manifest, { id: sent.id, timeoutMs: 30_000 });
      assert.equal(delivered.status, "delivered");
      assert.equal(delivered.path, "canonical");
      const client = publicClientFor(rollupOf(manifest, to));
      const count = await client.readContract({
        address: recipients.get(to) as Address,
        abi: testRecipientAbi,
        functionName: "receivedCount",
      });
      const last = await client.readContract({
        address: recipients.get(to) as Address,
        abi: testRecipientAbi,
        functionName: "received",
        args: [count - 1n],
      });
      assert.equal(last.sourceChainId, BigInt(from));
      assert.equal(last.sender, manifest.accounts.user.address);
      assert.equal(last.body, body);
    }
  });

  it("carries an ERC-7786 message from the gateway to an unmodified ERC-7786 recipient", async () => {
    const { manifest } = devnet;
    const source = rollupOf(manifest, 901);
    const target = rollupOf(manifest, 902);
    const gateway = target.contracts.gateway;
    assert.equal(source.contracts.gateway, gateway, "the gateway has the same address on every rollup");
    const deployer = walletClientFor(target, manifest.accounts.deployer.privateKey);
    const targetClient = publicClientFor(target);
    const hash = await deployer.deployContract({
      abi: erc7786GreeterAbi,
      bytecode: erc7786GreeterBytecode,
      args: [gateway],
    });
    const greeter = (await targetClient.waitForTransactionReceipt({ hash })).contractAddress as Address;

    const user = walletClientFor(source, manifest.accounts.user.privateKey);
    const sourceClient = publicClientFor(source);
    const gasAttribute =
      `${toFunctionSelector("gasLimit(uint256)")}${encodeAbiParameters([{ type: "uint256" }], [300_000n]).slice(2)}` as const;
    assert.equal(
      await sourceClient.readContract({
        address: gateway,
        abi: junctionGatewayAbi,
        functionName: "supportsAttribute",
        args: [toFunctionSelector("gasLimit(uint256)")],
      }),
      true,
    );
    assert.equal(
      await sourceClient.readContract({
        address: gateway,
        abi: junctionGatewayAbi,
        functionName: "supportsAttribute",
        args: ["0xdeadbeef"],
      }),
      false,
    );
    const payload = toHex("gm from 901");
    const sendHash = await user.writeContract({
      address: gateway,
      abi: junctionGatewayAbi,
      functionName: "sendMessage",
      args: [formatEvmV1(902n, greeter), payload, [gasAttribute]],
    });
    const receipt = await sourceClient.waitForTransactionReceipt({ hash: sendHash });
    const [posted] = parseEventLogs({
      abi: junctionGatewayAbi,
      logs: receipt.logs,
      eventName: "MessageSent",
    });
    assert.ok(posted);
    const delivered = await waitForDelivery(manifest, { id: posted.args.sendId, timeoutMs: 30_000 });
    assert.equal(delivered.status, "delivered");
    const read = <F extends "lastSender" | "lastPayload" | "lastReceiveId">(functionName: F) =>
      targetClient.readContract({ address: greeter, abi: erc7786GreeterAbi, functionName });
    assert.equal(await read("lastPayload"), payload);
    assert.equal(await read("lastReceiveId"), posted.args.sendId);
    assert.deepEqual(parseEvmV1(await read("lastSender")), {
      chainId: 901n,
      address: manifest.accounts.user.address,
    });
    // An attribute the gateway does not know is refused by name.
    await assert.rejects(
      user.writeContract({
        address: gateway,
        abi: junctionGatewayAbi,
        functionName: "sendMessage",
        args: [formatEvmV1(902n, greeter), payload, ["0xdeadbeef"]],
      }),
      (error) => revertName(error) === "UnsupportedAttribute",
    );
  });

  it("runs the README's greeter walkthrough", async () => {
    assert.equal(await greet(devnet.manifestFile, 902, 901, "gm from 902"), "gm from 902");
    const client = publicClientFor(rollupOf(devnet.manifest, 901));
    const greeter = rollupOf(devnet.manifest, 901).contracts.greeter;
    const { crossRollupGreeterAbi } = await import("../../src/contracts/generated/index.js");
    assert.equal(
      await client.readContract({
        address: greeter,
        abi: crossRollupGreeterAbi,
        functionName: "lastSourceChainId",
      }),
      902n,
    );
    assert.equal(
      await client.readContract({
        address: greeter,
        abi: crossRollupGreeterAbi,
        functionName: "lastGreeter",
      }),
      devnet.manifest.accounts.user.address,
    );
  });

  it("tells a sender deployed only on the source that its message expired", async () => {
    const { manifest } = devnet;
    const [a, b] = [rollupOf(manifest, 901), rollupOf(manifest, 902)];
    const [clientA, clientB] = [publicClientFor(a), publicClientFor(b)];
    // A fresh deployer: the sender's address has code on 901 and none on 902.
    const owner = walletClientFor(a, (await fundedKey(manifest)).key);
    const deployed = await clientA.waitForTransactionReceipt({
      hash: await owner.deployContract({
        abi: testRecipientAbi,
        bytecode: testRecipientBytecode,
        args: [a.contracts.inbox],
      }),
    });
    const sender = deployed.contractAddress as Address;
    assert.equal(await clientB.getCode({ address: sender }), undefined, "no code on the destination");
    const failing = recipients.get(902) as Address;
    const setFailing = async (value: boolean) =>
      clientB.waitForTransactionReceipt({
        hash: await walletClientFor(b, manifest.accounts.deployer.privateKey).writeContract({
          address: failing,
          abi: testRecipientAbi,
          functionName: "setFailing",
          args: [value],
        }),
      });
    await setFailing(true);
    try {
      const now = (await clientA.getBlock()).timestamp;
      const sent = await clientA.waitForTransactionReceipt({
        hash: await owner.writeContract({
          address: sender,
          abi: testRecipientAbi,
          functionName: "send",
          args: [a.contracts.outbox, 902n, failing, toHex("never handled"), now + 600n],
        }),
      });
      const [event] = parseEventLogs({ abi: outboxAbi, logs: sent.logs, eventName: "MessageSent" });
      assert.ok(event);
      const id = event.args.id;
      await waitUntil(
        () =>
          clientB.readContract({
            address: b.contracts.inbox,
            abi: inboxAbi,
            functionName: "status",
            args: [id],
          }),
        (status) => status === 2,
        "the handler to fail on 902",
      );
      // The deadline passes on 902; the relayer expires the message and carries the notice back.
      await increaseTime(b, 3600);
      const notice = await waitUntil(
        async () => {
          const count = await clientA.readContract({
            address: sender,
            abi: testRecipientAbi,
            functionName: "receivedCount",
          });
          return count > 0n
            ? clientA.readContract({
                address: sender,
                abi: testRecipientAbi,
                functionName: "received",
                args: [0n],
              })
            : null;
        },
        (value) => value !== null,
        "the expiry notice on 901",
        60_000,
      );
      assert.equal(notice?.sourceChainId, 902n);
      assert.equal(notice?.sender.toLowerCase(), b.contracts.inbox.toLowerCase());
      const [selector, expiredId] = decodeAbiParameters(
        [{ type: "bytes4" }, { type: "bytes32" }],
        notice?.body as Hex,
      );
      assert.equal(selector, toFunctionSelector("MessageExpired(bytes32)"));
      assert.equal(expiredId, id);
    } finally {
      await setFailing(false);
    }
  });

  it("expires a message with a 100 KB body and still sends its notice", async () => {
    const { manifest } = devnet;
    const b = rollupOf(manifest, 902);
    const client = publicClientFor(b);
    // A sender with code on 902, as the old Inbox required before it noticed anyone; the notice used to
    // carry the whole body and went over the Outbox's 64 KB limit (BodyTooLarge).
    const message: Message = {
      version: 1,
      nonce: 123_456n,
      sourceChainId: 901n,
      sender: recipients.get(902) as Address,
      destinationChainId: 902n,
      recipient: recipients.get(902) as Address,
      gasLimit: 100_000n,
      deadline: 1n,
      body: toHex(new Uint8Array(100 * 1024).fill(7)),
    };
    const receipt = await client.waitForTransactionReceipt({
      hash: await walletClientFor(b, manifest.accounts.user.privateKey).writeContract({
        address: b.contracts.inbox,
        abi: inboxAbi,
        functionName: "expire",
        args: [message],
      }),
    });
    assert.equal(receipt.status, "success");
    assert.equal(
      await client.readContract({
        address: b.contracts.inbox,
        abi: inboxAbi,
        functionName: "status",
        args: [messageId(message)],
      }),
      3,
    );
    const [notice] = parseEventLogs({ abi: outboxAbi, logs: receipt.logs, eventName: "MessageSent" });
    assert.equal(notice?.args.message.body.length, 2 + 2 * 64, "the notice carries the id only");
  });
});
