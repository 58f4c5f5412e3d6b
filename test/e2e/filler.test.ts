// The filler agent on a devnet (real nodes, relayer, proposer, attester): it fills an order opened on A
// within a second or two and follows it to its repayment; stopped between its fill and the repayment
// and restarted on the same store, it records the repayment once and sends nothing more; a fill it
// stored but never sent is sent once (the same bytes) after a restart; and it refuses an order that was
// never opened on its origin, saying why.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Address, erc20Abi, type Hex, maxUint256, parseEther, zeroAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Filler } from "../../src/agents/filler/filler.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { getFills } from "../../src/chain/intent-events.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { createLogger, type Logger } from "../../src/log.js";
import { encodeOrder, type Order, orderIdOf, pathId } from "../../src/protocol/intents.js";
import { getIntent, type IntentPath, openIntent } from "../../src/sdk/index.js";
import { settlerAbi } from "../../src/sdk/intentSettler.js";
import { fillCall, signFill } from "../../src/sdk/signFill.js";
import type { FillerOrder } from "../../src/store/filler-store.js";
import { FillerSqliteStore } from "../../src/store/sqlite/filler-sqlite-store.js";
import { fundedKey, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

const A = 901;
const B = 902;

describe("filler agent", () => {
  let devnet: TestDevnet;
  let dir: string;
  let running: { filler: Filler; store: FillerSqliteStore } | undefined;
  const lines: string[] = [];

  const rollup = (chainId: number) => rollupOf(devnet.manifest, chainId);
  const client = (chainId: number) => publicClientFor(rollup(chainId));
  const jusd = () => rollup(A).contracts.bridgedToken;
  const balance = (chainId: number, owner: Address) =>
    client(chainId).readContract({
      address: jusd(),
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [owner],
    });
  const fillerAddress = () => devnet.manifest.accounts.filler.address as Address;
  const userWallet = () => walletClientFor(rollup(A), devnet.manifest.accounts.user.privateKey);

  const startFiller = async (name: string, logger: Logger = createLogger("silent")) => {
    await stopFiller(); // one filler at a time: they share the key
    const store = new FillerSqliteStore(join(dir, `${name}.sqlite`));
    const filler = new Filler({
      network: devnet.manifest,
      privateKey: devnet.manifest.accounts.filler.privateKey,
      store,
      logger,
      settings: { intervalMs: 100, repaymentPollMs: 200 },
    });
    running = { filler, store };
    await filler.start();
    return running;
  };
  const stopFiller = async () => {
    await running?.filler.stop();
    await running?.store.close();
    running = undefined;
  };
  /** Waits until the store's record of the order satisfies `wanted`, and returns it. */
  const recordOf = async (
    store: FillerSqliteStore,
    orderId: Hex,
    wanted: (order: FillerOrder) => boolean,
    what: string,
  ): Promise<FillerOrder> => {
    const found = await waitUntil(
      () => store.get(orderId),
      (order) => order !== undefined && wanted(order),
      what,
      60_000,
    );
    assert.ok(found);
    return found;
  };
  const intent = (orderId: Hex, path: IntentPath) =>
    getIntent(devnet.manifest, { orderId, originChainId: A, destinationChainId: B, path });
  const fillsOf = async (orderId: Hex) => {
    const settlers = Object.values(rollup(B).contracts.settlers);
    return getFills(client(B), settlers, 0n, await client(B).getBlockNumber(), { orderId });
  };
  const nonceOn = (chainId: number) => client(chainId).getTransactionCount({ address: fillerAddress() });

  before(async () => {
    devnet = await startTestDevnet({ rollups: 2 });
    dir = mkdtempSync(join(tmpdir(), "junction-filler-"));
  });

  after(async () => {
    await stopFiller();
    await devnet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fills an order opened on A within a second or two, and is repaid", async (t) => {
    const { filler, store } = await startFiller("fast");
    // Its first tick approves the settlers; wait for it so the fill's latency is the fill's alone.
    await waitUntil(
      () =>
        client(B).readContract({
          address: jusd(),
          abi: erc20Abi,
          functionName: "allowance",
          args: [fillerAddress(), rollup(B).contracts.settlers.zk],
        }),
      (allowance) => allowance === maxUint256,
      "the filler's approvals",
    );
    const recipient = privateKeyToAccount((await fundedKey(devnet.manifest)).key).address;
    const fillerOnA = await balance(A, fillerAddress());
    const { orderId } = await openIntent(userWallet(), devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("100"),
      outputAmount: parseEther("99.5"),
      recipient,
    });
    const opened = Date.now();
    await waitUntil(
      () => balance(B, recipient),
      (paid) => paid === parseEther("99.5"),
      "the recipient paid",
    );
    const latencyMs = Date.now() - opened;
    t.diagnostic(`fill latency (open mined on A → recipient paid on B): ${latencyMs} ms`);
    assert.ok(latencyMs < 2_000, `filled in ${latencyMs} ms`);

    const repaid = await recordOf(
      store,
      orderId,
      (order) => order.state === "repaid",
      "the filler's repayment",
    );
    assert.equal(repaid.repaymentChainId, A);
    assert.equal(await balance(A, fillerAddress()), fillerOnA + parseEther("100"));
    const status = await filler.status();
    assert.equal(status.counts.repaid, 1);
    t.diagnostic(
      `filler: seen → filled ${status.fillLatencyMs?.p50} ms, capital locked ${status.capitalLockMs?.p50} ms`,
    );
    await stopFiller();
  });

  it("stopped between its fill and the repayment, is repaid exactly once after a restart and never fills again", async (t) => {
    const path = "optimistic"; // repaid after the challenge window: time to stop in between
    const first = await startFiller("restart");
    const fillerOnA = await balance(A, fillerAddress());
    const { orderId } = await openIntent(userWallet(), devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("40"),
      outputAmount: parseEther("39.8"),
      path,
    });
    await recordOf(first.store, orderId, (order) => order.state === "filled", "the fill");
    await stopFiller();
    assert.equal((await intent(orderId, path)).origin.state, "open", "stopped before the repayment");
    const nonceOnB = await nonceOn(B);
    const nonceOnA = await nonceOn(A);

    await waitUntil(
      () => intent(orderId, path),
      (value) => value.origin.state === "repaid",
      "the repayment",
      60_000,
    );
    const second = await startFiller("restart");
    const repaid = await recordOf(
      second.store,
      orderId,
      (order) => order.state === "repaid",
      "repaid in the store",
    );
    t.diagnostic(
      `capital locked ${(repaid.repaidAt ?? 0) - (repaid.filledAt ?? 0)} ms (the filler was stopped meanwhile)`,
    );
    // A few more ticks: nothing more happens.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal((await fillsOf(orderId)).length, 1);
    assert.equal(await nonceOn(B), nonceOnB, "no transaction on B after the restart");
    assert.equal(await nonceOn(A), nonceOnA, "no transaction on A after the restart");
    assert.equal(await balance(A, fillerAddress()), fillerOnA + parseEther("40"));
    assert.equal((await second.filler.status()).counts.filling, 0);
    await stopFiller();
  });

  it("sends a fill it stored but never sent once after a restart: the same bytes, one Filled", async () => {
    const { orderId, originData, order } = await openIntent(userWallet(), devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("20"),
      outputAmount: parseEther("19.9"),
    });
    // What a filler that crashed right after storing its signed fill leaves behind.
    const store = new FillerSqliteStore(join(dir, "crashed.sqlite"));
    const fillerB = walletClientFor(rollup(B), devnet.manifest.accounts.filler.privateKey);
    const call = { originData, settler: order.settler };
    const block = await client(B).getBlock();
    const signed = await signFill(fillerB, {
      ...call,
      nonce: await nonceOn(B),
      gas: (await client(B).estimateContractGas({ ...fillCall(call), account: fillerAddress() })) * 2n,
      maxFeePerGas: (block.baseFeePerGas ?? 0n) * 2n + 1_000_000n,
      maxPriorityFeePerGas: 1_000_000n,
    });
    await store.addOrder({
      orderId,
      originChainId: A,
      destinationChainId: B,
      originData,
      source: "open",
      seenAt: Date.now(),
    });
    assert.ok(
      await store.markFilling(
        orderId,
        { txHash: signed.hash, rawTransaction: signed.serializedTransaction, repaymentChainId: A },
        Date.now(),
      ),
    );
    await store.close();

    const { store: reopened } = await startFiller("crashed");
    await recordOf(
      reopened,
      orderId,
      (record) => record.state === "filled",
      "the stored fill sent and mined",
    );
    const fills = await fillsOf(orderId);
    assert.equal(fills.length, 1);
    assert.equal(fills[0]?.txHash, signed.hash, "the very transaction it had stored");
    await stopFiller();
  });

  it("refuses an order that was never opened on its origin, and says why", async () => {
    const logger = createLogger("info", (line) => lines.push(line));
    const { filler, store } = await startFiller("unopened", logger);
    const now = Number((await client(A).getBlock()).timestamp);
    const settler = rollup(A).contracts.settlers.canonical;
    const order: Order = {
      settler,
      user: devnet.manifest.accounts.user.address as Address,
      nonce: 2n ** 200n + BigInt(now),
      originChainId: BigInt(A),
      openDeadline: now,
      fillDeadline: now + 600,
      data: {
        inputToken: jusd(),
        inputAmount: parseEther("1000"),
        destinationChainId: BigInt(B),
        outputToken: jusd(),
        outputAmount: parseEther("900"),
        recipient: devnet.manifest.accounts.user.address as Address,
        exclusiveFiller: zeroAddress,
        exclusivityDeadline: 0,
      },
      terms: { path: pathId("canonical"), repaymentDelay: 5 },
    };
    const originData = encodeOrder(order);
    assert.equal(await filler.offer(originData), orderIdOf(originData));
    const orderId = orderIdOf(originData);
    const record = await recordOf(store, orderId, (value) => value.reason === "not-opened", "the refusal");
    assert.equal(record.state, "seen", "it waits (the order may still be opened), it does not fill");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const fill = await client(B).readContract({
      address: settler,
      abi: settlerAbi,
      functionName: "fillOf",
      args: [orderId],
    });
    assert.equal(fill.state, 0, "never filled");
    assert.equal((await store.get(orderId))?.attempts, 0, "no fill was even signed");
    const logged = lines.map((line) => JSON.parse(line)).filter((entry) => entry.orderId === orderId);
    assert.ok(
      logged.some((entry) => entry.at === "Filler#wait" && entry.reason === "not-opened"),
      `logged: ${JSON.stringify(logged)}`,
    );
    await stopFiller();
  });
});
