// The committee light clients on a real anvil node: ZkVerifier with real Groth16 proofs of real
// EdDSA-Poseidon signatures — one proof per epoch imports four rollups' checkpoints, an epoch that omits
// a rollup does not verify for it, a wrong committee or too few signers yields no usable proof, refusals
// for replays and tampering, hand-overs — and the MultisigVerifier baseline with ECDSA through its cases.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { groth16 as snark } from "snarkjs";
import { type Address, type Hex, keccak256, parseEventLogs, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { circuitHash } from "../../scripts/zk-setup.js";
import {
  CIRCUIT_WASM,
  CIRCUIT_ZKEY,
  proveSignatures,
  proveStatement,
  releaseProvingThreads,
  type StatementProof,
} from "../../src/agents/prover/groth16.js";
import { type AnvilNode, startAnvil } from "../../src/chain/anvil.js";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../src/chain/clients.js";
import { freePort } from "../../src/chain/ports.js";
import {
  groth16VerifierAbi,
  groth16VerifierBytecode,
  multisigVerifierAbi,
  multisigVerifierBytecode,
  zkVerifierAbi,
  zkVerifierBytecode,
} from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import type { Checkpoint } from "../../src/protocol/checkpoint.js";
import { checkpointTypedData, rotationTypedData } from "../../src/protocol/checkpoint-signature.js";
import {
  buildCommittee,
  type Committee,
  devCommitteeKeys,
  epochStatement,
  rotationStatement,
  signStatement,
  witnessInput,
} from "../../src/protocol/committee.js";
import { EpochTree, encodeEpochEvidence } from "../../src/protocol/epoch.js";
import { seededRandom } from "../../src/protocol/prng.js";
import { rejects } from "../helpers/chain.js";

const A = 901n;
const B = 902n;
const root = (label: string): Hex => keccak256(toHex(label));
/** What the witness generator throws when a constraint of the circuit cannot hold. */
const NO_WITNESS = /Assert Failed/;
/** The source Outbox the signatures are bound to (no Outbox runs here; only its address matters). */
const OUTBOX = "0x000000000000000000000000000000000000b0c5" as Address;

describe("committee verifiers", () => {
  let node: AnvilNode;
  let client: JunctionPublicClient;
  let wallet: JunctionWalletClient;

  async function deploy(abi: readonly unknown[], bytecode: Hex, args: readonly unknown[]): Promise<Address> {
    const hash = await wallet.deployContract({ abi, bytecode, args } as Parameters<
      typeof wallet.deployContract
    >[0]);
    return (await client.waitForTransactionReceipt({ hash })).contractAddress as Address;
  }

  before(async () => {
    // The destination is a third chain, so both slots of a statement are foreign to it.
    node = await startAnvil({ chainId: 903, port: await freePort() });
    client = publicClientFor(node);
    wallet = walletClientFor(node, devnetAccounts().deployer.privateKey);
  });

  after(async () => {
    await releaseProvingThreads();
    await node?.stop();
  });

  it("the committed circuit artifacts were made from the circuit in the tree", () => {
    const setup = JSON.parse(
      readFileSync(new URL("../../circuits/build/setup.json", import.meta.url), "utf8"),
    );
    assert.equal(setup.circuitHash, circuitHash(), "circuits/committee.circom changed: run npm run zk:setup");
  });

  describe("ZkVerifier (Groth16, one proof per epoch)", () => {
    let zk: Address;
    let groth16: Address;
    let genesis: Committee;
    let next: Committee;
    let first: StatementProof;
    const C = 904n;
    const D = 905n;
    const four = [
      { chainId: A, count: 3n, root: root("A after 3") },
      { chainId: B, count: 7n, root: root("B after 7") },
      { chainId: C, count: 1n, root: root("C after 1") },
      { chainId: D, count: 12n, root: root("D after 12") },
    ];
    const epoch = new EpochTree(four);

    const asArgs = (checkpoints: readonly { chainId: bigint; count: bigint; root: Hex }[]) =>
      checkpoints.map(({ chainId, count, root: value }) => ({ sourceChainId: chainId, count, root: value }));
    /** The statement of epoch `number` over `tree`, for this test's verifier unless told another. */
    const statement = (tree: EpochTree, number: bigint, verifier: Address = zk) =>
      epochStatement({ root: tree.root, number, verifier });
    const simulate = (
      proof: StatementProof,
      number: bigint,
      checkpoints: readonly Checkpoint[],
      verifier: Address = zk,
    ) =>
      client.simulateContract({
        account: wallet.account,
        address: verifier,
        abi: zkVerifierAbi,
        functionName: "submitEpoch",
        args: [proof.proof, proof.committeeRoot, proof.signerCount, number, asArgs(checkpoints)],
      });
    const submit = async (proof: StatementProof, number: bigint, checkpoints: readonly Checkpoint[]) => {
      const { request } = await simulate(proof, number, checkpoints);
      return client.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
    };
    const lastEpochNumber = async (committee: Committee, verifier: Address = zk) =>
      (
        await client.readContract({
          address: verifier,
          abi: zkVerifierAbi,
          functionName: "committeeUse",
          args: [committee.root],
        })
      )[2];
    /** verifyRoot of one checkpoint with the evidence of `tree` (or another path). */
    const verify = (
      checkpoint: Checkpoint,
      tree: EpochTree,
      proof: StatementProof,
      path = tree.path(checkpoint.chainId) ?? [],
    ) =>
      client.readContract({
        address: zk,
        abi: zkVerifierAbi,
        functionName: "verifyRoot",
        args: [
          checkpoint.chainId,
          checkpoint.count,
          checkpoint.root,
          encodeEpochEvidence({
            epochRoot: tree.root,
            committeeRoot: proof.committeeRoot,
            signerCount: proof.signerCount,
            path,
          }),
        ],
      });

    before(async () => {
      groth16 = await deploy(groth16VerifierAbi, groth16VerifierBytecode, []);
      zk = await deploy(zkVerifierAbi, zkVerifierBytecode, [wallet.account.address, groth16]);
      genesis = await buildCommittee(devCommitteeKeys("genesis"));
      next = await buildCommittee(devCommitteeKeys("next"));
      for (const source of [A, B, C, D]) {
        const hash = await wallet.writeContract({
          address: zk,
          abi: zkVerifierAbi,
          functionName: "setGenesisCommittee",
          args: [source, genesis.root, 3n, 0n],
        });
        await client.waitForTransactionReceipt({ hash });
      }
      first = await proveStatement(genesis, statement(epoch, 1n), [0, 1, 3]);
    });

    it("the epoch tree's TypeScript twin matches the contract on random lists", async () => {
      const random = seededRandom(18);
      const int = (below: number) => Math.floor(random() * below);
      for (let n = 1; n <= 9; n++) {
        let chainId = 0n;
        const checkpoints = Array.from({ length: n }, (_, i) => {
          chainId += BigInt(1 + int(1000));
          return { chainId, count: BigInt(int(1 << 20)), root: root(`random ${n} ${i}`) };
        });
        const tree = new EpochTree(checkpoints);
        const onChain = await client.readContract({
          address: zk,
          abi: zkVerifierAbi,
          functionName: "epochRootOf",
          args: [asArgs(checkpoints)],
        });
        assert.equal(onChain, tree.root, `${n} checkpoints`);
      }
    });

    it("one proof of three signatures imports four rollups' checkpoints; each verifies with its path", async () => {
      const receipt = await submit(first, 1n, four);
      assert.equal(receipt.status, "success");
      const [imported] = parseEventLogs({
        abi: zkVerifierAbi,
        logs: receipt.logs,
        eventName: "EpochImported",
      });
      assert.equal(imported?.args.epochRoot, epoch.root);
      assert.equal(imported?.args.checkpoints.length, 4);
      assert.equal(imported?.args.epochNumber, 1n);
      assert.equal(await lastEpochNumber(genesis), 1n);
      for (const checkpoint of four) await verify(checkpoint, epoch, first);
    });

    it("an epoch that omits a rollup's checkpoint does not verify for it", async () => {
      // Signed and imported without D's checkpoint: D's messages find no leaf in it, whatever path.
      const withoutD = new EpochTree(four.slice(0, 3));
      const proof = await proveStatement(genesis, statement(withoutD, 2n), [0, 1, 2]);
      assert.equal((await submit(proof, 2n, withoutD.checkpoints)).status, "success");
      const d = four[3] as Checkpoint;
      await rejects(verify(d, withoutD, proof, []), "CheckpointNotInEpoch");
      await rejects(verify(d, withoutD, proof, withoutD.path(C) ?? []), "CheckpointNotInEpoch");
      // Another root, or another count, for a rollup that is in it: no leaf either.
      await rejects(
        verify({ ...(four[0] as Checkpoint), root: root("forged") }, withoutD, proof),
        "CheckpointNotInEpoch",
      );
      await rejects(
        verify({ ...(four[1] as Checkpoint), count: 8n }, withoutD, proof),
        "CheckpointNotInEpoch",
      );
      // Still good in the epoch that has it.
      await verify(d, epoch, first);
    });

    it("refuses a replay, a tampered list, an unsorted or empty one, missing or unknown evidence", async () => {
      // The same epoch again under a newer number: already imported.
      const again = await proveStatement(genesis, statement(epoch, 3n), [0, 1, 3]);
      await rejects(simulate(again, 3n, four), "EpochAlreadyImported");
      const tampered = four.map((checkpoint, i) => (i === 2 ? { ...checkpoint, count: 2n } : checkpoint));
      await rejects(simulate(again, 3n, tampered), "InvalidProof");
      await rejects(simulate(again, 3n, [four[1], four[0]] as Checkpoint[]), "UnsortedCheckpoints");
      await rejects(simulate(again, 3n, [four[0], four[0]] as Checkpoint[]), "UnsortedCheckpoints");
      await rejects(simulate(again, 3n, []), "InvalidCheckpointCount");
      await rejects(
        client.readContract({
          address: zk,
          abi: zkVerifierAbi,
          functionName: "verifyRoot",
          args: [A, 3n, root("A after 3"), "0x"],
        }),
        "MissingEpochEvidence",
      );
      await rejects(
        verify(four[0] as Checkpoint, new EpochTree([four[0] as Checkpoint]), first),
        "EpochNotImported",
      );
    });

    it("a wrong committee or a set below the threshold cannot produce a proof the destination takes", async () => {
      const later = new EpochTree([{ chainId: A, count: 5n, root: root("A after 5") }]);
      const fields = statement(later, 10n);
      // Two real signatures claimed as three: the circuit has no witness for it.
      const two = await Promise.all([0, 1].map((index) => signStatement(genesis, index, fields)));
      await assert.rejects(
        snark.fullProve(
          { ...witnessInput(genesis, fields, two), signerCount: "3" },
          CIRCUIT_WASM,
          CIRCUIT_ZKEY,
        ),
        NO_WITNESS,
      );
      // Strangers' keys against the genesis committee's root: no member path, no witness.
      const stranger = await buildCommittee(devCommitteeKeys("stranger"));
      const strangers = await Promise.all([0, 1, 2].map((index) => signStatement(stranger, index, fields)));
      await assert.rejects(
        snark.fullProve(
          { ...witnessInput(stranger, fields, strangers), committeeRoot: genesis.root.toString() },
          CIRCUIT_WASM,
          CIRCUIT_ZKEY,
        ),
        NO_WITNESS,
      );
      // Members' signatures over another statement: they do not verify for this one.
      const elsewhere = await Promise.all(
        [0, 1, 2].map((index) =>
          signStatement(
            genesis,
            index,
            epochStatement({ root: root("another epoch"), number: 10n, verifier: zk }),
          ),
        ),
      );
      await assert.rejects(
        snark.fullProve(witnessInput(genesis, fields, elsewhere), CIRCUIT_WASM, CIRCUIT_ZKEY),
        NO_WITNESS,
      );
      // Honest proofs of what they are: two signers, or a committee no source has, are refused by name.
      const twoSigners = await proveSignatures(genesis, fields, two);
      await rejects(simulate(twoSigners, 10n, later.checkpoints), "EpochBelowQuorum");
      const byStranger = await proveSignatures(stranger, fields, strangers);
      await rejects(simulate(byStranger, 10n, later.checkpoints), "UnknownCommittee");
    });

    it("an epoch is bound to its number and its deployment: no regress, no duplicate, no replay elsewhere", async () => {
      // Review finding M2: the statement had no number and no domain. Epoch 1 again (a regress below
      // epoch 2) is refused by name (an epoch under a number already taken: see the hand-over test).
      assert.equal(await lastEpochNumber(genesis), 2n);
      await rejects(simulate(first, 1n, four), "EpochNotNewer");
      // Another deployment (another verifier address) with the same committee does not take the epoch
      // signed for this one, though its own last number is 0.
      const elsewhere = await deploy(zkVerifierAbi, zkVerifierBytecode, [wallet.account.address, groth16]);
      await client.waitForTransactionReceipt({
        hash: await wallet.writeContract({
          address: elsewhere,
          abi: zkVerifierAbi,
          functionName: "setGenesisCommittee",
          args: [A, genesis.root, 3n, 0n],
        }),
      });
      await rejects(simulate(first, 1n, four, elsewhere), "InvalidProof");
      assert.equal(await lastEpochNumber(genesis, elsewhere), 0n);
    });

    it("a committee contradicting the checkpoint it vouched for is refused: another root, or a lower count", async () => {
      // Review finding M1: the newest checkpoint per (committee, source) is recorded as epochs land.
      const newestOfA = await client.readContract({
        address: zk,
        abi: zkVerifierAbi,
        functionName: "newestCheckpoint",
        args: [genesis.root, A],
      });
      assert.equal(newestOfA.count, 3n);
      assert.equal(newestOfA.rootPrefix, root("A after 3").slice(0, 50));
      const equivocation = new EpochTree([
        { chainId: A, count: 3n, root: root("A after 3, another") },
        four[1] as Checkpoint,
      ]);
      const signed = await proveStatement(genesis, statement(equivocation, 4n), [0, 1, 2]);
      await rejects(simulate(signed, 4n, equivocation.checkpoints), "RootMismatch");
      const regress = new EpochTree([{ chainId: B, count: 6n, root: root("B after 6") }]);
      const regressed = await proveStatement(genesis, statement(regress, 4n), [0, 1, 2]);
      await rejects(simulate(regressed, 4n, regress.checkpoints), "CheckpointRegressed");
      // Neither moved the committee's number: epoch 4 is still to come.
      assert.equal(await lastEpochNumber(genesis), 2n);
    });

    it("hands over to the next committee: the old one's earlier epochs still vouch for that source, its later ones do not", async () => {
      const rotation = await proveStatement(
        genesis,
        rotationStatement({
          sourceChainId: A,
          currentRoot: genesis.root,
          nextRoot: next.root,
          nextThreshold: 2n,
          epoch: 1n,
        }),
        [0, 2, 3],
      );
      const rotate = (epochNumber: bigint) =>
        client.simulateContract({
          account: wallet.account,
          address: zk,
          abi: zkVerifierAbi,
          functionName: "rotateCommittee",
          args: [rotation.proof, A, rotation.committeeRoot, rotation.signerCount, next.root, 2n, epochNumber],
        });
      await rejects(rotate(2n), "WrongEpoch");
      const { request } = await rotate(1n);
      assert.equal(
        (await client.waitForTransactionReceipt({ hash: await wallet.writeContract(request) })).status,
        "success",
      );
      await rejects(rotate(1n), "StaleCommittee");

      // Review finding M3: the genesis epoch imported before the hand-over still vouches for A (a message
      // it covers still delivers), and for B.
      await verify(four[0] as Checkpoint, epoch, first);
      await verify(four[1] as Checkpoint, epoch, first);
      // What the old committee signs after the hand-over does not vouch for A; it still does for B.
      const oldAfter = new EpochTree([
        { chainId: A, count: 9n, root: root("A after 9, by the old committee") },
        { chainId: B, count: 8n, root: root("B after 8") },
      ]);
      const byOld = await proveStatement(genesis, statement(oldAfter, 4n), [0, 1, 2]);
      assert.equal((await submit(byOld, 4n, oldAfter.checkpoints)).status, "success");
      await rejects(verify(oldAfter.checkpoints[0] as Checkpoint, oldAfter, byOld), "StaleCommittee");
      await verify(oldAfter.checkpoints[1] as Checkpoint, oldAfter, byOld);
      const later = new EpochTree([{ chainId: A, count: 9n, root: root("A after 9") }]);
      const byNew = await proveStatement(next, statement(later, 1n), [1, 3]);
      assert.equal((await submit(byNew, 1n, later.checkpoints)).status, "success");
      await verify(later.checkpoints[0] as Checkpoint, later, byNew);
      // The same epoch under another signer count: its number is taken.
      const byMore = await proveStatement(next, statement(later, 1n), [0, 1, 3]);
      await rejects(simulate(byMore, 1n, later.checkpoints), "EpochNotNewer");
      // B's committee is still genesis (threshold 3): two signers of `next` do not vouch for B.
      const forB = new EpochTree([{ chainId: B, count: 9n, root: root("B after 9") }]);
      const nextForB = await proveStatement(next, statement(forB, 2n), [0, 1]);
      assert.equal((await submit(nextForB, 2n, forB.checkpoints)).status, "success");
      await rejects(verify(forB.checkpoints[0] as Checkpoint, forB, nextForB), "StaleCommittee");
    });

    it("a destination set up after a hand-over takes the epoch at genesis and accepts the next hand-over", async () => {
      // Before the fix, genesis was always epoch 0, so epoch 2 was refused with WrongEpoch.
      const late = await deploy(zkVerifierAbi, zkVerifierBytecode, [wallet.account.address, groth16]);
      await client.waitForTransactionReceipt({
        hash: await wallet.writeContract({
          address: late,
          abi: zkVerifierAbi,
          functionName: "setGenesisCommittee",
          args: [A, next.root, 1n, 1n],
        }),
      });
      // `next` also serves B here, with threshold 3.
      await client.waitForTransactionReceipt({
        hash: await wallet.writeContract({
          address: late,
          abi: zkVerifierAbi,
          functionName: "setGenesisCommittee",
          args: [B, next.root, 3n, 0n],
        }),
      });
      const third = await buildCommittee(devCommitteeKeys("third"));
      const fields = rotationStatement({
        sourceChainId: A,
        currentRoot: next.root,
        nextRoot: third.root,
        nextThreshold: 2n,
        epoch: 2n,
      });
      const rotation = await proveStatement(next, fields, [0, 1]);
      const { request } = await client.simulateContract({
        account: wallet.account,
        address: late,
        abi: zkVerifierAbi,
        functionName: "rotateCommittee",
        args: [rotation.proof, A, rotation.committeeRoot, rotation.signerCount, third.root, 2n, 2n],
      });
      assert.equal(
        (await client.waitForTransactionReceipt({ hash: await wallet.writeContract(request) })).status,
        "success",
      );
      assert.equal(
        (
          await client.readContract({
            address: late,
            abi: zkVerifierAbi,
            functionName: "committeeOf",
            args: [A],
          })
        ).epoch,
        2n,
      );
      // Review finding L1: the lowest threshold `next` serves with was only ever lowered; with A gone
      // it is B's 3 again (an epoch of fewer signers is refused up front), and `third` serves A with 2.
      const use = (committee: Committee) =>
        client.readContract({
          address: late,
          abi: zkVerifierAbi,
          functionName: "committeeUse",
          args: [committee.root],
        });
      assert.deepEqual(await use(next), [1n, 3n, 0n]);
      assert.deepEqual(await use(third), [1n, 2n, 0n]);
    });

    it("refuses a hand-over statement replayed against another committee with the same signers", async () => {
      // Committee `sibling` shares three signers with `genesis`. A hand-over they signed as `genesis`
      // (naming it as the outgoing committee) is proven against `sibling`'s tree: before the fix the
      // statement did not name the outgoing committee, and the proof was accepted.
      const genesisKeys = devCommitteeKeys("genesis");
      const sibling = await buildCommittee([
        ...genesisKeys.slice(0, 3),
        devCommitteeKeys("stranger")[0] as Hex,
      ]);
      await client.waitForTransactionReceipt({
        hash: await wallet.writeContract({
          address: zk,
          abi: zkVerifierAbi,
          functionName: "setGenesisCommittee",
          args: [907n, sibling.root, 3n, 0n],
        }),
      });
      const signedForGenesis = rotationStatement({
        sourceChainId: 907n,
        currentRoot: genesis.root,
        nextRoot: next.root,
        nextThreshold: 2n,
        epoch: 1n,
      });
      const replay = await proveStatement(sibling, signedForGenesis, [0, 1, 2]);
      await rejects(
        client.simulateContract({
          account: wallet.account,
          address: zk,
          abi: zkVerifierAbi,
          functionName: "rotateCommittee",
          args: [replay.proof, 907n, replay.committeeRoot, replay.signerCount, next.root, 2n, 1n],
        }),
        "InvalidProof",
      );
    });
  });

  describe("MultisigVerifier (ECDSA baseline)", () => {
    let multisig: Address;
    const genesis = Array.from({ length: 4 }, () => privateKeyToAccount(generatePrivateKey()));
    const next = Array.from({ length: 4 }, () => privateKeyToAccount(generatePrivateKey()));
    const sorted = (accounts: typeof genesis) =>
      [...accounts].sort((x, y) => (BigInt(x.address) < BigInt(y.address) ? -1 : 1));
    const sign = (signers: typeof genesis, source: bigint, count: bigint, value: Hex) =>
      Promise.all(
        sorted(signers).map((account) =>
          account.signTypedData(
            checkpointTypedData({ outbox: OUTBOX, sourceChainId: source, count, root: value }),
          ),
        ),
      );
    const simulate = (source: bigint, count: bigint, value: Hex, signatures: Hex[]) =>
      client.simulateContract({
        account: wallet.account,
        address: multisig,
        abi: multisigVerifierAbi,
        functionName: "submitCheckpoint",
        args: [source, count, value, signatures],
      });

    before(async () => {
      multisig = await deploy(multisigVerifierAbi, multisigVerifierBytecode, [
        wallet.account.address,
        OUTBOX,
      ]);
      const hash = await wallet.writeContract({
        address: multisig,
        abi: multisigVerifierAbi,
        functionName: "setGenesisCommittee",
        args: [A, genesis.map((account) => account.address), 3n, 0n],
      });
      await client.waitForTransactionReceipt({ hash });
    });

    it("accepts three members' signatures and refuses the same cases", async () => {
      const signatures = await sign(genesis.slice(0, 3), A, 3n, root("A after 3"));
      const { request } = await simulate(A, 3n, root("A after 3"), signatures);
      assert.equal(
        (await client.waitForTransactionReceipt({ hash: await wallet.writeContract(request) })).status,
        "success",
      );
      await rejects(simulate(A, 3n, root("A after 3"), signatures), "CheckpointAlreadyVerified");
      // Signatures over one root presented for another recover to strangers.
      await rejects(simulate(A, 4n, root("A after 4"), signatures), "NotMember");
      await rejects(
        simulate(A, 5n, root("A after 5"), await sign(genesis.slice(0, 2), A, 5n, root("A after 5"))),
        "NotEnoughSigners",
      );
      const reversed = [...(await sign(genesis.slice(0, 3), A, 6n, root("A after 6")))].reverse();
      await rejects(simulate(A, 6n, root("A after 6"), reversed), "SignersNotSorted");
    });

    it("refuses a checkpoint signed for another deployment's Outbox", async () => {
      // Before the fix the domain named no Outbox, so these signatures were accepted.
      const value = root("A after 7");
      const elsewhere = await Promise.all(
        sorted(genesis.slice(0, 3)).map((account) =>
          account.signTypedData(
            checkpointTypedData({
              outbox: "0x000000000000000000000000000000000000dead",
              sourceChainId: A,
              count: 7n,
              root: value,
            }),
          ),
        ),
      );
      await rejects(simulate(A, 7n, value, elsewhere), "NotMember");
    });

    it("hands over to the next committee: the old one is refused, the new one accepted", async () => {
      const members = next.map((account) => account.address);
      const typedData = rotationTypedData({
        outbox: OUTBOX,
        sourceChainId: A,
        current: genesis.map((account) => account.address),
        next: members,
        threshold: 2n,
        epoch: 1n,
      });
      const signatures = await Promise.all(
        sorted(genesis.slice(1, 4)).map((account) => account.signTypedData(typedData)),
      );
      const { request } = await client.simulateContract({
        account: wallet.account,
        address: multisig,
        abi: multisigVerifierAbi,
        functionName: "rotateCommittee",
        args: [A, members, 2n, 1n, signatures],
      });
      assert.equal(
        (await client.waitForTransactionReceipt({ hash: await wallet.writeContract(request) })).status,
        "success",
      );
      await rejects(
        simulate(A, 9n, root("A after 9"), await sign(genesis.slice(0, 3), A, 9n, root("A after 9"))),
        "NotMember",
      );
      const { request: accepted } = await simulate(
        A,
        9n,
        root("A after 9"),
        await sign(next.slice(0, 2), A, 9n, root("A after 9")),
      );
      assert.equal(
        (await client.waitForTransactionReceipt({ hash: await wallet.writeContract(accepted) })).status,
        "success",
      );
    });

    it("a destination set up after a hand-over accepts the next one; a replay against another committee is refused", async () => {
      const late = await deploy(multisigVerifierAbi, multisigVerifierBytecode, [
        wallet.account.address,
        OUTBOX,
      ]);
      const install = async (source: bigint, members: typeof genesis, epoch: bigint) =>
        client.waitForTransactionReceipt({
          hash: await wallet.writeContract({
            address: late,
            abi: multisigVerifierAbi,
            functionName: "setGenesisCommittee",
            args: [source, members.map((account) => account.address), 2n, epoch],
          }),
        });
      await install(A, next, 1n);
      const third = Array.from({ length: 3 }, () => privateKeyToAccount(generatePrivateKey()));
      const handOver = (source: bigint, current: typeof genesis, epoch: bigint) =>
        rotationTypedData({
          outbox: OUTBOX,
          sourceChainId: source,
          current: current.map((account) => account.address),
          next: third.map((account) => account.address),
          threshold: 2n,
          epoch,
        });
      const rotate = async (
        source: bigint,
        signers: typeof genesis,
        typedData: ReturnType<typeof handOver>,
        epoch: bigint,
      ) =>
        client.simulateContract({
          account: wallet.account,
          address: late,
          abi: multisigVerifierAbi,
          functionName: "rotateCommittee",
          args: [
            source,
            third.map((account) => account.address),
            2n,
            epoch,
            await Promise.all(sorted(signers).map((account) => account.signTypedData(typedData))),
          ],
        });
      // Before the fix genesis was always epoch 0 here, and epoch 2 was refused with WrongEpoch.
      const { request } = await rotate(A, next.slice(0, 2), handOver(A, next, 2n), 2n);
      assert.equal(
        (await client.waitForTransactionReceipt({ hash: await wallet.writeContract(request) })).status,
        "success",
      );
      // Source 906's committee shares two members with `next`; their hand-over signed as `next` is replayed.
      const sibling = [...next.slice(0, 2), privateKeyToAccount(generatePrivateKey())];
      await install(906n, sibling, 0n);
      await rejects(rotate(906n, next.slice(0, 2), handOver(906n, next, 1n), 1n), "NotMember");
    });
  });
});
