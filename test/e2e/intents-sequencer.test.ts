// Intents in the shared sequencer's domain: an order opened on A and filled on B is repaid on A over the
// sequencer path within a superblock or two of the fill (the sequencer delivers the fill message
// itself), and the user is paid in the superblock of the fill.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, erc20Abi, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import type { RollupEntry } from "../../src/chain/manifest.js";
import { inboxAbi } from "../../src/contracts/generated/index.js";
import { fillIntent, getIntent, openIntent, superblockOf } from "../../src/sdk/index.js";
import { fundedKey, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

describe("intents over the shared sequencer", () => {
  let devnet: TestDevnet;
  let a: RollupEntry;
  let b: RollupEntry;

  before(async () => {
    devnet = await startTestDevnet({ sequencer: { superblockTimeMs: 250 } });
    [a, b] = devnet.manifest.rollups as [RollupEntry, RollupEntry];
    await waitUntil(
      async () => devnet.sequencer?.deliveriesReady() ?? false,
      Boolean,
      "the sequencer's bond to reach every rollup",
    );
  });

  after(async () => {
    await devnet?.stop();
  });

  it("repays the filler within two superblocks of its fill", async () => {
    const { user, filler } = devnet.manifest.accounts;
    const recipient = privateKeyToAccount((await fundedKey(devnet.manifest)).key).address;
    const { orderId, originData } = await openIntent(walletClientFor(a, user.privateKey), devnet.manifest, {
      destinationChainId: b.chainId,
      inputAmount: parseEther("20"),
      outputAmount: parseEther("19.9"),
      recipient,
      path: "sequencer",
    });
    const fillerBefore = await publicClientFor(a).readContract({
      address: a.contracts.bridgedToken,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [filler.address as Address],
    });
    const fill = await fillIntent(walletClientFor(b, filler.privateKey), devnet.manifest, { originData });
    const fillReceipt = await publicClientFor(b).getTransactionReceipt({ hash: fill.txHash });
    assert.equal(
      await publicClientFor(b).readContract({
        address: b.contracts.bridgedToken,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [recipient],
      }),
      parseEther("19.9"),
    );

    await waitUntil(
      () =>
        getIntent(devnet.manifest, {
          orderId,
          originChainId: a.chainId,
          destinationChainId: b.chainId,
          path: "sequencer",
        }),
      (intent) => intent.origin.state === "repaid",
      "the repayment on A",
      30_000,
    );
    // Find the delivery of the fill message on A and compare superblock heights.
    const deliveries = await publicClientFor(a).getContractEvents({
      address: a.contracts.inbox,
      abi: inboxAbi,
      eventName: "MessageDelivered",
      args: { id: fill.messageId },
      fromBlock: 0n,
      strict: true,
    });
    const [delivery] = deliveries;
    assert.ok(delivery, "the fill message was delivered on A");
    const filledAt = await superblockOf(b, fillReceipt.blockNumber);
    const repaidAt = await superblockOf(a, delivery.blockNumber);
    assert.ok(filledAt !== null && repaidAt !== null);
    assert.ok(repaidAt - filledAt <= 2, `repaid ${repaidAt - filledAt} superblocks after the fill`);
    assert.equal(
      await publicClientFor(a).readContract({
        address: a.contracts.bridgedToken,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [filler.address as Address],
      }),
      fillerBefore + parseEther("20"),
    );
  });
});
