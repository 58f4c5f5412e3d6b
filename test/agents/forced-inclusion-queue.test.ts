// The sequencer's reading of the L1 forced-inclusion queue, against a real SuperblockLog on anvil:
// the cursor moves only over a handled prefix, an entry accepted but never mined is offered again
// and given up on after MAX_FORCED_ATTEMPTS, and a restart starts from what the L1 recorded.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "viem";
import { ForcedInclusionQueue, MAX_FORCED_ATTEMPTS } from "../../src/agents/sequencer/forced-inclusion.js";
import { type AnvilNode, startAnvil } from "../../src/chain/anvil.js";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../src/chain/clients.js";
import { freePort } from "../../src/chain/ports.js";
import { superblockLogAbi, superblockLogBytecode } from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";

describe("ForcedInclusionQueue", () => {
  let node: AnvilNode;
  let client: JunctionPublicClient;
  let wallet: JunctionWalletClient;
  let log: Address;

  before(async () => {
    node = await startAnvil({ chainId: 900, port: await freePort() });
    client = publicClientFor(node);
    wallet = walletClientFor(node, devnetAccounts().deployer.privateKey);
    const deployed = await client.waitForTransactionReceipt({
      hash: await wallet.deployContract({
        abi: superblockLogAbi,
        bytecode: superblockLogBytecode,
        args: [wallet.account.address, 8n, [901n, 902n]],
      }),
    });
    log = deployed.contractAddress as Address;
    for (const [chainId, raw] of [
      [901n, "0x01"],
      [902n, "0x02"],
      [901n, "0x03"],
    ] as const) {
      await client.waitForTransactionReceipt({
        hash: await wallet.writeContract({
          address: log,
          abi: superblockLogAbi,
          functionName: "forceInclude",
          args: [chainId, raw],
        }),
      });
    }
  });

  after(async () => {
    await node?.stop();
  });

  const queue = () => new ForcedInclusionQueue({ client, superblockLog: log, deployBlock: 0n });

  it("moves the cursor over the handled prefix only, and retries what was not mined", async () => {
    const forced = queue();
    await forced.start();
    const due = forced.due();
    assert.deepEqual(
      due.map((entry) => [entry.index, entry.chainId, entry.raw]),
      [
        [0, 901, "0x01"],
        [1, 902, "0x02"],
        [2, 901, "0x03"],
      ],
    );
    // Entries 1 and 2 mined, entry 0 accepted but not in the block: nothing is handled yet.
    assert.deepEqual(forced.sealed(due, new Set([1, 2])), []);
    assert.equal(forced.handled(), 0);
    assert.deepEqual(
      forced.due().map((entry) => entry.index),
      [0],
      "only the unsettled entry is offered again",
    );
    // Entry 0 is never mined: given up on after MAX_FORCED_ATTEMPTS offers, then the cursor passes all.
    let given: number[] = [];
    for (let attempt = 2; attempt <= MAX_FORCED_ATTEMPTS; attempt++) {
      given = forced.sealed(forced.due(), new Set()).map((entry) => entry.index);
    }
    assert.deepEqual(given, [0]);
    assert.equal(forced.handled(), 3);
    assert.deepEqual(forced.due(), []);
  });

  it("restarts from the cursor the L1 recorded", async () => {
    await client.waitForTransactionReceipt({
      hash: await wallet.writeContract({
        address: log,
        abi: superblockLogAbi,
        functionName: "postSuperblocks",
        args: [
          1n,
          [
            [
              {
                chainId: 901n,
                blockNumber: 1n,
                blockHash: `0x${"11".repeat(32)}`,
                outboxCount: 0n,
                outboxRoot: `0x${"22".repeat(32)}`,
              },
            ],
          ],
          2n,
        ],
      }),
    });
    const restarted = queue();
    await restarted.start();
    assert.equal(restarted.handled(), 2);
    assert.deepEqual(
      restarted.due().map((entry) => entry.index),
      [2],
    );
  });
});
