// The sequencer endpoint's websocket subscriptions against a real anvil node, with the sequencer's "no
// undoable seal in progress" gate driven by hand: a block mined and undone while the gate is closed is
// never reported, the block that replaces it is; logs follow the same rule; requests over the socket
// keep the endpoint's refusals.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPublicClient, type Hex, webSocket } from "viem";
import { SequencerRpcServer } from "../../src/agents/sequencer/rpc-server.js";
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from "../../src/agents/sequencer/subscriptions.js";
import { type AnvilNode, startAnvil } from "../../src/chain/anvil.js";
import { chainOf, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { nodeRpcCall } from "../../src/chain/node-rpc.js";
import { freePort } from "../../src/chain/ports.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { waitUntil } from "../helpers/chain.js";

const CHAIN = 901;
/** Creation code whose constructor emits an empty LOG0: one log per transaction. */
const LOG0_CREATION: Hex = "0x60006000a000";

describe("sequencer websocket subscriptions", () => {
  let node: AnvilNode;
  let server: SequencerRpcServer;
  let port: number;
  /** While set, `sealed()` waits for it: a seal that may still be undone is in progress. */
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const closeGate = () => {
    let open = () => {};
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    gate = { promise, open };
  };
  const openGate = () => {
    gate?.open();
    gate = undefined;
  };

  before(async () => {
    node = await startAnvil({ chainId: CHAIN, port: await freePort() });
    port = await freePort();
    server = new SequencerRpcServer([{ chainId: CHAIN, port, nodeRpcUrl: node.rpcUrl }], {}, async () => {
      while (gate) await gate.promise;
    });
    await server.start();
  });

  after(async () => {
    openGate();
    await server?.stop();
    await node?.stop();
  });

  it("reports no block of an undone seal, and the block that replaces it", async () => {
    const ws = createPublicClient({
      chain: chainOf({ chainId: CHAIN, rpcUrl: node.rpcUrl }),
      transport: webSocket(`ws://127.0.0.1:${port}`, { reconnect: false }),
    });
    const heads: { number: bigint; hash: Hex }[] = [];
    const logs: Hex[] = [];
    const unwatch = ws.watchBlocks({
      poll: false,
      onBlock: (block) => heads.push({ number: block.number, hash: block.hash }),
    });
    const wallet = walletClientFor(node, devnetAccounts().user.privateKey);
    const unwatchLogs = ws.watchEvent({
      poll: false,
      onLogs: (found) => logs.push(...found.map((log) => log.transactionHash)),
    });
    try {
      // Both subscriptions are live once a block with a log has reached them.
      await waitUntil(
        async () => {
          if (heads.length === 0 || logs.length === 0) await wallet.sendTransaction({ data: LOG0_CREATION });
          return heads.length > 0 && logs.length > 0;
        },
        (live) => live,
        "the subscriptions to report a block and a log",
      );
      const head = await publicClientFor(node).getBlockNumber();
      await waitUntil(
        async () => heads.at(-1)?.number,
        (last) => last === head,
        "the warm-up heads",
      );
      const [headsBefore, logsBefore] = [heads.length, logs.length];

      closeGate();
      const snapshot = await nodeRpcCall<Hex>(node.rpcUrl, "evm_snapshot", []);
      // A block with a log (a contract creation whose constructor emits LOG0), to be undone.
      const undoneTx = await wallet.sendTransaction({ data: LOG0_CREATION });
      const undone = await publicClientFor(node).getBlock({ blockTag: "latest" });
      assert.equal(undone.transactions[0], undoneTx);
      // Several of the follower's polls pass while the block exists.
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.equal(await nodeRpcCall<boolean>(node.rpcUrl, "evm_revert", [snapshot]), true);
      // The undone transaction's nonce is free again.
      const nonce = await publicClientFor(node).getTransactionCount({ address: wallet.account.address });
      const keptTx = await wallet.sendTransaction({ data: LOG0_CREATION, gas: 100_000n, nonce });
      const kept = await publicClientFor(node).getBlock({ blockTag: "latest" });
      assert.equal(kept.number, undone.number);
      assert.notEqual(kept.hash, undone.hash);
      assert.equal(heads.length, headsBefore, "nothing reported while the seal may be undone");
      assert.equal(logs.length, logsBefore);
      openGate();

      await waitUntil(
        async () => heads.length,
        (count) => count > headsBefore,
        "the replacing head",
      );
      await waitUntil(
        async () => logs.length,
        (count) => count > logsBefore,
        "the replacing block's log",
      );
      assert.deepEqual(heads.slice(headsBefore), [{ number: kept.number, hash: kept.hash }]);
      assert.deepEqual(logs.slice(logsBefore), [keptTx]);
      assert.equal(heads[headsBefore - 1]?.number, (kept.number as bigint) - 1n);
    } finally {
      openGate();
      unwatch();
      unwatchLogs();
      await ws.transport.getRpcClient().then((socket) => socket.close());
    }
  });

  it("answers requests over the socket as over HTTP, refusals included, and unsubscribes", async () => {
    const ws = createPublicClient({
      chain: chainOf({ chainId: CHAIN, rpcUrl: node.rpcUrl }),
      transport: webSocket(`ws://127.0.0.1:${port}`, { reconnect: false }),
    });
    try {
      assert.equal(await ws.getChainId(), CHAIN);
      await assert.rejects(ws.request({ method: "evm_mine" } as never), /produced by the shared sequencer/);
      await assert.rejects(
        ws.request({ method: "eth_sendTransaction", params: [{}] } as never),
        /signed transactions only/,
      );
      const id = (await ws.request({ method: "eth_subscribe", params: ["newHeads"] } as never)) as string;
      assert.match(id, /^0x[0-9a-f]{32}$/);
      assert.equal(await ws.request({ method: "eth_unsubscribe", params: [id] } as never), true);
      assert.equal(await ws.request({ method: "eth_unsubscribe", params: [id] } as never), false);
      const ids: unknown[] = [];
      for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_SOCKET; i++) {
        ids.push(await ws.request({ method: "eth_subscribe", params: ["newHeads"] } as never));
      }
      await assert.rejects(
        ws.request({ method: "eth_subscribe", params: ["logs", {}] } as never),
        /may hold 64 subscriptions/,
      );
      assert.equal(await ws.request({ method: "eth_unsubscribe", params: [ids[0]] } as never), true);
      await ws.request({ method: "eth_subscribe", params: ["logs", {}] } as never);
    } finally {
      await ws.transport.getRpcClient().then((socket) => socket.close());
    }
  });
});
