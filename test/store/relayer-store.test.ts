// The relayer store's contract, run against SQLite and a real PostgreSQL: cursors and atomic batches,
// the gap-free id prefix, due() order, leases between racing relayers, the status transitions, and
// that a close and reopen loses nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak256, toHex } from "viem";
import { type Message, messageId } from "../../src/protocol/message.js";
import { openRelayerStore } from "../../src/store/open.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { NewMessage, RelayerStore } from "../../src/store/store.js";
import { storeBackends } from "../helpers/store-backends.js";

const SENDER = "0x1111111111111111111111111111111111111111";
const RECIPIENT = "0x2222222222222222222222222222222222222222";
/** Past 2^53: a store that goes through a JavaScript number loses the last digits. */
const HUGE = 2n ** 64n + 12_345n;

function newMessage(sourceChainId: number, nonce: number, destinationChainId = 902): NewMessage {
  const message: Message = {
    version: 1,
    nonce: BigInt(nonce),
    sourceChainId: BigInt(sourceChainId),
    sender: SENDER,
    destinationChainId: BigInt(destinationChainId),
    recipient: RECIPIENT,
    gasLimit: 200_000n,
    deadline: 1_900_000_000n,
    body: toHex(`message ${sourceChainId}/${nonce}`),
  };
  return {
    id: messageId(message),
    message,
    sourceTx: keccak256(toHex(`tx ${sourceChainId}/${nonce}`)),
    sourceBlock: 100n + BigInt(nonce),
    sentAt: 1_700_000_000_000 + nonce,
  };
}

/** Nonces 0 to 3 of source 901, as a tuple so each can be named. */
function four(): [NewMessage, NewMessage, NewMessage, NewMessage] {
  return [newMessage(901, 0), newMessage(901, 1), newMessage(901, 2), newMessage(901, 3)];
}

const ids = (messages: readonly NewMessage[]) => messages.map((entry) => entry.id);

for (const backend of storeBackends("relayer_store")) {
  describe(`RelayerStore on ${backend.name}`, () => {
    const open = async (database: string): Promise<RelayerStore> => {
      const store = await openRelayerStore({ database });
      assert.ok(store instanceof (backend.name === "SQLite" ? SqliteStore : PostgresStore));
      return store;
    };
    const withStore = async (work: (store: RelayerStore, database: string) => Promise<void>) => {
      const database = await backend.fresh();
      const store = await open(database);
      try {
        await work(store, database);
      } finally {
        await store.close();
      }
    };

    it("keeps a cursor per name and records a batch with its cursor atomically", () =>
      withStore(async (store, database) => {
        assert.equal(await store.getCursor("outbox:901"), undefined);
        const [m0, m1] = four();
        await store.recordSourceBatch("outbox:901", 10n, [m0, m1]);
        await store.recordSourceBatch("outbox:903", HUGE, []);
        assert.equal(await store.getCursor("outbox:901"), 10n);
        assert.equal(await store.getCursor("outbox:903"), HUGE);
        assert.equal((await store.get(m1.id))?.sourceTx, m1.sourceTx);

        // A cursor write that fails after the messages were written must take them back with it.
        await backend.exec(database, {
          sqlite: `CREATE TRIGGER refuse_cursor BEFORE INSERT ON cursors WHEN NEW.name = 'refused'
                     BEGIN SELECT RAISE(ABORT, 'cursor refused'); END;`,
          postgres: `CREATE FUNCTION refuse_cursor() RETURNS trigger LANGUAGE plpgsql
                       AS $$ BEGIN RAISE EXCEPTION 'cursor refused'; END $$;
                     CREATE TRIGGER refuse_cursor BEFORE INSERT ON relayer_cursors
                       FOR EACH ROW WHEN (NEW.name = 'refused') EXECUTE FUNCTION refuse_cursor();`,
        });
        const [m2, m3] = [newMessage(901, 2), newMessage(901, 3)];
        await assert.rejects(store.recordSourceBatch("refused", 20n, [m2, m3]), /cursor refused/);
        assert.equal(await store.getCursor("refused"), undefined);
        assert.equal(await store.get(m2.id), undefined);
        assert.equal(await store.get(m3.id), undefined);
        assert.equal((await store.counts()).sent, 2);

        // Seeing a message again (a rescanned range) neither duplicates nor resets it.
        await store.markDelivered(m0.id, { tx: null, at: 5, gasUsed: null });
        await store.recordSourceBatch("outbox:901", 30n, [m0, m1]);
        assert.equal((await store.get(m0.id))?.status, "delivered");
        assert.deepEqual(await store.counts(), { sent: 1, delivered: 1, failed: 0, expired: 0 });
        assert.equal(await store.getCursor("outbox:901"), 30n);
      }));

    it("returns a source's ids in nonce order, from a nonce, up to the first gap", () =>
      withStore(async (store) => {
        const source = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((nonce) => newMessage(901, nonce));
        // Out of order, in two batches, with nonce 12 missing and 13 present; another source beside it.
        await store.recordSourceBatch("outbox:901", 1n, [...source.slice(6)].reverse());
        await store.recordSourceBatch("outbox:901", 2n, [newMessage(901, 13), ...source.slice(0, 6)]);
        await store.recordSourceBatch("outbox:903", 1n, [newMessage(903, 0), newMessage(903, 1)]);
        assert.deepEqual(await store.messageIds(901n, 100n), ids(source));
        assert.deepEqual(await store.messageIds(901n, 3n), ids(source.slice(0, 3)));
        assert.deepEqual(await store.messageIds(901n, 0n), []);
        assert.deepEqual(await store.messageIds(903n, 5n), ids([newMessage(903, 0), newMessage(903, 1)]));
        assert.deepEqual(await store.messageIds(904n, 5n), []);
        // From a nonce on (a tree that holds the first ids reads only the rest), up to the same gap.
        assert.deepEqual(await store.messageIds(901n, 100n, 9n), ids(source.slice(9)));
        assert.deepEqual(await store.messageIds(901n, 8n, 2n), ids(source.slice(2, 8)));
        assert.deepEqual(await store.messageIds(901n, 100n, 12n), [], "nonce 12 is the gap");
        assert.deepEqual(await store.messageIds(901n, 100n, 13n), [newMessage(901, 13).id]);
        // Without nonce 0 there is no usable prefix at all.
        await store.recordSourceBatch("outbox:905", 1n, [newMessage(905, 1)]);
        assert.deepEqual(await store.messageIds(905n, 5n), []);
      }));

    it("lists due messages by source chain and nonce, up to the limit", () =>
      withStore(async (store) => {
        const toB = [newMessage(903, 10), newMessage(901, 10), newMessage(903, 2), newMessage(901, 2)];
        const elsewhere = newMessage(901, 3, 904);
        await store.recordSourceBatch("outbox", 1n, [...toB, elsewhere, newMessage(901, 4)]);
        const order = ids([newMessage(901, 2), newMessage(901, 4), newMessage(901, 10), newMessage(903, 2)]);
        assert.deepEqual(ids(await store.due(902n, 1_000, 4)), order);
        assert.deepEqual(ids(await store.due(902n, 1_000, 2)), order.slice(0, 2));
        assert.deepEqual(ids(await store.due(904n, 1_000, 10)), [elsewhere.id]);

        // Delivered and expired messages are never due; a failed or postponed one is due from its retry time.
        await store.markDelivered(newMessage(901, 2).id, { tx: null, at: 1, gasUsed: null });
        await store.markExpired(newMessage(901, 4).id, "too late");
        await store.markFailed(newMessage(901, 10).id, { error: "reverted", nextAttemptAt: 5_000, tx: null });
        await store.postpone(newMessage(903, 2).id, { error: "rpc down", nextAttemptAt: 6_000 });
        assert.deepEqual(ids(await store.due(902n, 4_999, 10)), [newMessage(903, 10).id]);
        assert.deepEqual(
          ids(await store.due(902n, 5_000, 10)),
          ids([newMessage(901, 10), newMessage(903, 10)]),
        );
        assert.deepEqual(
          ids(await store.due(902n, 6_000, 10)),
          ids([newMessage(901, 10), newMessage(903, 2), newMessage(903, 10)]),
        );
        const [failed] = await store.due(902n, 6_000, 1);
        assert.equal(failed?.status, "failed");
      }));

    it("lets exactly one of two relayers racing for each message win it", async () => {
      const database = await backend.fresh();
      // Two stores, as two relayer processes would have: on PostgreSQL two pools, so the claims
      // arrive on separate connections at the same time.
      const [a, b] = await Promise.all([open(database), open(database)]);
      try {
        const messages = Array.from({ length: 40 }, (_, nonce) => newMessage(901, nonce));
        await a.recordSourceBatch("outbox:901", 1n, messages);
        const now = 10_000;
        const results = await Promise.all(
          messages.map(async (entry) => {
            const [wonA, wonB] = await Promise.all([
              a.claim(entry.id, "relayer-a", now, 60_000),
              b.claim(entry.id, "relayer-b", now, 60_000),
            ]);
            return { id: entry.id, wonA, wonB };
          }),
        );
        for (const { id, wonA, wonB } of results) {
          assert.equal(Number(wonA) + Number(wonB), 1, `one winner for ${id}`);
          // Whoever lost cannot take it while the lease runs, from either connection.
          const loser = wonA ? b : a;
          assert.equal(await loser.claim(id, wonA ? "relayer-b" : "relayer-a", now + 59_999, 60_000), false);
        }
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("hands an expired lease to another relayer and lets the holder renew its own", () =>
      withStore(async (store) => {
        const [first, second] = [newMessage(901, 0), newMessage(901, 1)];
        await store.recordSourceBatch("outbox:901", 1n, [first, second]);
        assert.equal(await store.claim(first.id, "a", 1_000, 100), true);
        assert.equal(await store.claim(first.id, "b", 1_100, 100), false, "held until its expiry");
        assert.equal(await store.claim(first.id, "b", 1_101, 100), true, "expired: taken over");
        assert.equal(await store.claim(first.id, "a", 1_102, 100), false, "the old holder lost it");

        assert.equal(await store.claim(second.id, "a", 1_000, 100), true);
        assert.equal(await store.claim(second.id, "a", 1_090, 100), true, "the holder renews");
        assert.equal(await store.claim(second.id, "b", 1_150, 100), false, "the renewal moved the expiry");
        assert.equal(await store.claim(second.id, "b", 1_191, 100), true);
      }));

    it("lists for one relayer what no other relayer holds a live lease on", () =>
      withStore(async (store) => {
        const [first, second, third] = [newMessage(901, 0), newMessage(901, 1), newMessage(901, 2)];
        await store.recordSourceBatch("outbox:901", 1n, [first, second, third]);
        assert.equal(await store.claim(first.id, "a", 1_000, 100), true);
        assert.equal(await store.claim(second.id, "b", 1_000, 100), true);
        const ids = async (owner?: string, now = 1_050) =>
          (await store.due(902n, now, 10, owner)).map((entry) => entry.id);
        assert.deepEqual(await ids("a"), [first.id, third.id], "its own lease and the free one");
        assert.deepEqual(await ids("b"), [second.id, third.id]);
        assert.deepEqual(await ids(), [first.id, second.id, third.id], "without an owner: everything due");
        assert.deepEqual(await ids("c", 1_101), [first.id, second.id, third.id], "expired leases are free");
      }));

    it("releases the lease on every outcome and never leases what is not due", () =>
      withStore(async (store) => {
        const [failed, postponed, delivered, expired] = four();
        await store.recordSourceBatch("outbox:901", 1n, [failed, postponed, delivered, expired]);
        for (const entry of [failed, postponed, delivered, expired]) {
          assert.equal(await store.claim(entry.id, "a", 1_000, 60_000), true);
        }
        await store.markFailed(failed.id, { error: "reverted", nextAttemptAt: 2_000, tx: null });
        await store.postpone(postponed.id, { error: "rpc down", nextAttemptAt: 2_000 });
        await store.markDelivered(delivered.id, { tx: null, at: 1_500, gasUsed: 21_000n });
        await store.markExpired(expired.id, "past its deadline");
        // Released by "a" long before its lease ran out, but a retry waits for its time.
        assert.equal(await store.claim(failed.id, "b", 1_999, 60_000), false);
        assert.equal(await store.claim(failed.id, "b", 2_000, 60_000), true);
        assert.equal(await store.claim(postponed.id, "b", 2_000, 60_000), true);
        // Done is done: even its old holder cannot lease it again (no second delivery).
        assert.equal(await store.claim(delivered.id, "b", 2_000, 60_000), false);
        assert.equal(await store.claim(delivered.id, "a", 2_000, 60_000), false);
        assert.equal(await store.claim(expired.id, "b", 2_000, 60_000), false);
        assert.equal(await store.claim(newMessage(999, 0).id, "b", 2_000, 60_000), false, "unknown id");
      }));

    it("records delivery, failure, postponement and expiry, and counts each status", () =>
      withStore(async (store) => {
        const [one, two, three, last] = four();
        await store.recordSourceBatch("outbox:901", 1n, [one, two, three, last]);
        const seen = await store.get(one.id);
        assert.ok(seen);
        assert.deepEqual(
          { ...seen, seenAt: 0 },
          {
            ...one,
            seenAt: 0,
            status: "sent",
            deliveryTx: null,
            deliveredAt: null,
            deliveryGas: null,
            attempts: 0,
            nextAttemptAt: 0,
            lastError: null,
          },
        );
        assert.ok(seen.seenAt >= Date.now() - 60_000 && seen.seenAt <= Date.now());
        assert.deepEqual(await store.counts(), { sent: 4, delivered: 0, failed: 0, expired: 0 });

        const failTx = keccak256(toHex("failed attempt"));
        await store.markFailed(one.id, { error: "handler reverted: no", nextAttemptAt: 7_000, tx: failTx });
        let row = await store.get(one.id);
        assert.equal(row?.status, "failed");
        assert.equal(row?.lastError, "handler reverted: no");
        assert.equal(row?.nextAttemptAt, 7_000);
        assert.equal(row?.deliveryTx, failTx);
        assert.equal(row?.attempts, 1);
        assert.deepEqual(await store.counts(), { sent: 3, delivered: 0, failed: 1, expired: 0 });

        // Delivered by someone else (no tx of ours known): the failed attempt's tx stays on record.
        await store.markDelivered(one.id, { tx: null, at: 8_000, gasUsed: HUGE });
        row = await store.get(one.id);
        assert.equal(row?.status, "delivered");
        assert.equal(row?.deliveryTx, failTx);
        assert.equal(row?.deliveredAt, 8_000);
        assert.equal(row?.deliveryGas, HUGE);
        assert.equal(row?.lastError, null);
        assert.equal(row?.attempts, 2);

        const deliveryTx = keccak256(toHex("delivery"));
        await store.markDelivered(two.id, { tx: deliveryTx, at: 9_000, gasUsed: 54_321n });
        assert.equal((await store.get(two.id))?.deliveryTx, deliveryTx);

        await store.postpone(three.id, { error: "fetch failed", nextAttemptAt: 1_700_000_000_123 });
        row = await store.get(three.id);
        assert.equal(row?.status, "sent", "postponing changes nothing on chain, so nothing in status");
        assert.equal(row?.lastError, "fetch failed");
        assert.equal(row?.nextAttemptAt, 1_700_000_000_123);
        assert.equal(row?.attempts, 1);

        await store.markExpired(last.id, "expired undelivered");
        row = await store.get(last.id);
        assert.equal(row?.status, "expired");
        assert.equal(row?.lastError, "expired undelivered");
        assert.deepEqual(await store.counts(), { sent: 1, delivered: 2, failed: 0, expired: 1 });
        assert.equal(await store.get(newMessage(999, 0).id), undefined);
      }));

    it("keeps cursors, messages, statuses and leases across a close and reopen", async () => {
      const database = await backend.fresh();
      const messages = four();
      const [delivered, failed, leased] = messages;
      let store = await open(database);
      await store.recordSourceBatch("outbox:901", HUGE, messages);
      await store.markDelivered(delivered.id, { tx: keccak256(toHex("tx")), at: 3_000, gasUsed: HUGE });
      await store.markFailed(failed.id, { error: "no", nextAttemptAt: 4_000, tx: null });
      assert.equal(await store.claim(leased.id, "a", 1_000, 60_000), true);
      const before = await Promise.all(messages.map((entry) => store.get(entry.id)));
      const counts = await store.counts();
      await store.close();

      store = await open(database);
      try {
        assert.equal(await store.getCursor("outbox:901"), HUGE);
        assert.deepEqual(await Promise.all(messages.map((entry) => store.get(entry.id))), before);
        assert.deepEqual(await store.counts(), counts);
        assert.deepEqual(await store.messageIds(901n, 10n), ids(messages));
        assert.equal(await store.claim(leased.id, "b", 2_000, 60_000), false, "lease kept");
        assert.equal(await store.claim(leased.id, "a", 2_000, 60_000), true, "and its owner");
      } finally {
        await store.close();
      }
    });
  });
}
