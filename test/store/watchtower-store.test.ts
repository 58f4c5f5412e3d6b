// The watchtower store's contract, run against SQLite and a real PostgreSQL: cursors recorded with the
// cases of a scan atomically, each case's three steps, and that a close and reopen loses nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Hex, keccak256, toHex } from "viem";
import { openWatchtowerStore } from "../../src/store/open.js";
import { WatchtowerPostgresStore } from "../../src/store/postgres/watchtower-postgres-store.js";
import { WatchtowerSqliteStore } from "../../src/store/sqlite/watchtower-sqlite-store.js";
import type { FraudCase, FraudStep, WatchtowerStore } from "../../src/store/watchtower-store.js";
import { storeBackends } from "../helpers/store-backends.js";

/** Past 2^53: a store that goes through a JavaScript number loses the last digits. */
const HUGE = 2n ** 64n + 12_345n;

type NewCase = Omit<FraudCase, FraudStep>;

function fraudCase(destinationChainId: number, sourceChainId: number, count: bigint): NewCase {
  const tag = `${destinationChainId}/${sourceChainId}/${count}`;
  return {
    destinationChainId,
    sourceChainId,
    count,
    root: keccak256(toHex(`root ${tag}`)),
    signature: `${keccak256(toHex(`r ${tag}`))}${keccak256(toHex(`s ${tag}`)).slice(2)}1b` as Hex,
  };
}

const open = (item: NewCase, steps: Partial<Record<FraudStep, boolean>> = {}): FraudCase => ({
  ...item,
  challenged: false,
  fraudProven: false,
  reported: false,
  ...steps,
});

/** Cases in a fixed order: the stores promise no order of their own. */
const sorted = (cases: FraudCase[]) =>
  [...cases].sort(
    (a, b) =>
      a.destinationChainId - b.destinationChainId ||
      a.sourceChainId - b.sourceChainId ||
      Number(a.count - b.count),
  );

for (const backend of storeBackends("watchtower_store")) {
  describe(`WatchtowerStore on ${backend.name}`, () => {
    const openStore = async (database: string): Promise<WatchtowerStore> => {
      const store = await openWatchtowerStore({ database });
      assert.ok(
        store instanceof (backend.name === "SQLite" ? WatchtowerSqliteStore : WatchtowerPostgresStore),
      );
      return store;
    };
    const withStore = async (work: (store: WatchtowerStore, database: string) => Promise<void>) => {
      const database = await backend.fresh();
      const store = await openStore(database);
      try {
        await work(store, database);
      } finally {
        await store.close();
      }
    };

    it("keeps a cursor per name and records a scan's cases with its cursor atomically", () =>
      withStore(async (store, database) => {
        assert.equal(await store.getCursor("checkpoints:902"), undefined);
        const first = fraudCase(902, 901, 3n);
        await store.recordScan("checkpoints:902", 40n, [first]);
        await store.recordScan("checkpoints:903", HUGE, []);
        assert.equal(await store.getCursor("checkpoints:902"), 40n);
        assert.equal(await store.getCursor("checkpoints:903"), HUGE);
        assert.deepEqual(await store.openCases(), [open(first)]);

        await backend.exec(database, {
          sqlite: `CREATE TRIGGER refuse_cursor BEFORE INSERT ON cursors WHEN NEW.name = 'refused'
                     BEGIN SELECT RAISE(ABORT, 'cursor refused'); END;`,
          postgres: `CREATE FUNCTION refuse_cursor() RETURNS trigger LANGUAGE plpgsql
                       AS $$ BEGIN RAISE EXCEPTION 'cursor refused'; END $$;
                     CREATE TRIGGER refuse_cursor BEFORE INSERT ON watchtower_cursors
                       FOR EACH ROW WHEN (NEW.name = 'refused') EXECUTE FUNCTION refuse_cursor();`,
        });
        await assert.rejects(
          store.recordScan("refused", 50n, [fraudCase(902, 901, 4n), fraudCase(902, 903, 1n)]),
          /cursor refused/,
        );
        assert.equal(await store.getCursor("refused"), undefined);
        assert.deepEqual(await store.openCases(), [open(first)], "the refused scan left no case behind");

        // A rescanned range finds the same case again: it is neither duplicated nor reset.
        await store.markDone(first, "challenged");
        await store.recordScan("checkpoints:902", 60n, [first]);
        assert.deepEqual(await store.openCases(), [open(first, { challenged: true })]);
        assert.equal(await store.getCursor("checkpoints:902"), 60n);
      }));

    it("keeps a case open until all three steps are done, each case on its own", () =>
      withStore(async (store) => {
        const target = fraudCase(902, 901, 2n);
        const huge = fraudCase(902, 901, HUGE);
        // Same chains, other counts (one past 2^53), and the same count on another source or destination.
        const others = [fraudCase(902, 901, 10n), huge, fraudCase(902, 903, 2n), fraudCase(904, 901, 2n)];
        await store.recordScan("checkpoints:902", 1n, [target, ...others]);
        const untouched = others.map((item) => open(item));
        assert.deepEqual(sorted(await store.openCases()), sorted([open(target), ...untouched]));

        await store.markDone(target, "challenged");
        assert.deepEqual(
          sorted(await store.openCases()),
          sorted([open(target, { challenged: true }), ...untouched]),
        );
        await store.markDone(target, "reported");
        assert.deepEqual(
          sorted(await store.openCases()),
          sorted([open(target, { challenged: true, reported: true }), ...untouched]),
        );
        await store.markDone(target, "fraudProven");
        assert.deepEqual(
          sorted(await store.openCases()),
          sorted(untouched),
          "closed when all three are done",
        );

        // Marking a step twice is harmless; a case past 2^53 is found by its exact count.
        await store.markDone(huge, "fraudProven");
        await store.markDone(huge, "fraudProven");
        const afterHuge = await store.openCases();
        assert.deepEqual(
          afterHuge.find((item) => item.count === HUGE),
          open(huge, { fraudProven: true }),
        );
        assert.equal(afterHuge.filter((item) => item.fraudProven).length, 1);
        assert.equal(afterHuge.length, 4);
      }));

    it("keeps cursors and cases with their steps across a close and reopen", async () => {
      const database = await backend.fresh();
      const cases = [fraudCase(902, 901, 1n), fraudCase(902, 901, HUGE), fraudCase(903, 902, 7n)];
      let store = await openStore(database);
      await store.recordScan("checkpoints:902", HUGE, cases);
      await store.markDone(fraudCase(902, 901, HUGE), "challenged");
      await store.markDone(fraudCase(903, 902, 7n), "reported");
      await store.markDone(fraudCase(903, 902, 7n), "fraudProven");
      const before = sorted(await store.openCases());
      assert.equal(before.length, 3);
      await store.close();

      store = await openStore(database);
      try {
        assert.equal(await store.getCursor("checkpoints:902"), HUGE);
        assert.deepEqual(sorted(await store.openCases()), before);
        await store.markDone(fraudCase(903, 902, 7n), "challenged");
        assert.equal((await store.openCases()).length, 2, "steps done before the restart still count");
      } finally {
        await store.close();
      }
    });
  });
}
