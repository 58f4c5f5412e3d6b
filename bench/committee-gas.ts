// On-chain gas of importing checkpoints through a committee light client, as the committee grows: the
// MultisigVerifier baseline (ECDSA, checked one by one) for committees of 4 to 64 members with a
// two-thirds threshold, against ZkVerifier (one Groth16 proof, whatever the committee size), and the
// zk path's gas per destination per epoch as the number of rollups in the epoch grows (one proof for
// all of them). Runs on its own anvil node.
import type { Address, Hex } from "viem";
import { encodeFunctionData, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { proveStatement, releaseProvingThreads } from "../src/agents/prover/groth16.js";
import { startAnvil } from "../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { freePort } from "../src/chain/ports.js";
import {
  groth16VerifierAbi,
  groth16VerifierBytecode,
  multisigVerifierAbi,
  multisigVerifierBytecode,
  zkVerifierAbi,
  zkVerifierBytecode,
} from "../src/contracts/generated/index.js";
import { devnetAccounts } from "../src/devnet/accounts.js";
import type { Checkpoint } from "../src/protocol/checkpoint.js";
import { checkpointTypedData } from "../src/protocol/checkpoint-signature.js";
import { buildCommittee, devCommitteeKeys, epochStatement } from "../src/protocol/committee.js";
import { EpochTree, encodeEpochEvidence } from "../src/protocol/epoch.js";
import { type Stats, stats } from "./report.js";

export type CommitteeGasRow = { members: number; threshold: number; multisigGas: number };
/** One epoch of `rollups` checkpoints imported by one proof on one destination. */
export type EpochGasRow = { rollups: number; gas: number; verifyRootGas: number };
export type CommitteeGasResult = {
  multisig: CommitteeGasRow[];
  zk: {
    /** Gas of submitEpoch with one checkpoint (what the multisig rows compare against). */
    oneCheckpointGas: number;
    /** Gas per destination per epoch by the number of rollups in it, and a message's verifyRoot. */
    epochGas: EpochGasRow[];
    /** Gas of the first epoch of the largest size: every source's record is a fresh storage word. */
    firstEpochGas: EpochGasRow;
    constraints: number;
    provingMs: Stats;
  };
  /** Smallest threshold at which the multisig costs more than one zk proof (linear fit of the rows). */
  crossoverSigners: number;
};

const root = (label: string): Hex => keccak256(toHex(label));

export async function measureCommitteeGas(
  sizes: readonly number[],
  constraints: number,
  epochSizes: readonly number[] = [1, 2, 4, 8, 16],
): Promise<CommitteeGasResult> {
  const node = await startAnvil({ chainId: 999, port: await freePort() });
  try {
    const client = publicClientFor(node);
    const wallet = walletClientFor(node, devnetAccounts().deployer.privateKey);
    const deploy = async (abi: readonly unknown[], bytecode: Hex, args: readonly unknown[]) => {
      const hash = await wallet.deployContract({ abi, bytecode, args } as Parameters<
        typeof wallet.deployContract
      >[0]);
      return (await client.waitForTransactionReceipt({ hash })).contractAddress as Address;
    };
    const gasOf = async (hash: Hex) => Number((await client.waitForTransactionReceipt({ hash })).gasUsed);

    const outbox = "0x00000000000000000000000000000000000b0c5e" as Address;
    const multisig = await deploy(multisigVerifierAbi, multisigVerifierBytecode, [
      wallet.account.address,
      outbox,
    ]);
    const rows: CommitteeGasRow[] = [];
    for (const members of sizes) {
      const threshold = Math.floor((2 * members) / 3) + 1;
      const source = BigInt(1000 + members);
      const accounts = Array.from({ length: members }, (_, i) =>
        privateKeyToAccount(keccak256(toHex(`bench committee ${members} ${i}`))),
      );
      await gasOf(
        await wallet.writeContract({
          address: multisig,
          abi: multisigVerifierAbi,
          functionName: "setGenesisCommittee",
          args: [source, accounts.map((account) => account.address), BigInt(threshold), 0n],
        }),
      );
      const signers = [...accounts]
        .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))
        .slice(0, threshold);
      const value = root(`checkpoint of ${source}`);
      const signatures = await Promise.all(
        signers.map((account) =>
          account.signTypedData(
            checkpointTypedData({ outbox, sourceChainId: source, count: 1n, root: value }),
          ),
        ),
      );
      const multisigGas = await gasOf(
        await wallet.writeContract({
          address: multisig,
          abi: multisigVerifierAbi,
          functionName: "submitCheckpoint",
          args: [source, 1n, value, signatures],
        }),
      );
      rows.push({ members, threshold, multisigGas });
    }

    const groth16 = await deploy(groth16VerifierAbi, groth16VerifierBytecode, []);
    const zk = await deploy(zkVerifierAbi, zkVerifierBytecode, [wallet.account.address, groth16]);
    const committee = await buildCommittee(devCommitteeKeys("genesis"));
    const sources = Math.max(...epochSizes);
    for (let source = 1n; source <= BigInt(sources); source++) {
      await gasOf(
        await wallet.writeContract({
          address: zk,
          abi: zkVerifierAbi,
          functionName: "setGenesisCommittee",
          args: [source, committee.root, 3n, 0n],
        }),
      );
    }
    const provingMs: number[] = [];
    const epochGas: EpochGasRow[] = [];
    let epochNumber = 0n;
    const submitEpoch = async (tree: EpochTree) => {
      const fields = epochStatement({ root: tree.root, number: ++epochNumber, verifier: zk });
      const proof = await proveStatement(committee, fields, [0, 1, 2]);
      provingMs.push(proof.provingMs);
      const gas = await gasOf(
        await wallet.writeContract({
          address: zk,
          abi: zkVerifierAbi,
          functionName: "submitEpoch",
          args: [
            proof.proof,
            proof.committeeRoot,
            proof.signerCount,
            epochNumber,
            tree.checkpoints.map(({ chainId, count, root: value }) => ({
              sourceChainId: chainId,
              count,
              root: value,
            })),
          ],
        }),
      );
      return { proof, gas };
    };
    // A first epoch records every source's checkpoint (a fresh storage word each); the measured epochs
    // after it advance every rollup's count, so each rewrites its word: the steady state's worst case.
    const warmUp = await submitEpoch(
      new EpochTree(
        Array.from({ length: sources }, (_, i) => ({
          chainId: BigInt(i + 1),
          count: 1n,
          root: root(`checkpoint ${i + 1} at warm-up`),
        })),
      ),
    );
    for (const rollups of epochSizes) {
      const tree = new EpochTree(
        Array.from({ length: rollups }, (_, i) => ({
          chainId: BigInt(i + 1),
          count: epochNumber + 1n,
          root: root(`checkpoint ${i + 1} in an epoch of ${rollups}`),
        })),
      );
      const { proof, gas } = await submitEpoch(tree);
      // What a message's delivery adds on this path: verifyRoot with the checkpoint's path in the epoch.
      const [last] = tree.checkpoints.slice(-1) as [Checkpoint];
      const verifyRootGas = await client.estimateGas({
        account: wallet.account,
        to: zk,
        data: encodeFunctionData({
          abi: zkVerifierAbi,
          functionName: "verifyRoot",
          args: [
            last.chainId,
            last.count,
            last.root,
            encodeEpochEvidence({
              epochRoot: tree.root,
              committeeRoot: proof.committeeRoot,
              signerCount: proof.signerCount,
              path: tree.path(last.chainId) ?? [],
            }),
          ],
        }),
      });
      epochGas.push({ rollups, gas, verifyRootGas: Number(verifyRootGas) - 21_000 });
    }
    const oneCheckpointGas =
      epochGas.find((row) => row.rollups === 1)?.gas ?? (epochGas[0] as EpochGasRow).gas;
    return {
      multisig: rows,
      zk: {
        oneCheckpointGas,
        epochGas,
        firstEpochGas: { rollups: sources, gas: warmUp.gas, verifyRootGas: 0 },
        constraints,
        provingMs: stats(provingMs),
      },
      crossoverSigners: crossover(rows, oneCheckpointGas),
    };
  } finally {
    await releaseProvingThreads();
    await node.stop();
  }
}

/** Threshold at which the least-squares line through the multisig rows passes the zk cost. */
function crossover(rows: readonly CommitteeGasRow[], zkGas: number): number {
  const n = rows.length;
  const mx = rows.reduce((sum, row) => sum + row.threshold, 0) / n;
  const my = rows.reduce((sum, row) => sum + row.multisigGas, 0) / n;
  const slope =
    rows.reduce((sum, row) => sum + (row.threshold - mx) * (row.multisigGas - my), 0) /
    rows.reduce((sum, row) => sum + (row.threshold - mx) ** 2, 0);
  return Math.ceil((zkGas - (my - slope * mx)) / slope);
}
