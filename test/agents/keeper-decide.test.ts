// The keeper's pure parts: the ledger rebuilt from engine events, and the decision per account — who is
// liquidatable (fresh and stale prices), what a call closes, repays and seizes (half, full, dust, the
// README's worked crash), which collateral it takes, and what a short budget changes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Address, getAddress, parseEther } from "viem";
import { assessAccount, type EngineView } from "../../src/agents/keeper/decide.js";
import { MarginLedger } from "../../src/agents/keeper/ledger.js";
import { MARGIN_DEFAULTS } from "../../src/devnet/deploy-margin.js";
import { assetId, collateralKey, type MarginAccount, WAD } from "../../src/protocol/margin.js";

const HUB = 901;
const B = 902;
const JUSD_HUB: Address = "0x00000000000000000000000000000000000000a1";
const JUSD_B: Address = "0x00000000000000000000000000000000000000b1";
const ALICE: Address = "0x00000000000000000000000000000000000a11ce";
const TEST_ETH: Address = "0x00000000000000000000000000000000000000e1";
const ENGINE: Address = "0x00000000000000000000000000000000000e6e1e";
const usd = (value: string) => parseEther(value);
const ETH = assetId("ETH");
const USD = assetId("USD");

const jusd = (chainId: number, token: Address) => ({
  chainId: BigInt(chainId),
  token,
  asset: USD,
  decimals: 18,
  haircutBps: MARGIN_DEFAULTS.jusd.haircutBps,
  bonusBps: MARGIN_DEFAULTS.jusd.bonusBps,
});

const view = (eth: string, stale: string[] = []): EngineView => ({
  hubChainId: HUB,
  collaterals: [jusd(HUB, JUSD_HUB), jusd(B, JUSD_B)],
  markets: [{ asset: ETH, initialMarginBps: 1_000, maintenanceMarginBps: 500, enabled: true }],
  risk: { ...MARGIN_DEFAULTS.risk },
  prices: new Map([
    [ETH, usd(eth)],
    [USD, WAD],
  ]),
  stale: new Set(stale.map(assetId)),
});

const account = (
  collateral: [number, Address, string][],
  size: string,
  entry = "3000",
  cash = "0",
): MarginAccount => ({
  collateral: new Map(
    collateral.map(([chainId, token, amount]) => [collateralKey(chainId, token), usd(amount)]),
  ),
  cash: usd(cash),
  positions: new Map([[0, { size: parseEther(size), entryPrice: usd(entry) }]]),
});

const plan = (a: MarginAccount, eth: string, budget = usd("1000000"), stale: string[] = []) => {
  const assessment = assessAccount(ALICE, a, view(eth, stale), budget);
  if (assessment.kind !== "liquidate") assert.fail(`expected a liquidation, got ${assessment.kind}`);
  return assessment.plan;
};

describe("keeper decisions", () => {
  it("liquidates the README's crash: half of 10 ETH, repays $2,250, seizes 2,362.5 JUSD on 902", () => {
    const p = plan(account([[B, JUSD_B, "10548"]], "10"), "2100");
    assert.ok(p.health < WAD && p.health >= MARGIN_DEFAULTS.risk.fullLiquidationHealth);
    assert.equal(p.full, false);
    assert.equal(p.expected.closedSize, parseEther("5"));
    assert.equal(p.expected.repaid, usd("2250"));
    assert.equal(p.expected.seized, usd("2362.5"));
    assert.equal(p.chainId, B);
    assert.equal(p.token, JUSD_B);
    assert.equal(p.maxRepay, usd("2250"));
  });

  it("leaves an account at health 1 or more alone", () => {
    const assessment = assessAccount(ALICE, account([[B, JUSD_B, "10632"]], "10"), view("2100"), usd("1000"));
    assert.equal(assessment.kind, "healthy");
  });

  it("closes everything under the full-liquidation health, and when the other half would be dust", () => {
    assert.equal(plan(account([[B, JUSD_B, "10316"]], "10"), "2100").expected.closedSize, parseEther("10"));
    const dust = plan(account([[B, JUSD_B, "84.4"]], "0.08"), "2100");
    assert.equal(dust.full, false);
    assert.equal(dust.expected.closedSize, parseEther("0.08"));
  });

  it("on a stale price liquidates only under the stale bar", () => {
    // Health about 0.97: liquidatable on fresh prices, not on stale ones.
    const shaky = account([[B, JUSD_B, "10548"]], "10");
    assert.equal(assessAccount(ALICE, shaky, view("2100", ["ETH"]), usd("1000000")).kind, "healthy");
    // Health about 0.76: under 0.9, liquidated all the same.
    const sinking = plan(account([[B, JUSD_B, "10316"]], "10"), "2100", usd("1000000"), ["ETH"]);
    assert.equal(sinking.stale, true);
  });

  it("counts collateral priced stale as nothing, and never seizes it", () => {
    // Health 1.40 at face value, but most of its margin is test ETH whose price is stale: 0.28.
    const testEth = { ...jusd(HUB, TEST_ETH), asset: ETH, haircutBps: 8_000, bonusBps: 1_000 };
    const mixed: EngineView = {
      ...view("2100", ["ETH"]),
      collaterals: [jusd(HUB, JUSD_HUB), jusd(B, JUSD_B), testEth],
      markets: [{ asset: assetId("BTC"), initialMarginBps: 1_000, maintenanceMarginBps: 500, enabled: true }],
      prices: new Map([
        [ETH, usd("2100")],
        [USD, WAD],
        [assetId("BTC"), usd("60000")],
      ]),
    };
    const held: MarginAccount = {
      collateral: new Map([
        [collateralKey(B, JUSD_B), usd("3000")],
        [collateralKey(HUB, TEST_ETH), parseEther("2")],
      ]),
      cash: 0n,
      positions: new Map([[0, { size: parseEther("1"), entryPrice: usd("62000") }]]),
    };
    const assessment = assessAccount(ALICE, held, mixed, usd("100000"));
    if (assessment.kind !== "liquidate") assert.fail(`expected a liquidation, got ${assessment.kind}`);
    assert.equal(assessment.plan.stale, false, "the position's price is fresh: the bar stays 1");
    assert.equal(assessment.plan.chainId, B, "seized from the JUSD, not the stale test ETH");
    assert.equal(assessment.plan.full, true);
    assert.equal(assessment.plan.expected.repaid, usd("2000"));
    const face = assessAccount(ALICE, held, { ...mixed, stale: new Set() }, usd("100000"));
    assert.equal(face.kind, "healthy");
  });

  it("seizes from the collateral that repays the most, the hub's on a tie", () => {
    const split = plan(
      account(
        [
          [HUB, JUSD_HUB, "500"],
          [B, JUSD_B, "10048"],
        ],
        "10",
      ),
      "2100",
    );
    assert.equal(split.chainId, B);
    const even = plan(
      account(
        [
          [HUB, JUSD_HUB, "5274"],
          [B, JUSD_B, "5274"],
        ],
        "10",
      ),
      "2100",
    );
    assert.equal(even.chainId, HUB);
  });

  it("repays no more than its budget, and only closes when it has none", () => {
    const short = plan(account([[B, JUSD_B, "10548"]], "10"), "2100", usd("1000"));
    assert.equal(short.maxRepay, usd("1000"));
    assert.equal(short.expected.repaid, usd("1000"));
    assert.equal(short.expected.seized, usd("1050"));
    const broke = plan(account([[B, JUSD_B, "10548"]], "10"), "2100", 0n);
    assert.equal(broke.maxRepay, 0n);
    assert.equal(broke.expected.closedSize, parseEther("5"));
    assert.equal(broke.expected.seized, 0n);
  });

  it("settles a debt beside nothing but dust, and reports one it cannot repay as stuck", () => {
    const dusty: MarginAccount = {
      collateral: new Map([[collateralKey(B, JUSD_B), usd("99")]]),
      cash: -usd("500"),
      positions: new Map(),
    };
    // $99 of JUSD is under the $100 dust floor, but a keeper with JUSD still repays against it.
    const repays = assessAccount(ALICE, dusty, view("2100"), usd("1000"));
    assert.equal(repays.kind, "liquidate");
    const settles = assessAccount(ALICE, dusty, view("2100"), 0n);
    assert.deepEqual(settles, { kind: "settle", health: 0n, debt: usd("500") });
    const empty: MarginAccount = { collateral: new Map(), cash: -usd("10"), positions: new Map() };
    assert.equal(assessAccount(ALICE, empty, view("2100"), usd("1000")).kind, "settle");
    const backed: MarginAccount = { ...dusty, collateral: new Map([[collateralKey(B, JUSD_B), usd("400")]]) };
    const stuck = assessAccount(ALICE, backed, view("2100"), 0n);
    assert.deepEqual(stuck, { kind: "stuck", health: 0n, reason: "no budget to repay" });
  });
});

describe("keeper ledger", () => {
  it("rebuilds collateral, cash and positions from the engine's events", () => {
    const ledger = new MarginLedger();
    const args = { account: ALICE, chainId: BigInt(B), token: JUSD_B };
    ledger.apply({ eventName: "CollateralCredited", args: { ...args, amount: usd("10548") } });
    ledger.apply({
      eventName: "CollateralCredited",
      args: { ...args, chainId: BigInt(HUB), token: JUSD_HUB, amount: usd("5") },
    });
    ledger.apply({
      eventName: "PositionModified",
      args: {
        account: ALICE,
        marketId: 0n,
        size: parseEther("10"),
        entryPrice: usd("3000"),
        realisedPnl: 0n,
      },
    });
    ledger.apply({
      eventName: "WithdrawalRequested",
      args: { ...args, chainId: BigInt(HUB), token: JUSD_HUB, amount: usd("5") },
    });
    // The liquidation of the README: close 5 ETH at $2,100, repay $2,250, seize 2,362.5 JUSD on 902.
    ledger.apply({
      eventName: "PositionModified",
      args: {
        account: ALICE,
        marketId: 0n,
        size: parseEther("5"),
        entryPrice: usd("3000"),
        realisedPnl: -usd("4500"),
      },
    });
    ledger.apply({ eventName: "Liquidated", args: { ...args, repaid: usd("2250"), seized: usd("2362.5") } });
    ledger.apply({ eventName: "DebtRepaid", args: { account: ALICE, amount: usd("250") } });

    const held = ledger.account(ALICE.toLowerCase() as Address);
    assert.equal(held.collateral.get(collateralKey(B, JUSD_B)), usd("8185.5"));
    assert.equal(held.collateral.get(collateralKey(HUB, JUSD_HUB)), 0n);
    assert.equal(held.cash, -usd("2000"));
    assert.deepEqual(held.positions.get(0), { size: parseEther("5"), entryPrice: usd("3000") });
    assert.deepEqual(ledger.addresses(), [getAddress(ALICE)]);

    ledger.apply({ eventName: "CashWithdrawn", args: { account: ALICE, amount: usd("5") } });
    assert.equal(ledger.account(ALICE).cash, -usd("2005"));
    ledger.apply({ eventName: "DustSwept", args: { ...args, amount: usd("8185.5") } }, ENGINE);
    ledger.apply({ eventName: "ShortfallSettled", args: { account: ALICE } });
    assert.equal(ledger.account(ALICE).cash, 0n);
    assert.equal(ledger.account(ALICE).collateral.get(collateralKey(B, JUSD_B)), 0n);
    assert.equal(ledger.account(ENGINE).collateral.get(collateralKey(B, JUSD_B)), usd("8185.5"));
  });
});
