// The deployer's moves, shared by every deployment step. A step's contracts are created in order by its
// own DeploymentFactory, itself created with CREATE2 through the deterministic deployment proxy: the
// factory's address depends only on the step's label and the deployer's address, and its n-th contract
// is at the factory's CREATE address for nonce n + 1, so every address is known before the first
// transaction and is the same on every chain whatever the deployer's nonce. A run that finds a step
// complete (its factory sealed) verifies every contract's init code and the settings its `check` reads
// back, and sends nothing. A run that stopped halfway resumes: after the contracts created (each creation
// names its index, so a failed one cannot shift the later ones), or, once all are created, by running the
// step's configuration again, which is written to be repeated (each part checks on chain whether it is
// done before sending).
import {
  type Abi,
  type Address,
  concat,
  encodeDeployData,
  getContractAddress,
  type Hex,
  keccak256,
  parseGwei,
  type TransactionReceipt,
  toHex,
} from "viem";
import {
  type Endpoint,
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../chain/clients.js";
import { deploymentFactoryAbi, deploymentFactoryBytecode } from "../contracts/generated/index.js";
import { JunctionError } from "../errors.js";

export class DeploymentError extends JunctionError {
  override name = "DeploymentError" as const;
}

/** A step's contracts exist but not all of them, or the step was never sealed: a run stopped halfway. */
export class IncompleteDeploymentError extends JunctionError {
  override name = "IncompleteDeploymentError" as const;
}

/** The code at a planned address is not what this deployment's plan creates. */
export class DeploymentMismatchError extends JunctionError {
  override name = "DeploymentMismatchError" as const;
}

/** The well-known deterministic deployment proxy (CREATE2 of `salt ++ initCode` in its calldata). */
export const DETERMINISTIC_DEPLOYMENT_PROXY: Address = "0x4e59b44847b379578588920ca78fbf26c0b4956c";
/** The proxy's published keyless deployment: a pre-EIP-155 transaction with r = s = 0x22…22. */
const PROXY_SIGNER: Address = "0x3fab184622dc19b6109349b94811493bf2a45362";
const PROXY_DEPLOYMENT_TX: Hex =
  "0xf8a58085174876e800830186a08080b853604580600e600039806000f350fe7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf31ba02222222222222222222222222222222222222222222222222222222222222222a02222222222222222222222222222222222222222222222222222222222222222";
/** 100,000 gas at 100 gwei: what the keyless transaction costs its signer. */
const PROXY_FUNDING = 100_000n * parseGwei("100");

/** Gas for one contract's creation through a factory (the largest contract needs ~5.5 M). */
const CREATION_GAS = 7_000_000n;

export type Deployment = { abi: Abi; bytecode: Hex; args: readonly unknown[] };

function factoryInitCode(owner: Address): Hex {
  return encodeDeployData({ abi: deploymentFactoryAbi, bytecode: deploymentFactoryBytecode, args: [owner] });
}

function saltOf(label: string): Hex {
  return keccak256(toHex(`junction/${label}`));
}

/** The address of a step's factory: CREATE2 through the proxy, from the step's label and its owner. */
export function factoryAddress(label: string, owner: Address): Address {
  return getContractAddress({
    opcode: "CREATE2",
    from: DETERMINISTIC_DEPLOYMENT_PROXY,
    salt: saltOf(label),
    bytecode: factoryInitCode(owner),
  });
}

/** The address of a factory's `index`-th contract (a contract's first CREATE uses nonce 1). */
export function plannedAddress(factory: Address, index: number): Address {
  return getContractAddress({ from: factory, nonce: BigInt(index + 1) });
}

export type DeployAllResult = {
  addresses: Address[];
  /** The block the step's factory was created in: agents scan its contracts' events from there. */
  deployBlock: number;
  /** True when this run created the contracts; false when it found them complete and verified them. */
  fresh: boolean;
};

/**
 * Deploys the step `label`'s planned contracts on one chain, runs `configure` on them and seals the step;
 * or, when the step is already sealed, verifies every planned contract's init code, runs `check` (which
 * reads back the settings `configure` wrote and throws `DeploymentMismatchError` naming one that differs
 * from the plan) and sends nothing. `configure` must be safe to run again on a step that stopped during
 * it: a later run repeats it before sealing.
 */
export async function deployAll(
  endpoint: Endpoint,
  deployerKey: Hex,
  label: string,
  plan: (addresses: Address[], deployer: Address) => Deployment[],
  configure?: (addresses: Address[]) => Promise<void>,
  check?: (addresses: Address[]) => Promise<void>,
): Promise<DeployAllResult> {
  const client = publicClientFor(endpoint);
  const wallet = walletClientFor(endpoint, deployerKey);
  const from = wallet.account.address;
  const factory = factoryAddress(label, from);
  const count = plan([], from).length;
  const addresses = Array.from({ length: count }, (_, i) => plannedAddress(factory, i));
  const initCodes = plan(addresses, from).map((deployment) =>
    encodeDeployData({ abi: deployment.abi, bytecode: deployment.bytecode, args: deployment.args }),
  );
  const where = `step "${label}" on chain ${endpoint.chainId}`;
  const existing = await factoryState(client, factory);
  if (existing?.complete) {
    if (existing.created !== count) {
      throw new DeploymentMismatchError(`${where} holds ${existing.created} contracts, the plan ${count}`, {
        details: `factory ${factory}; a different version of Junction deployed it`,
      });
    }
    await verifyAll(client, factory, addresses, initCodes, where);
    await check?.(addresses);
    return { addresses, deployBlock: await creationBlock(client, factory), fresh: false };
  }
  // A run that stopped while creating resumes after the contracts it created, once they check out; one
  // that created everything configures again (every configuration skips what is already done) and seals.
  const resumeAt = existing?.created ?? 0;
  if (resumeAt > count) {
    throw new DeploymentMismatchError(`${where} holds ${resumeAt} contracts, the plan ${count}`, {
      details: `factory ${factory}; a different version of Junction deployed it`,
    });
  }
  if (resumeAt > 0) {
    await verifyAll(client, factory, addresses.slice(0, resumeAt), initCodes.slice(0, resumeAt), where);
  }
  await ensureProxy(client, wallet);
  let nonce = await client.getTransactionCount({ address: from, blockTag: "pending" });
  const hashes: Hex[] = [];
  if (!existing) {
    hashes.push(
      await wallet.sendTransaction({
        to: DETERMINISTIC_DEPLOYMENT_PROXY,
        data: concat([saltOf(label), factoryInitCode(from)]),
        nonce: nonce++,
        gas: 1_000_000n,
      }),
    );
  }
  for (const [i, initCode] of initCodes.entries()) {
    if (i < resumeAt) continue;
    hashes.push(
      await wallet.writeContract({
        address: factory,
        abi: deploymentFactoryAbi,
        functionName: "create",
        args: [BigInt(i), initCode],
        nonce: nonce++,
        gas: CREATION_GAS,
      }),
    );
  }
  const receipts = await confirmAll(client, hashes, `deploying ${where} failed`);
  const deployBlock =
    existing || receipts.length === 0
      ? await creationBlock(client, factory)
      : Number((receipts[0] as TransactionReceipt).blockNumber);
  await configure?.(addresses);
  const seal = await wallet.writeContract({
    address: factory,
    abi: deploymentFactoryAbi,
    functionName: "seal",
    gas: 100_000n,
  });
  await confirmAll(client, [seal], `sealing ${where} failed`);
  return { addresses, deployBlock, fresh: true };
}

async function factoryState(
  client: JunctionPublicClient,
  factory: Address,
): Promise<{ complete: boolean; created: number } | undefined> {
  const code = await client.getCode({ address: factory });
  if (!code || code === "0x") return undefined;
  const at = { address: factory, abi: deploymentFactoryAbi } as const;
  const [complete, created] = await Promise.all([
    client.readContract({ ...at, functionName: "complete" }),
    client.readContract({ ...at, functionName: "created" }),
  ]);
  return { complete, created: Number(created) };
}

/**
 * Each planned contract must have been created from its planned init code (creation code and
 * constructor arguments, so storage set by the constructor too): the factory records every init code's
 * hash, and only its owner can create there. Its code must still be there.
 */
async function verifyAll(
  client: JunctionPublicClient,
  factory: Address,
  addresses: readonly Address[],
  initCodes: readonly Hex[],
  where: string,
): Promise<void> {
  await Promise.all(
    addresses.map(async (address, i) => {
      const [recorded, code] = await Promise.all([
        client.readContract({
          address: factory,
          abi: deploymentFactoryAbi,
          functionName: "initCodeHashes",
          args: [BigInt(i)],
        }),
        client.getCode({ address }),
      ]);
      if (recorded !== keccak256(initCodes[i] as Hex)) {
        throw new DeploymentMismatchError(
          `${where}: contract ${i} (${address}) was created from other init code`,
          {
            details:
              "the chain holds another version of Junction, or the configuration changed a constructor argument (a role, a setting)",
          },
        );
      }
      if (!code || code === "0x") {
        throw new DeploymentMismatchError(`${where}: contract ${i} (${address}) has no code`);
      }
    }),
  );
}

/** The first block holding the factory's code (binary search; needs the node's historical state). */
async function creationBlock(client: JunctionPublicClient, factory: Address): Promise<number> {
  let low = 0n;
  let high = await client.getBlockNumber();
  while (low < high) {
    const middle = (low + high) / 2n;
    const code = await client.getCode({ address: factory, blockNumber: middle });
    if (code && code !== "0x") high = middle;
    else low = middle + 1n;
  }
  return Number(low);
}

/**
 * Puts the deterministic deployment proxy on a chain that lacks it: funds its one-time signer and sends the
 * proxy's published keyless transaction (a node must accept pre-EIP-155 transactions for it).
 */
async function ensureProxy(client: JunctionPublicClient, wallet: JunctionWalletClient): Promise<void> {
  const code = await client.getCode({ address: DETERMINISTIC_DEPLOYMENT_PROXY });
  if (code && code !== "0x") return;
  const balance = await client.getBalance({ address: PROXY_SIGNER });
  if (balance < PROXY_FUNDING) {
    const hash = await wallet.sendTransaction({ to: PROXY_SIGNER, value: PROXY_FUNDING - balance });
    await confirmAll(
      client,
      [hash],
      `funding the deployment proxy's signer on chain ${client.chain.id} failed`,
    );
  }
  let hash: Hex;
  try {
    hash = await client.sendRawTransaction({ serializedTransaction: PROXY_DEPLOYMENT_TX });
  } catch (cause) {
    // Someone else may have deployed the proxy meanwhile (its transaction is public): then all is well.
    const now = await client.getCode({ address: DETERMINISTIC_DEPLOYMENT_PROXY });
    if (now && now !== "0x") return;
    throw new DeploymentError(`chain ${client.chain.id} refused the deployment proxy's keyless transaction`, {
      details: `the node must accept transactions without replay protection (geth: --rpc.allow-unprotected-txs); the ${PROXY_FUNDING} wei sent to its signer ${PROXY_SIGNER} stays there for a later try`,
      cause,
    });
  }
  await confirmAll(client, [hash], `deploying the deployment proxy on chain ${client.chain.id} failed`);
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
