// The dependency set in the Outbox and the Inbox on a real anvil node: unrestricted by default, only the
// owner restricts, a destination or a source outside the set is refused by name (a batch skips it before
// any proof work, expire refuses it so no notice leaves the set), the Inbox's expiry notices still reach
// a source the Outbox may not message (the Outbox knows its Inbox from creation), and once sealed the set
// never changes again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  getAddress,
  getContractAddress,
  type Hex,
  parseEventLogs,
  toFunctionSelector,
  zeroAddress,
} from "viem";
import { type AnvilNode, startAnvil } from "../../src/chain/anvil.js";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../src/chain/clients.js";
import { freePort } from "../../src/chain/ports.js";
import { junctionErrorsAbi } from "../../src/contracts/errors.js";
import { inboxAbi, inboxBytecode, outboxAbi, outboxBytecode } from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { MESSAGE_TREE_DEPTH, rootFromPath, ZERO_HASH } from "../../src/protocol/merkle.js";
import { MESSAGE_VERSION, type Message, messageId } from "../../src/protocol/message.js";
import { rejects } from "../helpers/chain.js";

const CHAIN = 901;
const inboxErrors = [...inboxAbi, ...junctionErrorsAbi] as const;
const outboxErrors = [...outboxAbi, ...junctionErrorsAbi] as const;

describe("dependency set in Outbox and Inbox", () => {
  let node: AnvilNode;
  let client: JunctionPublicClient;
  let owner: JunctionWalletClient;
  let stranger: JunctionWalletClient;
  let outbox: Address;
  let inbox: Address;

  const mined = async (hash: Hex) => {
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    return receipt;
  };
  const send = (destination: number) =>
    client.simulateContract({
      address: outbox,
      abi: outboxErrors,
      functionName: "send",
      args: [BigInt(destination), owner.account.address, "0x", 100_000n, 4_000_000_000n],
      account: owner.account,
    });
  const message = (source: number, sender: Address, deadline = 4_000_000_000n): Message => ({
    version: MESSAGE_VERSION,
    nonce: 0n,
    sourceChainId: BigInt(source),
    sender,
    destinationChainId: BigInt(CHAIN),
    recipient: owner.account.address,
    gasLimit: 100_000n,
    deadline,
    body: "0x",
  });
  /** A deliver that passes the source check fails next on its empty proof (count 0 covers no nonce). */
  const deliver = (source: number) =>
    client.simulateContract({
      address: inbox,
      abi: inboxErrors,
      functionName: "deliver",
      args: [
        message(source, owner.account.address),
        { count: 0n, root: ZERO_HASH, path: [], verifierData: "0x" },
      ],
      account: owner.account,
    });
  const write = async (
    wallet: JunctionWalletClient,
    target: "outbox" | "inbox",
    functionName: string,
    args: readonly unknown[],
  ) =>
    mined(
      await wallet.writeContract({
        address: target === "outbox" ? outbox : inbox,
        abi: target === "outbox" ? outboxErrors : inboxErrors,
        functionName,
        args,
      } as Parameters<typeof wallet.writeContract>[0]),
    );

  before(async () => {
    node = await startAnvil({ chainId: CHAIN, port: await freePort() });
    client = publicClientFor(node);
    owner = walletClientFor(node, devnetAccounts().deployer.privateKey);
    stranger = walletClientFor(node, devnetAccounts().user.privateKey);
    const deploy = async (abi: typeof outboxAbi | typeof inboxAbi, bytecode: Hex, args: readonly unknown[]) =>
      (
        await mined(
          await owner.deployContract({ abi, bytecode, args } as Parameters<typeof owner.deployContract>[0]),
        )
      ).contractAddress as Address;
    // The Outbox names its Inbox at creation: the next contract the owner creates.
    const planned = getContractAddress({
      from: owner.account.address,
      nonce: BigInt((await client.getTransactionCount({ address: owner.account.address })) + 1),
    });
    outbox = await deploy(outboxAbi, outboxBytecode, [owner.account.address, planned]);
    // The owner's account stands in for the default verifier: nothing here gets as far as proving.
    inbox = await deploy(inboxAbi, inboxBytecode, [owner.account.address, outbox, owner.account.address]);
    assert.equal(getAddress(inbox), planned);
  });

  after(async () => {
    await node?.stop();
  });

  it("knows its Inbox from creation, and nobody can name another", async () => {
    const named = await client.readContract({ address: outbox, abi: outboxAbi, functionName: "inbox" });
    assert.equal(named, getAddress(inbox));
    assert.ok(!outboxAbi.some((item) => item.type === "function" && item.name === ("setInbox" as string)));
  });

  it("is open by default: any destination, any source", async () => {
    await send(777);
    await rejects(deliver(777), "NonceNotCovered");
  });

  it("only the owner restricts", async () => {
    await rejects(
      stranger.writeContract({
        address: outbox,
        abi: outboxErrors,
        functionName: "setRestricted",
        args: [true],
      }),
      "OwnableUnauthorizedAccount",
    );
    await rejects(
      stranger.writeContract({
        address: inbox,
        abi: inboxErrors,
        functionName: "setSourceDependencies",
        args: [[777n], true],
      }),
      "OwnableUnauthorizedAccount",
    );
  });

  it("refuses a destination and a source outside the set by name; the set's own pass", async () => {
    await write(owner, "outbox", "setDependencySet", [[902n], true]);
    await write(owner, "outbox", "setRestricted", [true]);
    await write(owner, "inbox", "setSourceDependencies", [[902n], true]);
    await write(owner, "inbox", "setSourcesRestricted", [true]);
    await rejects(send(777), "DestinationNotInDependencySet");
    await send(902);
    await rejects(deliver(777), "SourceNotInDependencySet");
    await rejects(deliver(902), "NonceNotCovered");
  });

  it("a batch from a source outside the set skips each message with the set's error, before any proof work", async () => {
    const batch = async (refused: Message, root: Hex) => {
      const path = Array.from({ length: MESSAGE_TREE_DEPTH }, () => ZERO_HASH);
      const receipt = await mined(
        await owner.writeContract({
          address: inbox,
          abi: inboxErrors,
          functionName: "deliverBatch",
          args: [[refused], { count: 1n, root, paths: [path], verifierData: "0x" }],
        }),
      );
      const [skipped] = parseEventLogs({ abi: inboxAbi, logs: receipt.logs, eventName: "MessageSkipped" });
      assert.equal(skipped?.args.id, messageId(refused));
      return skipped?.args.reason;
    };
    const path = Array.from({ length: MESSAGE_TREE_DEPTH }, () => ZERO_HASH);
    const refused = message(777, owner.account.address);
    const selector = toFunctionSelector("SourceNotInDependencySet(uint64)");
    assert.equal(await batch(refused, rootFromPath(messageId(refused), 0, path)), selector);
    // A path that leads nowhere is not even looked at: the set refuses first.
    assert.equal(await batch(refused, ZERO_HASH), selector);
    // From a source in the set, the same bad path is what refuses it.
    assert.equal(
      await batch(message(902, owner.account.address), ZERO_HASH),
      toFunctionSelector("MessageNotInRoot(bytes32,bytes32)"),
    );
  });

  it("expire refuses a source outside the set, so a made-up message sends no notice out of the set", async () => {
    // A stranger's fabricated message "from" 777 that "expired" here (the review's PoC).
    const fabricated = {
      ...message(777, stranger.account.address, 1n),
      nonce: 123n,
      body: "0xdeadbeef" as Hex,
    };
    await rejects(
      stranger.writeContract({
        address: inbox,
        abi: inboxErrors,
        functionName: "expire",
        args: [fabricated],
      }),
      "SourceNotInDependencySet",
    );
    const status = await client.readContract({
      address: inbox,
      abi: inboxAbi,
      functionName: "status",
      args: [messageId(fabricated)],
    });
    assert.equal(status, 0, "still unknown here");
  });

  it("expiry notices go back to a source the Inbox accepts even when the Outbox may not message it", async () => {
    // 903 may message this rollup, but this rollup may not message 903 (a hand-made one-way set; the
    // devnet only writes symmetric ones): a message from 903 that expired here still gets its notice.
    await write(owner, "inbox", "setSourceDependencies", [[903n], true]);
    const expired = message(903, owner.account.address, 1n);
    const receipt = await mined(
      await owner.writeContract({
        address: inbox,
        abi: inboxErrors,
        functionName: "expire",
        args: [expired],
      }),
    );
    const [notice] = parseEventLogs({ abi: outboxAbi, logs: receipt.logs, eventName: "MessageSent" });
    assert.equal(notice?.args.destinationChainId, 903n);
    assert.equal(notice?.args.sender.toLowerCase(), inbox.toLowerCase());
    // Ordinary senders are still refused.
    await rejects(send(903), "DestinationNotInDependencySet");
  });

  it("takes a notice back only from a chain it may message, and nothing else from outside the set", async () => {
    const accepts = (source: number, sender: Address) =>
      client.readContract({
        address: inbox,
        abi: inboxAbi,
        functionName: "acceptsFrom",
        args: [BigInt(source), sender],
      });
    assert.equal(await accepts(777, inbox), false, "777 may not be messaged from here");
    await write(owner, "outbox", "setDependencySet", [[777n], true]);
    assert.equal(await accepts(777, inbox), true, "a notice answering a message sent to 777");
    assert.equal(await accepts(777, owner.account.address), false);
    assert.equal(await accepts(902, owner.account.address), true);
  });

  it("once sealed, nobody changes the set again, the owner included; only the owner seals, once", async () => {
    for (const target of ["outbox", "inbox"] as const) {
      await rejects(
        stranger.writeContract({
          address: target === "outbox" ? outbox : inbox,
          abi: target === "outbox" ? outboxErrors : inboxErrors,
          functionName: "sealDependencySet",
        }),
        "OwnableUnauthorizedAccount",
      );
      await write(owner, target, "sealDependencySet", []);
    }
    const sealed = (target: "outbox" | "inbox") =>
      rejects(
        owner.writeContract({
          address: target === "outbox" ? outbox : inbox,
          abi: target === "outbox" ? outboxErrors : inboxErrors,
          functionName: "sealDependencySet",
        }),
        "DependencySetSealed",
      );
    await sealed("outbox");
    await sealed("inbox");
    const changes = [
      ["outbox", "setDependencySet", [[902n], false]],
      ["outbox", "setRestricted", [false]],
      ["inbox", "setSourceDependencies", [[902n], false]],
      ["inbox", "setSourcesRestricted", [false]],
    ] as const;
    for (const [target, functionName, args] of changes) {
      await rejects(
        owner.writeContract({
          address: target === "outbox" ? outbox : inbox,
          abi: (target === "outbox" ? outboxErrors : inboxErrors) as typeof outboxErrors,
          functionName: functionName as "setRestricted",
          args: args as unknown as readonly [boolean],
        }),
        "DependencySetSealed",
      );
    }
    // The set is what it was: destinations 902 and 777, sources 902 and 903.
    await send(902);
    await send(777);
    await rejects(send(903), "DestinationNotInDependencySet");
    await rejects(deliver(902), "NonceNotCovered");
    await rejects(deliver(777), "SourceNotInDependencySet");
  });

  it("an unrestricted Outbox sealed stays open to every chain for good", async () => {
    const open = (
      await mined(
        await owner.deployContract({
          abi: outboxAbi,
          bytecode: outboxBytecode,
          args: [owner.account.address, zeroAddress],
        }),
      )
    ).contractAddress as Address;
    await mined(
      await owner.writeContract({ address: open, abi: outboxAbi, functionName: "sealDependencySet" }),
    );
    await client.simulateContract({
      address: open,
      abi: outboxErrors,
      functionName: "send",
      args: [777n, owner.account.address, "0x", 100_000n, 4_000_000_000n],
      account: owner.account,
    });
    await rejects(
      owner.writeContract({ address: open, abi: outboxErrors, functionName: "setRestricted", args: [true] }),
      "DependencySetSealed",
    );
  });
});
