// One anvil node for a contract test: started on a free port with a public client and the deployer's
// wallet, `deploy` for a contract from its generated ABI and bytecode, and `mined` for a transaction that
// must succeed. The test stops it (`node.stop()`) in its `after`.
import assert from "node:assert/strict";
import type { Address, Hex, TransactionReceipt } from "viem";
import { type AnvilNode, startAnvil } from "../../src/chain/anvil.js";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../src/chain/clients.js";
import { freePort } from "../../src/chain/ports.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";

export type ContractNode = {
  node: AnvilNode;
  client: JunctionPublicClient;
  /** The devnet deployer's wallet, which deploys by default. */
  wallet: JunctionWalletClient;
  walletOf(privateKey: Hex): JunctionWalletClient;
  /** Deploys a contract (from `wallet` unless `from` is given) and returns its address. */
  deploy(
    abi: readonly unknown[],
    bytecode: Hex,
    args?: readonly unknown[],
    from?: JunctionWalletClient,
  ): Promise<Address>;
  /** Waits for the transaction and asserts it succeeded. */
  mined(hash: Hex | Promise<Hex>): Promise<TransactionReceipt>;
};

export async function startContractNode(chainId: number): Promise<ContractNode> {
  const node = await startAnvil({ chainId, port: await freePort() });
  const client = publicClientFor(node);
  const wallet = walletClientFor(node, devnetAccounts().deployer.privateKey);
  const mined = async (hash: Hex | Promise<Hex>) => {
    const receipt = await client.waitForTransactionReceipt({ hash: await hash });
    assert.equal(receipt.status, "success");
    return receipt;
  };
  return {
    node,
    client,
    wallet,
    walletOf: (privateKey) => walletClientFor(node, privateKey),
    deploy: async (abi, bytecode, args = [], from = wallet) => {
      // The ABI is whichever contract's: viem cannot type the constructor's arguments of a union of them.
      const hash = await from.deployContract({ abi, bytecode, args } as Parameters<
        typeof from.deployContract
      >[0]);
      return (await mined(hash)).contractAddress as Address;
    },
    mined,
  };
}
