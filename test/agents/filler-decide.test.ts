// The filler's pure decisions: what makes an order fillable, wait or skipped; the profit after gas;
// the repayment chain chosen by inventory targets; the status figures.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Address, parseEther, zeroAddress } from "viem";
import {
  assessLocally,
  assessOnChain,
  chooseRepayment,
  type LocalFacts,
  profitOf,
} from "../../src/agents/filler/decide.js";
import { statsOf } from "../../src/agents/filler/status.js";
import { type Order, pathId } from "../../src/protocol/intents.js";

const FILLER: Address = "0x00000000000000000000000000000000000000f1";
const OTHER: Address = "0x00000000000000000000000000000000000000f2";
const TOKEN: Address = "0x0000000000000000000000000000000000000007";

const order = (changes: Partial<Order["data"]> = {}, fillDeadline = 1_000): Order => ({
  settler: "0x0000000000000000000000000000000000000005",
  user: "0x0000000000000000000000000000000000000006",
  nonce: 1n,
  originChainId: 901n,
  openDeadline: 500,
  fillDeadline,
  data: {
    inputToken: TOKEN,
    inputAmount: parseEther("100"),
    destinationChainId: 902n,
    outputToken: TOKEN,
    outputAmount: parseEther("99"),
    recipient: "0x0000000000000000000000000000000000000008",
    exclusiveFiller: zeroAddress,
    exclusivityDeadline: 0,
    ...changes,
  },
  terms: { path: pathId("canonical"), repaymentDelay: 5 },
});

const facts = (changes: Partial<LocalFacts> = {}): LocalFacts => ({
  order: order(),
  filler: FILLER,
  knownDestination: true,
  inputAsset: "JUSD",
  outputAsset: "JUSD",
  destinationTime: 600,
  deadlineMargin: 2,
  inventory: parseEther("1000"),
  ...changes,
});

describe("filler decisions", () => {
  it("fills an order it can fill", () => {
    assert.deepEqual(assessLocally(facts()), { kind: "fill" });
  });

  it("skips what it cannot fill, for good", () => {
    const reasons = [
      assessLocally(facts({ knownDestination: false })),
      assessLocally(facts({ outputAsset: undefined })),
      assessLocally(facts({ outputAsset: "WETH" })),
      assessLocally(facts({ destinationTime: 998 })), // inside the 2 s margin
    ].map((verdict) => (verdict.kind === "skip" ? verdict.reason : verdict.kind));
    assert.deepEqual(reasons, [
      "unknown-destination",
      "unsupported-token",
      "different-assets",
      "fill-deadline-passed",
    ]);
  });

  it("waits while another filler holds the order, or while its inventory is short", () => {
    const exclusive = order({ exclusiveFiller: OTHER, exclusivityDeadline: 700 });
    const held = assessLocally(facts({ order: exclusive }));
    assert.equal(held.kind === "wait" && held.reason, "exclusive-to-another");
    // After the exclusivity deadline, or when it is its own, it fills.
    assert.equal(assessLocally(facts({ order: exclusive, destinationTime: 701 })).kind, "fill");
    const own = order({ exclusiveFiller: FILLER, exclusivityDeadline: 700 });
    assert.equal(assessLocally(facts({ order: own })).kind, "fill");
    const short = assessLocally(facts({ inventory: parseEther("98") }));
    assert.equal(short.kind === "wait" && short.reason, "insufficient-inventory");
  });

  it("never fills an order whose escrow is not open on the origin", () => {
    const base = { fill: "none", filledBy: zeroAddress } as const;
    const notOpened = assessOnChain({ ...base, escrow: "none" }, FILLER);
    assert.equal(notOpened.kind === "wait" && notOpened.reason, "not-opened");
    for (const escrow of ["repaid", "refunded"] as const) {
      const closed = assessOnChain({ ...base, escrow }, FILLER);
      assert.equal(closed.kind === "skip" && closed.reason, "escrow-closed");
    }
    const taken = assessOnChain({ escrow: "open", fill: "filled", filledBy: OTHER }, FILLER);
    assert.equal(taken.kind === "skip" && taken.reason, "filled-by-another");
    const certified = assessOnChain(
      { escrow: "open", fill: "certified-unfilled", filledBy: zeroAddress },
      FILLER,
    );
    assert.equal(certified.kind === "skip" && certified.reason, "certified-unfilled");
    assert.deepEqual(assessOnChain({ ...base, escrow: "open" }, FILLER), { kind: "fill" });
  });

  it("counts gas at the asset's price of ETH, rounding the cost up", () => {
    const { gasCost, profit } = profitOf({
      inputAmount: parseEther("100"),
      outputAmount: parseEther("99.5"),
      gas: 200_000n,
      gasPrice: 1_000_000_000n, // 1 gwei: 0.0002 ETH
      gasTokenPrice: parseEther("3000"),
    });
    assert.equal(gasCost, parseEther("0.6"));
    assert.equal(profit, parseEther("-0.1"));
    assert.equal(
      profitOf({ inputAmount: 10n, outputAmount: 9n, gas: 1n, gasPrice: 1n, gasTokenPrice: 1n }).gasCost,
      1n,
    );
  });

  it("repays on the destination only when its inventory there falls below its target share", () => {
    const choose = (onB: bigint, targetShares = new Map<number, number>()) =>
      chooseRepayment({
        originChainId: 901,
        destinationChainId: 902,
        inventory: new Map([
          [901, parseEther("100")],
          [902, onB],
        ]),
        targetShares,
        tolerance: 0.1,
      }).chainId;
    assert.equal(choose(parseEther("100")), 901);
    assert.equal(choose(parseEther("70")), 901, "share 0.41: inside the tolerance");
    assert.equal(choose(parseEther("50")), 902, "share 0.33: below 0.5 − 0.1");
    assert.equal(choose(parseEther("100"), new Map([[902, 0.8]])), 902, "a larger target on B");
    assert.equal(choose(-parseEther("1")), 902, "nothing left on B");
  });

  it("gives nearest-rank percentiles", () => {
    assert.equal(statsOf([]), undefined);
    const stats = statsOf([5, 1, 4, 2, 3]);
    assert.deepEqual(stats, { count: 5, p50: 3, p99: 5, max: 5, mean: 3 });
  });
});
