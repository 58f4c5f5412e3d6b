// The TypeScript trees against the contracts on a real anvil node, with random inputs: message ids and
// Outbox roots after every append, and the RollupHub's global root against HubHistory.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { getAddress, type Hex, parseEventLogs, toHex, zeroAddress } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../../src/chain/clients.js";
import { getPostedCheckpoints } from "../../src/chain/events.js";
import {
  outboxAbi,
  outboxBytecode,
  rollupHubAbi,
  rollupHubBytecode,
} from "../../src/contracts/generated/index.js";
import { HubHistory } from "../../src/protocol/checkpoint.js";
import { buildLevels, MESSAGE_TREE_DEPTH, pathOf, rootFromPath, rootOf } from "../../src/protocol/merkle.js";
import { messageId } from "../../src/protocol/message.js";
import { type ContractNode, startContractNode } from "../helpers/contract-node.js";

const randomHex = (bytes: number): Hex => toHex(randomBytes(bytes));

describe("trees against the contracts", () => {
  let chain: ContractNode;
  let client: JunctionPublicClient;
  let wallet: JunctionWalletClient;

  before(async () => {
    chain = await startContractNode(901);
    ({ client, wallet } = chain);
  });

  after(async () => {
    await chain?.node.stop();
  });

  it("message ids and Outbox roots match the TypeScript tree after every append", async () => {
    const outbox = await chain.deploy(outboxAbi, outboxBytecode, [wallet.account.address, zeroAddress]);
    const ids: Hex[] = [];
    assert.equal(
      await client.readContract({ address: outbox, abi: outboxAbi, functionName: "rootAt", args: [0n] }),
      rootOf(buildLevels([], MESSAGE_TREE_DEPTH)),
    );
    for (let i = 0; i < 40; i++) {
      const body = randomHex(Math.floor(Math.random() * 200));
      const recipient = getAddress(randomHex(20));
      const destination = BigInt(902 + Math.floor(Math.random() * 1000));
      const hash = await wallet.writeContract({
        address: outbox,
        abi: outboxAbi,
        functionName: "send",
        args: [destination, recipient, body, 100_000n + BigInt(i), 4_000_000_000n],
      });
      const receipt = await client.waitForTransactionReceipt({ hash });
      const [event] = parseEventLogs({ abi: outboxAbi, logs: receipt.logs, eventName: "MessageSent" });
      assert.ok(event);
      const message = { ...event.args.message, version: Number(event.args.message.version) };
      assert.equal(message.nonce, BigInt(i));
      assert.equal(message.body, body);
      assert.equal(messageId(message), event.args.id);
      ids.push(event.args.id);
      assert.equal(event.args.root, rootOf(buildLevels(ids, MESSAGE_TREE_DEPTH)));
    }
    // Every past root is kept, and every message is provable against every later root.
    for (const count of [1, 7, 16, 17, 40]) {
      const onChain = await client.readContract({
        address: outbox,
        abi: outboxAbi,
        functionName: "rootAt",
        args: [BigInt(count)],
      });
      const levels = buildLevels(ids.slice(0, count), MESSAGE_TREE_DEPTH);
      assert.equal(onChain, rootOf(levels));
      const index = Math.floor(Math.random() * count);
      assert.equal(rootFromPath(ids[index] as Hex, index, pathOf(levels, index)), onChain);
    }
    await assert.rejects(
      client.readContract({ address: outbox, abi: outboxAbi, functionName: "rootAt", args: [41n] }),
      /CountOutOfRange/,
    );
  });

  it("the hub's global root matches HubHistory over random checkpoints", async () => {
    const proposer = wallet.account.address;
    const hub = await chain.deploy(rollupHubAbi, rollupHubBytecode, [proposer]);
    const chains = [901n, 902n, 903n, 950n, 777n];
    for (const chainId of chains) {
      await client.waitForTransactionReceipt({
        hash: await wallet.writeContract({
          address: hub,
          abi: rollupHubAbi,
          functionName: "registerRollup",
          args: [chainId, proposer],
        }),
      });
    }
    const counts = new Map<bigint, bigint>();
    for (let i = 0; i < 25; i++) {
      const chainId = chains[Math.floor(Math.random() * chains.length)] as bigint;
      const count = (counts.get(chainId) ?? 0n) + 1n + BigInt(Math.floor(Math.random() * 5));
      counts.set(chainId, count);
      await client.waitForTransactionReceipt({
        hash: await wallet.writeContract({
          address: hub,
          abi: rollupHubAbi,
          functionName: "postCheckpoint",
          args: [chainId, count, randomHex(32)],
        }),
      });
    }
    const history = new HubHistory();
    for (const event of await getPostedCheckpoints(client, hub, 0n, await client.getBlockNumber()))
      history.add(event);
    assert.equal(history.latestIndex, 25n);
    for (const globalIndex of [1n, 5n, 13n, 25n]) {
      const onChain = await client.readContract({
        address: hub,
        abi: rollupHubAbi,
        functionName: "globalRootAt",
        args: [globalIndex],
      });
      for (const [leafIndex, event] of history.checkpointsAt(globalIndex)) {
        const inclusion = history.inclusion(globalIndex, event.chainId);
        assert.ok(inclusion);
        assert.equal(inclusion.globalRoot, onChain);
        assert.equal(inclusion.leafIndex, leafIndex);
      }
    }
    await assert.rejects(
      wallet.writeContract({
        address: hub,
        abi: rollupHubAbi,
        functionName: "postCheckpoint",
        args: [901n, 0n, randomHex(32)],
      }),
      /CheckpointNotNewer/,
    );
  });
});
