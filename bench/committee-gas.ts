// On-chain gas of importing one checkpoint through a committee light client, as the committee grows:
// the MultisigVerifier baseline (ECDSA, checked one by one) for committees of 4 to 64 members with a
// two-thirds threshold, against ZkVerifier (one Groth16 proof, whatever the committee size; one proof
// may carry two sources' checkpoints). Runs on its own anvil node.
import type { Address, Hex } from "viem";
import { keccak256, toHex } from "viem";
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
import { checkpointTypedData } from "../src/protocol/checkpoint-signature.js";
import { buildCommittee, checkpointStatement, devCommitteeKeys } from "../src/protocol/committee.js";
import { type Stats, stats } from "./report.js";

export type CommitteeGasRow = { members: number; threshold: number; multisigGas: number };
export type CommitteeGasResult = {
  multisig: CommitteeGasRow[];
  zk: {
    /** Gas of submitCheckpoints with one checkpoint, and per checkpoint when a proof carries two. */
    oneCheckpointGas: number;
    twoCheckpointsGasEach: number;
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
    for (const source of [1n, 2n, 3n]) {
      await gasOf(
        await wallet.writeContract({
          address: zk,
          abi: zkVerifierAbi,
          functionName: "setGenesisCommittee",
          args: [source, committee.root, 3n, 0n],
        }),
      );
    }
    const empty = { sourceChainId: 0n, count: 0n, root: `0x${"00".repeat(32)}` as Hex };
    const one = [{ sourceChainId: 1n, count: 1n, root: root("one") }];
    const two = [
      { sourceChainId: 2n, count: 1n, root: root("two") },
      { sourceChainId: 3n, count: 1n, root: root("three") },
    ];
    const provingMs: number[] = [];
    const submit = async (slots: typeof one) => {
      const proof = await proveStatement(committee, checkpointStatement(slots), [0, 1, 2]);
      provingMs.push(proof.provingMs);
      return gasOf(
        await wallet.writeContract({
          address: zk,
          abi: zkVerifierAbi,
          functionName: "submitCheckpoints",
          args: [proof.proof, proof.committeeRoot, proof.signerCount, [slots[0] ?? empty, slots[1] ?? empty]],
        }),
      );
    };
    const oneCheckpointGas = await submit(one);
    const twoCheckpointsGasEach = (await submit(two)) / 2;
    return {
      multisig: rows,
      zk: { oneCheckpointGas, twoCheckpointsGasEach, constraints, provingMs: stats(provingMs) },
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
