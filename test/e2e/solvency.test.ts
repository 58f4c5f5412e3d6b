// Proof of solvency end to end on a sequenced devnet: liabilities collected from the pool, the margin
// engine and a deposit still in flight, reserves read at one posted superblock's blocks, the epoch
// published to the L1 (by the CLI once), every user's proof verified in the SDK and on chain, the CLI's
// prove / verify / status; then a pool drained (FAULT INJECTION standing for a forged message) and the
// next epoch, taken by the publisher agent, reports the insolvency.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  encodeAbiParameters,
  erc20Abi,
  getAbiItem,
  getAddress,
  type Hex,
  keccak256,
  pad,
  parseEther,
  parseEventLogs,
  toHex,
  zeroAddress,
  zeroHash,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { releaseProvingThreads } from "../../src/agents/prover/groth16.js";
import { walletClientFor } from "../../src/chain/clients.js";
import { rpcCall } from "../../src/chain/json-rpc.js";
import { rollupOf } from "../../src/chain/manifest.js";
import {
  collateralVaultAbi,
  etherRefuserAbi,
  etherRefuserBytecode,
  hashedTimelockAbi,
  inboxAbi,
  liquidityPoolAbi,
  marginEngineAbi,
  orderGatewayAbi,
  solvencyRegistryAbi,
  tokenBridgeAbi,
} from "../../src/contracts/generated/index.js";
import { solvencyPublisherAccount } from "../../src/devnet/accounts.js";
import { MARGIN_DEFAULTS } from "../../src/devnet/deploy-margin.js";
import { createAgents } from "../../src/devnet/devnet.js";
import { devnetSolvencyPublisher } from "../../src/devnet/solvency-agent.js";
import { silentLogger } from "../../src/log.js";
import {
  BalanceMismatchError,
  type SumTree,
  sumTreeHasher,
  UserNotIncludedError,
} from "../../src/protocol/sum-tree.js";
import {
  depositCollateral,
  fillFromPool,
  isOpenProven,
  liquidate,
  lockAndBridge,
  openIntent,
  requestSlowFill,
  requestWithdrawal,
  waitForDelivery,
} from "../../src/sdk/index.js";
import { clientOf } from "../../src/sdk/network.js";
import {
  auditEpochReserves,
  getOwedBalances,
  getSolvencyEpoch,
  proveSolvency,
  ReserveMismatchError,
  UnlistedHolderError,
  verifySolvencyProof,
} from "../../src/sdk/solvency.js";
import {
  marginSeizuresInFlight,
  marginWithdrawalsInFlight,
  tokenPayoutsOwed,
} from "../../src/solvency/app-sources.js";
import { assetId } from "../../src/solvency/assets.js";
import {
  buildEpochTrees,
  liabilitiesArgument,
  loadArchive,
  publisherSecret,
  saveArchive,
} from "../../src/solvency/epoch.js";
import { blockAt, getPostedSuperblock } from "../../src/solvency/instant.js";
import { sourceContext, takeEpoch } from "../../src/solvency/publish.js";
import type { LiabilitySource } from "../../src/solvency/sources.js";
import { BatchNotProvableError, proveBatch } from "../../src/solvency/zk.js";
import { proveEpochRange } from "../../src/solvency/zk-epoch.js";
import { fundedKey, rejects, waitUntil } from "../helpers/chain.js";
import { runCli } from "../helpers/cli.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { marginKit } from "../helpers/margin.js";

const jusd = (value: string) => parseEther(value);
const SEED = jusd("100000");

describe("proof of solvency on a sequenced devnet", () => {
  let devnet: TestDevnet;

  /** Waits until the L1 has a superblock at or past every rollup's current block. */
  async function postedSuperblockAfterNow() {
    const { manifest } = devnet;
    const heads = await Promise.all(manifest.rollups.map((rollup) => clientOf(rollup).getBlockNumber()));
    return waitUntil(
      () =>
        getPostedSuperblock(
          clientOf(manifest.l1),
          manifest.l1.contracts.superblockLog,
          manifest.l1.deployBlock,
        ),
      (instant) =>
        manifest.rollups.every(
          (rollup, i) =>
            (instant.blocks.find((block) => block.chainId === BigInt(rollup.chainId))?.blockNumber ?? 0n) >=
            (heads[i] as bigint),
        ),
      "a posted superblock past the rollups' heads",
      60_000,
    );
  }

  /**
   * `owner` (default the filler) deposits `amount` of `token` (default JUSD) as collateral on 902; agents
   * relay its credit to the hub, then stop.
   */
  async function depositOn902(amount: bigint, { key, token }: { key?: Hex; token?: Address } = {}) {
    const { manifest } = devnet;
    const b = rollupOf(manifest, 902);
    const ownerKey = key ?? manifest.accounts.filler.privateKey;
    const asset = token ?? b.contracts.bridgedToken;
    const credited = () =>
      clientOf(rollupOf(manifest, 901)).readContract({
        address: manifest.margin.engine,
        abi: marginEngineAbi,
        functionName: "collateralOf",
        args: [privateKeyToAccount(ownerKey).address, 902n, asset],
      });
    const before = await credited();
    await depositCollateral(walletClientFor(b, ownerKey), manifest, { amount, token: asset });
    const agents = createAgents(manifest, { dataDir: devnet.dataDir }, silentLogger);
    for (const agent of agents) await agent.start();
    try {
      await waitUntil(credited, (now) => now >= before + amount, "the deposit credited at the hub", 60_000);
    } finally {
      for (const agent of agents) await agent.stop();
    }
  }

  /**
   * The sequencer delivers a payout within the superblock, so no posted superblock shows it in flight:
   * `source` read at an instant built from the hub's block `hubBlock` and any 902 block (it reads block
   * numbers only), and the 902 block the payout `messageId` landed in.
   */
  async function aroundDelivery(source: LiabilitySource, messageId: Hex, hubBlock: bigint) {
    const { manifest } = devnet;
    const b = rollupOf(manifest, 902);
    const [delivered] = await waitUntil(
      () =>
        clientOf(b).getLogs({
          address: b.contracts.inbox,
          event: getAbiItem({ abi: inboxAbi, name: "MessageDelivered" }),
          args: { id: messageId },
          fromBlock: 0n,
        }),
      (logs) => logs.length > 0,
      "the payout delivered on 902",
      60_000,
    );
    const landed = (delivered as { blockNumber: bigint }).blockNumber;
    const block = (chainId: bigint, blockNumber: bigint) => ({
      chainId,
      blockNumber,
      blockHash: zeroHash,
      outboxCount: 0n,
      outboxRoot: zeroHash,
    });
    const at = (block902: bigint) =>
      source.collect(
        sourceContext(manifest, {
          superblockHeight: 0n,
          blocks: [block(901n, hubBlock), block(902n, block902)],
        }),
      );
    return { landed, at };
  }

  before(async () => {
    devnet = await startTestDevnet({ sequencer: { superblockTimeMs: 250 }, agents: false });
  });

  after(async () => {
    await releaseProvingThreads();
    await devnet?.stop();
  });

  it("publishes an epoch whose liabilities match what the apps owe, at ratio 1, and every proof verifies", async () => {
    const { manifest } = devnet;
    const hub = rollupOf(manifest, 901);
    const b = rollupOf(manifest, 902);
    const user = walletClientFor(hub, manifest.accounts.user.privateKey);
    const filler = walletClientFor(b, manifest.accounts.filler.privateKey);
    // The user becomes an LP of 901's pool with 1,000 JUSD…
    for (const [functionName, args] of [
      ["approve", [hub.contracts.liquidityPool, jusd("1000")]],
      ["deposit", [jusd("1000"), user.account.address]],
    ] as const) {
      const hash =
        functionName === "approve"
          ? await user.writeContract({
              address: hub.contracts.bridgedToken,
              abi: erc20Abi,
              functionName,
              args,
            })
          : await user.writeContract({
              address: hub.contracts.liquidityPool,
              abi: liquidityPoolAbi,
              functionName,
              args: args as readonly [bigint, Address],
            });
      await clientOf(hub).waitForTransactionReceipt({ hash });
    }
    // … and puts 500 JUSD of margin collateral in at the hub (credited at once); the filler deposits 300
    // on 902, whose credit message stays in flight (this devnet runs no relayer).
    await depositCollateral(user, manifest, { amount: jusd("500") });
    const inFlight = await depositCollateral(filler, manifest, { amount: jusd("300") });
    assert.ok(inFlight.messageId);
    // And locks 1 ETH in 901's bridge for its wrapper on 902: custody in flight, owed to the recipient.
    await lockAndBridge(user, manifest, { amount: parseEther("1"), destinationChainId: 902 });
    await postedSuperblockAfterNow();

    // One epoch through the CLI, as an operator runs it once.
    // With --zk: every tree here has at most 8 users, so each is proven in range on the L1.
    const published = await runCli(["solvency", "publish", "--once", "--zk", "--data-dir", devnet.dataDir]);
    assert.equal(published.code, 0, published.stderr);
    const once = JSON.parse(published.stdout);
    assert.equal(once.published, true);
    assert.deepEqual(once.ranges, { proven: ["ETH", "JUSD", "tETH"], skipped: [] });
    const epoch = await getSolvencyEpoch(manifest);
    assert.equal(epoch.epoch, 1n);
    const owed = SEED * 2n + jusd("1800");
    assert.deepEqual(
      epoch.assets.map(({ asset, liabilities, reserves, solvent }) => ({
        asset,
        liabilities,
        reserves,
        solvent,
      })),
      [
        { asset: "ETH", liabilities: parseEther("1"), reserves: parseEther("1"), solvent: true },
        { asset: "JUSD", liabilities: owed, reserves: owed, solvent: true },
        { asset: "tETH", liabilities: 0n, reserves: 0n, solvent: true },
      ],
    );
    assert.equal(epoch.assets.find((entry) => entry.asset === "JUSD")?.ratio, 1);

    const archive = loadArchive(devnet.dataDir, epoch.superblockHeight);
    const balances = Object.fromEntries(archive.users.map((entry) => [entry.user, entry.balances]));
    assert.deepEqual(balances, {
      [manifest.accounts.deployer.address]: { JUSD: SEED * 2n },
      [manifest.accounts.user.address]: { JUSD: jusd("1500"), ETH: parseEther("1") },
      [manifest.accounts.filler.address]: { JUSD: jusd("300") },
    });
    // The JUSD tree (3 users) is one batch of the zk circuit (depth 3): its range and coverage proven on the L1.
    const prover = walletClientFor(manifest.l1, manifest.accounts.prover.privateKey);
    assert.equal(
      await clientOf(manifest.l1).readContract({
        address: (manifest.solvency as NonNullable<typeof manifest.solvency>).registry,
        abi: solvencyRegistryAbi,
        functionName: "rangeProven",
        args: [1n, assetId("JUSD")],
      }),
      true,
    );
    // Already proven: proving again submits nothing.
    assert.deepEqual(
      (await proveEpochRange(prover, manifest, archive, { epoch: 1n, asset: "JUSD" })).transactionHashes,
      [],
    );
    for (const entry of archive.users) {
      const proof = await proveSolvency(archive, { epoch: epoch.epoch, user: entry.user });
      const checked = await verifySolvencyProof(manifest, proof, { balances: entry.balances });
      assert.deepEqual(
        Object.fromEntries(checked.included.map(({ asset, balance }) => [asset, balance])),
        entry.balances,
      );
    }
  });

  it("the CLI proves a user's inclusion, verifies the proof from a file, and prints the ratios", async () => {
    const { manifest } = devnet;
    const user = manifest.accounts.user.address;
    const proved = await runCli(["solvency", "prove", "--user", user, "--data-dir", devnet.dataDir]);
    assert.equal(proved.code, 0, proved.stderr);
    const proofFile = join(devnet.dataDir, "user-proof.json");
    writeFileSync(proofFile, proved.stdout);
    const verified = await runCli(["solvency", "verify", "--proof", proofFile, "--data-dir", devnet.dataDir]);
    assert.equal(verified.code, 0, verified.stderr);
    const output = JSON.parse(verified.stdout);
    assert.equal(output.reservesAudited, 5);
    assert.deepEqual(output.included, [
      { asset: "ETH", balance: parseEther("1").toString(), verifiedOffChain: true, verifiedOnChain: true },
      { asset: "JUSD", balance: jusd("1500").toString(), verifiedOffChain: true, verifiedOnChain: true },
    ]);
    assert.equal(
      output.solvency.find((entry: { asset: string }) => entry.asset === "JUSD").ratio,
      "1.000000",
    );
    // A proof whose balance was raised is refused by name.
    const forged = JSON.parse(proved.stdout);
    forged.proofs.JUSD.leaf.balance = jusd("1501").toString();
    writeFileSync(proofFile, JSON.stringify(forged));
    // The user's recomputed balance differs (1,500 owed): named before any path is checked…
    const refused = await runCli(["solvency", "verify", "--proof", proofFile, "--data-dir", devnet.dataDir]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /the tree counts 1501\d{18}, the user is owed 1500\d{18}/);
    // … and without the balances, the path does not lead to the published root.
    const unbalanced = await runCli([
      "solvency",
      "verify",
      "--proof",
      proofFile,
      "--skip-balances",
      "--data-dir",
      devnet.dataDir,
    ]);
    assert.notEqual(unbalanced.code, 0);
    assert.match(unbalanced.stderr, /RootMismatchError|does not lead to the published root/);
  });

  it("a pool drained by a forged message (FAULT INJECTION) makes the next epoch report JUSD insolvent; a publisher hiding it fails the reserves audit", async () => {
    const { manifest } = devnet;
    const hub = rollupOf(manifest, 901);
    const pool = hub.contracts.liquidityPool;
    const token = hub.contracts.bridgedToken;
    const before = await clientOf(hub).readContract({
      address: token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [pool],
    });
    await injectForgedDrain(hub.nodeRpcUrl as string, token, pool, before);
    await postedSuperblockAfterNow();
    // The publisher agent, as `junction solvency publish` (and devnetSolvencyPublisher) runs it, takes the next epoch.
    const agent = devnetSolvencyPublisher(manifest, {
      dataDir: devnet.dataDir,
      epochMs: 200,
      logger: silentLogger,
      zk: true,
    });
    assert.ok(agent, "the devnet has a SolvencyRegistry");
    await agent.start();
    try {
      const status = await waitUntil(
        () => agent.status(),
        (current) => current.published >= 1 && current.rangesProven >= 2,
        "the publisher's next epoch and its range proofs",
      );
      // ETH and tETH are covered and proven; the insolvent JUSD has no proof, so it is skipped.
      assert.equal(status.rangesProven, 2);
    } finally {
      await agent.stop();
    }
    const epoch = await getSolvencyEpoch(manifest);
    assert.equal(epoch.epoch, 2n);
    const asset = epoch.assets.find((entry) => entry.asset === "JUSD");
    const owed = SEED * 2n + jusd("1800");
    assert.equal(asset?.liabilities, owed);
    assert.equal(asset?.reserves, owed - before);
    assert.equal(asset?.solvent, false);
    assert.ok((asset?.ratio ?? 1) < 0.5);
    // The publisher's zk proofs covered ETH and tETH, not the insolvent JUSD.
    assert.deepEqual(epoch.assets.map((entry) => [entry.asset, entry.rangeProven]).sort(), [
      ["ETH", true],
      ["JUSD", false],
      ["tETH", true],
    ]);
    await auditEpochReserves(manifest, { epoch: 2n });
    // No zk proof of coverage exists for the insolvent epoch.
    const drained = loadArchive(devnet.dataDir, epoch.superblockHeight);
    const prover = walletClientFor(manifest.l1, manifest.accounts.prover.privateKey);
    await assert.rejects(
      proveEpochRange(prover, manifest, drained, { epoch: 2n, asset: "JUSD" }),
      BatchNotProvableError,
    );
    // Nor does epoch 1's valid JUSD proof pass for epoch 2 (another root, other reserves).
    const h = await sumTreeHasher();
    const first = await getSolvencyEpoch(manifest, { epoch: 1n });
    const jusdTree = buildEpochTrees(h, loadArchive(devnet.dataDir, first.superblockHeight)).get(
      "JUSD",
    ) as SumTree;
    const firstReserves = first.assets.find((entry) => entry.asset === "JUSD")?.reserves ?? 0n;
    const batch = await proveBatch(jusdTree.leaves, jusdTree.root.hash, firstReserves);
    await rejects(
      prover.writeContract({
        address: (manifest.solvency as NonNullable<typeof manifest.solvency>).registry,
        abi: solvencyRegistryAbi,
        functionName: "proveBatch",
        args: [2n, assetId("JUSD"), jusdTree.root.hash, batch.proof.a, batch.proof.b, batch.proof.c],
      }),
      "InvalidRangeProof",
    );
    // A publisher that hides the theft by claiming the pool's old balance passes the L1's checks (it
    // cannot check amounts), but not anyone's audit against the chain.
    const instant = await postedSuperblockAfterNow();
    const { archive, trees } = await takeEpoch(manifest, instant, publisherSecret(devnet.dataDir));
    // The drained pool holds no JUSD, so the honest reserves list it not at all: the lie adds it back.
    const key = (r: { chainId: bigint; holder: string; token: string }) =>
      `${r.chainId.toString().padStart(8, "0")}:${r.holder.toLowerCase()}:${r.token.toLowerCase()}`;
    const lie = [
      ...archive.reserves.filter(
        (reserve) => !(reserve.chainId === 901n && reserve.holder === pool && reserve.token === token),
      ),
      { chainId: 901n, blockNumber: blockAt(instant, 901), holder: pool, token, amount: before },
    ].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const publisher = walletClientFor(manifest.l1, solvencyPublisherAccount().privateKey);
    const hash = await publisher.writeContract({
      address: (manifest.solvency as NonNullable<typeof manifest.solvency>).registry,
      abi: solvencyRegistryAbi,
      functionName: "publish",
      args: [instant.superblockHeight, instant.blocks, liabilitiesArgument(trees), lie],
    });
    await clientOf(manifest.l1).waitForTransactionReceipt({ hash });
    assert.equal(
      (await getSolvencyEpoch(manifest, { epoch: 3n })).assets.find((a) => a.asset === "JUSD")?.solvent,
      true,
    );
    await assert.rejects(auditEpochReserves(manifest, { epoch: 3n }), ReserveMismatchError);
    const status = await runCli(["solvency", "status", "--epoch", "2", "--data-dir", devnet.dataDir]);
    assert.equal(status.code, 0, status.stderr);
    // Epoch 2 is older than epoch 3, so the L1 has superblocks past it: the CLI shows how many.
    const second = await getSolvencyEpoch(manifest, { epoch: 2n });
    assert.equal(second.superblocksBehind, second.latestSuperblock - second.superblockHeight);
    assert.ok(second.superblocksBehind > 0n);
    assert.ok(BigInt(JSON.parse(status.stdout).superblocksBehind) > 0n);
    assert.equal(
      JSON.parse(status.stdout).solvency.find((entry: { asset: string }) => entry.asset === "JUSD").solvent,
      false,
    );
  });

  it("a pool fill is counted once while the origin has not settled it (review M3)", async () => {
    const { manifest } = devnet;
    const user = walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey);
    const secret = publisherSecret(devnet.dataDir);
    const input = jusd("50");
    const output = jusd("49.9");
    const recipient = privateKeyToAccount((await fundedKey(manifest)).key).address;
    const { originData } = await openIntent(user, manifest, {
      destinationChainId: 902,
      inputAmount: input,
      outputAmount: output,
      recipient,
    });
    await requestSlowFill(user, manifest, { originData });
    // This devnet runs no agents: relay the open's proof to 902 for a while, then stop, so the pool's
    // FILLED message stays undelivered and the origin's escrow stays Open.
    const agents = createAgents(manifest, { dataDir: devnet.dataDir }, silentLogger);
    for (const agent of agents) await agent.start();
    try {
      await waitUntil(
        () => isOpenProven(manifest, { originData }),
        Boolean,
        "the open proven on 902",
        60_000,
      );
    } finally {
      for (const agent of agents) await agent.stop();
    }
    const epochAt = async () => {
      const { archive, trees } = await takeEpoch(manifest, await postedSuperblockAfterNow(), secret);
      const jusdTokens = new Set(
        manifest.rollups.map((rollup) => rollup.contracts.bridgedToken.toLowerCase()),
      );
      const reserves = archive.reserves
        .filter((reserve) => jusdTokens.has(reserve.token.toLowerCase()))
        .reduce((sum, reserve) => sum + reserve.amount, 0n);
      const owedTo = (who: Address) =>
        archive.users.find((entry) => entry.user === getAddress(who))?.balances.JUSD ?? 0n;
      return { gap: (trees.get("JUSD") as SumTree).root.sum - reserves, owedTo };
    };
    const open = await epochAt();
    const anyone = walletClientFor(rollupOf(manifest, 902), (await fundedKey(manifest)).key);
    await fillFromPool(anyone, manifest, { originData });
    const filled = await epochAt();
    // The recipient was paid from 902's pool (its LPs still count the fill in the share price until it
    // is repaid); the user is no longer owed the escrow. Before the fix, the input stayed owed to the
    // user as well: liabilities − reserves grew by the output. Now it shrinks by the pool's fee, which
    // is the pool's surplus until the repayment lands.
    assert.equal(filled.gap, open.gap - (input - output));
    assert.equal(
      open.owedTo(manifest.accounts.user.address) - filled.owedTo(manifest.accounts.user.address),
      input,
    );
  });

  it("a user's own recomputed balances catch a dropped asset and a lowered balance (review M1); the audit refuses a holder outside the manifest (review H1)", async () => {
    const { manifest } = devnet;
    const registry = (manifest.solvency as NonNullable<typeof manifest.solvency>).registry;
    const user = manifest.accounts.user.address;
    const filler = manifest.accounts.filler.address;
    const instant = await postedSuperblockAfterNow();
    const { archive } = await takeEpoch(manifest, instant, publisherSecret(devnet.dataDir));
    const honest = Object.fromEntries(archive.users.map((entry) => [entry.user, { ...entry.balances }]));
    assert.equal(honest[user]?.ETH, parseEther("1"));
    // A dishonest publisher leaves the user out of the ETH tree, counts the filler 1 wei short, and
    // leaves the deployer (an LP) out altogether.
    const deployerAddress = manifest.accounts.deployer.address;
    const lie = {
      ...archive,
      users: archive.users
        .filter((entry) => entry.user !== deployerAddress)
        .map((entry) => {
          const balances = { ...entry.balances };
          if (entry.user === user) delete balances.ETH;
          if (entry.user === filler) balances.JUSD = (balances.JUSD as bigint) - 1n;
          return { ...entry, balances };
        }),
    };
    saveArchive(devnet.dataDir, lie);
    const trees = buildEpochTrees(await sumTreeHasher(), lie);
    // And the registry's owner lists the user's own wallet as a holder, to pad the ETH reserves.
    const deployer = walletClientFor(manifest.l1, manifest.accounts.deployer.privateKey);
    const listing = await deployer.writeContract({
      address: registry,
      abi: solvencyRegistryAbi,
      functionName: "listHolder",
      args: [901n, user, true],
    });
    await clientOf(manifest.l1).waitForTransactionReceipt({ hash: listing });
    const blockNumber = blockAt(instant, 901);
    const wallet = await clientOf(rollupOf(manifest, 901)).getBalance({ address: user, blockNumber });
    const key = (r: { chainId: bigint; holder: string; token: string }) =>
      `${r.chainId.toString().padStart(8, "0")}:${r.holder.toLowerCase()}:${r.token.toLowerCase()}`;
    const reserves = [
      ...archive.reserves,
      { chainId: 901n, blockNumber, holder: user, token: zeroAddress, amount: wallet },
    ].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const publisher = walletClientFor(manifest.l1, solvencyPublisherAccount().privateKey);
    const hash = await publisher.writeContract({
      address: registry,
      abi: solvencyRegistryAbi,
      functionName: "publish",
      args: [instant.superblockHeight, instant.blocks, liabilitiesArgument(trees), reserves],
    });
    await clientOf(manifest.l1).waitForTransactionReceipt({ hash });
    const epoch = (await getSolvencyEpoch(manifest)).epoch;
    assert.equal(epoch, 4n);

    // The user's expectation comes from the chains at the epoch's blocks, not from the publisher.
    const owed = await getOwedBalances(manifest, { epoch, user });
    assert.deepEqual(owed, honest[user]);
    const proof = await proveSolvency(lie, { epoch, user });
    assert.deepEqual(Object.keys(proof.proofs), ["JUSD"]);
    // The path checks alone pass (the review's P2); the expected balances do not.
    await verifySolvencyProof(manifest, proof);
    await assert.rejects(verifySolvencyProof(manifest, proof, { balances: owed }), UserNotIncludedError);
    const fillerProof = await proveSolvency(lie, { epoch, user: filler });
    await assert.rejects(
      verifySolvencyProof(manifest, fillerProof, {
        balances: await getOwedBalances(manifest, { epoch, user: filler }),
      }),
      BalanceMismatchError,
    );
    // `junction solvency verify --user` recomputes by default.
    const cli = await runCli(["solvency", "verify", "--user", user, "--data-dir", devnet.dataDir]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /the proof has no ETH leaf/);
    // A user with no leaf at all learns it from what the chains say they were owed.
    const absent = await runCli([
      "solvency",
      "verify",
      "--user",
      deployerAddress,
      "--data-dir",
      devnet.dataDir,
    ]);
    assert.notEqual(absent.code, 0);
    assert.match(absent.stderr, /has no leaf for 0x[0-9a-fA-F]{40}/);
    assert.match(absent.stderr, /the apps owed \d+ JUSD then/);
    const lenient = await runCli([
      "solvency",
      "verify",
      "--user",
      filler,
      "--skip-balances",
      "--data-dir",
      devnet.dataDir,
    ]);
    // Without the balances the path checks pass, and the reserves audit refuses the user's wallet.
    assert.notEqual(lenient.code, 0);
    assert.match(lenient.stderr, /is not a holding contract of this network/);
    await assert.rejects(auditEpochReserves(manifest, { epoch }), UnlistedHolderError);
  });

  it("native ETH a bridge owes a receiver that refused it is a liability (review M2: SafePayments owed)", async () => {
    const { manifest } = devnet;
    const a = rollupOf(manifest, 901);
    const b = rollupOf(manifest, 902);
    const userA = walletClientFor(a, manifest.accounts.user.privateKey);
    const userB = walletClientFor(b, manifest.accounts.user.privateKey);
    const deployerA = walletClientFor(a, manifest.accounts.deployer.privateKey);
    const deployed = await deployerA.deployContract({
      abi: etherRefuserAbi,
      bytecode: etherRefuserBytecode,
      args: [],
    });
    const refuser = (await clientOf(a).waitForTransactionReceipt({ hash: deployed }))
      .contractAddress as Address;
    // Relay for a while: the lock to 902, then its wrapper bridged back to a receiver that refuses ETH.
    const agents = createAgents(manifest, { dataDir: devnet.dataDir }, silentLogger);
    for (const agent of agents) await agent.start();
    try {
      const sent = await lockAndBridge(userA, manifest, { amount: parseEther("1"), destinationChainId: 902 });
      await waitForDelivery(manifest, { id: sent.messageId, timeoutMs: 120_000 });
      const hash = await userB.writeContract({
        address: b.contracts.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "bridge",
        args: [sent.wrappedToken, parseEther("1"), 901n, refuser],
      });
      const receipt = await clientOf(b).waitForTransactionReceipt({ hash });
      const [back] = parseEventLogs({ abi: tokenBridgeAbi, logs: receipt.logs, eventName: "TransferSent" });
      await waitForDelivery(manifest, {
        id: (back as { args: { messageId: Hex } }).args.messageId,
        timeoutMs: 120_000,
      });
    } finally {
      for (const agent of agents) await agent.stop();
    }
    const owedByBridge = await clientOf(a).readContract({
      address: a.contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "owed",
      args: [refuser],
    });
    assert.equal(owedByBridge, parseEther("1"));
    const { archive, trees } = await takeEpoch(
      manifest,
      await postedSuperblockAfterNow(),
      publisherSecret(devnet.dataDir),
    );
    assert.equal(
      archive.users.find((entry) => entry.user === getAddress(refuser))?.balances.ETH,
      parseEther("1"),
    );
    // The bridge still holds the refused ETH: now it is owed as well, and ETH's reserves match its liabilities.
    const ethReserves = archive.reserves
      .filter((reserve) => reserve.token === zeroAddress)
      .reduce((sum, reserve) => sum + reserve.amount, 0n);
    assert.equal((trees.get("ETH") as SumTree).root.sum, ethReserves);
  });

  it("an open HashedTimelock lock and an order gateway's escrow are liabilities, their contracts reserves (review M2)", async () => {
    const { manifest } = devnet;
    const secret = publisherSecret(devnet.dataDir);
    const hub = rollupOf(manifest, 901);
    const b = rollupOf(manifest, 902);
    const orderbook = manifest.orderbook as NonNullable<typeof manifest.orderbook>;
    const totals = async () => {
      const { archive, trees } = await takeEpoch(manifest, await postedSuperblockAfterNow(), secret);
      const held = (holder: Address, token: Address) =>
        archive.reserves
          .filter((reserve) => reserve.holder === holder && reserve.token === token)
          .reduce((sum, reserve) => sum + reserve.amount, 0n);
      return {
        eth: (trees.get("ETH") as SumTree).root.sum,
        teth: (trees.get("tETH") as SumTree).root.sum,
        htlcEth: held(b.contracts.htlc, zeroAddress),
        gatewayTeth: held(orderbook.gateway, manifest.margin.testAsset),
      };
    };
    // Run alone, this test may start before the sequencer posted its first superblock.
    await waitUntil(
      () =>
        getPostedSuperblock(
          clientOf(manifest.l1),
          manifest.l1.contracts.superblockLog,
          manifest.l1.deployBlock,
        ).catch(() => undefined),
      (instant) => instant !== undefined,
      "a first posted superblock",
      60_000,
    );
    const before = await totals();
    // The user locks 0.25 ETH in 902's HashedTimelock for the filler (an atomic swap's first leg)…
    const user902 = walletClientFor(b, manifest.accounts.user.privateKey);
    const locked = parseEther("0.25");
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const lockHash = await user902.writeContract({
      address: b.contracts.htlc,
      abi: hashedTimelockAbi,
      functionName: "lock",
      args: [manifest.accounts.filler.address, zeroAddress, locked, keccak256(toHex("preimage")), deadline],
      value: locked,
    });
    await clientOf(b).waitForTransactionReceipt({ hash: lockHash });
    // … and places a sell of 3 tETH on 901's gateway far above any bid (no matcher runs here).
    const user901 = walletClientFor(hub, manifest.accounts.user.privateKey);
    const escrowed = parseEther("3");
    for (const hash of [
      await user901.writeContract({
        address: manifest.margin.testAsset,
        abi: erc20Abi,
        functionName: "approve",
        args: [orderbook.gateway, escrowed],
      }),
      await user901.writeContract({
        address: orderbook.gateway,
        abi: orderGatewayAbi,
        functionName: "place",
        args: [orderbook.marketId, false, parseEther("1000000"), escrowed],
      }),
    ]) {
      assert.equal((await clientOf(hub).waitForTransactionReceipt({ hash })).status, "success");
    }
    const after = await totals();
    // Liabilities rise by exactly what is locked and escrowed (without the htlc and orderbook sources
    // they would not move), and so do the reserves of the two contracts that now hold it.
    assert.equal(after.eth - before.eth, locked);
    assert.equal(after.teth - before.teth, escrowed);
    assert.equal(after.htlcEth - before.htlcEth, locked);
    assert.equal(after.gatewayTeth - before.gatewayTeth, escrowed);
  });

  it("a margin withdrawal is owed to its receiver at every 902 block before the vault's release lands (margin-withdrawals, review M2)", async () => {
    const { manifest } = devnet;
    const filler = manifest.accounts.filler;
    // The filler puts 200 JUSD of collateral in on 902.
    await depositOn902(jusd("200"));
    const receiver = privateKeyToAccount((await fundedKey(manifest)).key).address;
    const { txHash, messageId } = await requestWithdrawal(
      walletClientFor(rollupOf(manifest, 901), filler.privateKey),
      manifest,
      { chainId: 902, amount: jusd("150"), receiver },
    );
    assert.ok(messageId);
    const requested = (await clientOf(rollupOf(manifest, 901)).getTransactionReceipt({ hash: txHash }))
      .blockNumber;
    const { landed, at } = await aroundDelivery(marginWithdrawalsInFlight, messageId, requested);
    assert.deepEqual(await at(landed - 1n), [
      { source: "margin-withdrawals", user: receiver, asset: "JUSD", amount: jusd("150") },
    ]);
    assert.deepEqual(await at(landed), []);
  });

  it("collateral a liquidation seized on 902 is owed to the liquidator until the vault pays it (margin-seizures)", async () => {
    const { manifest } = devnet;
    const kit = marginKit(devnet);
    const trader = await kit.trader();
    await kit.mintTestAsset(trader.address, 902, parseEther("1"));
    await depositOn902(parseEther("1"), { key: trader.key, token: manifest.margin.testAsset });
    // 1 tETH counts $2,400 at $3,000: a 7 ETH long needs $2,100. A 30 % fall leaves it far under water.
    await kit.open(kit.wallet(trader.key, 901), { size: parseEther("7") });
    const crashed = (MARGIN_DEFAULTS.prices.ETH * 70n) / 100n;
    await kit.setPrices({ ETH: crashed });
    const keeper = manifest.accounts.keeper;
    const { txHash, messageId, seized } = await liquidate(kit.wallet(keeper.privateKey, 901), manifest, {
      account: trader.address,
      chainId: 902,
      token: manifest.margin.testAsset,
      maxRepay: parseEther("100000"),
    });
    assert.ok(messageId && seized > 0n, `seized ${seized} on 902`);
    const hubBlock = (await kit.hub.getTransactionReceipt({ hash: txHash })).blockNumber;
    const { landed, at } = await aroundDelivery(marginSeizuresInFlight, messageId, hubBlock);
    assert.deepEqual(await at(landed - 1n), [
      { source: "margin-seizures", user: keeper.address, asset: "tETH", amount: seized },
    ]);
    assert.deepEqual(await at(landed), []);
    // The prices back where the other tests expect them.
    await kit.setPrices({ ETH: MARGIN_DEFAULTS.prices.ETH });
  });

  it("a release over the vault's cap is held and still owed to its receiver until claimed (owed-tokens)", async () => {
    const { manifest } = devnet;
    const b = rollupOf(manifest, 902);
    const vault = { address: manifest.margin.vault, abi: collateralVaultAbi } as const;
    const owner = walletClientFor(b, manifest.accounts.deployer.privateKey);
    const setCap = async (cap: bigint) => {
      const hash = await owner.writeContract({
        ...vault,
        functionName: "setReleaseLimit",
        args: [b.contracts.bridgedToken, cap, 86_400n],
        // An estimate in the block of an earlier write to the same slots can undercount: fixed gas.
        gas: 200_000n,
      });
      assert.equal((await clientOf(b).waitForTransactionReceipt({ hash })).status, "success");
    };
    await depositOn902(jusd("50"));
    // The cap leaves 1 JUSD a day.
    await setCap(jusd("1"));
    const receiver = privateKeyToAccount((await fundedKey(manifest)).key).address;
    const { messageId } = await requestWithdrawal(
      walletClientFor(rollupOf(manifest, 901), manifest.accounts.filler.privateKey),
      manifest,
      { chainId: 902, amount: jusd("40"), receiver },
    );
    assert.ok(messageId);
    await waitUntil(
      () =>
        clientOf(b).readContract({
          ...vault,
          functionName: "heldPayouts",
          args: [receiver, b.contracts.bridgedToken],
        }),
      (amount) => amount === jusd("40"),
      "the release held over the cap on 902",
      60_000,
    );
    const owed = async () => {
      const instant = await postedSuperblockAfterNow();
      return (await tokenPayoutsOwed.collect(sourceContext(manifest, instant))).filter(
        (entry) => entry.user === receiver,
      );
    };
    assert.deepEqual(await owed(), [
      { source: "owed-tokens", user: receiver, asset: "JUSD", amount: jusd("40") },
    ]);
    assert.equal(
      await clientOf(b).readContract({
        address: b.contracts.bridgedToken,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [receiver],
      }),
      0n,
    );
    // The owner raises the cap again; anyone's claim pays the receiver, and nothing is owed any more.
    await setCap(jusd("10000000"));
    const claim = await owner.writeContract({
      ...vault,
      functionName: "claimHeldPayout",
      args: [receiver, b.contracts.bridgedToken],
    });
    assert.equal((await clientOf(b).waitForTransactionReceipt({ hash: claim })).status, "success");
    assert.equal(
      await clientOf(b).readContract({
        address: b.contracts.bridgedToken,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [receiver],
      }),
      jusd("40"),
    );
    assert.deepEqual(await owed(), []);
  });
});

/**
 * FAULT INJECTION (test only): stands for a forged message that made the pool pay its JUSD out — the
 * effect a false checkpoint accepted by a verifier would have. Sets the pool's JUSD balance to zero in
 * the token's storage on the rollup's node (behind the sequencer), leaving the pool's own accounting as it
 * was, as a real theft would.
 */
async function injectForgedDrain(nodeRpcUrl: string, token: Address, pool: Address, balance: bigint) {
  for (let slot = 0n; slot < 10n; slot++) {
    const key = keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [pool, slot]));
    const stored = await rpcCall<Hex>(nodeRpcUrl, "eth_getStorageAt", [token, key, "latest"]);
    if (BigInt(stored) !== balance) continue;
    await rpcCall(nodeRpcUrl, "anvil_setStorageAt", [token, key, pad(toHex(0n))]);
    return;
  }
  throw new Error("the token's balance slot of the pool was not found");
}
