// SolvencyRegistry on a real anvil node: epochs bound to a posted superblock, reserves at mismatched
// heights refused, and every user's proof of the TypeScript sum tree verified on chain (tampered ones
// refused by name).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, pad, stringToHex, zeroAddress } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../../src/chain/clients.js";
import { solvencyRegistryAbi } from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { seededRandom } from "../../src/protocol/prng.js";
import {
  buildSumTree,
  FIELD_MODULUS,
  type SumLeaf,
  type SumProof,
  type SumTreeHasher,
  sumProof,
  sumTreeHasher,
  verifySumProof,
} from "../../src/protocol/sum-tree.js";
import { assetId } from "../../src/solvency/assets.js";
import type { RollupBlock } from "../../src/solvency/instant.js";
import { rejects } from "../helpers/chain.js";
import { type ContractNode, startContractNode } from "../helpers/contract-node.js";
import { deploySolvencyL1, type SolvencyL1 } from "../helpers/solvency-l1.js";

const JUSD = "0x00000000000000000000000000000000000000aa" as Address;
const TETH = "0x00000000000000000000000000000000000000bb" as Address;
const POOL = "0x0000000000000000000000000000000000000c01" as Address;
const VAULT = "0x0000000000000000000000000000000000000c02" as Address;
const ASSETS = [assetId("JUSD"), assetId("tETH"), assetId("ETH")];

describe("SolvencyRegistry", () => {
  let l1: ContractNode;
  let solvencyL1: SolvencyL1;
  let client: JunctionPublicClient;
  let deployer: JunctionWalletClient;
  let publisher: JunctionWalletClient;
  let _log: Address;
  let registry: Address;
  let h: SumTreeHasher;
  let height = 0n;
  const accounts = devnetAccounts();

  /** Posts the next superblock (the deployer plays the sequencer), at these blocks of 901 and 902. */
  async function postSuperblock(blockNumbers: [bigint, bigint]) {
    const superblock = await solvencyL1.postSuperblock(blockNumbers);
    height = superblock.height;
    return superblock;
  }

  function leavesOf(balances: bigint[]): SumLeaf[] {
    return balances
      .map((balance, i) => ({ saltedId: h.saltedId(BigInt(0xa000 + i), 77n), balance }))
      .sort((a, b) => (a.saltedId < b.saltedId ? -1 : 1));
  }

  type LiabilityEntry = { asset: Hex; root: bigint; total: bigint };

  /** The entries given, plus an empty tree (total 0) for every other listed asset, sorted by asset. */
  function complete(liabilities: LiabilityEntry[]): LiabilityEntry[] {
    const empty = buildSumTree(h, []).root;
    const missing = ASSETS.filter((asset) => !liabilities.some((entry) => entry.asset === asset));
    return [...liabilities, ...missing.map((asset) => ({ asset, root: empty.hash, total: 0n }))].sort(
      (a, b) => (a.asset < b.asset ? -1 : 1),
    );
  }

  async function publish(
    superblock: { height: bigint; blocks: RollupBlock[] },
    liabilities: LiabilityEntry[],
    reserves: { chainId: bigint; blockNumber: bigint; holder: Address; token: Address; amount: bigint }[],
  ) {
    const hash = await publisher.writeContract({
      address: registry,
      abi: solvencyRegistryAbi,
      functionName: "publish",
      args: [superblock.height, superblock.blocks, complete(liabilities), reserves],
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
  }

  const verifyOnChain = (epoch: bigint, asset: Hex, proof: SumProof) =>
    client.readContract({
      address: registry,
      abi: solvencyRegistryAbi,
      functionName: "verifyInclusion",
      args: [
        epoch,
        asset,
        proof.leaf.saltedId,
        proof.leaf.balance,
        BigInt(proof.index),
        proof.siblings.map((sibling) => sibling.hash),
        proof.siblings.map((sibling) => sibling.sum),
      ],
    });

  before(async () => {
    h = await sumTreeHasher();
    l1 = await startContractNode(900);
    client = l1.client;
    deployer = l1.wallet;
    publisher = l1.walletOf(accounts.proposer.privateKey);
    solvencyL1 = await deploySolvencyL1(l1, {
      rollups: [901, 902],
      tokens: [901, 902].flatMap((chainId) => [
        { chainId, token: JUSD, symbol: "JUSD" },
        { chainId, token: TETH, symbol: "tETH" },
        { chainId, token: zeroAddress, symbol: "ETH" },
      ]),
      holders: [901, 902].flatMap((chainId) => [
        { chainId, holder: POOL },
        { chainId, holder: VAULT },
      ]),
    });
    ({ registry } = solvencyL1.solvency);
  });

  after(async () => {
    await l1?.node.stop();
  });

  it("publishes an epoch at a posted superblock and every user's proof verifies on chain", async () => {
    const tree = buildSumTree(h, leavesOf([5n, 10n ** 18n, 0n, 123_456_789n, 7n, 2n ** 95n]));
    const superblock = await postSuperblock([40n, 41n]);
    await publish(
      superblock,
      [{ asset: assetId("JUSD"), root: tree.root.hash, total: tree.root.sum }],
      [
        { chainId: 901n, blockNumber: 40n, holder: POOL, token: JUSD, amount: 2n ** 95n },
        { chainId: 901n, blockNumber: 40n, holder: VAULT, token: JUSD, amount: 10n ** 18n },
        { chainId: 902n, blockNumber: 41n, holder: POOL, token: JUSD, amount: 200_000_000n },
      ],
    );
    const epoch = await client.readContract({
      address: registry,
      abi: solvencyRegistryAbi,
      functionName: "epochCount",
    });
    assert.equal(epoch, 1n);
    const [root, liabilities, reserves] = await client.readContract({
      address: registry,
      abi: solvencyRegistryAbi,
      functionName: "solvencyOf",
      args: [epoch, assetId("JUSD")],
    });
    assert.equal(root, tree.root.hash);
    assert.equal(liabilities, tree.root.sum);
    assert.equal(reserves, 2n ** 95n + 10n ** 18n + 200_000_000n);
    assert.equal(
      await client.readContract({
        address: registry,
        abi: solvencyRegistryAbi,
        functionName: "isSolvent",
        args: [epoch, assetId("JUSD")],
      }),
      true,
    );
    for (let i = 0; i < tree.leaves.length; i++) {
      assert.equal(await verifyOnChain(epoch, assetId("JUSD"), sumProof(h, tree, i)), true);
    }
  });

  it("refuses tampered proofs by name: balance, position, field-negative sum, overflowing sum, long balance", async () => {
    const tree = buildSumTree(h, leavesOf([1n, 2n, 3n, 4n, 5n]));
    await publish(
      await postSuperblock([50n, 51n]),
      [{ asset: assetId("JUSD"), root: tree.root.hash, total: tree.root.sum }],
      [],
    );
    const proof = sumProof(h, tree, 2);
    const asset = assetId("JUSD");
    await rejects(
      verifyOnChain(2n, asset, { ...proof, leaf: { ...proof.leaf, balance: 4n } }),
      "InclusionRootMismatch",
    );
    await rejects(verifyOnChain(2n, asset, { ...proof, index: 3 }), "InclusionRootMismatch");
    await rejects(verifyOnChain(2n, asset, { ...proof, index: 8 }), "InvalidPath");
    const negative = structuredClone(proof);
    (negative.siblings[0] as { sum: bigint }).sum = FIELD_MODULUS - 1n;
    await rejects(verifyOnChain(2n, asset, negative), "SumOutOfRange");
    const overflowing = structuredClone(proof);
    (overflowing.siblings[1] as { sum: bigint }).sum = 2n ** 128n - 2n;
    await rejects(verifyOnChain(2n, asset, overflowing), "SumOutOfRange");
    await rejects(
      verifyOnChain(2n, asset, { ...proof, leaf: { ...proof.leaf, balance: 2n ** 96n } }),
      "BalanceOutOfRange",
    );
    await rejects(verifyOnChain(2n, stringToHex("DOGE", { size: 32 }), proof), "UnknownAsset");
    await rejects(verifyOnChain(9n, asset, proof), "UnknownEpoch");
  });

  it("records an insolvent asset as such: reserves below liabilities", async () => {
    const tree = buildSumTree(h, leavesOf([100n, 200n]));
    await publish(
      await postSuperblock([60n, 61n]),
      [{ asset: assetId("tETH"), root: tree.root.hash, total: tree.root.sum }],
      [{ chainId: 902n, blockNumber: 61n, holder: VAULT, token: TETH, amount: 299n }],
    );
    assert.equal(
      await client.readContract({
        address: registry,
        abi: solvencyRegistryAbi,
        functionName: "isSolvent",
        args: [3n, assetId("tETH")],
      }),
      false,
    );
  });

  it("refuses reserves at mismatched heights, an unposted superblock, double-counted reserves, unlisted tokens or holders, a stale superblock, and strangers", async () => {
    const tree = buildSumTree(h, leavesOf([1n]));
    const liabilities = complete([{ asset: assetId("JUSD"), root: tree.root.hash, total: tree.root.sum }]);
    const superblock = await postSuperblock([70n, 71n]);
    const at = (chainId: bigint, blockNumber: bigint, holder = POOL, token = JUSD) => ({
      chainId,
      blockNumber,
      holder,
      token,
      amount: 1n,
    });
    const send = (
      sb: { height: bigint; blocks: RollupBlock[] },
      reserves: ReturnType<typeof at>[],
      wallet = publisher,
    ) =>
      wallet.writeContract({
        address: registry,
        abi: solvencyRegistryAbi,
        functionName: "publish",
        args: [sb.height, sb.blocks, liabilities, reserves],
      });
    // 902's reserve read one block later than the superblock's block of 902.
    await rejects(send(superblock, [at(901n, 70n), at(902n, 72n)]), "HeightMismatch");
    const forged = superblock.blocks.map((block) => ({ ...block, blockNumber: block.blockNumber + 1n }));
    await rejects(send({ height: superblock.height, blocks: forged }, [at(901n, 71n)]), "UnknownSuperblock");
    await rejects(
      send({ height: superblock.height + 5n, blocks: superblock.blocks }, []),
      "UnknownSuperblock",
    );
    await rejects(send(superblock, [at(901n, 70n), at(901n, 70n)]), "ReservesNotSorted");
    await rejects(send(superblock, [at(903n, 70n)]), "RollupNotInSuperblock");
    await rejects(send(superblock, [at(901n, 70n, POOL, POOL)]), "UnlistedToken");
    // The operator's own wallet is no reserve, whatever it holds.
    await rejects(send(superblock, [at(901n, 70n, accounts.deployer.address, JUSD)]), "UnlistedHolder");
    await rejects(send(superblock, [], deployer), "NotPublisher");
    // Another height's commitment does not match these blocks.
    await rejects(send({ height: 1n, blocks: superblock.blocks }, []), "UnknownSuperblock");
    await publish(superblock, liabilities, [at(901n, 70n), at(902n, 71n)]);
    await rejects(send(superblock, []), "StaleSuperblock");
  });

  it("refuses an epoch that leaves out a listed asset or reports an unlisted one; a delisted asset is no longer required", async () => {
    const jusd = buildSumTree(h, leavesOf([100n]));
    const teth = buildSumTree(h, leavesOf([50n]));
    const superblock = await postSuperblock([80n, 81n]);
    const send = (liabilities: LiabilityEntry[], reserves: Parameters<typeof publish>[2] = []) =>
      publisher.writeContract({
        address: registry,
        abi: solvencyRegistryAbi,
        functionName: "publish",
        args: [superblock.height, superblock.blocks, liabilities, reserves],
      });
    const all = complete([
      { asset: assetId("JUSD"), root: jusd.root.hash, total: jusd.root.sum },
      { asset: assetId("tETH"), root: teth.root.hash, total: teth.root.sum },
    ]);
    assert.deepEqual(
      [
        ...(await client.readContract({
          address: registry,
          abi: solvencyRegistryAbi,
          functionName: "listedAssets",
        })),
      ].sort(),
      [...ASSETS].sort(),
    );
    // The review's P1: an insolvent tETH simply left out of the epoch.
    const withoutTeth = all.filter((entry) => entry.asset !== assetId("tETH"));
    await rejects(send(withoutTeth), "AssetNotReported");
    await rejects(send([]), "AssetNotReported");
    // Nor can a reserve of tETH be reported while tETH is not.
    await rejects(
      send(withoutTeth, [{ chainId: 901n, blockNumber: 80n, holder: VAULT, token: TETH, amount: 1n }]),
      "AssetNotReported",
    );
    const unlisted = stringToHex("DOGE", { size: 32 });
    await rejects(
      send(
        [...all, { asset: unlisted, root: jusd.root.hash, total: 0n }].sort((a, b) =>
          a.asset < b.asset ? -1 : 1,
        ),
      ),
      "UnlistedAsset",
    );
    await publish(superblock, all, []);
    // Once every tETH token is delisted, epochs no longer report tETH.
    const owner = { address: registry, abi: solvencyRegistryAbi, functionName: "listToken" } as const;
    const hashes = [
      await deployer.writeContract({ ...owner, args: [901n, TETH, pad("0x", { size: 32 })] }),
      await deployer.writeContract({ ...owner, args: [902n, TETH, pad("0x", { size: 32 })] }),
    ];
    for (const hash of hashes) await client.waitForTransactionReceipt({ hash });
    const next = await postSuperblock([82n, 83n]);
    const hash = await publisher.writeContract({
      address: registry,
      abi: solvencyRegistryAbi,
      functionName: "publish",
      args: [next.height, next.blocks, all.filter((entry) => entry.asset !== assetId("tETH")), []],
    });
    assert.equal((await client.waitForTransactionReceipt({ hash })).status, "success");
    for (const chainId of [901n, 902n]) {
      const relist = await deployer.writeContract({ ...owner, args: [chainId, TETH, assetId("tETH")] });
      await client.waitForTransactionReceipt({ hash: relist });
    }
  });

  it("verifyInclusion refuses a saltedId aliased by p, the padding leaf (0, 0) and a sibling hash aliased by p (review L2)", async () => {
    const tree = buildSumTree(h, leavesOf([9n, 3n, 4n]));
    await publish(
      await postSuperblock([90n, 91n]),
      [{ asset: assetId("JUSD"), root: tree.root.hash, total: tree.root.sum }],
      [],
    );
    const epoch = await client.readContract({
      address: registry,
      abi: solvencyRegistryAbi,
      functionName: "epochCount",
    });
    const asset = assetId("JUSD");
    const proof = sumProof(h, tree, 0);
    assert.equal(await verifyOnChain(epoch, asset, proof), true);
    // Poseidon reads its inputs modulo p: saltedId + p hashes like saltedId, a second encoding of the leaf.
    await rejects(
      verifyOnChain(epoch, asset, {
        ...proof,
        leaf: { ...proof.leaf, saltedId: proof.leaf.saltedId + FIELD_MODULUS },
      }),
      "NotAFieldElement",
    );
    const aliasedSibling = structuredClone(proof);
    (aliasedSibling.siblings[1] as { hash: bigint }).hash += FIELD_MODULUS;
    await rejects(verifyOnChain(epoch, asset, aliasedSibling), "NotAFieldElement");
    // The padding leaf past the last user is no user's leaf.
    const padding: SumProof = {
      index: 3,
      leaf: { saltedId: 0n, balance: 0n },
      siblings: [tree.levels[0]?.[2], tree.levels[1]?.[0]] as SumProof["siblings"],
    };
    assert.equal(tree.depth, 2);
    await rejects(verifyOnChain(epoch, asset, padding), "NotAFieldElement");
  });

  it("the TypeScript twin and verifyInclusion agree on random trees (sizes 1-70, random leaves)", async () => {
    const random = seededRandom(16);
    for (let round = 0; round < 8; round++) {
      const size = 1 + Math.floor(random() * 70);
      const balances = Array.from({ length: size }, () =>
        random() < 0.1
          ? 2n ** 96n - 1n - BigInt(Math.floor(random() * 1000))
          : BigInt(Math.floor(random() * 2 ** 53)),
      );
      const tree = buildSumTree(h, leavesOf(balances));
      const sb = await postSuperblock([1000n + height, 1000n + height]);
      await publish(sb, [{ asset: assetId("JUSD"), root: tree.root.hash, total: tree.root.sum }], []);
      const epoch = await client.readContract({
        address: registry,
        abi: solvencyRegistryAbi,
        functionName: "epochCount",
      });
      for (let probe = 0; probe < 3; probe++) {
        const proof = sumProof(h, tree, Math.floor(random() * size));
        verifySumProof(h, proof, tree.root);
        assert.equal(await verifyOnChain(epoch, assetId("JUSD"), proof), true);
      }
    }
  });

  it("refuses an epoch whose superblock takes a rollup back to an older block (review L1)", async () => {
    const tree = buildSumTree(h, leavesOf([1n]));
    const liabilities = [{ asset: assetId("JUSD"), root: tree.root.hash, total: tree.root.sum }];
    const newest = 5000n + height;
    await publish(await postSuperblock([newest, newest]), liabilities, []);
    // The sequencer posts a superblock with an older block of 902; the publisher picks it.
    const older = await postSuperblock([newest + 1n, newest - 10n]);
    await rejects(
      publisher.writeContract({
        address: registry,
        abi: solvencyRegistryAbi,
        functionName: "publish",
        args: [older.height, older.blocks, complete(liabilities), []],
      }),
      "RollupHeightBackwards",
    );
    // Equal heights (a rollup that made no block) are fine.
    await publish(await postSuperblock([newest + 2n, newest]), liabilities, []);
    assert.equal(
      await client.readContract({
        address: registry,
        abi: solvencyRegistryAbi,
        functionName: "lastBlockOf",
        args: [901n],
      }),
      newest + 2n,
    );
  });
});
