// The shared sequencer cannot censor for long: a transaction queued on the L1's SuperblockLog is
// included by the sequencer (here: a fraud proof that slashes the sequencer itself, never sent to its
// endpoint), and the L1 refuses a superblock post that reaches a queued transaction's deadline
// without having handled it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, encodeFunctionData, type Hex, keccak256, toFunctionSelector, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import type { RollupEntry } from "../../src/chain/manifest.js";
import {
  bondManagerAbi,
  outboxAbi,
  superblockLogAbi,
  superblockLogBytecode,
} from "../../src/contracts/generated/index.js";
import { checkpointTypedData } from "../../src/protocol/checkpoint-signature.js";
import { fundedKey, rejects, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

describe("forced inclusion through the L1", () => {
  let devnet: TestDevnet;
  let a: RollupEntry;

  before(async () => {
    devnet = await startTestDevnet({ sequencer: { superblockTimeMs: 250 } });
    a = devnet.manifest.rollups[0] as RollupEntry;
    await waitUntil(
      async () => devnet.sequencer?.deliveriesReady() ?? false,
      Boolean,
      "the sequencer's bond to reach every rollup",
    );
  });

  after(async () => {
    await devnet?.stop();
  });

  it("includes a proveFraud queued only on the L1, and it slashes the sequencer", async () => {
    const { manifest } = devnet;
    const clientA = publicClientFor(a);
    const sequencer = privateKeyToAccount(manifest.accounts.sequencer.privateKey);
    const count = await clientA.readContract({
      address: a.contracts.outbox,
      abi: outboxAbi,
      functionName: "count",
    });
    const lieRoot = keccak256(toHex("a root the Outbox never had"));
    const lie = await sequencer.signTypedData(
      checkpointTypedData({
        outbox: a.contracts.outbox,
        sourceChainId: BigInt(a.chainId),
        count,
        root: lieRoot,
      }),
    );
    // Signed here and handed only to the L1 queue: the sequencer's endpoint never sees it.
    const prover = privateKeyToAccount((await fundedKey(manifest)).key);
    const block = await clientA.getBlock({ blockTag: "latest" });
    const maxPriorityFeePerGas = 1_000_000_000n;
    const raw = await prover.signTransaction({
      chainId: a.chainId,
      type: "eip1559",
      nonce: await clientA.getTransactionCount({ address: prover.address }),
      to: a.contracts.bondManager,
      data: encodeFunctionData({
        abi: bondManagerAbi,
        functionName: "proveFraud",
        args: [BigInt(a.chainId), count, lieRoot, lie],
      }),
      gas: 1_000_000n,
      maxFeePerGas: (block.baseFeePerGas ?? 0n) * 4n + maxPriorityFeePerGas,
      maxPriorityFeePerGas,
    });
    const l1 = publicClientFor(manifest.l1);
    const queued = await l1.waitForTransactionReceipt({
      hash: await walletClientFor(manifest.l1, manifest.accounts.user.privateKey).writeContract({
        address: manifest.l1.contracts.superblockLog,
        abi: superblockLogAbi,
        functionName: "forceInclude",
        args: [BigInt(a.chainId), raw],
      }),
    });
    assert.equal(queued.status, "success");

    const receipt = await waitUntil(
      () => clientA.getTransactionReceipt({ hash: keccak256(raw) }).catch(() => null),
      (value) => value !== null,
      "the forced transaction on rollup A",
      60_000,
    );
    assert.equal(receipt?.status, "success");
    const bond = await clientA.readContract({
      address: a.contracts.bondManager,
      abi: bondManagerAbi,
      functionName: "bondOf",
      args: [sequencer.address],
    });
    assert.equal(bond.slashed, true, "the sequencer could not keep its own fraud proof out");
    // The posts that followed declared it handled, or the L1 would have refused them.
    await waitUntil(
      () =>
        l1.readContract({
          address: manifest.l1.contracts.superblockLog,
          abi: superblockLogAbi,
          functionName: "forcedHandled",
        }),
      (handled) => handled >= 1n,
      "a superblock post that handled the queued transaction",
    );
  });

  it("refuses a superblock post that skips an overdue forced transaction", async () => {
    const { manifest } = devnet;
    const l1 = publicClientFor(manifest.l1);
    const poster = walletClientFor(manifest.l1, manifest.accounts.deployer.privateKey);
    const queuer = walletClientFor(manifest.l1, manifest.accounts.user.privateKey);
    // A log of its own (inclusion within 8 superblocks, the shortest allowed), posted to by a key the
    // test holds.
    const deployed = await l1.waitForTransactionReceipt({
      hash: await poster.deployContract({
        abi: superblockLogAbi,
        bytecode: superblockLogBytecode,
        args: [poster.account.address, 8n, [901n]],
      }),
    });
    const log = deployed.contractAddress as Address;
    const block = (height: number) => [
      {
        chainId: 901n,
        blockNumber: BigInt(height),
        blockHash: keccak256(toHex(`block ${height}`)),
        outboxCount: 0n,
        outboxRoot: keccak256(toHex("root")) as Hex,
      },
    ];
    /** Posts superblocks `first`..`last` in one batch, declaring the queue handled up to `handled`. */
    const post = (first: number, last: number, handled: bigint) =>
      poster.writeContract({
        address: log,
        abi: superblockLogAbi,
        functionName: "postSuperblocks",
        args: [BigInt(first), Array.from({ length: last - first + 1 }, (_, i) => block(first + i)), handled],
      });
    const mined = async (hash: Promise<Hex>) =>
      assert.equal((await l1.waitForTransactionReceipt({ hash: await hash })).status, "success");

    // Too short a delay is refused at deployment: InclusionDelayTooShort, whether the node already
    // refuses the gas estimate or mines the reverting deployment.
    const tooShort = await poster
      .deployContract({
        abi: superblockLogAbi,
        bytecode: superblockLogBytecode,
        args: [poster.account.address, 7n, [901n]],
        gas: 2_000_000n,
      })
      .then(async (hash) => (await l1.waitForTransactionReceipt({ hash })).status)
      .catch((error: unknown) => {
        assert.ok(
          String(error).includes(toFunctionSelector("InclusionDelayTooShort(uint64,uint64)")),
          String(error),
        );
        return "refused";
      });
    assert.notEqual(tooShort, "success");
    await mined(post(1, 1, 0n));
    await rejects(
      queuer.writeContract({
        address: log,
        abi: superblockLogAbi,
        functionName: "forceInclude",
        args: [999n, "0x01"],
      }),
      "UnknownRollup",
    );
    await mined(
      queuer.writeContract({
        address: log,
        abi: superblockLogAbi,
        functionName: "forceInclude",
        args: [901n, "0x01"],
      }),
    );
    const deadline = await l1.readContract({
      address: log,
      abi: superblockLogAbi,
      functionName: "forcedDeadline",
      args: [0n],
    });
    assert.equal(deadline, 9n, "queued at posted height 1, due by height 1 + 8");
    await mined(post(2, 8, 0n)); // not yet due
    await rejects(post(9, 9, 0n), "ForcedTransactionOverdue");
    await rejects(post(9, 12, 0n), "ForcedTransactionOverdue"); // a batch that reaches past it too
    await rejects(post(9, 9, 2n), "InvalidForcedCursor");
    await mined(post(9, 9, 1n));
    await rejects(post(10, 10, 0n), "InvalidForcedCursor");
  });
});
