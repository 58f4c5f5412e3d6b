// Proof of solvency on one contract-test L1 node: a SuperblockLog whose sequencer is the deployer (so a
// test posts the superblocks of its choosing) and the solvency contracts (deploySolvency) bound to it, the
// proposer key as publisher. Used by the registry and fold tests and the solvency bench.
import { type Address, keccak256, toHex } from "viem";
import { superblockLogAbi, superblockLogBytecode } from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import {
  deploySolvency,
  type SolvencyContracts,
  type SolvencyDeployOptions,
} from "../../src/devnet/deploy-solvency.js";
import type { RollupBlock } from "../../src/solvency/instant.js";
import type { ContractNode } from "./contract-node.js";

export type SolvencyL1 = {
  log: Address;
  solvency: SolvencyContracts;
  /**
   * Posts the next superblock: one block per rollup of the domain, at `blockNumbers` (by default the
   * superblock's height for each), with made-up hashes and no messages.
   */
  postSuperblock(blockNumbers?: readonly bigint[]): Promise<{ height: bigint; blocks: RollupBlock[] }>;
};

export async function deploySolvencyL1(
  l1: ContractNode,
  {
    rollups,
    tokens,
    holders,
  }: { rollups: readonly number[] } & Pick<SolvencyDeployOptions, "tokens" | "holders">,
): Promise<SolvencyL1> {
  const accounts = devnetAccounts();
  const log = await l1.deploy(superblockLogAbi, superblockLogBytecode, [
    accounts.deployer.address,
    64n,
    rollups.map(BigInt),
  ]);
  const solvency = await deploySolvency(l1.node, accounts.deployer.privateKey, {
    superblockLog: log,
    publisher: accounts.proposer.address,
    tokens,
    holders,
  });
  let height = 0n;
  const postSuperblock = async (blockNumbers?: readonly bigint[]) => {
    height += 1n;
    const blocks = rollups.map((chainId, i) => ({
      chainId: BigInt(chainId),
      blockNumber: blockNumbers?.[i] ?? height,
      blockHash: keccak256(toHex(`block ${height} ${chainId}`)),
      outboxCount: 0n,
      outboxRoot: keccak256(toHex("root")),
    }));
    await l1.mined(
      l1.wallet.writeContract({
        address: log,
        abi: superblockLogAbi,
        functionName: "postSuperblocks",
        args: [height, [blocks], 0n],
      }),
    );
    return { height, blocks };
  };
  return { log, solvency, postSuperblock };
}
