// The filler's SQLite store: orders and cursors recorded together, the state machine's guarded moves
// (seen → filling → filled → repaid, or skipped; a fill that cannot land goes back to seen), and a close
// and reopen that loses nothing, the signed fill included.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Hex, keccak256, toHex } from "viem";
import type { NewFillerOrder } from "../../src/store/filler-store.js";
import { FillerSqliteStore } from "../../src/store/sqlite/filler-sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "junction-filler-store-"));
let files = 0;
const fresh = () => join(dir, `filler-${++files}.sqlite`);

const order = (i: number, seenAt = 1_000 + i): NewFillerOrder => ({
  orderId: keccak256(toHex(`order ${i}`)),
  originChainId: 901,
  destinationChainId: 902,
  originData: toHex(`data ${i}`),
  source: "open",
  seenAt,
});
const signed = (i: number) => ({
  txHash: keccak256(toHex(`tx ${i}`)),
  rawTransaction: toHex(`raw ${i}`) as Hex,
  repaymentChainId: 901,
});

describe("FillerStore on SQLite", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("records a scan's orders with its cursor, and keeps an order it knows as it is", async () => {
    const store = new FillerSqliteStore(fresh());
    assert.equal(await store.getCursor("open:901"), undefined);
    await store.recordScan("open:901", 2n ** 64n + 5n, [order(1), order(2)]);
    assert.equal(await store.getCursor("open:901"), 2n ** 64n + 5n);
    assert.ok(await store.markFilling(order(1).orderId, signed(1), 2_000));
    await store.recordScan("open:901", 2n ** 64n + 9n, [order(1), order(3)]);
    assert.equal((await store.get(order(1).orderId))?.state, "filling");
    assert.equal(await store.addOrder({ ...order(3), source: "offered" }), false);
    assert.equal((await store.get(order(3).orderId))?.source, "open");
    assert.deepEqual(await store.counts(), { seen: 2, filling: 1, filled: 0, repaid: 0, skipped: 0 });
    await store.close();
  });

  it("moves an order through its states only in order", async () => {
    const store = new FillerSqliteStore(fresh());
    const { orderId } = order(1);
    await store.addOrder(order(1));
    assert.equal(await store.markFilled(orderId, 1), false, "not filling yet");
    assert.ok(await store.markWaiting(orderId, "insufficient-inventory"));
    assert.ok(await store.markFilling(orderId, signed(1), 2_000));
    assert.equal(await store.markFilling(orderId, signed(2), 2_001), false, "never two fills");
    assert.equal(await store.markRepaid(orderId, 3), false, "not filled yet");
    assert.ok(await store.markFilled(orderId, 3_000));
    assert.equal(await store.markSkipped(orderId, "late"), false, "a filled order is not skipped");
    assert.equal(await store.markWaiting(orderId, "late"), false);
    assert.ok(await store.markRepaid(orderId, 4_000));
    const record = await store.get(orderId);
    assert.equal(record?.state, "repaid");
    assert.equal(record?.attempts, 1);
    assert.equal(record?.txHash, signed(1).txHash);
    assert.deepEqual(
      [record?.seenAt, record?.fillingAt, record?.filledAt, record?.repaidAt],
      [1_001, 2_000, 3_000, 4_000],
    );
    assert.equal(record?.reason, undefined, "the wait's reason is cleared by the fill");
    await store.close();
  });

  it("sends a fill that cannot land back to seen, and counts the attempts", async () => {
    const store = new FillerSqliteStore(fresh());
    const { orderId } = order(1);
    await store.addOrder(order(1));
    await store.markFilling(orderId, signed(1), 2_000);
    assert.ok(await store.markWaiting(orderId, "fill-refused"));
    assert.ok(await store.markFilling(orderId, signed(2), 2_500));
    assert.equal((await store.get(orderId))?.attempts, 2);
    assert.ok(await store.markSkipped(orderId, "fill-reverted"));
    assert.deepEqual(
      (await store.ordersIn(["skipped"])).map((item) => [item.orderId, item.reason]),
      [[orderId, "fill-reverted"]],
    );
    await store.close();
  });

  it("loses nothing across a close and reopen, the signed fill included", async () => {
    const file = fresh();
    const first = new FillerSqliteStore(file);
    await first.recordScan("open:902", 7n, [order(1), order(2, 5_000)]);
    await first.markFilling(order(1).orderId, signed(1), 2_000);
    await first.close();
    const second = new FillerSqliteStore(file);
    assert.equal(await second.getCursor("open:902"), 7n);
    const [filling] = await second.ordersIn(["filling"]);
    assert.equal(filling?.rawTransaction, signed(1).rawTransaction);
    assert.equal(filling?.repaymentChainId, 901);
    assert.deepEqual(
      (await second.recent(10)).map((item) => item.orderId),
      [order(2).orderId, order(1).orderId],
      "newest first",
    );
    await second.close();
  });
});
