// Payments that must never lock funds, on a real anvil node: fee-on-transfer tokens are refused by the
// HTLC and the bridge (they would credit more than arrived), a receiver that refuses ETH gets a pull
// credit instead of blocking a claim or a release forever, and the BondManager refuses a withdrawal
// delay that would overflow its uint64 timestamps.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  parseEther,
  sha256,
  toFunctionSelector,
  zeroAddress,
} from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../../src/chain/clients.js";
import {
  bondManagerAbi,
  bondManagerBytecode,
  etherRefuserAbi,
  etherRefuserBytecode,
  feeOnTransferTokenAbi,
  feeOnTransferTokenBytecode,
  hashedTimelockAbi,
  hashedTimelockBytecode,
  outboxAbi,
  outboxBytecode,
  tokenBridgeAbi,
  tokenBridgeBytecode,
} from "../../src/contracts/generated/index.js";
import { rejects } from "../helpers/chain.js";
import { type ContractNode, startContractNode } from "../helpers/contract-node.js";

const PEER = 902n;

describe("payments that never lock funds", () => {
  let chain: ContractNode;
  let client: JunctionPublicClient;
  let wallet: JunctionWalletClient;
  let feeToken: Address;
  let refuser: Address;

  before(async () => {
    chain = await startContractNode(901);
    ({ client, wallet } = chain);
    feeToken = await chain.deploy(feeOnTransferTokenAbi, feeOnTransferTokenBytecode);
    refuser = await chain.deploy(etherRefuserAbi, etherRefuserBytecode);
    await chain.mined(
      wallet.writeContract({
        address: feeToken,
        abi: feeOnTransferTokenAbi,
        functionName: "mint",
        args: [wallet.account.address, parseEther("1000")],
      }),
    );
  });

  after(async () => {
    await chain?.node.stop();
  });

  it("HashedTimelock: refuses a fee-on-transfer token; a claim to an account refusing ETH becomes a pull credit", async () => {
    const htlc = await chain.deploy(hashedTimelockAbi, hashedTimelockBytecode);
    await chain.mined(
      wallet.writeContract({
        address: feeToken,
        abi: feeOnTransferTokenAbi,
        functionName: "approve",
        args: [htlc, parseEther("10")],
      }),
    );
    const now = (await client.getBlock()).timestamp;
    const preimage = `0x${"11".repeat(32)}` as Hex;
    const hashlock = sha256(preimage);
    // Before the fix the lock recorded 10 while 9.9 arrived: the last claimant could not be paid.
    await rejects(
      wallet.writeContract({
        address: htlc,
        abi: hashedTimelockAbi,
        functionName: "lock",
        args: [refuser, feeToken, parseEther("10"), hashlock, now + 3600n],
      }),
      "UnsupportedToken",
    );

    const amount = parseEther("1");
    const locked = await chain.mined(
      wallet.writeContract({
        address: htlc,
        abi: hashedTimelockAbi,
        functionName: "lock",
        args: [refuser, zeroAddress, amount, hashlock, now + 3600n],
        value: amount,
      }),
    );
    const lockId = locked.logs[0]?.topics[1] as Hex;
    // Before the fix the claim reverted with TransferFailed, for good: the lock then expired to the sender.
    await chain.mined(
      wallet.writeContract({
        address: htlc,
        abi: hashedTimelockAbi,
        functionName: "claim",
        args: [lockId, preimage],
      }),
    );
    assert.equal(
      (
        await client.readContract({
          address: htlc,
          abi: hashedTimelockAbi,
          functionName: "getLock",
          args: [lockId],
        })
      ).state,
      2,
    );
    const owed = () =>
      client.readContract({ address: htlc, abi: hashedTimelockAbi, functionName: "owed", args: [refuser] });
    assert.equal(await owed(), amount);
    await chain.mined(
      wallet.writeContract({
        address: refuser,
        abi: etherRefuserAbi,
        functionName: "setAccepting",
        args: [true],
      }),
    );
    const withdraw = () =>
      wallet.writeContract({
        address: refuser,
        abi: [...etherRefuserAbi, ...hashedTimelockAbi],
        functionName: "call",
        args: [htlc, encodeFunctionData({ abi: hashedTimelockAbi, functionName: "withdrawOwed" })],
      });
    await chain.mined(withdraw());
    assert.equal(await owed(), 0n);
    assert.equal(await client.getBalance({ address: refuser }), amount);
    await rejects(withdraw(), "NothingOwed");
    await chain.mined(
      wallet.writeContract({
        address: refuser,
        abi: etherRefuserAbi,
        functionName: "setAccepting",
        args: [false],
      }),
    );
  });

  it("TokenBridge: refuses a fee-on-transfer token; a release to an account refusing ETH becomes a pull credit", async () => {
    // The test account stands in for the Inbox, so it can hand the bridge a transfer as a delivery would.
    const inbox = wallet.account.address;
    const outbox = await chain.deploy(outboxAbi, outboxBytecode, [wallet.account.address, inbox]);
    const bridge = await chain.deploy(tokenBridgeAbi, tokenBridgeBytecode, [
      wallet.account.address,
      outbox,
      inbox,
      wallet.account.address,
    ]);
    const admin = (functionName: "configureRoute" | "configureInbound", token: Address) =>
      chain.mined(
        wallet.writeContract({
          address: bridge,
          abi: tokenBridgeAbi,
          functionName,
          args: [token, PEER, parseEther("100"), 3600n],
        }),
      );
    await admin("configureRoute", feeToken);
    await chain.mined(
      wallet.writeContract({
        address: feeToken,
        abi: feeOnTransferTokenAbi,
        functionName: "approve",
        args: [bridge, parseEther("10")],
      }),
    );
    // Before the fix the bridge sent a claim on 10 while it held 9.9: the last release back would fail.
    await rejects(
      wallet.writeContract({
        address: bridge,
        abi: tokenBridgeAbi,
        functionName: "lockAndBridge",
        args: [feeToken, parseEther("10"), PEER, wallet.account.address],
      }),
      "UnsupportedToken",
    );

    // ETH locked here earlier comes back from the peer for an account that refuses ETH.
    await admin("configureRoute", zeroAddress);
    await admin("configureInbound", zeroAddress);
    const amount = parseEther("2");
    await chain.mined(
      wallet.writeContract({
        address: bridge,
        abi: tokenBridgeAbi,
        functionName: "lockAndBridge",
        args: [zeroAddress, amount, PEER, wallet.account.address],
        value: amount,
      }),
    );
    const transfer = encodeAbiParameters(
      [
        { type: "uint8" },
        { type: "uint64" },
        { type: "address" },
        { type: "address" },
        { type: "address" },
        { type: "uint256" },
      ],
      [2, 901n, zeroAddress, wallet.account.address, refuser, amount],
    );
    // Before the fix this reverted with TransferFailed: the message failed, and every retry failed too.
    await chain.mined(
      wallet.writeContract({
        address: bridge,
        abi: tokenBridgeAbi,
        functionName: "handle",
        args: [PEER, bridge, transfer],
      }),
    );
    assert.equal(
      await client.readContract({
        address: bridge,
        abi: tokenBridgeAbi,
        functionName: "owed",
        args: [refuser],
      }),
      amount,
    );
  });

  it("BondManager: refuses a withdrawal delay that would overflow its uint64 timestamps", async () => {
    const outbox = await chain.deploy(outboxAbi, outboxBytecode, [wallet.account.address, zeroAddress]);
    // viem does not decode a constructor's custom error; match its selector.
    const selector = toFunctionSelector("InvalidWithdrawalDelay(uint256)");
    for (const delay of [2n ** 64n, 0n]) {
      await assert.rejects(
        chain.deploy(bondManagerAbi, bondManagerBytecode, [
          wallet.account.address,
          outbox,
          outbox,
          delay,
          [PEER],
        ]),
        (error) => String(error).includes(selector),
      );
    }
  });
});
