// The prover's pool of proving threads with a per-proof timeout (review finding M4: two hung proofs
// stalled the zk path for ever). The hung proofs come from a NAMED FAKE worker
// (fixtures/hanging-prove-worker.mjs): snarkjs cannot be made to hang on demand.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProvingError, ProvingPool, ProvingTimeoutError } from "../../src/agents/prover/pool.js";

const HANGING_WORKER = new URL("./fixtures/hanging-prove-worker.mjs", import.meta.url);

describe("proving pool", () => {
  it("ends a hung proof's worker at the timeout, refuses it by name and proves the next on a fresh worker", async () => {
    const pool = new ProvingPool("unused.wasm", "unused.zkey", 1, { timeoutMs: 300, worker: HANGING_WORKER });
    try {
      // One worker, two hung proofs ahead of a good one: before the fix the third never ran.
      const first = pool.prove({ hang: "1" });
      const second = pool.prove({ hang: "1" });
      const third = pool.prove({ ok: "1" });
      for (const hung of [first, second]) {
        await assert.rejects(hung, (error: unknown) => {
          assert.ok(error instanceof ProvingTimeoutError);
          assert.equal(error.timeoutMs, 300);
          return true;
        });
      }
      const answered = await third;
      assert.equal(answered.proof.protocol, "fake");
      // The pool stays usable: the same worker answers the next proof.
      const fourth = await pool.prove({ ok: "2" });
      assert.deepEqual(fourth.publicSignals, answered.publicSignals);
      assert.equal(pool.pending, 0);
    } finally {
      await pool.close();
    }
  });

  it("refuses a timeout that is not above zero", () => {
    assert.throws(() => new ProvingPool("a.wasm", "a.zkey", 1, { timeoutMs: 0 }), ProvingError);
  });
});
