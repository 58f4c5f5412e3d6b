// The dependency set in the Outbox and the Inbox on a real anvil node: unrestricted by default, only the
// owner restricts, a destination or a source outside the set is refused by name (a batch skips it), and
// the Inbox's expiry notices still reach a source the Outbox may not message, so no refund is lost.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, parseEventLogs, toFunctionSelector } from "viem";
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
    outbox = await deploy(outboxAbi, outboxBytecode, [owner.account.address]);
    // The owner's account stands in for the default verifier: nothing here gets as far as proving.
    inbox = await deploy(inboxAbi, inboxBytecode, [owner.account.address, outbox, owner.account.address]);
  });

  after(async () => {
    await node?.stop();
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

  it("a batch from a source outside the set skips each message with the error's selector", async () => {
    const refused = message(777, owner.account.address);
    const id = messageId(refused);
    const path = Array.from({ length: MESSAGE_TREE_DEPTH }, () => ZERO_HASH);
    const receipt = await mined(
      await owner.writeContract({
        address: inbox,
        abi: inboxErrors,
        functionName: "deliverBatch",
        args: [[refused], { count: 1n, root: rootFromPath(id, 0, path), paths: [path], verifierData: "0x" }],
      }),
    );
    const [skipped] = parseEventLogs({ abi: inboxAbi, logs: receipt.logs, eventName: "MessageSkipped" });
    assert.equal(skipped?.args.id, id);
    assert.equal(skipped?.args.reason, toFunctionSelector("SourceNotInDependencySet(uint64)"));
  });

  it("expiry notices go back to a source the set leaves out, once the Outbox knows its Inbox", async () => {
    // 777 may not be messaged from here, yet a message from it (delivered before the set) expired here.
    const expired = message(777, owner.account.address, 1n);
    const expire = () =>
      owner.writeContract({ address: inbox, abi: inboxErrors, functionName: "expire", args: [expired] });
    await rejects(expire(), "DestinationNotInDependencySet");
    await write(owner, "outbox", "setInbox", [inbox]);
    const receipt = await mined(await expire());
    const [notice] = parseEventLogs({ abi: outboxAbi, logs: receipt.logs, eventName: "MessageSent" });
    assert.equal(notice?.args.destinationChainId, 777n);
    assert.equal(notice?.args.sender.toLowerCase(), inbox.toLowerCase());
    // Ordinary senders are still refused.
    await rejects(send(777), "DestinationNotInDependencySet");
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
});
