// Proof of solvency across `Devnet.addRollup`: a sequenced devnet running the solvency publisher takes
// rollup 903, whose tokens and holding contracts (those it has: no margin vault, order gateway nor tETH
// there) the registry then lists; a user locks ETH in 903's HashedTimelock, and a later epoch, whose
// superblock includes 903, reports the lock as owed to them, with 903's HTLC among the reserves; their
// proof verifies against the grown manifest and their recomputed balances.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Address, getAddress, parseEther } from "viem";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { consecutiveFreePorts, freePort } from "../../src/chain/ports.js";
import { solvencyRegistryAbi } from "../../src/contracts/generated/index.js";
import { type Devnet, startDevnet } from "../../src/devnet/devnet.js";
import { silentLogger } from "../../src/log.js";
import { lockFunds, newSwapSecret } from "../../src/sdk/htlc.js";
import {
  getOwedBalances,
  getSolvencyEpoch,
  proveSolvency,
  verifySolvencyProof,
} from "../../src/sdk/solvency.js";
import { loadArchive } from "../../src/solvency/epoch.js";
import { waitFor } from "../helpers/cli.js";

const NEW_ROLLUP = 903;

describe("proof of solvency after devnet add-rollup", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "junction-add-rollup-solvency-"));
  let devnet: Devnet;

  before(async () => {
    devnet = await startDevnet({
      rollups: 2,
      dataDir,
      l1Port: await freePort(),
      rollupPort: await consecutiveFreePorts(3),
      sequencer: { superblockTimeMs: 250, nodePort: await consecutiveFreePorts(3) },
      solvency: true,
      logger: silentLogger,
    });
  });

  after(async () => {
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lists 903's holders that exist, and an epoch covering 903 proves a lock made there", async () => {
    const added = await devnet.addRollup();
    assert.equal(added.chainId, NEW_ROLLUP);
    const manifest = devnet.manifest;
    const l1 = publicClientFor(manifest.l1);
    const registry = { address: manifest.solvency?.registry as Address, abi: solvencyRegistryAbi } as const;
    const listed = (holder: Address) =>
      l1.readContract({ ...registry, functionName: "holderListed", args: [BigInt(NEW_ROLLUP), holder] });
    assert.equal(await listed(added.contracts.htlc), true);
    assert.equal(await listed(added.contracts.tokenBridge), true);
    assert.equal(await listed(manifest.margin.vault), false, "903 has no margin vault");

    const user = manifest.accounts.user;
    const wallet = walletClientFor(rollupOf(manifest, NEW_ROLLUP), user.privateKey);
    const amount = parseEther("0.25");
    const { hashlock } = newSwapSecret();
    await lockFunds(wallet, manifest, {
      recipient: manifest.accounts.deployer.address,
      amount,
      hashlock,
      deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
    });
    let epoch: Awaited<ReturnType<typeof getSolvencyEpoch>> | undefined;
    await waitFor(
      async () => {
        const newest = await getSolvencyEpoch(manifest).catch(() => undefined);
        if (!newest) return false;
        const archive = loadArchive(dataDir, newest.superblockHeight);
        const entry = archive.users.find((candidate) => candidate.user === getAddress(user.address));
        if (!(entry && (entry.balances.ETH ?? 0n) >= amount)) return false;
        epoch = newest;
        return true;
      },
      120_000,
      "an epoch reporting the lock on rollup 903",
    );
    assert.ok(epoch);
    const archive = loadArchive(dataDir, epoch.superblockHeight);
    assert.ok(archive.blocks.some((block) => block.chainId === BigInt(NEW_ROLLUP)));
    assert.ok(
      archive.reserves.some(
        (reserve) =>
          reserve.chainId === BigInt(NEW_ROLLUP) &&
          getAddress(reserve.holder) === getAddress(added.contracts.htlc) &&
          reserve.amount >= amount,
      ),
      "903's HashedTimelock counts among the reserves",
    );
    const balances = await getOwedBalances(manifest, { epoch: epoch.epoch, user: user.address });
    assert.ok((balances.ETH ?? 0n) >= amount);
    const proof = await proveSolvency(archive, { epoch: epoch.epoch, user: user.address });
    const checked = await verifySolvencyProof(manifest, proof, { balances });
    assert.deepEqual(
      checked.included.map(({ asset, balance, verifiedOffChain }) => ({ asset, balance, verifiedOffChain })),
      [{ asset: "ETH", balance: amount, verifiedOffChain: true }],
    );
  });
});
