// A relayer's key under the faults users report against relayers: a transaction sent from the same key
// outside the relayer (its nonce drifts, "nonce too low" / "replacement transaction underpriced"), and a
// key with no funds (it says so once, keeps its queue, and resumes when funded). The devnet's own relayer
// is off; each test runs one with a short receipt timeout and reads its store and logs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Hex, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Relayer } from "../../src/agents/relayer/relayer.js";
import { setBalance } from "../../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { getDeliveryEvents } from "../../src/chain/events.js";
import { rpcCall } from "../../src/chain/json-rpc.js";
import { type RollupEntry, rollupOf } from "../../src/chain/manifest.js";
import { relayerDatabase } from "../../src/devnet/devnet.js";
import { createLogger } from "../../src/log.js";
import { sendMessage } from "../../src/sdk/index.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

describe("relayer keys: nonce drift and empty balances", () => {
  let devnet: TestDevnet;
  let destination: RollupEntry;
  let store: SqliteStore;
  const lines: string[] = [];
  let relayer: Relayer | undefined;

  before(async () => {
    devnet = await startTestDevnet({ relayer: false });
    destination = rollupOf(devnet.manifest, 902);
    store = new SqliteStore(relayerDatabase(devnet.dataDir));
  });

  after(async () => {
    await relayer?.stop();
    await store?.close();
    await devnet?.stop();
  });

  async function startRelayer(): Promise<Relayer> {
    await relayer?.stop();
    relayer = new Relayer({
      network: devnet.manifest,
      privateKey: devnet.manifest.accounts.relayer.privateKey,
      store,
      logger: createLogger("info", (line) => lines.push(line)),
      receiptTimeoutMs: 5_000,
    });
    await relayer.start();
    return relayer;
  }

  async function send(count: number, tag: string): Promise<Hex[]> {
    const wallet = walletClientFor(rollupOf(devnet.manifest, 901), devnet.manifest.accounts.user.privateKey);
    const ids: Hex[] = [];
    for (let i = 0; i < count; i++) {
      const sent = await sendMessage(wallet, devnet.manifest, {
        destinationChainId: 902,
        recipient: destination.contracts.recorder,
        body: toHex(`${tag} ${i}`),
      });
      ids.push(sent.id);
    }
    return ids;
  }

  async function deliveredOnce(ids: Hex[]): Promise<void> {
    const client = publicClientFor(destination);
    for (const id of ids) {
      const events = await getDeliveryEvents(client, destination.contracts.inbox, id, 0n);
      assert.equal(events.filter((event) => event.kind === "delivered").length, 1, `${id} delivered once`);
    }
  }

  it("delivers everything although a transaction from its own key took one of its nonces", async () => {
    // A transaction with the key's next-but-one nonce waits in the pool; once the relayer's first
    // transaction lands it takes the nonce the relayer counts on next.
    const key = privateKeyToAccount(devnet.manifest.accounts.relayer.privateKey);
    const client = publicClientFor(destination);
    const nonce = await client.getTransactionCount({ address: key.address, blockTag: "pending" });
    const block = await client.getBlock({ blockTag: "latest" });
    const conflicting = await key.signTransaction({
      chainId: destination.chainId,
      type: "eip1559",
      nonce: nonce + 1,
      to: key.address,
      value: 0n,
      gas: 21_000n,
      maxFeePerGas: (block.baseFeePerGas ?? 0n) * 2n + 1_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    });
    await rpcCall<Hex>(destination.rpcUrl, "eth_sendRawTransaction", [conflicting]);
    await startRelayer();
    // Two rounds: the relayer's second transaction needs the nonce the outside one took.
    const first = await send(3, "drift");
    await waitUntil(
      async () =>
        (await Promise.all(first.map((id) => store.get(id)))).every((row) => row?.status === "delivered"),
      Boolean,
      "the first round",
      90_000,
    );
    const ids = [...first, ...(await send(3, "drift again"))];
    await waitUntil(
      async () =>
        (await Promise.all(ids.map((id) => store.get(id)))).every((row) => row?.status === "delivered"),
      Boolean,
      "every message delivered despite the drifted nonce",
      90_000,
    );
    await deliveredOnce(ids);
    assert.ok(
      (await client.getTransactionCount({ address: key.address })) > nonce + 1,
      "the outside transaction was mined too",
    );
  });

  it("says once that its key has no funds, keeps the queue, and resumes when funded", async () => {
    const address = privateKeyToAccount(devnet.manifest.accounts.relayer.privateKey).address;
    await setBalance(destination, address, 0n);
    const running = await startRelayer();
    const ids = await send(2, "broke");
    await waitUntil(
      async () => running.health().find((health) => health.chainId === 902)?.outOfFunds ?? false,
      Boolean,
      "the relayer to notice its empty key",
      60_000,
    );
    const complaints = lines.filter((line) => line.includes("relayer key cannot pay for gas"));
    assert.ok(complaints.length >= 1, "one clear log line");
    assert.match(complaints[0] as string, /"destination":902/);
    for (const id of ids) assert.notEqual((await store.get(id))?.status, "delivered", "kept in the queue");
    await setBalance(destination, address, 100n * 10n ** 18n);
    await waitUntil(
      async () =>
        (await Promise.all(ids.map((id) => store.get(id)))).every((row) => row?.status === "delivered"),
      Boolean,
      "delivery once the key is funded",
      60_000,
    );
    await deliveredOnce(ids);
    assert.equal(running.health().find((health) => health.chainId === 902)?.outOfFunds, false);
    assert.ok(lines.some((line) => line.includes("relayer key pays for gas again")));
  });
});
