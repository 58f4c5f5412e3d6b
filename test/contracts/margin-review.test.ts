// The independent attacker's review of the margin engine (docs/margin-review.md), on one anvil node: one
// test per finding, each naming the finding it pins down, each failing on the engine before its fix.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, encodeAbiParameters, parseEther, parseEventLogs } from "viem";
import { type AnvilNode, increaseTime, startAnvil } from "../../src/chain/anvil.js";
import { freePort } from "../../src/chain/ports.js";
import {
  collateralVaultAbi,
  collateralVaultBytecode,
  inboxAbi,
  priceOracleAbi,
  testTokenAbi,
  testTokenBytecode,
} from "../../src/contracts/generated/index.js";
import { assetId } from "../../src/protocol/margin.js";
import { rejects } from "../helpers/chain.js";
import { deployLocalMargin, LOCAL_PRICE_MAX_AGE, type LocalMargin } from "../helpers/margin-local.js";

const eth = (value: string) => parseEther(value);
const usd = (value: string) => parseEther(value);
const MAX_REPAY = 10n ** 40n;

describe("MarginEngine: the attacker's review", () => {
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
  const deposit = (wallet: Wallet, token: Address, amount: bigint) =>
    m.mined(
      wallet.writeContract({
        address: m.vault,
        abi: collateralVaultAbi,
        functionName: "deposit",
        args: [token, amount],
      }),
    );
  const depositFor = (wallet: Wallet, token: Address, amount: bigint, account: Address) =>
    m.mined(
      wallet.writeContract({
        address: m.vault,
        abi: collateralVaultAbi,
        functionName: "depositFor",
        args: [token, amount, account],
      }),
    );
  const trade = (wallet: Wallet, marketId: bigint, size: bigint) => m.trade(wallet, marketId, size);
  const liquidate = (account: Address, marketId: bigint, token: Address, maxRepay = MAX_REPAY) =>
    keeper.wallet.writeContract({
      ...m.engineContract,
      functionName: "liquidate",
      args: [account, marketId, m.chainId, token, maxRepay],
    });
  const read = {
    cash: (account: Address) =>
      m.client.readContract({ ...m.engineContract, functionName: "cashOf", args: [account] }),
    collateral: (account: Address, token: Address) =>
      m.client.readContract({
        ...m.engineContract,
        functionName: "collateralOf",
        args: [account, m.chainId, token],
      }),
    size: async (account: Address, marketId: bigint) =>
      (
        await m.client.readContract({
          ...m.engineContract,
          functionName: "positionOf",
          args: [account, marketId],
        })
      ).size,
    insurance: () => m.client.readContract({ ...m.engineContract, functionName: "insuranceFund" }),
    badDebt: () => m.client.readContract({ ...m.engineContract, functionName: "badDebt" }),
  };
  const setCollateral = (token: Address, symbol: string, haircutBps: number, bonusBps = 1_000) =>
    m.deployer.writeContract({
      ...m.engineContract,
      account: m.deployer.account,
      chain: m.deployer.chain,
      functionName: "setCollateral",
      args: [m.chainId, token, assetId(symbol), 18, haircutBps, bonusBps],
    });

  it("finding 1: pays realised profit in JUSD, never out of the insurance fund, on fresh prices, keeping initial margin", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const [winner, loser, funder] = [await m.trader(), await m.trader(), await m.trader()];
    for (const [trader, size] of [
      [winner, eth("10")],
      [loser, -eth("10")],
    ] as const) {
      await deposit(trader.wallet, m.eth, eth("10"));
      await trade(trader.wallet, 0n, size);
    }
    await m.setPrices({ ETH: usd("3300") });
    await trade(winner.wallet, 0n, -eth("10"));
    await trade(loser.wallet, 0n, eth("10"));
    assert.equal(await read.cash(winner.address), usd("3000"));
    assert.equal(await read.cash(loser.address), -usd("3000"));

    await m.mined(
      funder.wallet.writeContract({ ...m.engineContract, functionName: "fundInsurance", args: [usd("500")] }),
    );
    await m.mined(
      loser.wallet.writeContract({
        ...m.engineContract,
        functionName: "repayDebt",
        args: [loser.address, usd("2000")],
      }),
    );
    // The engine holds 2,500 JUSD, 500 of them the insurance fund: 2,000 may be paid out.
    const withdrawCash = (wallet: Wallet, amount: bigint, receiver: Address) =>
      wallet.writeContract({ ...m.engineContract, functionName: "withdrawCash", args: [amount, receiver] });
    await rejects(withdrawCash(winner.wallet, usd("3000"), winner.address), "InsufficientLiquidity");
    await rejects(withdrawCash(loser.wallet, usd("1"), loser.address), "InsufficientCash");
    const before = await m.balance(m.jusd, funder.address);
    await m.mined(withdrawCash(winner.wallet, usd("2000"), funder.address));
    assert.equal(
      await m.balance(m.jusd, funder.address),
      before + usd("2000"),
      "the receiver is paid in JUSD",
    );
    assert.equal(await read.cash(winner.address), usd("1000"));
    assert.equal(await read.insurance(), usd("500"));
    assert.equal(await m.balance(m.jusd, m.engine), usd("500"), "the insurance fund stays backed");

    // With its collateral gone, the rest of its cash is the winner's margin: 3 ETH long needs 990 of it.
    await m.mined(
      winner.wallet.writeContract({
        ...m.engineContract,
        functionName: "requestWithdrawal",
        args: [m.chainId, m.eth, eth("10"), winner.address],
      }),
    );
    await m.mined(
      loser.wallet.writeContract({
        ...m.engineContract,
        functionName: "repayDebt",
        args: [loser.address, usd("1000")],
      }),
    );
    await trade(winner.wallet, 0n, eth("3"));
    await rejects(withdrawCash(winner.wallet, usd("11"), winner.address), "InsufficientMargin");
    await m.mined(withdrawCash(winner.wallet, usd("10"), winner.address));
    // A stale price refuses a payout.
    await increaseTime(node, LOCAL_PRICE_MAX_AGE + 1);
    await rejects(withdrawCash(winner.wallet, usd("1"), winner.address), "StalePrice");
    await m.setPrices({});
    await trade(winner.wallet, 0n, -eth("3"));
  });

  it("finding 2: never seizes collateral at a stale price, delisted collateral included", async () => {
    await m.setPrices({ ETH: usd("3000"), OLD: usd("10") });
    const victim = await m.trader();
    await deposit(victim.wallet, m.jusd, usd("1000"));
    await deposit(victim.wallet, m.old, eth("100"));
    await trade(victim.wallet, 0n, eth("4"));
    // OLD is delisted (it counts for nothing) and its feeder stops; ETH falls: health about 0.27.
    await m.mined(setCollateral(m.old, "OLD", 0));
    await increaseTime(node, LOCAL_PRICE_MAX_AGE + 1);
    await m.setPrices({ ETH: usd("2800") }, ["ETH", "BTC", "USD"]);
    await rejects(liquidate(victim.address, 0n, m.old), "StalePrice");
    // Closing alone needs no collateral price (and leaves the account solvent: nothing more to take).
    await m.mined(liquidate(victim.address, 0n, m.old, 0n));
    assert.equal(await read.size(victim.address, 0n), 0n);
    await m.setPrices({});
    await m.mined(setCollateral(m.old, "OLD", 5_000));
  });

  it("finding 3: a liquidation must close a position before it may repay debt alone", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const victim = await m.trader();
    await deposit(victim.wallet, m.jusd, usd("2000"));
    await trade(victim.wallet, 0n, eth("5"));
    await m.setPrices({ ETH: usd("2850") });
    await trade(victim.wallet, 0n, -eth("2"));
    assert.equal(await read.cash(victim.address), -usd("300"));
    await m.setPrices({ ETH: usd("2500") });
    // Market 1 (BTC): it holds nothing there, so the call would only repay debt and take the bonus.
    await rejects(liquidate(victim.address, 1n, m.jusd), "MustClosePosition");
    await m.mined(liquidate(victim.address, 0n, m.jusd));
    assert.equal(await read.size(victim.address, 0n), 0n);
  });

  it("finding 5: refunds an expired depositFor to the depositor, not to the account credited", async () => {
    // A vault whose hub is another chain; the deployer stands in for its Inbox to deliver the notice.
    const from = m.deployer.account.address;
    const hash = await m.deployer.deployContract({
      abi: collateralVaultAbi,
      bytecode: collateralVaultBytecode,
      args: [from, m.outbox, from, 999n, m.engine],
      account: m.deployer.account,
      chain: m.deployer.chain,
    });
    const vault = (await m.mined(Promise.resolve(hash))).contractAddress as Address;
    const token = (
      await m.mined(
        m.deployer.deployContract({
          abi: testTokenAbi,
          bytecode: testTokenBytecode,
          args: [],
          account: m.deployer.account,
          chain: m.deployer.chain,
        }),
      )
    ).contractAddress as Address;
    await m.mined(
      m.deployer.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        account: m.deployer.account,
        chain: m.deployer.chain,
        functionName: "setTokenEnabled",
        args: [token, true],
      }),
    );
    const depositor = await m.trader();
    const account = await m.trader();
    await m.mined(
      depositor.wallet.writeContract({
        address: token,
        abi: testTokenAbi,
        functionName: "mint",
        args: [depositor.address, 100n],
      }),
    );
    await m.mined(
      depositor.wallet.writeContract({
        address: token,
        abi: testTokenAbi,
        functionName: "approve",
        args: [vault, 100n],
      }),
    );
    const receipt = await m.mined(
      depositor.wallet.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        functionName: "depositFor",
        args: [token, 100n, account.address],
      }),
    );
    const [deposited] = parseEventLogs({
      abi: collateralVaultAbi,
      logs: receipt.logs,
      eventName: "Deposited",
    });
    assert.ok(deposited);
    const { messageId } = deposited.args;
    const notice = encodeAbiParameters([{ type: "bytes4" }, { type: "bytes32" }], ["0x00000000", messageId]);
    await m.mined(
      m.deployer.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        account: m.deployer.account,
        chain: m.deployer.chain,
        functionName: "handle",
        args: [999n, from, notice],
      }),
    );
    await m.mined(
      keeper.wallet.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        functionName: "claimDepositRefund",
        args: [messageId, depositor.address, token, 100n],
        gas: 300_000n,
      }),
    );
    assert.equal(await m.balance(token, depositor.address), 100n, "the depositor has its deposit back");
    assert.equal(await m.balance(token, account.address), 0n);
  });

  it("finding 6: settles a debt whose account holds only dust no liquidation can take", async () => {
    await m.setPrices({ ETH: usd("3000") });
    const victim = await m.trader();
    const griefer = await m.trader();
    await deposit(victim.wallet, m.eth, eth("1"));
    await trade(victim.wallet, 0n, eth("8"));
    // 1 wei of JUSD: any seizure of it repays 1 x 1e4 / 1.05e4 = 0.
    await depositFor(griefer.wallet, m.jusd, 1n, victim.address);
    await m.setPrices({ ETH: usd("2000") });
    const badDebt = await read.badDebt();
    await m.mined(liquidate(victim.address, 0n, m.eth));
    assert.equal(await read.cash(victim.address), 0n, "the debt is settled once only dust is left");
    assert.ok((await read.badDebt()) > badDebt);
    assert.equal(await read.collateral(victim.address, m.jusd), 0n, "the dust is swept, not kept");
  });

  it("finding 7: lists collateral only with a price; stale collateral counts for nothing; a vault rollup needs its verifier", async () => {
    await m.setPrices({ ETH: usd("2000") });
    await rejects(setCollateral(m.engine, "NEW", 5_000), "PriceUnavailable");
    await m.mined(setCollateral(m.engine, "NEW", 0));

    const victim = await m.trader();
    const griefer = await m.trader();
    await deposit(victim.wallet, m.jusd, usd("1000"));
    await trade(victim.wallet, 0n, eth("4"));
    // OLD goes stale and the griefer pushes 1 wei of it into the account: health 0.97 at $1,852.5.
    await increaseTime(node, LOCAL_PRICE_MAX_AGE + 1);
    await m.setPrices({ ETH: usd("1852.5") }, ["ETH", "BTC", "USD"]);
    await depositFor(griefer.wallet, m.old, 1n, victim.address);
    const state = await m.client.readContract({
      ...m.engineContract,
      functionName: "accountState",
      args: [victim.address],
    });
    assert.ok(state.health < parseEther("1") && state.health > parseEther("0.95"), `health ${state.health}`);
    await m.mined(liquidate(victim.address, 0n, m.jusd));
    assert.equal(await read.size(victim.address, 0n), eth("2"), "half closed under the bar of 1");
    await m.setPrices({});

    const verifier = keeper.address;
    const setVaultChain = (chainId: bigint, enabled: boolean, chosen: Address) =>
      m.deployer.writeContract({
        ...m.engineContract,
        account: m.deployer.account,
        chain: m.deployer.chain,
        functionName: "setVaultChain",
        args: [chainId, enabled, chosen],
      });
    await rejects(setVaultChain(902n, true, m.zeroAddress), "VerifierRequired");
    await m.mined(setVaultChain(902n, true, verifier));
    const chosen = await m.client.readContract({
      address: m.inbox,
      abi: inboxAbi,
      functionName: "verifierFor",
      args: [m.engine, 902n],
    });
    assert.equal(chosen, verifier);
  });

  it("finding 8: moves a price once per block, however many times a batch names it", async () => {
    await m.setPrices({ ETH: usd("2000") });
    await rejects(
      m.deployer.writeContract({
        address: m.oracle,
        abi: priceOracleAbi,
        account: m.deployer.account,
        chain: m.deployer.chain,
        functionName: "setPrices",
        args: [
          [assetId("BTC"), assetId("ETH"), assetId("ETH")],
          [usd("60000"), usd("2800"), usd("3920")],
        ],
      }),
      "PriceAlreadyUpdated",
    );
    const [price] = await m.client.readContract({
      address: m.oracle,
      abi: priceOracleAbi,
      functionName: "priceOf",
      args: [assetId("ETH")],
    });
    assert.equal(price, usd("2000"));
  });
});
