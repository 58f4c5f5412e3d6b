// The deployer's two moves, shared by every deployment step: deploy a planned list of contracts with
// pipelined nonces (addresses known before the first is mined), and await pipelined transactions.
import {
  type Abi,
  type Address,
  encodeDeployData,
  getContractAddress,
  type Hex,
  type TransactionReceipt,
} from "viem";
import {
  type Endpoint,
  type JunctionPublicClient,
  publicClientFor,
  walletClientFor,
} from "../chain/clients.js";
import { JunctionError } from "../errors.js";

export class DeploymentError extends JunctionError {
  override name = "DeploymentError" as const;
}

export type Deployment = { abi: Abi; bytecode: Hex; args: readonly unknown[] };

export async function deployAll(
  endpoint: Endpoint,
  deployerKey: Hex,
  plan: (addresses: Address[], deployer: Address) => Deployment[],
) {
  const client = publicClientFor(endpoint);
  const wallet = walletClientFor(endpoint, deployerKey);
  const from = wallet.account.address;
  const nonce = await client.getTransactionCount({ address: from, blockTag: "pending" });
  const probe = plan([], from);
  const addresses = probe.map((_, i) => getContractAddress({ from, nonce: BigInt(nonce + i) }));
  const deployments = plan(addresses, from);
  const hashes: Hex[] = [];
  for (const [i, deployment] of deployments.entries()) {
    const data = encodeDeployData({
      abi: deployment.abi,
      bytecode: deployment.bytecode,
      args: deployment.args,
    });
    hashes.push(await wallet.sendTransaction({ data, nonce: nonce + i, gas: 6_000_000n }));
  }
  const receipts = await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash })));
  for (const [i, receipt] of receipts.entries()) {
    if (
      receipt.status !== "success" ||
      receipt.contractAddress?.toLowerCase() !== addresses[i]?.toLowerCase()
    ) {
      throw new DeploymentError(`deployment ${i} on chain ${endpoint.chainId} failed`, {
        details: `tx ${receipt.transactionHash}`,
      });
    }
  }
  const deployBlock = Number(receipts[receipts.length - 1]?.blockNumber ?? 0n);
  return { addresses, deployBlock, nonce };
}

/** Awaits the receipts of pipelined transactions, in order; throws `failure` unless every one succeeded. */
export async function confirmAll(
  client: JunctionPublicClient,
  hashes: Hex[],
  failure: string,
): Promise<TransactionReceipt[]> {
  const receipts = await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash })));
  if (receipts.some((receipt) => receipt.status !== "success")) throw new DeploymentError(failure);
  return receipts;
}
