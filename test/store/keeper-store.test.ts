// The keeper's SQLite store: a liquidation stored as sent is settled once (landed, taken, failed or
// dropped), and a close and reopen loses nothing, the signed bytes included.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Hex, keccak256, toHex } from "viem";
import type { NewLiquidation } from "../../src/store/keeper-store.js";
import { KeeperSqliteStore } from "../../src/store/sqlite/keeper-sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "junction-keeper-store-"));

const liquidation = (i: number): NewLiquidation => ({
  txHash: keccak256(toHex(`tx ${i}`)),
  rawTransaction: toHex(`raw ${i}`) as Hex,
  nonce: i,
  account: "0x00000000000000000000000000000000000a11ce",
  marketId: 0,
  chainId: 902,
  token: "0x00000000000000000000000000000000000000b1",
  maxRepay: 2n ** 80n + BigInt(i),
  plannedBlock: 2n ** 64n + BigInt(i),
  sentAt: 1_000 + i,
});

describe("KeeperStore on SQLite", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("settles a sent liquidation once, and keeps everything across a reopen", async () => {
    const file = join(dir, "keeper.sqlite");
    const store = new KeeperSqliteStore(file);
    for (const i of [1, 2, 3, 4]) await store.recordSent(liquidation(i));
    const outcome = { block: 77n, closedSize: -(2n ** 70n), repaid: 5n, seized: 6n, messageId: undefined };
    assert.equal(await store.markLanded(liquidation(1).txHash, outcome, 2_000), true);
    assert.equal(await store.markLanded(liquidation(1).txHash, outcome, 2_001), false);
    assert.equal(await store.markSettled(liquidation(1).txHash, "taken", "late", 2_002), false);
    assert.equal(await store.markSettled(liquidation(2).txHash, "taken", "taken by 0xb0b", 2_003), true);
    assert.equal(await store.markSettled(liquidation(3).txHash, "dropped", "nonce reused", 2_004), true);
    await store.close();

    const reopened = new KeeperSqliteStore(file);
    assert.deepEqual(await reopened.counts(), { sent: 1, landed: 1, taken: 1, failed: 0, dropped: 1 });
    const [pending] = await reopened.inState(["sent"]);
    assert.deepEqual(
      { ...pending },
      { ...liquidation(4), state: "sent", reason: undefined, outcome: undefined, settledAt: undefined },
    );
    const landed = await reopened.get(liquidation(1).txHash);
    assert.deepEqual(landed?.outcome, outcome);
    assert.equal((await reopened.get(liquidation(2).txHash))?.reason, "taken by 0xb0b");
    assert.equal((await reopened.recent(2)).length, 2);
    await reopened.close();
  });
});
