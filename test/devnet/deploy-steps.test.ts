// Deterministic deployment steps (src/devnet/deploy-steps.ts) on two anvil nodes: the same addresses
// whatever the deployer's nonce, a sealed step verified without a transaction, a changed constructor
// argument refused by name, a step that stopped halfway refused, and a factory only its owner can use.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, zeroAddress } from "viem";
import { type AnvilNode, startAnvil } from "../../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { consecutiveFreePorts } from "../../src/chain/ports.js";
import {
  deploymentFactoryAbi,
  ownedTestTokenAbi,
  ownedTestTokenBytecode,
} from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { confirmAll, deployAll, factoryAddress } from "../../src/devnet/deploy-steps.js";
import { rejects } from "../helpers/chain.js";

const accounts = devnetAccounts();
const deployerKey = accounts.deployer.privateKey;
const tokens = (owners: readonly Address[]) => () =>
  owners.map((owner) => ({ abi: ownedTestTokenAbi, bytecode: ownedTestTokenBytecode, args: [owner] }));

describe("deployment steps through CREATE2-placed factories", () => {
  const nodes: AnvilNode[] = [];

  before(async () => {
    const port = await consecutiveFreePorts(2);
    nodes.push(await startAnvil({ chainId: 41_001, port }));
    nodes.push(await startAnvil({ chainId: 41_002, port: port + 1 }));
  });
  after(async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
  });

  const nonceOn = (node: AnvilNode) =>
    publicClientFor(node).getTransactionCount({ address: accounts.deployer.address });

  it("deploys at the same addresses whatever the deployer's nonce, and a re-run sends nothing", async () => {
    const [a, b] = nodes as [AnvilNode, AnvilNode];
    // The deployer has used the second chain before: its nonce there is ahead.
    const wallet = walletClientFor(b, deployerKey);
    const hashes: Hex[] = [];
    for (let i = 0; i < 3; i++)
      hashes.push(await wallet.sendTransaction({ to: accounts.user.address, value: 1n }));
    await confirmAll(publicClientFor(b), hashes, "spending nonces");
    assert.notEqual(await nonceOn(a), await nonceOn(b));
    const plan = tokens([accounts.user.address, accounts.filler.address]);
    let configured = 0;
    const configure = async () => {
      configured++;
    };
    const [onA, onB] = await Promise.all([
      deployAll(a, deployerKey, "same", plan, configure),
      deployAll(b, deployerKey, "same", plan, configure),
    ]);
    assert.deepEqual(onA.addresses, onB.addresses);
    assert.equal(onA.fresh && onB.fresh, true);
    assert.equal(configured, 2);
    const owner = await publicClientFor(a).readContract({
      address: onA.addresses[1] as Address,
      abi: ownedTestTokenAbi,
      functionName: "owner",
    });
    assert.equal(owner, accounts.filler.address, "constructor arguments, not the factory, name the owner");

    const before = await nonceOn(a);
    const again = await deployAll(a, deployerKey, "same", plan, configure);
    assert.equal(again.fresh, false);
    assert.deepEqual(again.addresses, onA.addresses);
    assert.equal(again.deployBlock, onA.deployBlock);
    assert.equal(configured, 2, "a verified step is not configured again");
    assert.equal(await nonceOn(a), before, "no transaction");
  });

  it("refuses a sealed step whose plan differs (a constructor argument kept in storage, one contract fewer)", async () => {
    const [a] = nodes as [AnvilNode];
    await assert.rejects(
      deployAll(a, deployerKey, "same", tokens([accounts.user.address, accounts.keeper.address])),
      {
        name: "DeploymentMismatchError",
      },
    );
    await assert.rejects(deployAll(a, deployerKey, "same", tokens([accounts.user.address])), {
      name: "DeploymentMismatchError",
    });
  });

  it("refuses a step that stopped during its configuration (everything created, never sealed)", async () => {
    const [a] = nodes as [AnvilNode];
    const plan = tokens([accounts.user.address]);
    await assert.rejects(
      deployAll(a, deployerKey, "halfway", plan, async () => {
        throw new Error("configuration interrupted");
      }),
      /configuration interrupted/,
    );
    await assert.rejects(deployAll(a, deployerKey, "halfway", plan), { name: "IncompleteDeploymentError" });
  });

  it("resumes a step that stopped while creating, after the contracts it created", async () => {
    const [a] = nodes as [AnvilNode];
    // Ownable refuses the zero owner: the second creation reverts and the run stops after the first.
    await assert.rejects(deployAll(a, deployerKey, "resume", tokens([accounts.user.address, zeroAddress])), {
      name: "DeploymentError",
    });
    const factory = factoryAddress("resume", accounts.deployer.address);
    const client = publicClientFor(a);
    assert.equal(
      await client.readContract({ address: factory, abi: deploymentFactoryAbi, functionName: "created" }),
      1n,
    );
    // A first contract other than the one created is refused; the created one is kept and the rest follows.
    await assert.rejects(
      deployAll(a, deployerKey, "resume", tokens([accounts.keeper.address, accounts.filler.address])),
      { name: "DeploymentMismatchError" },
    );
    const resumed = await deployAll(
      a,
      deployerKey,
      "resume",
      tokens([accounts.user.address, accounts.filler.address]),
    );
    assert.equal(resumed.fresh, true);
    const owner = await client.readContract({
      address: resumed.addresses[1] as Address,
      abi: ownedTestTokenAbi,
      functionName: "owner",
    });
    assert.equal(owner, accounts.filler.address);
    assert.equal(
      await client.readContract({ address: factory, abi: deploymentFactoryAbi, functionName: "complete" }),
      true,
    );
  });

  it("lets only the factory's owner create or seal", async () => {
    const [a] = nodes as [AnvilNode];
    const factory = factoryAddress("same", accounts.deployer.address);
    const stranger = walletClientFor(a, accounts.user.privateKey);
    await rejects(
      stranger.writeContract({
        address: factory,
        abi: deploymentFactoryAbi,
        functionName: "create",
        args: [ownedTestTokenBytecode],
      }),
      "NotOwner",
    );
    await rejects(
      walletClientFor(a, deployerKey).writeContract({
        address: factory,
        abi: deploymentFactoryAbi,
        functionName: "seal",
      }),
      "AlreadySealed",
    );
  });
});
