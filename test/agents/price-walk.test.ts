// The price agent's arithmetic: the seeded walk is reproducible, stays within the oracle's bound per
// update, and moves by about its volatility; a crash is one update within the bound and several past it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEther } from "viem";
import { crashSteps, InvalidCrashError, walkStep } from "../../src/agents/prices/walk.js";
import { seededRandom } from "../../src/protocol/prng.js";

const START = parseEther("3000");

const walk = (seed: number, steps: number, volatility: number) => {
  const rng = seededRandom(seed);
  const path = [START];
  for (let i = 0; i < steps; i++) path.push(walkStep(path[path.length - 1] as bigint, volatility, rng));
  return path;
};

describe("price walk", () => {
  it("gives the same path for the same seed, and another for another seed", () => {
    assert.deepEqual(walk(7, 50, 0.01), walk(7, 50, 0.01));
    assert.notDeepEqual(walk(7, 50, 0.01), walk(8, 50, 0.01));
  });

  it("moves by about its volatility per step", () => {
    const path = walk(1, 2_000, 0.01);
    const returns = path.slice(1).map((price, i) => Math.log(Number(price) / Number(path[i])));
    const mean = returns.reduce((sum, r) => sum + r, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((sum, r) => sum + (r - mean) ** 2, 0) / returns.length);
    assert.ok(sd > 0.009 && sd < 0.011, `sd ${sd}`);
  });

  it("never moves more than the oracle's 50 % in one update, however volatile", () => {
    const path = walk(3, 500, 5);
    for (const [i, price] of path.slice(1).entries()) {
      const previous = path[i] as bigint;
      const move = price > previous ? price - previous : previous - price;
      assert.ok(move * 10_000n <= previous * 5_000n, `step ${i}: ${previous} -> ${price}`);
      assert.ok(price > 0n);
    }
  });

  it("crashes in one update within the bound, and in several past it", () => {
    assert.deepEqual(crashSteps(START, 30), [parseEther("2100")]);
    assert.deepEqual(crashSteps(START, 50), [parseEther("1500")]);
    assert.deepEqual(crashSteps(START, 60), [parseEther("1500"), parseEther("1200")]);
    const deep = crashSteps(START, 90);
    assert.equal(deep.length, 4);
    assert.equal(deep[deep.length - 1], parseEther("300"));
    assert.throws(() => crashSteps(START, 100), InvalidCrashError);
    assert.throws(() => crashSteps(START, 0), InvalidCrashError);
  });
});
