import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mapWithConcurrency } from "../../src/agents/concurrent.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("mapWithConcurrency", () => {
  it("keeps the list's order and never has more than the limit in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 25 }, (_, i) => i);
    const results = await mapWithConcurrency(items, 4, async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      // Later items finish first: the order of results must still follow the list.
      for (let i = 0; i < 25 - item; i++) await tick();
      inFlight--;
      return item * 2;
    });
    assert.deepEqual(
      results,
      items.map((item) => item * 2),
    );
    assert.equal(most, 4);
  });

  it("passes a failure on and refuses a limit below 1", async () => {
    await assert.rejects(
      mapWithConcurrency([1, 2, 3], 2, async (item) => {
        if (item === 2) throw new Error("two failed");
        return item;
      }),
      /two failed/,
    );
    await assert.rejects(
      mapWithConcurrency([1], 0, async (item) => item),
      RangeError,
    );
    assert.deepEqual(await mapWithConcurrency([], 3, async (item: number) => item), []);
  });
});
