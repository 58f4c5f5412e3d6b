// A contract on one rollup calls a contract on another, proven through the L1 (canonical path), with
// the devnet's real agents running; plus every way a delivery must be refused.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, BaseError, ContractFunctionRevertedError, decodeErrorResult, type Hex, toHex } from "viem";
import { walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { inboxAbi, testRecipientAbi, testRecipientBytecode } from "../../src/contracts/generated/index.js";
import { getMessageStatus, proveMessage, sendMessage, waitForDelivery } from "../../src/sdk/index.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

describe("canonical messaging on a devnet", () => {
  let devnet: TestDevnet;
  const recipients = new Map<number, Address>();

  before(async () => {
    devnet = await startTestDevnet();
    for (const rollup of devnet.manifest.rollups) {
      const wallet = walletClientFor(rollup, devnet.manifest.accounts.deployer.privateKey);
      const { publicClientFor } = await import("../../src/chain/clients.js");
      const hash = await wallet.deployContract({ abi: testRecipientAbi, bytecode: testRecipientBytecode, args: [rollup.contracts.inbox] });
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
      const sent = await sendMessage(wallet, manifest, { destinationChainId: to, recipient: recipients.get(to) as Address, body });
      const delivered = await waitForDelivery(manifest, { id: sent.id, timeoutMs: 30_000 });
      assert.equal(delivered.status, "delivered");
      assert.equal(delivered.path, "canonical");
      const { publicClientFor } = await import("../../src/chain/clients.js");
      const client = publicClientFor(rollupOf(manifest, to));
      const count = await client.readContract({ address: recipients.get(to) as Address, abi: testRecipientAbi, functionName: "receivedCount" });
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
});
