// Several relayers on one PostgreSQL store: `junction devnet --relayers 2 --database-url …` plus a third
// `junction relayer` process with its own key and --relayer-id. Every message is delivered exactly once,
// the state is in PostgreSQL (no SQLite file), and the devnet's extra relayer has a funded key; then 300
// messages all-to-all while the third relayer is SIGKILLed mid-run: each is delivered exactly once.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, hexToString, parseEventLogs, toHex } from "viem";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import {
  loadManifest,
  type Manifest,
  manifestPath,
  type RollupEntry,
  rollupOf,
} from "../../src/chain/manifest.js";
import {
  inboxAbi,
  outboxAbi,
  testRecipientAbi,
  testRecipientBytecode,
} from "../../src/contracts/generated/index.js";
import { extraRelayerAccounts } from "../../src/devnet/accounts.js";
import { relayerDatabase } from "../../src/devnet/devnet.js";
import { sendMessage } from "../../src/sdk/index.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { devnetPorts, type LongRunning, startCli, stopCli, waitFor } from "../helpers/cli.js";
import { type PostgresCluster, startPostgres } from "../helpers/postgres.js";

const TOTAL = 30;
const BURST = 300;

describe("several relayers on PostgreSQL", () => {
  let cluster: PostgresCluster;
  let databaseUrl: string;
  let dataDir: string;
  let devnet: LongRunning | undefined;
  let third: LongRunning | undefined;
  let manifest: Manifest;

  before(async () => {
    cluster = await startPostgres();
    databaseUrl = await cluster.createDatabase("relayers");
    const { base } = await devnetPorts();
    dataDir = mkdtempSync(join(tmpdir(), "junction-relayers-"));
    devnet = startCli([
      "devnet",
      "--port",
      String(base),
      "--data-dir",
      dataDir,
      "--relayers",
      "2",
      "--database-url",
      databaseUrl,
      "--log-level",
      "warn",
    ]);
    await waitFor(() => devnet?.output().includes("Junction devnet is running") ?? false, 90_000, "devnet");
    manifest = loadManifest(manifestPath(dataDir));
  });

  after(async () => {
    if (third) await stopCli(third);
    if (devnet) await stopCli(devnet);
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("delivers every message exactly once with three relayers sharing the store", async () => {
    const target = rollupOf(manifest, 902);
    const destination = publicClientFor(target);
    const [extra] = extraRelayerAccounts(1);
    assert.ok(extra);
    assert.ok((await destination.getBalance({ address: extra.address })) > 0n, "extra relayer funded");

    // A third relayer in its own process, with a key of its own (the prover's: idle without --zk).
    third = startCli([
      "relayer",
      "--data-dir",
      dataDir,
      "--database-url",
      databaseUrl,
      "--relayer-id",
      "third",
      "--lease",
      "5",
      "--private-key",
      manifest.accounts.prover.privateKey,
      "--log-level",
      "info",
    ]);
    await waitFor(() => third?.output().includes("third") ?? false, 30_000, "the third relayer");

    const deployer = walletClientFor(target, manifest.accounts.deployer.privateKey);
    const hash = await deployer.deployContract({
      abi: testRecipientAbi,
      bytecode: testRecipientBytecode,
      args: [target.contracts.inbox],
    });
    const recipient = (await destination.waitForTransactionReceipt({ hash })).contractAddress as Address;
    const received = () =>
      destination.readContract({ address: recipient, abi: testRecipientAbi, functionName: "receivedCount" });
    const user = walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey);
    const ids: Hex[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const { id } = await sendMessage(user, manifest, {
        destinationChainId: 902,
        recipient,
        body: toHex(`message ${i}`),
      });
      ids.push(id);
    }
    await waitFor(async () => (await received()) >= BigInt(TOTAL), 120_000, "all deliveries");
    // Give a duplicate the chance to happen before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await received(), BigInt(TOTAL));
    const bodies = await Promise.all(
      Array.from({ length: TOTAL }, (_, i) =>
        destination.readContract({
          address: recipient,
          abi: testRecipientAbi,
          functionName: "received",
          args: [BigInt(i)],
        }),
      ),
    );
    assert.equal(new Set(bodies.map((entry) => hexToString(entry.body))).size, TOTAL);

    assert.equal(existsSync(relayerDatabase(dataDir)), false, "no SQLite file: the state is in PostgreSQL");
    const store = await PostgresStore.open(databaseUrl);
    try {
      const rows = await Promise.all(ids.map((id) => store.get(id)));
      assert.equal(rows.filter((row) => row?.status === "delivered").length, TOTAL);
      // Every delivery came from one of the three relayers' accounts.
      const relayers = new Set(
        [manifest.accounts.relayer.address, extra.address, manifest.accounts.prover.address].map((address) =>
          address.toLowerCase(),
        ),
      );
      const txs = new Set(
        rows.map((row) => row?.deliveryTx).filter((tx): tx is Hex => tx !== null && tx !== undefined),
      );
      for (const tx of txs) {
        const { from } = await destination.getTransaction({ hash: tx });
        assert.ok(relayers.has(from.toLowerCase()), `delivery ${tx} from ${from}`);
      }
    } finally {
      await store.close();
    }
  });

  it("delivers 300 messages all-to-all exactly once although one relayer is SIGKILLed mid-run", async () => {
    assert.ok(third, "the third relayer runs");
    const [a, b] = [rollupOf(manifest, 901), rollupOf(manifest, 902)];
    const recipients = new Map<number, Address>();
    for (const rollup of [a, b]) {
      const deployer = walletClientFor(rollup, manifest.accounts.deployer.privateKey);
      const hash = await deployer.deployContract({
        abi: testRecipientAbi,
        bytecode: testRecipientBytecode,
        args: [rollup.contracts.inbox],
      });
      const receipt = await publicClientFor(rollup).waitForTransactionReceipt({ hash });
      recipients.set(rollup.chainId, receipt.contractAddress as Address);
    }
    // Sent without waiting for each receipt (one nonce after the other), then all receipts at once.
    const sends: { from: RollupEntry; hash: Hex }[] = [];
    for (let i = 0; i < BURST; i++) {
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
      const wallet = walletClientFor(from, manifest.accounts.user.privateKey);
      const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
      const hash = await wallet.writeContract({
        address: from.contracts.outbox,
        abi: outboxAbi,
        functionName: "send",
        args: [
          BigInt(to.chainId),
          recipients.get(to.chainId) as Address,
          toHex(`burst ${i}`),
          200_000n,
          deadline,
        ],
        gas: 300_000n,
      });
      sends.push({ from, hash });
      if (i === BURST / 3) {
        // Mid-run, the third relayer dies without a chance to release anything it holds.
        third.child.kill("SIGKILL");
      }
    }
    const ids: { id: Hex; to: RollupEntry }[] = [];
    for (const { from, hash } of sends) {
      const receipt = await publicClientFor(from).waitForTransactionReceipt({ hash });
      const [event] = parseEventLogs({ abi: outboxAbi, logs: receipt.logs, eventName: "MessageSent" });
      assert.ok(event, `MessageSent in ${hash}`);
      ids.push({ id: event.args.id, to: from.chainId === a.chainId ? b : a });
    }
    await third.exited;
    const deliveries = async () => {
      const counts = new Map<Hex, number>();
      for (const rollup of [a, b]) {
        const logs = await publicClientFor(rollup).getContractEvents({
          address: rollup.contracts.inbox,
          abi: inboxAbi,
          eventName: "MessageDelivered",
          fromBlock: 0n,
          strict: true,
        });
        for (const log of logs) counts.set(log.args.id, (counts.get(log.args.id) ?? 0) + 1);
      }
      return counts;
    };
    await waitFor(
      async () => {
        const counts = await deliveries();
        return ids.every(({ id }) => counts.has(id));
      },
      240_000,
      "all 300 deliveries",
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const counts = await deliveries();
    const duplicated = ids.filter(({ id }) => (counts.get(id) ?? 0) !== 1);
    assert.deepEqual(duplicated, [], "every message delivered exactly once");
  });
});
