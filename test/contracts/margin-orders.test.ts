// The margin engine's delayed orders (docs/margin-review.md, "oracle front-running"), on one anvil node:
// an order trades only at a price published in a block after its request, so trading ahead of a feeder's
// update earns nothing; a limit beyond that price, or a failed margin check, cancels the order with its
// reason and changes nothing else; its owner cannot walk away from it once a price came in time.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Hex, parseEther, parseEventLogs } from "viem";
import { type AnvilNode, anvilBlockControl, increaseTime, startAnvil } from "../../src/chain/anvil.js";
import { freePort } from "../../src/chain/ports.js";
import { collateralVaultAbi, priceOracleAbi } from "../../src/contracts/generated/index.js";
import { assetId } from "../../src/protocol/margin.js";
import { engineAbi } from "../../src/sdk/marginEngine.js";
import { findOutcome, outcomeIn } from "../../src/sdk/marginOrders.js";
import { rejects } from "../helpers/chain.js";
import { deployLocalMargin, type LocalMargin } from "../helpers/margin-local.js";

const eth = (value: string) => parseEther(value);
const usd = (value: string) => parseEther(value);

describe("MarginEngine: delayed orders", () => {
  let node: AnvilNode;
  let m: LocalMargin;
  let keeper: Awaited<ReturnType<LocalMargin["trader"]>>;

  before(async () => {
    node = await startAnvil({ chainId: 901, port: await freePort(), blockTime: 0 });
    m = await deployLocalMargin(node);
    keeper = await m.trader();
  });

  after(async () => {
    await node?.stop();
  });

  type Wallet = Awaited<ReturnType<LocalMargin["trader"]>>["wallet"];
  /** A trader with `amount` test ETH deposited as collateral (on this hub). */
  const funded = async (amount: bigint) => {
    const trader = await m.trader();
    await m.mined(
      trader.wallet.writeContract({
        address: m.vault,
        abi: collateralVaultAbi,
        functionName: "deposit",
        args: [m.eth, amount],
      }),
    );
    return trader;
  };
  const request = (wallet: Wallet, size: bigint, limitPrice = 0n, marketId = 0n) =>
    m.mined(
      wallet.writeContract({
        ...m.engineContract,
        functionName: "requestOrder",
        args: [marketId, size, limitPrice],
      }),
    );
  const execute = async (account: Hex, marketId = 0n) => {
    const receipt = await m.mined(
      keeper.wallet.writeContract({
        ...m.engineContract,
        functionName: "executeOrder",
        args: [account, marketId],
        gas: 2_000_000n,
      }),
    );
    const outcome = outcomeIn(receipt.logs, account, marketId);
    assert.ok(outcome, "the execution settled the order");
    return outcome;
  };
  /** An outcome as [status, price if executed / reason if cancelled]. */
  const summary = (outcome: Awaited<ReturnType<typeof execute>> | undefined) => [
    outcome?.status,
    outcome?.status === "executed" ? outcome.price : outcome?.reason,
  ];
  const read = {
    position: (account: Hex) =>
      m.client.readContract({ ...m.engineContract, functionName: "positionOf", args: [account, 0n] }),
    cash: (account: Hex) =>
      m.client.readContract({ ...m.engineContract, functionName: "cashOf", args: [account] }),
    pending: (account: Hex) =>
      m.client.readContract({ ...m.engineContract, functionName: "pendingOrders", args: [account] }),
    expiry: () => m.client.readContract({ ...m.engineContract, functionName: "orderExpiry" }),
  };

  it("never executes at a price of the request's own block or earlier, even one landing after it in that block", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const trader = await funded(eth("10"));
    await request(trader.wallet, eth("1"));
    await rejects(
      keeper.wallet.writeContract({
        ...m.engineContract,
        functionName: "executeOrder",
        args: [trader.address, 0n],
      }),
      "PriceNotFresh",
    );

    // A watcher sees the feeder's update in the mempool and gets its request into the same block ahead
    // of it: that price does not count either.
    const other = await funded(eth("10"));
    const blocks = anvilBlockControl(node.rpcUrl);
    await blocks.takeOver();
    let requested: Hex;
    let pushed: Hex;
    try {
      requested = await other.wallet.writeContract({
        ...m.engineContract,
        functionName: "requestOrder",
        args: [0n, eth("1"), 0n],
        gas: 500_000n,
      });
      pushed = await m.deployer.writeContract({
        address: m.oracle,
        abi: priceOracleAbi,
        functionName: "setPrice",
        args: [assetId("ETH"), usd("3300")],
        gas: 300_000n,
        account: m.deployer.account,
        chain: m.deployer.chain,
      });
      await blocks.mine();
    } finally {
      await blocks.release();
    }
    const [a, b] = await Promise.all(
      [requested, pushed].map((hash) => m.client.waitForTransactionReceipt({ hash })),
    );
    assert.equal(a?.blockNumber, b?.blockNumber, "request and update share a block");
    assert.ok((a?.transactionIndex ?? 0) < (b?.transactionIndex ?? 0), "the request came first");
    m.prices.set(assetId("ETH"), usd("3300"));
    await rejects(
      keeper.wallet.writeContract({
        ...m.engineContract,
        functionName: "executeOrder",
        args: [other.address, 0n],
      }),
      "PriceNotFresh",
    );
    // The first order (requested blocks earlier) executes at that $3,300: it was published after it.
    const first = await execute(trader.address);
    assert.equal(first.status, "executed");
    assert.equal(first.status === "executed" && first.price, usd("3300"));
    // The next price executes the second one, at that next price.
    await m.setPrices({ ETH: usd("3310") });
    const second = await execute(other.address);
    assert.equal(second.status === "executed" && second.price, usd("3310"));
  });

  it("gives nothing to a trader who requests before a known +10 % update and closes after it", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const attacker = await funded(eth("10"));
    // Everyone knows the feed is about to say $3,300; the attacker buys 10 ETH "at $3,000" …
    await request(attacker.wallet, eth("10"));
    await m.setPrices({ ETH: usd("3300") });
    const opened = await execute(attacker.address);
    // … but the order executes at the update it tried to get ahead of.
    assert.equal(opened.status === "executed" && opened.price, usd("3300"));
    await request(attacker.wallet, -eth("10"));
    await m.setPrices({}); // the feeder's next round, unchanged
    const closed = await execute(attacker.address);
    assert.equal(closed.status === "executed" && closed.price, usd("3300"));
    assert.equal((await read.position(attacker.address)).size, 0n);
    const pnl = await read.cash(attacker.address);
    assert.ok(pnl <= 0n, `no profit (${pnl}); trading at once at $3,000 earned $3,000 before`);
    await rejects(
      attacker.wallet.writeContract({
        ...m.engineContract,
        functionName: "withdrawCash",
        args: [1n, attacker.address],
      }),
      "InsufficientCash",
    );
  });

  it("cancels an order whose price is beyond its limit, or that fails its margin check, naming why and changing nothing", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const trader = await funded(eth("1")); // $2,400 of margin
    const before = { position: await read.position(trader.address), cash: await read.cash(trader.address) };

    await request(trader.wallet, eth("1"), usd("3100")); // buy at most $3,100
    await m.setPrices({ ETH: usd("3300") });
    const buy = await execute(trader.address);
    assert.deepEqual(buy.status === "cancelled" && buy.reason, "LimitPrice");

    await request(trader.wallet, -eth("1"), usd("3400")); // sell at least $3,400
    await m.setPrices({});
    const sell = await execute(trader.address);
    assert.deepEqual(sell.status === "cancelled" && sell.reason, "LimitPrice");

    // 10 ETH needs $3,300 of initial margin: cancelled by the margin check at execution.
    await request(trader.wallet, eth("10"));
    await m.setPrices({});
    const big = await execute(trader.address);
    assert.deepEqual(big.status === "cancelled" && big.reason, "InsufficientMargin");

    assert.deepEqual(await read.position(trader.address), before.position);
    assert.equal(await read.cash(trader.address), before.cash);
    assert.equal(await read.pending(trader.address), 0n);
    // A limit the price meets executes.
    await request(trader.wallet, eth("1"), usd("3300"));
    await m.setPrices({});
    assert.equal((await execute(trader.address)).status, "executed");
  });

  it("lets its owner cancel an order only once it expired with no price, never one a price came for in time", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const expiry = Number(await read.expiry());
    const trader = await funded(eth("10"));
    const cancel = () =>
      trader.wallet.writeContract({ ...m.engineContract, functionName: "cancelOrder", args: [0n] });

    // No price comes: cancellable only after the expiry.
    await request(trader.wallet, eth("1"));
    await rejects(cancel(), "OrderNotExpired");
    // One order per account and market; no withdrawal while it is pending.
    await rejects(request(trader.wallet, eth("1")), "OrderPending");
    await rejects(
      trader.wallet.writeContract({
        ...m.engineContract,
        functionName: "requestWithdrawal",
        args: [m.chainId, m.eth, 1n, trader.address],
      }),
      "OrdersPending",
    );
    await increaseTime(node, expiry + 1);
    await m.mined(cancel());
    assert.equal(await read.pending(trader.address), 0n);
    await m.setPrices({}); // fresh again after the jump

    // A price comes in time and is unfavourable: the owner cannot walk away, even after the expiry;
    // anyone executes it at that price.
    await request(trader.wallet, eth("1"));
    await m.setPrices({ ETH: usd("2900") });
    await increaseTime(node, expiry + 1);
    await rejects(cancel(), "OrderExecutable");
    const late = await execute(trader.address);
    assert.equal(late.status === "executed" && late.price, usd("2900"));

    // A price that comes only after the expiry is too late: executing cancels the order.
    await m.setPrices({});
    await request(trader.wallet, eth("1"));
    await increaseTime(node, expiry + 1);
    await m.setPrices({});
    const expired = await execute(trader.address);
    assert.deepEqual(expired.status === "cancelled" && expired.reason, "OrderExpired");
  });

  it("checks an order's margin at its own price, so executing it later is no option on later prices (review F1)", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const withJusd = async () => {
      const trader = await m.trader();
      await m.mined(
        trader.wallet.writeContract({
          address: m.vault,
          abi: collateralVaultAbi,
          functionName: "deposit",
          args: [m.jusd, usd("10000")],
        }),
      );
      return trader;
    };
    // $10,000 of JUSD counts $9,500: 31.6 ETH at $3,000 needs $9,480 of initial margin, 31.7 needs $9,510.
    const fits = await withJusd();
    const tooBig = await withJusd();
    await request(fits.wallet, eth("31.6"));
    await request(tooBig.wallet, eth("31.7"));
    await m.setPrices({ ETH: usd("3000") }); // both orders' round
    // A later round moves against the first and for the second: each outcome is still its round's.
    await m.setPrices({ ETH: usd("2995") });
    const first = await execute(fits.address);
    assert.deepEqual(summary(first), ["executed", usd("3000")]);
    await m.setPrices({ ETH: usd("3300") });
    const second = await execute(tooBig.address);
    assert.deepEqual(summary(second), ["cancelled", "InsufficientMargin"]);
    assert.equal((await read.position(tooBig.address)).size, 0n);
  });

  it("reads an order's outcome only after its request, not an earlier order's settled in the same block (review F3)", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const trader = await funded(eth("5"));
    // Order 1 buys 1 up to $3,100; the next price is $3,300, so its execution cancels it (LimitPrice).
    await request(trader.wallet, eth("1"), usd("3100"));
    await m.setPrices({ ETH: usd("3300") });
    // In one block: the keeper settles order 1, then the trader requests order 2 (no limit).
    const blocks = anvilBlockControl(node.rpcUrl);
    await blocks.takeOver();
    let settle: Hex;
    let next: Hex;
    try {
      settle = await keeper.wallet.writeContract({
        ...m.engineContract,
        functionName: "executeOrder",
        args: [trader.address, 0n],
        gas: 2_000_000n,
      });
      next = await trader.wallet.writeContract({
        ...m.engineContract,
        functionName: "requestOrder",
        args: [0n, eth("1"), 0n],
        gas: 500_000n,
      });
      await blocks.mine();
    } finally {
      await blocks.release();
    }
    const [settled, requested] = await Promise.all(
      [settle, next].map((hash) => m.client.waitForTransactionReceipt({ hash })),
    );
    assert.equal(settled?.blockNumber, requested?.blockNumber, "one block");
    const [event] = parseEventLogs({
      abi: engineAbi,
      logs: requested?.logs ?? [],
      eventName: "OrderRequested",
    });
    assert.ok(event);
    await m.setPrices({ ETH: usd("3310") });
    await execute(trader.address);
    const outcome = await findOutcome(m.client, m.engine, trader.address, 0n, {
      blockNumber: event.blockNumber,
      logIndex: event.logIndex,
    });
    assert.deepEqual(summary(outcome), ["executed", usd("3310")]);
  });

  it("trims a reduce-only order to the position when it executes, never flipping it, and cancels one with nothing to reduce", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const trader = await funded(eth("5"));
    const reduce = (size: bigint) =>
      m.mined(
        trader.wallet.writeContract({
          ...m.engineContract,
          functionName: "requestReduceOrder",
          args: [0n, size, 0n],
        }),
      );
    await request(trader.wallet, eth("2"));
    await m.setPrices({});
    await execute(trader.address);
    // A close of 3 against a long of 2 (the position shrank since it was asked, say): it closes 2, no short.
    await reduce(-eth("3"));
    await m.setPrices({});
    const closed = await execute(trader.address);
    assert.deepEqual([closed.status, closed.status === "executed" && closed.size], ["executed", -eth("2")]);
    assert.equal((await read.position(trader.address)).size, 0n);
    // Flat now: a reduce-only order has nothing to reduce.
    await reduce(-eth("1"));
    await m.setPrices({});
    const nothing = await execute(trader.address);
    assert.deepEqual(summary(nothing), ["cancelled", "NothingToReduce"]);
    assert.equal((await read.position(trader.address)).size, 0n);
  });

  it("applies an order's trade only from the engine itself", async () => {
    await rejects(
      keeper.wallet.writeContract({
        ...m.engineContract,
        functionName: "tradeForOrder",
        args: [keeper.address, 0n, eth("100"), 1n],
      }),
      "NotSelf",
    );
  });
});
