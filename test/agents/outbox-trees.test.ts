// The relayer's persistent Outbox trees: the relayer proves for every destination at once, so two
// provers for one source may extend its tree at the same time. Each id must land once, at its nonce.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Hex, toHex } from "viem";
import { OutboxTrees } from "../../src/agents/relayer/proof-sources.js";
import { MESSAGE_TREE_DEPTH, merkleRoot, rootFromPath } from "../../src/protocol/merkle.js";
import { type Message, messageId } from "../../src/protocol/message.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const SOURCE = 901n;

function message(nonce: number): Message {
  return {
    version: 1,
    nonce: BigInt(nonce),
    sourceChainId: SOURCE,
    sender: "0x0000000000000000000000000000000000000001",
    destinationChainId: 902n + BigInt(nonce % 3),
    recipient: "0x0000000000000000000000000000000000000002",
    gasLimit: 200_000n,
    deadline: 2n ** 40n,
    body: toHex(`message ${nonce}`),
  };
}

describe("OutboxTrees", () => {
  const dir = mkdtempSync(join(tmpdir(), "junction-trees-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("extends a source's tree once when provers for several destinations ask at the same time", async () => {
    const store = new SqliteStore(join(dir, "relayer.sqlite"));
    try {
      const messages = Array.from({ length: 12 }, (_, nonce) => message(nonce));
      const ids: Hex[] = messages.map(messageId);
      const record = (from: number, to: number) =>
        store.recordSourceBatch(
          `outbox:${SOURCE}`,
          BigInt(to),
          messages.slice(from, to).map((entry, i) => ({
            id: ids[from + i] as Hex,
            message: entry,
            sourceTx: toHex(from + i, { size: 32 }),
            sourceBlock: BigInt(from + i),
            sentAt: 0,
          })),
        );
      await record(0, 5);
      const trees = new OutboxTrees(store);
      const rootOf = (count: number) => merkleRoot(ids.slice(0, count), MESSAGE_TREE_DEPTH);
      assert.ok(await trees.prover(SOURCE, 5n, rootOf(5), "0x"));
      await record(5, 12);
      // Three destinations' provers for the same new checkpoint, started together.
      const provers = await Promise.all([0, 1, 2].map(() => trees.prover(SOURCE, 12n, rootOf(12), "0x")));
      for (const prover of provers) {
        assert.ok(prover);
        for (const nonce of [0, 4, 5, 11]) {
          const proof = prover.prove(BigInt(nonce));
          assert.equal(rootFromPath(ids[nonce] as Hex, nonce, proof.path), rootOf(12));
        }
      }
      // And the tree goes on growing correctly afterwards.
      assert.ok(await trees.prover(SOURCE, 12n, rootOf(12), "0x"));
    } finally {
      await store.close();
    }
  });
});
