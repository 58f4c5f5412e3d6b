// A rollup that joins after deployment, on a real anvil node: the BondManager's owner alone adds it as a
// destination (named refusals for strangers, duplicates, this chain and a full list), anyone may then
// re-announce a bond so the newcomer learns it (one bond-update message per destination, the newcomer
// included), and only the sequencer adds a rollup to the SuperblockLog's domain.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, decodeEventLog, parseEther, zeroAddress } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../../src/chain/clients.js";
import {
  bondManagerAbi,
  bondManagerBytecode,
  outboxAbi,
  outboxBytecode,
  superblockLogAbi,
  superblockLogBytecode,
} from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { rejects } from "../helpers/chain.js";
import { type ContractNode, startContractNode } from "../helpers/contract-node.js";

const CHAIN = 901;
const PEER = 902n;
const NEWCOMER = 903n;

describe("rollups that join later", () => {
  let chain: ContractNode;
  let client: JunctionPublicClient;
  let owner: JunctionWalletClient;
  let stranger: JunctionWalletClient;
  let outbox: Address;
  let bondManager: Address;

  before(async () => {
    chain = await startContractNode(CHAIN);
    ({ client, wallet: owner } = chain);
    stranger = chain.walletOf(devnetAccounts().user.privateKey);
    // No Inbox on this chain: nothing expires here.
    outbox = await chain.deploy(outboxAbi, outboxBytecode, [owner.account.address, zeroAddress]);
    // The remote verifier is any address here: the bond updates are only sent, not delivered.
    bondManager = await chain.deploy(bondManagerAbi, bondManagerBytecode, [
      owner.account.address,
      outbox,
      outbox,
      3600n,
      [PEER],
    ]);
  });

  after(async () => {
    await chain?.node.stop();
  });

  it("BondManager: only the owner adds a destination, once, never this chain", async () => {
    await rejects(
      stranger.writeContract({
        address: bondManager,
        abi: bondManagerAbi,
        functionName: "addDestination",
        args: [NEWCOMER],
      }),
      "OwnableUnauthorizedAccount",
    );
    for (const chainId of [PEER, BigInt(CHAIN), 0n]) {
      await rejects(
        owner.writeContract({
          address: bondManager,
          abi: bondManagerAbi,
          functionName: "addDestination",
          args: [chainId],
        }),
        "InvalidDestination",
      );
    }
    await chain.mined(
      owner.writeContract({
        address: bondManager,
        abi: bondManagerAbi,
        functionName: "addDestination",
        args: [NEWCOMER],
      }),
    );
    const destinations = await client.readContract({
      address: bondManager,
      abi: bondManagerAbi,
      functionName: "destinations",
    });
    assert.deepEqual(destinations, [PEER, NEWCOMER]);
  });

  it("BondManager: refuses a destination past MAX_DESTINATIONS", async () => {
    const full = await chain.deploy(bondManagerAbi, bondManagerBytecode, [
      owner.account.address,
      outbox,
      outbox,
      3600n,
      Array.from({ length: 64 }, (_, i) => 1000n + BigInt(i)),
    ]);
    await rejects(
      owner.writeContract({ address: full, abi: bondManagerAbi, functionName: "addDestination", args: [5n] }),
      "TooManyDestinations",
    );
  });

  it("BondManager: anyone re-announces a bond to every destination, the newcomer included", async () => {
    await rejects(
      stranger.writeContract({
        address: bondManager,
        abi: bondManagerAbi,
        functionName: "announceBond",
        args: [owner.account.address],
      }),
      "NoBondToAnnounce",
    );
    await chain.mined(
      owner.writeContract({
        address: bondManager,
        abi: bondManagerAbi,
        functionName: "bond",
        value: parseEther("1"),
      }),
    );
    const before = await client.readContract({ address: outbox, abi: outboxAbi, functionName: "count" });
    const receipt = await chain.mined(
      stranger.writeContract({
        address: bondManager,
        abi: bondManagerAbi,
        functionName: "announceBond",
        args: [owner.account.address],
      }),
    );
    const after = await client.readContract({ address: outbox, abi: outboxAbi, functionName: "count" });
    assert.equal(after - before, 2n, "one bond update per destination");
    const announced = receipt.logs
      .filter((log) => log.address.toLowerCase() === bondManager.toLowerCase())
      .map((log) => decodeEventLog({ abi: bondManagerAbi, data: log.data, topics: log.topics }))
      .find((event) => event.eventName === "BondAnnounced");
    assert.deepEqual(announced?.args, {
      attester: owner.account.address,
      activeBond: parseEther("1"),
      slashed: false,
    });
  });

  it("SuperblockLog: only the sequencer adds a rollup to the domain, once", async () => {
    const sequencer = chain.walletOf(devnetAccounts().sequencer.privateKey);
    const log = await chain.deploy(superblockLogAbi, superblockLogBytecode, [
      sequencer.account.address,
      64n,
      [PEER],
    ]);
    await rejects(
      stranger.writeContract({
        address: log,
        abi: superblockLogAbi,
        functionName: "addRollup",
        args: [NEWCOMER],
      }),
      "NotSequencer",
    );
    for (const chainId of [PEER, 0n]) {
      await rejects(
        sequencer.writeContract({
          address: log,
          abi: superblockLogAbi,
          functionName: "addRollup",
          args: [chainId],
        }),
        "RollupAlreadyInDomain",
      );
    }
    assert.equal(
      await client.readContract({
        address: log,
        abi: superblockLogAbi,
        functionName: "inDomain",
        args: [NEWCOMER],
      }),
      false,
    );
    await chain.mined(
      sequencer.writeContract({
        address: log,
        abi: superblockLogAbi,
        functionName: "addRollup",
        args: [NEWCOMER],
      }),
    );
    assert.equal(
      await client.readContract({
        address: log,
        abi: superblockLogAbi,
        functionName: "inDomain",
        args: [NEWCOMER],
      }),
      true,
    );
  });
});
