// Conservation of the margin vaults under a random sequence of 300 operations (seeded PRNG) on a devnet
// of two rollups, canonical path, real nodes: deposits on either rollup (credits left in flight),
// withdrawals, trades, price moves and keeper liquidations, refusals by name allowed. After every
// operation, for every rollup and collateral token:
//   vault balance = collateral the hub credits for that rollup + deposits in flight + payouts in flight
// where a payout (release or seizure) is debited at the hub before its message leaves, and the hub's
// credits include the dust the engine swept into its own account when it settled a shortfall. Every quantity is
// read at a pinned block (the hub's first, then the rollup's), so a delivery in between cannot skew it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Address, erc20Abi, type Hex, parseEther } from "viem";
import { Keeper } from "../../src/agents/keeper/keeper.js";
import { walkStep } from "../../src/agents/prices/walk.js";
import { revertName } from "../../src/chain/revert.js";
import { collateralVaultAbi, inboxAbi, marginEngineAbi } from "../../src/contracts/generated/index.js";
import { silentLogger } from "../../src/log.js";
import { seededRandom } from "../../src/protocol/prng.js";
import { assetId, depositCollateral, requestWithdrawal } from "../../src/sdk/index.js";
import { KeeperSqliteStore } from "../../src/store/sqlite/keeper-sqlite-store.js";
import { waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { type MarginKit, marginKit, type Trader } from "../helpers/margin.js";

const HUB = 901;
const B = 902;
const CHAINS = [HUB, B] as const;
const OPERATIONS = 300;
const TRADERS = 6;
/** Refusals a random operation may meet; anything else fails the test. */
const EXPECTED_REFUSALS = new Set(["InsufficientMargin", "InsufficientCollateral"]);

describe("margin vault conservation", () => {
  let devnet: TestDevnet;
  let kit: MarginKit;
  let dir: string;
  let store: KeeperSqliteStore;

  before(async () => {
    devnet = await startTestDevnet({ rollups: 2 });
    kit = marginKit(devnet);
    dir = mkdtempSync(join(tmpdir(), "junction-conservation-"));
    store = new KeeperSqliteStore(join(dir, "keeper.sqlite"));
  });

  after(async () => {
    await store?.close();
    await devnet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tokensOn = (chainId: number): Address[] => [kit.jusd(chainId), kit.margin.testAsset];

  /** Vault balance minus what the hub and the messages in flight account for; zero when conserved. */
  const imbalance = async (traders: readonly Trader[], chainId: number, token: Address) => {
    const hubBlock = await kit.hub.getBlockNumber();
    const client = kit.client(chainId);
    const vaultBlock = chainId === HUB ? hubBlock : await client.getBlockNumber();
    // The engine's own account holds the dust it swept from settled accounts.
    const accounts = [...traders.map((trader) => trader.address), kit.margin.engine];
    const credits = await Promise.all(
      accounts.map((account) =>
        kit.hub.readContract({
          ...kit.engine,
          functionName: "collateralOf",
          args: [account, BigInt(chainId), token],
          blockNumber: hubBlock,
        }),
      ),
    );
    const credited = credits.reduce((sum, amount) => sum + amount, 0n);
    const balance = await client.readContract({
      address: token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [kit.margin.vault],
      blockNumber: vaultBlock,
    });
    if (chainId === HUB) return { balance, credited, inFlight: 0n, flying: [], gap: balance - credited };
    const deliveredOn = async (at: number, toBlock: bigint) => {
      const inbox = kit.manifest.rollups.find((rollup) => rollup.chainId === at)?.contracts.inbox as Address;
      const events = await kit.client(at).getContractEvents({
        address: inbox,
        abi: inboxAbi,
        eventName: "MessageDelivered",
        fromBlock: 0n,
        toBlock,
        strict: true,
      });
      return new Set(events.map((event) => event.args.id));
    };
    const [creditedAtHub, paidHere, deposits, withdrawals, seizures, owed] = await Promise.all([
      deliveredOn(HUB, hubBlock),
      deliveredOn(chainId, vaultBlock),
      client.getContractEvents({
        address: kit.margin.vault,
        abi: collateralVaultAbi,
        eventName: "Deposited",
        args: { token },
        fromBlock: 0n,
        toBlock: vaultBlock,
        strict: true,
      }),
      kit.hub.getContractEvents({
        ...kit.engine,
        abi: marginEngineAbi,
        eventName: "WithdrawalRequested",
        args: { chainId: BigInt(chainId), token },
        fromBlock: 0n,
        strict: true,
      }),
      kit.hub.getContractEvents({
        ...kit.engine,
        abi: marginEngineAbi,
        eventName: "Liquidated",
        fromBlock: 0n,
        strict: true,
      }),
      client.getContractEvents({
        address: kit.margin.vault,
        abi: collateralVaultAbi,
        eventName: "PayoutOwed",
        fromBlock: 0n,
      }),
    ]);
    assert.equal(owed.length, 0, "no payout was refused");
    let inFlight = 0n;
    const flying: string[] = [];
    for (const deposit of deposits) {
      if (!creditedAtHub.has(deposit.args.messageId)) {
        inFlight += deposit.args.amount;
        flying.push(`deposit ${deposit.args.messageId} ${deposit.args.amount}`);
      }
    }
    const payouts: { id: Hex; amount: bigint; block: bigint }[] = [
      ...withdrawals.map((event) => ({
        id: event.args.messageId,
        amount: event.args.amount,
        block: event.blockNumber,
      })),
      ...seizures
        .filter(
          (event) =>
            event.args.chainId === BigInt(chainId) && event.args.token === token && event.args.seized > 0n,
        )
        .map((event) => ({ id: event.args.messageId, amount: event.args.seized, block: event.blockNumber })),
    ];
    for (const payout of payouts) {
      const debited = payout.block <= hubBlock;
      const paid = paidHere.has(payout.id);
      // Debited at the hub but not yet paid here: in flight. Paid here but debited after the hub's
      // block was read: already gone from the vault, still in the hub's figure.
      if (debited && !paid) {
        inFlight += payout.amount;
        flying.push(`payout ${payout.id} ${payout.amount} debited in ${payout.block}`);
      }
      if (!debited && paid) inFlight -= payout.amount;
    }
    return { balance, credited, inFlight, flying, gap: balance - credited - inFlight };
  };

  const checkAll = async (traders: readonly Trader[], step: string) => {
    for (const chainId of CHAINS) {
      for (const token of tokensOn(chainId)) {
        const { gap, balance, credited, inFlight, flying } = await imbalance(traders, chainId, token);
        assert.equal(
          gap,
          0n,
          `${step}: vault on ${chainId} holds ${balance} of ${token}, hub credits ${credited}, in flight ${inFlight} (${flying.join("; ")})`,
        );
      }
    }
  };

  it("keeps every vault equal to the hub's credits plus what is in flight over 300 random operations", async () => {
    const rng = seededRandom(14);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
    const traders: Trader[] = [];
    for (let i = 0; i < TRADERS; i++) {
      const trader = await kit.trader();
      for (const chainId of CHAINS) {
        await kit.giveJusd(trader.address, chainId, parseEther("10000"));
        await kit.mintTestAsset(trader.address, chainId, parseEther("20"));
      }
      traders.push(trader);
    }
    const keeper = new Keeper({
      network: kit.manifest,
      privateKey: kit.manifest.accounts.keeper.privateKey,
      store,
      logger: silentLogger,
    });
    const counts: Record<string, number> = {};
    const count = (what: string) => {
      counts[what] = (counts[what] ?? 0) + 1;
    };
    /** Runs an operation the engine may refuse by an expected name. */
    const attempt = async (what: string, work: () => Promise<unknown>) => {
      try {
        await work();
        count(what);
      } catch (error) {
        const name = revertName(error);
        if (!name || !EXPECTED_REFUSALS.has(name)) throw error;
        count(`${what} refused (${name})`);
      }
    };
    let price = kit.prices.get(assetId("ETH")) as bigint;
    const startedAt = Date.now();

    for (let step = 0; step < OPERATIONS; step++) {
      const trader = pick(traders);
      const chainId = pick(CHAINS);
      const token = pick(tokensOn(chainId));
      const roll = rng();
      if (roll < 0.25) {
        const amount =
          token === kit.margin.testAsset
            ? parseEther((0.05 + rng()).toFixed(4))
            : parseEther(String(Math.ceil(rng() * 2_000)));
        await depositCollateral(kit.wallet(trader.key, chainId), kit.manifest, { token, amount });
        count("deposit");
      } else if (roll < 0.45) {
        const held = await kit.collateralOf(trader.address, chainId, token);
        const amount = (held * BigInt(Math.ceil(rng() * 100))) / 100n;
        if (amount === 0n) continue;
        await attempt("withdraw", () =>
          requestWithdrawal(kit.wallet(trader.key, HUB), kit.manifest, { chainId, token, amount }),
        );
      } else if (roll < 0.7) {
        const size = parseEther(((rng() - 0.5) * 60).toFixed(3));
        if (size === 0n) continue;
        await attempt("trade", () => kit.open(kit.wallet(trader.key, HUB), { size }));
      } else if (roll < 0.9) {
        // A walk with a pull back towards $3,000, and now and then a 25 % crash.
        const crash = rng() < 0.2;
        price = crash ? (price * 75n) / 100n : walkStep(price, 0.04, rng);
        price =
          price < parseEther("1500")
            ? (price * 13n) / 10n
            : price > parseEther("4500")
              ? (price * 8n) / 10n
              : price;
        await kit.setPrices({ ETH: price });
        count(crash ? "crash" : "price move");
        // A crash is followed at once by the keeper, so liquidations and their seizures are in the mix.
        if (crash) await keeper.tick();
      } else {
        await keeper.tick();
        count("keeper tick");
      }
      await checkAll(traders, `step ${step}`);
    }
    const elapsedMs = Date.now() - startedAt;

    // Every message delivered: nothing in flight, every vault equals the hub's credits exactly.
    await waitUntil(
      async () => {
        const left: bigint[] = [];
        for (const chainId of CHAINS) {
          for (const token of tokensOn(chainId))
            left.push((await imbalance(traders, chainId, token)).inFlight);
        }
        return left;
      },
      (left) => left.every((amount) => amount === 0n),
      "every margin message delivered",
      90_000,
    );
    await checkAll(traders, "at rest");
    const liquidations = (await store.counts()).landed;
    console.log(
      `${OPERATIONS} operations in ${elapsedMs} ms (checked after each): ${JSON.stringify(counts)}; liquidations landed: ${liquidations}`,
    );
    assert.ok((counts.deposit ?? 0) > 30 && (counts.withdraw ?? 0) > 10 && (counts.trade ?? 0) > 10);
    assert.ok(liquidations > 0, "the sequence liquidated someone");
  });
});
