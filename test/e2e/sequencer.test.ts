// The shared sequencer on a devnet with every agent running: plain wallets through its endpoints,
// atomic bundles (all legs in one superblock, or no trace at all), same-superblock messages, commit–
// reveal ordering against a front-runner, the L1 superblock log, and the sequencer's bond at stake.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  createWalletClient,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  chainOf,
  type JunctionPublicClient,
  publicClientFor,
  walletClientFor,
} from "../../src/chain/clients.js";
import { rpcCall } from "../../src/chain/json-rpc.js";
import type { RollupEntry } from "../../src/chain/manifest.js";
import {
  bondManagerAbi,
  firstClaimAbi,
  firstClaimBytecode,
  optimisticVerifierAbi,
  outboxAbi,
  sequencerVerifierAbi,
  superblockLogAbi,
} from "../../src/contracts/generated/index.js";
import { checkpointTypedData } from "../../src/protocol/checkpoint-signature.js";
import {
  BundleRefusedError,
  getSuperblock,
  sendBundle,
  sendCommittedTransaction,
  sendMessage,
  superblockOf,
  waitForDelivery,
} from "../../src/sdk/index.js";
import { fundedKey, rejects, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

const name = (label: string) => keccak256(toHex(label));

describe("shared sequencer", () => {
  let devnet: TestDevnet;
  let a: RollupEntry;
  let b: RollupEntry;
  let clientA: JunctionPublicClient;
  let clientB: JunctionPublicClient;
  const claims = new Map<number, Address>();

  async function heightOf(rollup: RollupEntry, blockNumber: bigint): Promise<number> {
    const height = await superblockOf(rollup, blockNumber);
    assert.notEqual(height, null, `block ${blockNumber} of chain ${rollup.chainId} is in no superblock`);
    return height as number;
  }

  before(async () => {
    devnet = await startTestDevnet({ sequencer: { superblockTimeMs: 250 } });
    [a, b] = devnet.manifest.rollups as [RollupEntry, RollupEntry];
    clientA = publicClientFor(a);
    clientB = publicClientFor(b);
    await waitUntil(
      async () => devnet.sequencer?.deliveriesReady() ?? false,
      Boolean,
      "the sequencer's bond to reach every rollup",
    );
  });

  after(async () => {
    await devnet?.stop();
  });

  it("mines transactions sent by a plain viem wallet through its per-rollup endpoint", async () => {
    // No nonce manager, no Junction helper: what any dapp's wallet does.
    const account = privateKeyToAccount(devnet.manifest.accounts.user.privateKey);
    for (const rollup of [a, b]) {
      const wallet = createWalletClient({ account, chain: chainOf(rollup), transport: http(rollup.rpcUrl) });
      const client = publicClientFor(rollup);
      const hash = await wallet.deployContract({ abi: firstClaimAbi, bytecode: firstClaimBytecode });
      const receipt = await client.waitForTransactionReceipt({ hash });
      assert.equal(receipt.status, "success");
      claims.set(rollup.chainId, receipt.contractAddress as Address);
      const hashes: Hex[] = [];
      for (const label of ["one", "two", "three"]) {
        hashes.push(
          await wallet.writeContract({
            address: receipt.contractAddress as Address,
            abi: firstClaimAbi,
            functionName: "claim",
            args: [name(`${rollup.chainId}-${label}`)],
          }),
        );
      }
      for (const next of hashes) {
        const mined = await client.waitForTransactionReceipt({ hash: next });
        assert.equal(mined.status, "success");
        await heightOf(rollup, mined.blockNumber);
      }
    }
    // Block production belongs to the sequencer.
    await assert.rejects(rpcCall(a.rpcUrl, "evm_mine", []), /produced by the shared sequencer/);
  });

  it("lands a two-rollup bundle in one superblock, and a bundle with a failing leg nowhere", async () => {
    const user = devnet.manifest.accounts.user.privateKey;
    const walletA = walletClientFor(a, user);
    const walletB = walletClientFor(b, user);
    const claimA = claims.get(a.chainId) as Address;
    const claimB = claims.get(b.chainId) as Address;
    const claim = (label: string) =>
      encodeFunctionData({ abi: firstClaimAbi, functionName: "claim", args: [name(label)] });

    const landed = await sendBundle(devnet.manifest, {
      transactions: [
        { wallet: walletA, to: claimA, data: claim("bundle-a"), gas: 100_000n },
        { wallet: walletB, to: claimB, data: claim("bundle-b"), gas: 100_000n },
      ],
    });
    const [legA, legB] = landed.transactions;
    assert.ok(legA && legB);
    const receiptA = await clientA.getTransactionReceipt({ hash: legA.hash });
    const receiptB = await clientB.getTransactionReceipt({ hash: legB.hash });
    assert.equal(receiptA.status, "success");
    assert.equal(receiptB.status, "success");
    assert.equal(await heightOf(a, receiptA.blockNumber), landed.height);
    assert.equal(await heightOf(b, receiptB.blockNumber), landed.height);

    const nonceBefore = await clientA.getTransactionCount({ address: walletA.account.address });
    let refused: BundleRefusedError | undefined;
    try {
      await sendBundle(devnet.manifest, {
        transactions: [
          { wallet: walletA, to: claimA, data: claim("only-if-both"), gas: 100_000n },
          // "bundle-b" is taken on B: this leg reverts, so neither may land.
          { wallet: walletB, to: claimB, data: claim("bundle-b"), gas: 100_000n },
        ],
      });
    } catch (error) {
      if (!(error instanceof BundleRefusedError)) throw error;
      refused = error;
    }
    assert.ok(refused, "the bundle was not refused");
    assert.equal(refused.failure.leg, 1);
    assert.equal(refused.failure.chainId, b.chainId);
    assert.match(refused.failure.reason, /AlreadyClaimed/);
    // No trace on A: the claim is free, the nonce unused, the leg's transaction unknown.
    const owner = await clientA.readContract({
      address: claimA,
      abi: firstClaimAbi,
      functionName: "ownerOf",
      args: [name("only-if-both")],
    });
    assert.equal(owner, "0x0000000000000000000000000000000000000000");
    assert.equal(await clientA.getTransactionCount({ address: walletA.account.address }), nonceBefore);
  });

  it("delivers a sequencer-path message in the superblock it was sent in, or the next", async () => {
    const user = devnet.manifest.accounts.user.privateKey;
    for (const [source, destination] of [
      [a, b],
      [b, a],
    ] as const) {
      const sent = await sendMessage(walletClientFor(source, user), devnet.manifest, {
        destinationChainId: destination.chainId,
        recipient: destination.contracts.sequencerRecorder,
        body: toHex(`via the sequencer from ${source.chainId}`),
        path: "sequencer",
      });
      const delivered = await waitForDelivery(devnet.manifest, {
        id: sent.id,
        sourceChainId: BigInt(source.chainId),
        timeoutMs: 20_000,
      });
      assert.equal(delivered.status, "delivered");
      assert.equal(delivered.path, "sequencer");
      const sentIn = await heightOf(source, sent.blockNumber);
      const deliveredIn = await heightOf(destination, delivered.delivery?.block ?? -1n);
      // A is mined before B in each superblock: A→B lands in the same one, B→A in the next.
      assert.equal(
        deliveredIn - sentIn,
        source === a ? 0 : 1,
        `sent in ${sentIn}, delivered in ${deliveredIn}`,
      );
    }
  });

  it("keeps a committed transaction ahead of a front-runner who saw its contents", async () => {
    const sequencer = devnet.sequencer;
    assert.ok(sequencer);
    const claimA = claims.get(a.chainId) as Address;
    const prize = name("prize");
    const data = encodeFunctionData({ abi: firstClaimAbi, functionName: "claim", args: [prize] });
    const victim = walletClientFor(a, devnet.manifest.accounts.user.privateKey);
    const attacker = walletClientFor(a, (await fundedKey(devnet.manifest)).key);
    await sequencer.pause();
    try {
      const request = await victim.prepareTransactionRequest({ to: claimA, data, gas: 100_000n });
      const raw = await victim.signTransaction(request);
      const commitment = keccak256(raw);
      await rpcCall(a.rpcUrl, "junction_commit", [commitment]);
      await rpcCall(a.rpcUrl, "junction_reveal", [raw]);
      // The attacker now knows the contents and bids ten times the fee, in the open and by commitment.
      const bid = (request.maxPriorityFeePerGas ?? 1n) * 10n;
      const open = await attacker.sendTransaction({
        to: claimA,
        data,
        gas: 100_000n,
        maxPriorityFeePerGas: bid,
        maxFeePerGas: (request.maxFeePerGas ?? 0n) + bid,
      });
      const sneaky = await attacker.signTransaction(
        await attacker.prepareTransactionRequest({ to: claimA, data, gas: 100_000n, nonce: 1 }),
      );
      await rpcCall(a.rpcUrl, "junction_commit", [keccak256(sneaky)]);
      await rpcCall(a.rpcUrl, "junction_reveal", [sneaky]);
      const superblock = await sequencer.seal();
      const blockNumber = BigInt(
        superblock.blocks.find((block) => block.chainId === a.chainId)?.blockNumber ?? 0,
      );
      const block = await clientA.getBlock({ blockNumber });
      const order = block.transactions.map((hash) => hash.toLowerCase());
      const victimAt = order.indexOf(commitment.toLowerCase());
      assert.equal(victimAt, 0, `the committed transaction is at index ${victimAt}`);
      assert.ok(order.indexOf(keccak256(sneaky).toLowerCase()) > victimAt);
      assert.ok(order.indexOf(open.toLowerCase()) > victimAt);
      for (const hash of [open, keccak256(sneaky)]) {
        assert.equal((await clientA.getTransactionReceipt({ hash })).status, "reverted");
      }
      const owner = await clientA.readContract({
        address: claimA,
        abi: firstClaimAbi,
        functionName: "ownerOf",
        args: [prize],
      });
      assert.equal(owner, victim.account.address);
    } finally {
      sequencer.resume();
    }
    // The SDK flow checks the sequencer's signed receipt before revealing.
    const { final, commitment } = await sendCommittedTransaction(victim, devnet.manifest, {
      to: claimA,
      data: encodeFunctionData({ abi: firstClaimAbi, functionName: "claim", args: [name("second prize")] }),
    });
    assert.equal(final.state, "included");
    assert.ok(commitment.sequence > 0);
  });

  it("posts every superblock's commitment to the L1", async () => {
    const l1 = publicClientFor(devnet.manifest.l1);
    const log = devnet.manifest.l1.contracts.superblockLog;
    const latest = await waitUntil(
      () => l1.readContract({ address: log, abi: superblockLogAbi, functionName: "latestHeight" }),
      (height) => height > 2n,
      "superblocks on the L1",
    );
    const superblock = await getSuperblock(a, Number(latest));
    assert.ok(superblock);
    const expected = keccak256(
      encodeAbiParameters(
        [
          { type: "uint64" },
          {
            type: "tuple[]",
            components: [
              { name: "chainId", type: "uint64" },
              { name: "blockNumber", type: "uint64" },
              { name: "blockHash", type: "bytes32" },
              { name: "outboxCount", type: "uint256" },
              { name: "outboxRoot", type: "bytes32" },
            ],
          },
        ],
        [
          latest,
          superblock.blocks.map((block) => ({
            chainId: BigInt(block.chainId),
            blockNumber: BigInt(block.blockNumber),
            blockHash: block.blockHash,
            outboxCount: BigInt(block.outboxCount),
            outboxRoot: block.outboxRoot,
          })),
        ],
      ),
    );
    const posted = await l1.readContract({
      address: log,
      abi: superblockLogAbi,
      functionName: "commitmentAt",
      args: [latest],
    });
    assert.equal(posted, expected);
    for (const block of superblock.blocks) {
      const client = block.chainId === a.chainId ? clientA : clientB;
      const onChain = await client.getBlock({ blockNumber: BigInt(block.blockNumber) });
      assert.equal(onChain.hash, block.blockHash);
    }
  });

  it("stakes the sequencer's bond on its checkpoints: a wrong one is slashed, an honest one is not", async () => {
    const sequencerKey = devnet.manifest.accounts.sequencer.privateKey;
    const sequencerAddress = devnet.manifest.accounts.sequencer.address;
    const signer = privateKeyToAccount(sequencerKey);
    const count = await clientA.readContract({
      address: a.contracts.outbox,
      abi: outboxAbi,
      functionName: "count",
    });
    const trueRoot = await clientA.readContract({
      address: a.contracts.outbox,
      abi: outboxAbi,
      functionName: "rootAt",
      args: [count],
    });
    const sign = (root: Hex) =>
      signer.signTypedData(
        checkpointTypedData({ outbox: a.contracts.outbox, sourceChainId: BigInt(a.chainId), count, root }),
      );
    const honest = await sign(trueRoot);
    const lie = await sign(keccak256(toHex("a root the Outbox never had")));
    // The destination accepts the honest checkpoint, refuses any other signer.
    await clientB.readContract({
      address: b.contracts.sequencerVerifier,
      abi: sequencerVerifierAbi,
      functionName: "verifyRoot",
      args: [BigInt(a.chainId), count, trueRoot, honest],
    });
    const stranger = privateKeyToAccount((await fundedKey(devnet.manifest)).key);
    const forged = await stranger.signTypedData(
      checkpointTypedData({
        outbox: a.contracts.outbox,
        sourceChainId: BigInt(a.chainId),
        count,
        root: trueRoot,
      }),
    );
    await rejects(
      clientB.readContract({
        address: b.contracts.sequencerVerifier,
        abi: sequencerVerifierAbi,
        functionName: "verifyRoot",
        args: [BigInt(a.chainId), count, trueRoot, forged],
      }),
      "NotSequencer",
    );

    const prover = walletClientFor(a, (await fundedKey(devnet.manifest)).key);
    await rejects(
      clientA.simulateContract({
        account: prover.account,
        address: a.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "proveFraud",
        args: [BigInt(a.chainId), count, trueRoot, honest],
      }),
      "CheckpointNotFraudulent",
    );
    const hash = await prover.writeContract({
      address: a.contracts.bondManager,
      abi: bondManagerAbi,
      functionName: "proveFraud",
      args: [BigInt(a.chainId), count, keccak256(toHex("a root the Outbox never had")), lie],
    });
    const receipt = await clientA.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    const bond = await clientA.readContract({
      address: a.contracts.bondManager,
      abi: bondManagerAbi,
      functionName: "bondOf",
      args: [sequencerAddress],
    });
    assert.equal(bond.amount, 0n);
    assert.equal(bond.slashed, true);
    // The slash reaches B over the canonical path; from then on B refuses the sequencer's checkpoints of A.
    await waitUntil(
      () =>
        clientB.readContract({
          address: b.contracts.optimisticVerifier,
          abi: optimisticVerifierAbi,
          functionName: "bondOnSource",
          args: [BigInt(a.chainId), sequencerAddress],
        }),
      (value) => value === 0n,
      "the slash to reach B",
    );
    await rejects(
      clientB.readContract({
        address: b.contracts.sequencerVerifier,
        abi: sequencerVerifierAbi,
        functionName: "verifyRoot",
        args: [BigInt(a.chainId), count, trueRoot, honest],
      }),
      "SequencerNotBonded",
    );
  });
});
