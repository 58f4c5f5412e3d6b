// Kills the relayer process (SIGKILL, no clean shutdown) in the middle of a stream of messages, starts
// it again, and checks every message is delivered exactly once.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, hexToString, toHex } from "viem";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { testRecipientAbi, testRecipientBytecode } from "../../src/contracts/generated/index.js";
import { relayerDatabase } from "../../src/devnet/devnet.js";
import { sendMessage } from "../../src/sdk/index.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { type LongRunning, startCli, waitFor } from "../helpers/cli.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

const TOTAL = 40;

describe("relayer restart", () => {
  let devnet: TestDevnet;
  let relayer: LongRunning | undefined;

  before(async () => {
    devnet = await startTestDevnet({ relayer: false });
  });

  after(async () => {
    relayer?.child.kill("SIGKILL");
    await relayer?.exited;
    await devnet?.stop();
  });

  it("delivers every message exactly once across a SIGKILL and restart", async () => {
    const { manifest, dataDir } = devnet;
    const destination = publicClientFor(rollupOf(manifest, 902));
    const deployer = walletClientFor(rollupOf(manifest, 902), manifest.accounts.deployer.privateKey);
    const hash = await deployer.deployContract({
      abi: testRecipientAbi,
      bytecode: testRecipientBytecode,
      args: [rollupOf(manifest, 902).contracts.inbox],
    });
    const recipient = (await destination.waitForTransactionReceipt({ hash })).contractAddress as Address;
    const received = () =>
      destination.readContract({ address: recipient, abi: testRecipientAbi, functionName: "receivedCount" });
    const user = walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey);
    const ids: Hex[] = [];
    const send = async (i: number) => {
      const { id } = await sendMessage(user, manifest, {
        destinationChainId: 902,
        recipient,
        body: toHex(`message ${i}`),
      });
      ids.push(id);
    };

    relayer = startCli(["relayer", "--data-dir", dataDir, "--log-level", "warn"]);
    let sent = 0;
    while (sent < TOTAL / 2) await send(sent++);
    await waitFor(async () => (await received()) >= 5n, 60_000, "first deliveries");
    relayer.child.kill("SIGKILL");
    await relayer.exited;
    const atKill = await received();
    assert.ok(atKill < BigInt(TOTAL), "the relayer was killed mid-stream");
    while (sent < TOTAL) await send(sent++);

    relayer = startCli(["relayer", "--data-dir", dataDir, "--log-level", "warn"]);
    await waitFor(async () => (await received()) >= BigInt(TOTAL), 90_000, "all deliveries");
    // Give a duplicate the chance to happen before counting.
    await new Promise((resolve) => setTimeout(resolve, 1000));
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
    const seen = new Set(bodies.map((entry) => hexToString(entry.body)));
    assert.equal(seen.size, TOTAL);
    for (let i = 0; i < TOTAL; i++) assert.ok(seen.has(`message ${i}`), `message ${i} delivered`);

    relayer.child.kill("SIGTERM");
    assert.equal(await relayer.exited, 0, "the relayer stops cleanly on SIGTERM");
    relayer = undefined;
    const store = new SqliteStore(relayerDatabase(dataDir));
    const rows = await Promise.all(ids.map((id) => store.get(id)));
    const counts = await store.counts();
    await store.close();
    assert.equal(rows.filter((row) => row?.status === "delivered").length, TOTAL);
    // Nothing else is left waiting either (the devnet's own bond-update messages included).
    assert.equal(counts.sent + counts.failed + counts.expired, 0);
  });
});
