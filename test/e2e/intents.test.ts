// The liquidity router's ERC-7683 settlers on a devnet (real nodes, relayer, proposer, attester): an
// order opened on A is filled on B at once from a filler's own tokens and repaid on A only when the
// trust path proves the fill (canonical and optimistic); gasless orders with a bad signature or a used
// nonce are refused by name; duplicate, late and non-exclusive fills revert; two fillers racing: one
// wins, the other's transaction reverts and its tokens stay; an unfilled order is refunded only on the
// destination's certificate, after which no fill is possible; the pool fills as last resort and is
// repaid (with its fee) into its own accounting through the bridge.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, erc20Abi, type Hex, parseEther, parseEventLogs, zeroAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { increaseTime } from "../../src/chain/anvil.js";
import { type JunctionWalletClient, publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { liquidityPoolAbi, tokenBridgeAbi } from "../../src/contracts/generated/index.js";
import { POOL_PROFIT_UNLOCK_SECONDS } from "../../src/devnet/deploy.js";
import {
  certifyUnfilled,
  encodeFillerData,
  encodeOrder,
  encodeOrderData,
  fillFromPool,
  fillIntent,
  getIntent,
  type IntentPath,
  isOpenProven,
  ORDER_DATA_TYPEHASH,
  openIntent,
  openIntentFor,
  requestSlowFill,
  signIntent,
  waitForDelivery,
} from "../../src/sdk/index.js";
import { settlerAbi } from "../../src/sdk/intentSettler.js";
import { fundedKey, rejects, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

const A = 901;
const B = 902;

describe("intents: ERC-7683 settlers over the trust paths", () => {
  let devnet: TestDevnet;
  let user: { a: JunctionWalletClient; b: JunctionWalletClient };
  let filler: { a: JunctionWalletClient; b: JunctionWalletClient };
  let jusd: Address;

  const wallet = (key: Hex, chainId: number) => walletClientFor(rollupOf(devnet.manifest, chainId), key);
  const client = (chainId: number) => publicClientFor(rollupOf(devnet.manifest, chainId));
  const balance = (chainId: number, owner: Address) =>
    client(chainId).readContract({ address: jusd, abi: erc20Abi, functionName: "balanceOf", args: [owner] });
  const intent = (orderId: Hex, path: IntentPath = "canonical") =>
    getIntent(devnet.manifest, { orderId, originChainId: A, destinationChainId: B, path });
  const settled = (orderId: Hex, state: "repaid" | "refunded", path: IntentPath = "canonical") =>
    waitUntil(
      () => intent(orderId, path),
      (value) => value.origin.state === state,
      `order ${orderId} ${state} on the origin`,
      60_000,
    );

  /** Moves B's clock past the order's fill deadline (the chains' clocks drift apart as tests move them). */
  const passFillDeadline = async (fillDeadline: number) => {
    const now = Number((await client(B).getBlock()).timestamp);
    await increaseTime(rollupOf(devnet.manifest, B), Math.max(1, fillDeadline - now + 1));
  };

  before(async () => {
    devnet = await startTestDevnet({ rollups: 2 });
    jusd = devnet.manifest.rollups[0]?.contracts.bridgedToken as Address;
    const { user: userAccount, filler: fillerAccount } = devnet.manifest.accounts;
    user = { a: wallet(userAccount.privateKey, A), b: wallet(userAccount.privateKey, B) };
    filler = { a: wallet(fillerAccount.privateKey, A), b: wallet(fillerAccount.privateKey, B) };
  });

  after(async () => {
    await devnet?.stop();
  });

  for (const path of ["canonical", "optimistic"] as const) {
    it(`opens on A, is filled on B at once, and repays the filler on A once ${path} proves the fill`, async () => {
      const recipient = privateKeyToAccount((await fundedKey(devnet.manifest)).key).address;
      const fillerAddress = filler.a.account.address;
      const userBefore = await balance(A, user.a.account.address);
      const { orderId, originData } = await openIntent(user.a, devnet.manifest, {
        destinationChainId: B,
        inputAmount: parseEther("100"),
        outputAmount: parseEther("99.5"),
        recipient,
        path,
      });
      assert.equal(await balance(A, user.a.account.address), userBefore - parseEther("100"));
      assert.equal((await intent(orderId, path)).origin.state, "open");

      const fillerOnA = await balance(A, fillerAddress);
      const fillerOnB = await balance(B, fillerAddress);
      await fillIntent(filler.b, devnet.manifest, { originData });
      // Paid at once, before any proof.
      assert.equal(await balance(B, recipient), parseEther("99.5"));
      assert.equal(await balance(B, fillerAddress), fillerOnB - parseEther("99.5"));
      assert.equal((await intent(orderId, path)).destination.state, "filled");

      // A second fill of the same order reverts, and costs the second filler nothing.
      const other = await fundedKey(devnet.manifest);
      await rejects(fillIntent(wallet(other.key, B), devnet.manifest, { originData }), "AlreadySettledHere");

      await settled(orderId, "repaid", path);
      assert.equal(await balance(A, fillerAddress), fillerOnA + parseEther("100"));
    });
  }

  it("refuses a gasless order with a bad signature or a used nonce, by name", async () => {
    const signed = await signIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("10"),
      outputAmount: parseEther("9.9"),
    });
    const stranger = await fundedKey(devnet.manifest);
    const forged = await signIntent(wallet(stranger.key, A), devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("10"),
      outputAmount: parseEther("9.9"),
    });
    // The stranger's signature over the user's order.
    await rejects(
      openIntentFor(filler.a, devnet.manifest, { order: signed.order, signature: forged.signature }),
      "InvalidSignature",
    );
    // The user's order with a changed output: the signature no longer matches.
    const tampered = { ...signed.order, orderData: { ...signed.order.orderData, outputAmount: 1n } };
    await rejects(
      openIntentFor(filler.a, devnet.manifest, { order: tampered, signature: signed.signature }),
      "InvalidSignature",
    );
    const opened = await openIntentFor(filler.a, devnet.manifest, signed);
    assert.equal(opened.order.user, user.a.account.address);
    assert.equal((await intent(opened.orderId)).origin.state, "open");
    await rejects(openIntentFor(filler.a, devnet.manifest, signed), "NonceAlreadyUsed");
  });

  it("refuses a fill inside another filler's exclusivity, and after the fill deadline", async () => {
    const { originData } = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("5"),
      outputAmount: parseEther("4.9"),
      exclusiveFiller: filler.b.account.address,
      exclusiveSeconds: 3600,
      fillWithinSeconds: 7200,
    });
    const other = await fundedKey(devnet.manifest);
    await rejects(fillIntent(wallet(other.key, B), devnet.manifest, { originData }), "ExclusiveToAnother");

    const late = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("5"),
      outputAmount: parseEther("4.9"),
      fillWithinSeconds: 60,
    });
    await passFillDeadline(late.order.fillDeadline);
    await rejects(
      fillIntent(filler.b, devnet.manifest, { originData: late.originData }),
      "FillDeadlinePassed",
    );
  });

  it("refunds an unfilled order only on the destination's certificate, and no fill follows it", async () => {
    const userBefore = await balance(A, user.a.account.address);
    const { orderId, originData, order } = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("7"),
      outputAmount: parseEther("6.9"),
      fillWithinSeconds: 3600,
    });
    await rejects(certifyUnfilled(filler.b, devnet.manifest, { originData }), "FillDeadlineNotPassed");
    // Time passes on A as well: the origin still does not refund on a timer.
    await increaseTime(rollupOf(devnet.manifest, A), 7200);
    assert.equal((await intent(orderId)).origin.state, "open");

    await passFillDeadline(order.fillDeadline);
    await certifyUnfilled(filler.b, devnet.manifest, { originData });
    await rejects(fillIntent(filler.b, devnet.manifest, { originData }), "AlreadySettledHere");
    await settled(orderId, "refunded");
    assert.equal(await balance(A, user.a.account.address), userBefore);
  });

  it("lets one of two racing fillers win; the loser's transaction reverts and its tokens stay", async () => {
    const { orderId, originData } = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("3"),
      outputAmount: parseEther("2.9"),
    });
    const racers = [filler.b, wallet((await fundedKey(devnet.manifest)).key, B)];
    // The second racer needs JUSD on B: the filler lends it some.
    const send = await filler.b.writeContract({
      address: jusd,
      abi: erc20Abi,
      functionName: "transfer",
      args: [racers[1]?.account.address as Address, parseEther("10")],
    });
    await client(B).waitForTransactionReceipt({ hash: send });
    const settler = devnet.manifest.rollups[1]?.contracts.settlers.canonical as Address;
    for (const racer of racers) {
      const approve = await racer.writeContract({
        address: jusd,
        abi: erc20Abi,
        functionName: "approve",
        args: [settler, parseEther("10")],
      });
      await client(B).waitForTransactionReceipt({ hash: approve });
    }
    const before = await Promise.all(racers.map((racer) => balance(B, racer.account.address)));
    // Both sent before either is mined, with fixed gas so neither is refused at estimation.
    const hashes = await Promise.all(
      racers.map((racer) =>
        racer.writeContract({
          address: settler,
          abi: settlerAbi,
          functionName: "fill",
          args: [orderId, originData, "0x"],
          gas: 500_000n,
        }),
      ),
    );
    const receipts = await Promise.all(hashes.map((hash) => client(B).waitForTransactionReceipt({ hash })));
    const statuses = receipts.map((receipt) => receipt.status).sort();
    assert.deepEqual(statuses, ["reverted", "success"]);
    const loser = receipts.findIndex((receipt) => receipt.status === "reverted");
    const winner = 1 - loser;
    const loserAddress = racers[loser]?.account.address as Address;
    const winnerAddress = racers[winner]?.account.address as Address;
    assert.equal(await balance(B, loserAddress), before[loser]);
    assert.equal(await balance(B, winnerAddress), (before[winner] as bigint) - parseEther("2.9"));
    assert.equal((await intent(orderId)).destination.filler, winnerAddress);
  });

  it("has the pool fill as last resort and books the repayment, fee included, when it arrives", async () => {
    const pool = devnet.manifest.rollups[1]?.contracts.liquidityPool as Address;
    const read = <N extends "idle" | "outstanding" | "totalAssets">(functionName: N) =>
      client(B).readContract({ address: pool, abi: liquidityPoolAbi, functionName });
    const assetsBefore = await read("totalAssets");
    const idleBefore = await read("idle");
    const recipient = privateKeyToAccount((await fundedKey(devnet.manifest)).key).address;
    const { orderId, originData } = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("50"),
      outputAmount: parseEther("49.9"),
      recipient,
    });
    // Anyone may ask the pool to fill once no filler holds the order exclusively and its origin has
    // proven it open on B.
    const anyone = wallet((await fundedKey(devnet.manifest)).key, B);
    await rejects(fillFromPool(anyone, devnet.manifest, { originData }), "OpenNotProven");
    await requestSlowFill(user.a, devnet.manifest, { originData });
    await waitUntil(
      () => isOpenProven(devnet.manifest, { originData }),
      Boolean,
      "the open proven on B",
      60_000,
    );
    await fillFromPool(anyone, devnet.manifest, { originData });
    assert.equal(await balance(B, recipient), parseEther("49.9"));
    assert.equal(await read("idle"), idleBefore - parseEther("49.9"));
    assert.equal(await read("outstanding"), parseEther("49.9"));
    assert.equal(await read("totalAssets"), assetsBefore);
    const fill = (await intent(orderId)).destination;
    assert.equal(fill.repaymentChainId, BigInt(B));
    assert.equal(fill.repaymentAddress, pool);

    // The origin bridges the input back to the pool, which books it against the fill.
    await settled(orderId, "repaid");
    await waitUntil(
      () => read("outstanding"),
      (value) => value === 0n,
      "the pool's repayment",
      60_000,
    );
    assert.equal(await read("idle"), idleBefore + parseEther("0.1"));
    // The fee reaches the share price over the unlock period, so nobody can deposit just before the
    // repayment and take it.
    assert.ok((await read("totalAssets")) < assetsBefore + parseEther("0.1"));
    await increaseTime(rollupOf(devnet.manifest, B), POOL_PROFIT_UNLOCK_SECONDS + 1);
    assert.equal(await read("totalAssets"), assetsBefore + parseEther("0.1"));
    assert.equal((await intent(orderId)).destination.filler, pool);
  });

  it("never has the pool pay for an order that was not opened, nor past a settler's cap", async () => {
    const anyone = wallet((await fundedKey(devnet.manifest)).key, B);
    // An order built by hand and never opened on A: the pool can't tell, the settler's proof can.
    const { order } = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("2"),
      outputAmount: parseEther("1.99"),
    });
    const phantom = encodeOrder({
      ...order,
      nonce: order.nonce + 1_000_000n,
      data: { ...order.data, inputAmount: parseEther("90000"), outputAmount: parseEther("89000") },
    });
    await rejects(fillFromPool(anyone, devnet.manifest, { originData: phantom }), "OpenNotProven");
    // A real order over the canonical settler's cap (50k): refused even though it is proven open.
    const big = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("60000"),
      outputAmount: parseEther("59000"),
    });
    await requestSlowFill(user.a, devnet.manifest, { originData: big.originData });
    await waitUntil(
      () => isOpenProven(devnet.manifest, { originData: big.originData }),
      Boolean,
      "the big order proven",
      60_000,
    );
    await rejects(
      fillFromPool(anyone, devnet.manifest, { originData: big.originData }),
      "SettlerCapExceeded",
    );
  });

  it("closes an order at once on its proof and leaves a refused repayment pending, not lost", async () => {
    const origin = rollupOf(devnet.manifest, A);
    const guardian = wallet(devnet.manifest.accounts.deployer.privateKey, A);
    const pause = async (paused: boolean) => {
      const hash = await guardian.writeContract({
        address: origin.contracts.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "setPaused",
        args: [jusd, BigInt(B), paused, false],
      });
      await client(A).waitForTransactionReceipt({ hash });
    };
    const { orderId, originData } = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("8"),
      outputAmount: parseEther("7.9"),
    });
    // The filler wants its repayment back on B, but the bridge route A→B is paused.
    await pause(true);
    const fillerOnB = await balance(B, filler.b.account.address);
    await fillIntent(filler.b, devnet.manifest, { originData, repayment: { chainId: B } });
    await settled(orderId, "repaid");
    const payout = () =>
      client(A).readContract({
        address: origin.contracts.settlers.canonical,
        abi: settlerAbi,
        functionName: "payoutOf",
        args: [orderId],
      });
    assert.equal((await payout()).pending, true);
    await rejects(
      filler.a.writeContract({
        address: origin.contracts.settlers.canonical,
        abi: settlerAbi,
        functionName: "completePayout",
        args: [orderId],
      }),
      "RoutePaused",
    );
    await pause(false);
    const hash = await filler.a.writeContract({
      address: origin.contracts.settlers.canonical,
      abi: settlerAbi,
      functionName: "completePayout",
      args: [orderId],
      gas: 800_000n,
    });
    assert.equal((await client(A).waitForTransactionReceipt({ hash })).status, "success");
    assert.equal((await payout()).pending, false);
    await waitUntil(
      () => balance(B, filler.b.account.address),
      (value) => value === fillerOnB - parseEther("7.9") + parseEther("8"),
      "the bridged repayment on B",
      60_000,
    );

    // The fill's message sent again is a no-op on A: nothing is paid twice.
    const resend = await filler.b.writeContract({
      address: rollupOf(devnet.manifest, B).contracts.settlers.canonical,
      abi: settlerAbi,
      functionName: "resendSettlement",
      args: [orderId, originData],
      gas: 800_000n,
    });
    const resent = await client(B).waitForTransactionReceipt({ hash: resend });
    const [event] = parseEventLogs({ abi: settlerAbi, logs: resent.logs, eventName: "SettlementResent" });
    await waitForDelivery(devnet.manifest, { id: event?.args.messageId as Hex, timeoutMs: 60_000 });
    assert.equal(await balance(B, filler.b.account.address), fillerOnB - parseEther("7.9") + parseEther("8"));
  });

  it("refuses an order to a chain without a twin settler", async () => {
    const origin = rollupOf(devnet.manifest, A);
    const data = {
      inputToken: jusd,
      inputAmount: parseEther("1"),
      destinationChainId: 999n,
      outputToken: jusd,
      outputAmount: parseEther("1"),
      recipient: user.a.account.address,
      exclusiveFiller: zeroAddress,
      exclusivityDeadline: 0,
    };
    const now = Number((await client(A).getBlock()).timestamp);
    await rejects(
      user.a.writeContract({
        address: origin.contracts.settlers.canonical,
        abi: settlerAbi,
        functionName: "open",
        args: [
          { fillDeadline: now + 600, orderDataType: ORDER_DATA_TYPEHASH, orderData: encodeOrderData(data) },
        ],
      }),
      "DestinationNotEnabled",
    );
  });

  it("refuses a pool fill that pays less than the pool's fee, or another asset", async () => {
    const pool = devnet.manifest.rollups[1]?.contracts.liquidityPool as Address;
    const settler = devnet.manifest.rollups[1]?.contracts.settlers.canonical as Address;
    const cheap = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("10"),
      outputAmount: parseEther("10"),
    });
    const poolFill = (orderId: Hex, originData: Hex) =>
      filler.b.writeContract({
        address: pool,
        abi: [...liquidityPoolAbi, ...settlerAbi],
        functionName: "fill",
        args: [settler, orderId, originData],
      });
    const proven = async (originData: Hex) => {
      await requestSlowFill(user.a, devnet.manifest, { originData });
      await waitUntil(
        () => isOpenProven(devnet.manifest, { originData }),
        Boolean,
        "the order proven open",
        60_000,
      );
    };
    await proven(cheap.originData);
    await rejects(poolFill(cheap.orderId, cheap.originData), "FeeTooLow");
    const stranger = await openIntent(user.a, devnet.manifest, {
      destinationChainId: B,
      inputAmount: parseEther("10"),
      outputAmount: parseEther("9"),
      outputToken: pool,
    });
    await proven(stranger.originData);
    await rejects(poolFill(stranger.orderId, stranger.originData), "WrongAsset");
    // A repayment address the settler refuses: neither origin nor destination.
    await rejects(
      filler.b.writeContract({
        address: settler,
        abi: settlerAbi,
        functionName: "fill",
        args: [cheap.orderId, cheap.originData, encodeFillerData({ chainId: 999n, address: pool })],
      }),
      "InvalidRepayment",
    );
  });
});
