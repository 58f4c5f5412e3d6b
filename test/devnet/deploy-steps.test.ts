// Deterministic deployment steps (src/devnet/deploy-steps.ts) on two anvil nodes: the same addresses
// whatever the deployer's nonce, a sealed step verified without a transaction, a changed constructor
// argument refused by name, a step that stopped halfway (creating or configuring) resumed, a failed
// creation that cannot shift the later ones, the hub's roles read back on a re-run, and a factory only
// its owner can use.
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
  rollupHubAbi,
} from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { deployHub, hubPlan } from "../../src/devnet/deploy.js";
import { confirmAll, deployAll, factoryAddress, plannedAddress } from "../../src/devnet/deploy-steps.js";
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

  it("resumes a hub stopped while registering its rollups: the registered one is skipped, the rest registered, then sealed", async () => {
    const [a] = nodes as [AnvilNode];
    const client = publicClientFor(a);
    const wallet = walletClientFor(a, deployerKey);
    const rollups = [901, 902];
    // The run stops after registering the first rollup, as an RPC failure or Ctrl-C would stop it.
    await assert.rejects(
      deployAll(a, deployerKey, "hub", hubPlan(rollups, accounts.sequencer.address), async ([hub]) => {
        const hash = await wallet.writeContract({
          address: hub as Address,
          abi: rollupHubAbi,
          functionName: "registerRollup",
          args: [901n, accounts.proposer.address],
        });
        await confirmAll(client, [hash], "registering 901");
        throw new Error("configuration interrupted");
      }),
      /configuration interrupted/,
    );
    const resumed = await deployHub(
      a,
      deployerKey,
      rollups,
      accounts.proposer.address,
      accounts.sequencer.address,
    );
    const at = { address: resumed.rollupHub, abi: rollupHubAbi } as const;
    assert.deepEqual(await client.readContract({ ...at, functionName: "chainIds" }), [901n, 902n]);
    const second = await client.readContract({ ...at, functionName: "rollupOf", args: [902n] });
    assert.equal(second.proposer, accounts.proposer.address);
    const factory = factoryAddress("hub", accounts.deployer.address);
    assert.equal(
      await client.readContract({ address: factory, abi: deploymentFactoryAbi, functionName: "complete" }),
      true,
    );
    const before = await nonceOn(a);
    await deployHub(a, deployerKey, rollups, accounts.proposer.address, accounts.sequencer.address);
    assert.equal(await nonceOn(a), before, "the sealed hub is verified, nothing sent");
  });

  it("a re-run of the hub refuses a changed proposer or sequencer, and a rollup registered outside the config, naming it", async () => {
    const [a] = nodes as [AnvilNode];
    const rollups = [901, 902];
    const before = await nonceOn(a);
    await assert.rejects(
      deployHub(a, deployerKey, rollups, accounts.user.address, accounts.sequencer.address),
      { name: "DeploymentMismatchError", message: /rollup 901's proposer is 0x\w+, the config's 0x/ },
    );
    await assert.rejects(
      deployHub(a, deployerKey, rollups, accounts.proposer.address, accounts.user.address),
      { name: "DeploymentMismatchError", message: /contract 1 .* other init code/ },
    );
    assert.equal(await nonceOn(a), before, "nothing sent");
    // The owner registers a rollup by hand: the config no longer describes the hub.
    const { rollupHub } = await deployHub(
      a,
      deployerKey,
      rollups,
      accounts.proposer.address,
      accounts.sequencer.address,
    );
    const hash = await walletClientFor(a, deployerKey).writeContract({
      address: rollupHub,
      abi: rollupHubAbi,
      functionName: "registerRollup",
      args: [903n, accounts.proposer.address],
    });
    await confirmAll(publicClientFor(a), [hash], "registering 903");
    await assert.rejects(
      deployHub(a, deployerKey, rollups, accounts.proposer.address, accounts.sequencer.address),
      {
        name: "DeploymentMismatchError",
        message: /rollups registered \(901, 902, 903\) are not the config's \(901, 902\)/,
      },
    );
  });

  it("resumes a step that stopped while creating, after the contracts it created; a failed creation shifts none", async () => {
    const [a] = nodes as [AnvilNode];
    // Ownable refuses the zero owner: the second creation reverts. The third, already sent, names its
    // index and reverts too, instead of creating its contract at the address planned for the second.
    await assert.rejects(
      deployAll(
        a,
        deployerKey,
        "resume",
        tokens([accounts.user.address, zeroAddress, accounts.keeper.address]),
      ),
      { name: "DeploymentError" },
    );
    const factory = factoryAddress("resume", accounts.deployer.address);
    const client = publicClientFor(a);
    assert.equal(
      await client.readContract({ address: factory, abi: deploymentFactoryAbi, functionName: "created" }),
      1n,
    );
    assert.equal((await client.getCode({ address: plannedAddress(factory, 1) })) ?? "0x", "0x");
    await rejects(
      walletClientFor(a, deployerKey).writeContract({
        address: factory,
        abi: deploymentFactoryAbi,
        functionName: "create",
        args: [2n, ownedTestTokenBytecode],
      }),
      "WrongIndex",
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
        args: [0n, ownedTestTokenBytecode],
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
