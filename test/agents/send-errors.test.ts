// The relayer's reading of node errors: each complaint maps to its own answer (re-read the nonce, bump
// the fee, wait for funds), a named revert stays a revert, and the node's words are found however deep
// viem nests them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifySendError } from "../../src/agents/relayer/send-errors.js";

const nested = (text: string) =>
  new Error("Request failed", { cause: new Error("RPC error", { cause: new Error(text) }) });

describe("classifySendError", () => {
  for (const [text, kind] of [
    ["nonce too low: next nonce 7, tx nonce 5", "nonce"],
    ["nonce too high", "nonce"],
    ["already known", "nonce"],
    ["replacement transaction underpriced", "underpriced"],
    ["transaction underpriced", "underpriced"],
    ["insufficient funds for gas * price + value", "funds"],
    [
      "The total cost (gas * gas fee + value) of executing this transaction exceeds the balance of the account.",
      "funds",
    ],
    ["fetch failed", "other"],
  ] as const) {
    it(`"${text.slice(0, 40)}" is ${kind}, also when nested`, () => {
      assert.equal(classifySendError(new Error(text)), kind);
      assert.equal(classifySendError(nested(text)), kind);
    });
  }
});
