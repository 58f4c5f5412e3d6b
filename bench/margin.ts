// `npm run bench:margin`: the cross-rollup margin engine measured on fresh devnets running the keeper
// agent (default settings, `junction devnet`'s; no price agent: the benchmark pushes the crash itself as
// the devnet's feeder), in one run. For each rollup count and each path (a devnet without the shared
// sequencer: margin messages on the canonical path; a sequenced devnet: on the sequencer path): paced deposits on the non-hub rollups give the
// deposit-to-usable-margin latency (deposit mined → collateral counted at the hub); paced withdrawals give
// the withdrawal latency (request mined on the hub → tokens received on the vault's rollup); then
// `--accounts` accounts spread over every rollup's vault, each long 0.1 ETH with a deposit chosen so a known
// subset (computed with the TypeScript twin, src/protocol/margin.ts) falls under health 1, see ETH crash
// 30 % in one oracle update: the time until every unhealthy account is liquidated at the hub and every
// seizure paid on the vault's rollup, and the gas of each (receipts' gasUsed, shared out when one
// transaction carries several). Every "mined" is the first 10 ms receipt poll that finds it; the
// contracts are called directly (as depositCollateral / requestWithdrawal do) so the SDK's 100 ms receipt
// wait does not blur the start of a measurement. Writes bench/results/<date>-<commit>-margin.{json,md}.
// Measures; never asserts timings.

import { parseArgs } from "node:util";
import {
  type Address,
  erc20Abi,
  type Hex,
  maxUint256,
  parseEther,
  WaitForTransactionReceiptTimeoutError,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { mapWithConcurrency } from "../src/agents/concurrent.js";
import { setBalance } from "../src/chain/anvil.js";
import { type JunctionPublicClient, publicClientFor } from "../src/chain/clients.js";
import { rollupOf } from "../src/chain/manifest.js";
import { inboxAbi } from "../src/contracts/generated/index.js";
import { routeMarginMessages } from "../src/devnet/deploy-margin.js";
import { assetId, engineAbi, oracleAbi, superblockOf, vaultAbi } from "../src/sdk/index.js";
import { startTestDevnet, type TestDevnet } from "../test/helpers/devnet.js";
import { liquidatable, liquidationsSince } from "../test/helpers/keeper.js";
import { type MarginKit, marginKit, type Trader } from "../test/helpers/margin.js";
import { seenAt, sleep } from "./poll.js";
import { type Stats, stats } from "./report.js";
import { runStamp, writeResults } from "./results-file.js";

const { values } = parseArgs({
  options: {
    rollups: { type: "string", default: "2,4" },
    paths: { type: "string", default: "canonical,optimistic,sequencer" },
    paced: { type: "string", default: "10" },
    accounts: { type: "string", default: "100,1000" },
    crash: { type: "string", default: "30" },
    "superblock-time": { type: "string", default: "0.2" },
    out: { type: "string", default: "bench/results" },
  },
});

type MarginPath = "canonical" | "optimistic" | "sequencer";

const config = {
  rollups: values.rollups.split(",").map(Number),
  paths: values.paths.split(",") as MarginPath[],
  paced: Number(values.paced),
  /** One crash per entry, on the same devnet, each on that many fresh accounts. */
  accounts: values.accounts.split(",").map(Number),
  crashPct: Number(values.crash),
  superblockTimeMs: Math.round(Number(values["superblock-time"]) * 1000),
};

/**
 * Every account is long 0.1 ETH opened at $3,000, with one of these JUSD deposits (95 % haircut). After a
 * 30 % crash to $2,100 (loss $90, maintenance $10.50): 120 → health 2.3, 110 → 1.4, 105 → 0.93,
 * 100 → 0.48. The twin decides; these only make half the accounts unhealthy. (0.1 ETH, not 1: the
 * devnet's filler holds 100,000 JUSD per rollup, and 1,000 accounts on 2 rollups take ~54,000 each.)
 */
const DEPOSITS = ["120", "110", "105", "100"].map((usd) => parseEther(usd));
const SIZE = parseEther("0.1");
const OPEN_PRICE = parseEther("3000");
/** Most setup requests in flight at once (1,000 accounts at once ran out of sockets: EMFILE). */
const IN_FLIGHT = 32;

type RunResult = {
  rollups: number;
  path: MarginPath;
  /** Deposit mined on a non-hub rollup → the hub's collateralOf shows it. */
  depositMs: Stats;
  /** Withdrawal request mined on the hub → the receiver's balance on the vault's rollup shows it. */
  withdrawalMs: Stats;
  crashes: {
    accounts: number;
    unhealthy: number;
    /** Of the unhealthy, those whose collateral is on another rollup than the hub (a seize message). */
    remoteSeizures: number;
    setupSeconds: number;
    /** The crash's price update mined → a Liquidated event at the hub for every unhealthy account. */
    liquidatedMs: number;
    /** Per unhealthy account: the crash mined → its Liquidated event first seen. */
    perAccountMs: Stats;
    /** The crash mined → every seize message delivered on its vault's rollup. */
    seizedMs: number;
    /** Per seize message: the crash mined → its delivery first seen. */
    perSeizureMs: Stats;
    liquidations: number;
    /** Accounts liquidated that the twin did not expect (should be 0). */
    unexpected: number;
    /** Sequencer path: seizures paid in the superblock of their liquidation (of remoteSeizures). */
    sameSuperblock: number | undefined;
    gas: {
      /** gasUsed per Liquidated event at the hub. */
      liquidation: Stats;
      /** gasUsed per seize message delivered on the vault's rollup. */
      seizure: Stats;
    };
  }[];
};

const started = performance.now();
const progress = (what: string) =>
  process.stderr.write(`bench:margin: ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);

/**
 * Polls the receipt every 10 ms (the clients poll every 100 ms): when the transaction was first seen
 * mined.
 */
async function minedAt(kit: MarginKit, chainId: number, hash: Hex) {
  let receipt: Awaited<ReturnType<JunctionPublicClient["getTransactionReceipt"]>> | undefined;
  const at = await seenAt(async () => {
    receipt = await kit
      .client(chainId)
      .getTransactionReceipt({ hash })
      .catch(() => undefined);
    return receipt !== undefined;
  }, `${hash} mined on ${chainId}`);
  if (receipt?.status !== "success") throw new Error(`${hash} on ${chainId} reverted`);
  return { at, receipt };
}

/**
 * Waits for a setup transaction; one not mined within a minute fails naming what it was, with what the
 * node says of it (pending or unknown, its nonce against the sender's, its fee cap against the base fee).
 */
async function confirmed(kit: MarginKit, chainId: number, hash: Hex, what: string): Promise<void> {
  const client = kit.client(chainId);
  try {
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 60_000 });
    if (receipt.status !== "success") throw new Error(`${what}: ${hash} on ${chainId} reverted`);
  } catch (error) {
    if (!(error instanceof WaitForTransactionReceiptTimeoutError)) throw error;
    const tx = await client.getTransaction({ hash }).catch(() => undefined);
    const block = await client.getBlock();
    const facts = tx
      ? `nonce ${tx.nonce} (sender at ${await client.getTransactionCount({ address: tx.from })}, pending ${await client.getTransactionCount({ address: tx.from, blockTag: "pending" })}), maxFeePerGas ${tx.maxFeePerGas}, base fee ${block.baseFeePerGas}, block ${tx.blockNumber ?? "none"}`
      : "unknown to the node";
    throw new Error(`${what}: ${hash} on ${chainId} not mined in 60 s: ${facts}`);
  }
}

/** A fresh key with ETH on every rollup. */
async function freshKey(kit: MarginKit): Promise<Trader> {
  const key = generatePrivateKey();
  const { address } = privateKeyToAccount(key);
  await Promise.all(kit.manifest.rollups.map((rollup) => setBalance(rollup, address, parseEther("100"))));
  return { key, address };
}

/**
 * JUSD from the filler on `chainId` to each receiver: its transfers sent one after another without
 * waiting for each to be mined (explicit nonces), then every receipt awaited.
 */
async function fundJusd(kit: MarginKit, chainId: number, receivers: { to: Address; amount: bigint }[]) {
  const filler = kit.wallet(kit.manifest.accounts.filler.privateKey, chainId);
  const client = kit.client(chainId);
  let nonce = await client.getTransactionCount({ address: filler.account.address, blockTag: "pending" });
  const hashes: Hex[] = [];
  for (const { to, amount } of receivers) {
    hashes.push(
      await filler.writeContract({
        address: kit.jusd(chainId),
        abi: erc20Abi,
        functionName: "transfer",
        args: [to, amount],
        nonce: nonce++,
        gas: 100_000n,
      }),
    );
  }
  await mapWithConcurrency(hashes, IN_FLIGHT, (hash) => confirmed(kit, chainId, hash, "JUSD funding"));
}

/** Paced deposits and withdrawals by one user per non-hub rollup. */
async function pacedLatencies(
  kit: MarginKit,
): Promise<{ depositMs: number[]; withdrawalMs: number[]; depositGas: bigint }> {
  const remote = kit.manifest.rollups.map((rollup) => rollup.chainId).filter((id) => id !== kit.hubId);
  const users = new Map<number, Trader>();
  for (const chainId of remote) {
    const user = await freshKey(kit);
    await fundJusd(kit, chainId, [{ to: user.address, amount: parseEther("5000") }]);
    const approve = await kit.wallet(user.key, chainId).writeContract({
      address: kit.jusd(chainId),
      abi: erc20Abi,
      functionName: "approve",
      args: [kit.margin.vault, maxUint256],
    });
    await kit.confirm(chainId, approve);
    users.set(chainId, user);
  }
  const depositMs: number[] = [];
  let depositGas = 0n;
  for (let i = 0; i < config.paced; i++) {
    const chainId = remote[i % remote.length] as number;
    const user = users.get(chainId) as Trader;
    const before = await kit.collateralOf(user.address, chainId, kit.jusd(chainId));
    const txHash = await kit.wallet(user.key, chainId).writeContract({
      address: kit.margin.vault,
      abi: vaultAbi,
      functionName: "deposit",
      args: [kit.jusd(chainId), parseEther("100")],
    });
    const { at: mined, receipt } = await minedAt(kit, chainId, txHash);
    if (receipt.gasUsed > depositGas) depositGas = receipt.gasUsed;
    const seen = await seenAt(
      async () => (await kit.collateralOf(user.address, chainId, kit.jusd(chainId))) > before,
      `deposit ${txHash} counted at the hub`,
    );
    depositMs.push(seen - mined);
  }
  const withdrawalMs: number[] = [];
  for (let i = 0; i < config.paced; i++) {
    const chainId = remote[i % remote.length] as number;
    const user = users.get(chainId) as Trader;
    const before = await kit.balance(chainId, kit.jusd(chainId), user.address);
    const txHash = await kit.wallet(user.key, kit.hubId).writeContract({
      address: kit.margin.engine,
      abi: engineAbi,
      functionName: "requestWithdrawal",
      args: [BigInt(chainId), kit.jusd(chainId), parseEther("10"), user.address],
    });
    const { at: mined } = await minedAt(kit, kit.hubId, txHash);
    const seen = await seenAt(
      async () => (await kit.balance(chainId, kit.jusd(chainId), user.address)) > before,
      `withdrawal ${txHash} paid on ${chainId}`,
    );
    withdrawalMs.push(seen - mined);
  }
  return { depositMs, withdrawalMs, depositGas };
}

/**
 * `config.accounts` accounts, account i on rollup i mod n, each with DEPOSITS[(i div n) mod 4] of JUSD
 * in that rollup's vault and long 0.1 ETH at the hub. Pipelined: funding per rollup with explicit nonces,
 * each account's approval and deposit sent back to back, every account in parallel.
 */
async function setUpAccounts(
  kit: MarginKit,
  depositGas: bigint,
  count: number,
): Promise<{ traders: Trader[]; seconds: number }> {
  const t0 = performance.now();
  const chainIds = kit.manifest.rollups.map((rollup) => rollup.chainId);
  const specs = Array.from({ length: count }, (_, i) => ({
    chainId: chainIds[i % chainIds.length] as number,
    // Every deposit level on every rollup: the unhealthy accounts spread over every vault.
    deposit: DEPOSITS[Math.floor(i / chainIds.length) % DEPOSITS.length] as bigint,
  }));
  const traders = await mapWithConcurrency(specs, IN_FLIGHT, () => freshKey(kit));
  await Promise.all(
    chainIds.map((chainId) =>
      fundJusd(
        kit,
        chainId,
        specs.flatMap((spec, i) =>
          spec.chainId === chainId ? [{ to: (traders[i] as Trader).address, amount: spec.deposit }] : [],
        ),
      ),
    ),
  );
  const deposits = await mapWithConcurrency(specs, IN_FLIGHT, async ({ chainId, deposit }, i) => {
    const wallet = kit.wallet((traders[i] as Trader).key, chainId);
    await wallet.writeContract({
      address: kit.jusd(chainId),
      abi: erc20Abi,
      functionName: "approve",
      args: [kit.margin.vault, deposit],
      nonce: 0,
      gas: 100_000n,
    });
    return wallet.writeContract({
      address: kit.margin.vault,
      abi: vaultAbi,
      functionName: "deposit",
      args: [kit.jusd(chainId), deposit],
      nonce: 1,
      gas: (depositGas * 3n) / 2n + 50_000n,
    });
  });
  await mapWithConcurrency(deposits, IN_FLIGHT, (hash, i) =>
    confirmed(kit, (specs[i] as { chainId: number }).chainId, hash, `account ${i}'s deposit`),
  );
  await mapWithConcurrency(specs, IN_FLIGHT, ({ chainId }, i) =>
    seenAt(
      async () => (await kit.collateralOf((traders[i] as Trader).address, chainId, kit.jusd(chainId))) > 0n,
      `account ${i}'s deposit counted at the hub`,
    ),
  );
  await kit.setPrices({ ETH: OPEN_PRICE }); // fresh prices for the openings (back up after a crash)
  // Positions open by delayed orders: every account requests, one price update lands after the requests,
  // then every account executes its own order at that price.
  const requested = await mapWithConcurrency(traders, IN_FLIGHT, (trader) =>
    kit.wallet(trader.key, kit.hubId).writeContract({
      address: kit.margin.engine,
      abi: engineAbi,
      functionName: "requestOrder",
      args: [0n, SIZE, 0n],
      gas: 300_000n,
    }),
  );
  await mapWithConcurrency(requested, IN_FLIGHT, (hash, i) =>
    confirmed(kit, kit.hubId, hash, `account ${i}'s order`),
  );
  await kit.setPrices({ ETH: OPEN_PRICE });
  // The devnet's keeper executes ready orders too: whichever execution lands second reverts (NoOrder),
  // so what counts is that every position is open.
  const executions = await mapWithConcurrency(traders, IN_FLIGHT, (trader) =>
    kit.wallet(trader.key, kit.hubId).writeContract({
      address: kit.margin.engine,
      abi: engineAbi,
      functionName: "executeOrder",
      args: [trader.address, 0n],
      gas: 1_000_000n,
    }),
  );
  await mapWithConcurrency(executions, IN_FLIGHT, (hash) =>
    kit.hub.waitForTransactionReceipt({ hash, timeout: 60_000 }),
  );
  await mapWithConcurrency(traders, IN_FLIGHT, (trader, i) =>
    seenAt(
      async () =>
        (
          await kit.hub.readContract({
            address: kit.margin.engine,
            abi: engineAbi,
            functionName: "positionOf",
            args: [trader.address, 0n],
          })
        ).size === SIZE,
      `account ${i}'s position open`,
    ),
  );
  return { traders, seconds: (performance.now() - t0) / 1000 };
}

/** gasUsed of each transaction, shared out over the matching logs it carries. */
async function gasPerEvent(kit: MarginKit, chainId: number, txHashes: Hex[]): Promise<number[]> {
  const count = new Map<Hex, number>();
  for (const hash of txHashes) count.set(hash, (count.get(hash) ?? 0) + 1);
  const perEvent: number[] = [];
  for (const [hash, events] of count) {
    const { gasUsed } = await kit.client(chainId).getTransactionReceipt({ hash });
    for (let i = 0; i < events; i++) perEvent.push(Number(gasUsed) / events);
  }
  return perEvent;
}

async function crash(kit: MarginKit, traders: Trader[], sequenced: boolean) {
  const from = (await kit.hub.getBlockNumber()) + 1n;
  const inboxFrom = new Map(
    await Promise.all(
      kit.manifest.rollups.map(
        async (rollup) => [rollup.chainId, await kit.client(rollup.chainId).getBlockNumber()] as const,
      ),
    ),
  );
  const target = (OPEN_PRICE * BigInt(100 - config.crashPct)) / 100n;
  kit.prices.set(assetId("ETH"), target);
  const expected = await liquidatable(kit, traders);
  // The crash pushed as the devnet's feeder (the deployer), in one update (the oracle allows <= 50 %).
  const eth = assetId("ETH");
  const usd = kit.prices.get(assetId("USD")) as bigint;
  const hash = await kit.wallet(kit.manifest.accounts.deployer.privateKey, kit.hubId).writeContract({
    address: kit.margin.oracle,
    abi: oracleAbi,
    functionName: "setPrices",
    args: [
      [eth, assetId("USD")],
      [target, usd],
    ],
    gas: 300_000n,
  });
  const { at: crashedAt, receipt } = await minedAt(kit, kit.hubId, hash);
  if (receipt.status !== "success") throw new Error(`the crash ${hash} reverted`);
  let seen = await liquidationsSince(kit, from);
  const firstSeen = new Map<Address, number>();
  const liquidatedAt = await seenAt(
    async () => {
      seen = await liquidationsSince(kit, from);
      const now = performance.now();
      for (const account of seen.keys()) if (!firstSeen.has(account)) firstSeen.set(account, now);
      return [...expected].every((account) => seen.has(account));
    },
    "every unhealthy account liquidated",
    { timeoutMs: 300_000 },
  );
  // Every seize message of those liquidations, delivered on its vault's rollup.
  const seizes = [...seen.values()]
    .flat()
    .filter((event) => event.args.chainId !== BigInt(kit.hubId))
    .map((event) => ({
      chainId: Number(event.args.chainId),
      id: event.args.messageId,
      liquidatedIn: event.blockNumber,
    }));
  const delivered = new Map<Hex, Hex>(); // message id → delivering transaction
  const deliveredAt = new Map<Hex, number>();
  const deliveredIn = new Map<Hex, bigint>(); // message id → block on the vault's rollup
  const seizedAt = await seenAt(
    async () => {
      for (const chainId of new Set(seizes.map((seize) => seize.chainId))) {
        const rollup = rollupOf(kit.manifest, chainId);
        const events = await publicClientFor(rollup).getContractEvents({
          address: rollup.contracts.inbox,
          abi: inboxAbi,
          eventName: "MessageDelivered",
          fromBlock: inboxFrom.get(chainId),
          strict: true,
        });
        for (const event of events) {
          delivered.set(event.args.id, event.transactionHash);
          deliveredIn.set(event.args.id, event.blockNumber);
        }
      }
      const now = performance.now();
      for (const id of delivered.keys()) if (!deliveredAt.has(id)) deliveredAt.set(id, now);
      return seizes.every((seize) => delivered.has(seize.id));
    },
    "every seizure paid",
    { timeoutMs: 300_000 },
  );
  await sleep(1_500); // a few keeper ticks more: anything liquidated that should not have been
  seen = await liquidationsSince(kit, from);
  const events = [...seen.values()].flat();
  const liquidationGas = await gasPerEvent(
    kit,
    kit.hubId,
    events.map((event) => event.transactionHash),
  );
  // A delivery transaction may carry other messages too: share its gas over every message it delivered.
  const seizureGas: number[] = [];
  for (const chainId of new Set(seizes.map((seize) => seize.chainId))) {
    const hashes = seizes
      .filter((seize) => seize.chainId === chainId)
      .map((seize) => delivered.get(seize.id) as Hex);
    const shares = new Map<Hex, number>();
    for (const [, hash] of delivered) shares.set(hash, (shares.get(hash) ?? 0) + 1);
    for (const hash of hashes) {
      const { gasUsed } = await kit.client(chainId).getTransactionReceipt({ hash });
      seizureGas.push(Number(gasUsed) / (shares.get(hash) ?? 1));
    }
  }
  // On a sequenced devnet: how many superblocks after its liquidation each seizure was paid.
  let superblockGaps: number[] | undefined;
  if (sequenced) {
    const hub = rollupOf(kit.manifest, kit.hubId);
    superblockGaps = await mapWithConcurrency(seizes, IN_FLIGHT, async (seize) => {
      const liquidated = await superblockOf(hub, seize.liquidatedIn);
      const paid = await superblockOf(
        rollupOf(kit.manifest, seize.chainId),
        deliveredIn.get(seize.id) as bigint,
      );
      if (liquidated === null || paid === null) throw new Error(`no superblock for seizure ${seize.id}`);
      return paid - liquidated;
    });
  }
  return {
    expected,
    superblockGaps,
    seizes: seizes.length,
    liquidatedMs: liquidatedAt - crashedAt,
    perAccountMs: [...expected].map((account) => (firstSeen.get(account) as number) - crashedAt),
    seizedMs: seizedAt - crashedAt,
    perSeizureMs: seizes.map((seize) => (deliveredAt.get(seize.id) as number) - crashedAt),
    liquidations: events.length,
    unexpected: [...seen.keys()].filter((account) => !expected.has(account)).length,
    liquidationGas,
    seizureGas,
  };
}

async function runFor(rollups: number, path: MarginPath): Promise<RunResult> {
  const devnet: TestDevnet = await startTestDevnet({
    rollups,
    keeper: true,
    prices: false,
    ...(path === "sequencer" ? { sequencer: { superblockTimeMs: config.superblockTimeMs } } : {}),
  });
  try {
    const ready = Date.now();
    while (path === "sequencer" && !devnet.sequencer?.deliveriesReady()) {
      if (Date.now() - ready > 60_000) throw new Error("the sequencer's bond never reached every rollup");
      await sleep(100);
    }
    if (path === "optimistic") {
      const { manifest } = devnet;
      await routeMarginMessages(
        manifest.rollups,
        manifest.accounts.deployer.privateKey,
        manifest.margin,
        "optimisticVerifier",
      );
    }
    const kit = marginKit(devnet);
    const paced = await pacedLatencies(kit);
    progress(`${rollups} rollups, ${path}: paced deposits and withdrawals done`);
    const crashes: RunResult["crashes"] = [];
    for (const count of config.accounts) {
      const { traders, seconds } = await setUpAccounts(kit, paced.depositGas, count);
      progress(`${rollups} rollups, ${path}: ${traders.length} accounts set up in ${seconds.toFixed(1)} s`);
      const crashed = await crash(kit, traders, path === "sequencer");
      progress(`${rollups} rollups, ${path}: crash of ${traders.length} accounts done`);
      crashes.push({
        accounts: traders.length,
        unhealthy: crashed.expected.size,
        remoteSeizures: crashed.seizes,
        setupSeconds: seconds,
        liquidatedMs: crashed.liquidatedMs,
        perAccountMs: stats(crashed.perAccountMs),
        seizedMs: crashed.seizedMs,
        perSeizureMs: stats(crashed.perSeizureMs),
        liquidations: crashed.liquidations,
        unexpected: crashed.unexpected,
        sameSuperblock:
          crashed.superblockGaps === undefined
            ? undefined
            : crashed.superblockGaps.filter((gap) => gap === 0).length,
        gas: { liquidation: stats(crashed.liquidationGas), seizure: stats(crashed.seizureGas) },
      });
    }
    return {
      rollups,
      path,
      depositMs: stats(paced.depositMs),
      withdrawalMs: stats(paced.withdrawalMs),
      crashes,
    };
  } finally {
    await devnet.stop();
  }
}

const f = (value: number) => value.toFixed(0);

function toMarkdown(report: {
  date: string;
  commit: string;
  machine: { cores: number; node: string };
  runs: RunResult[];
}) {
  const lines = [
    `Margin benchmark ${report.date.slice(0, 10)}, commit ${report.commit}, ${report.machine.cores} cores, Node ${report.machine.node}; the devnet's keeper (default settings); optimistic path: the devnet's challenge window; sequencer path on a sequenced devnet (${config.superblockTimeMs} ms superblocks); ${config.paced} paced samples; ETH crashed ${config.crashPct} % in one oracle update, once per account count on the same devnet.`,
    "",
    "| rollups | path | deposit → usable ms p50 / p99 | withdrawal ms p50 / p99 |",
    "| --- | --- | --- | --- |",
  ];
  for (const run of report.runs) {
    lines.push(
      `| ${run.rollups} | ${run.path} | ${f(run.depositMs.p50)} / ${f(run.depositMs.p99)} | ${f(run.withdrawalMs.p50)} / ${f(run.withdrawalMs.p99)} |`,
    );
  }
  lines.push(
    "",
    "| rollups | path | accounts (unhealthy / remote seizures) | crash → liquidated ms p50 / p99 / all | crash → seizure paid ms p50 / p99 / all | gas / liquidation (hub) mean | gas / seizure (vault rollup) mean | unexpected | seizures in the liquidation's superblock |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const run of report.runs) {
    for (const crash of run.crashes) {
      lines.push(
        `| ${run.rollups} | ${run.path} | ${crash.accounts} (${crash.unhealthy} / ${crash.remoteSeizures}) | ${f(crash.perAccountMs.p50)} / ${f(crash.perAccountMs.p99)} / ${f(crash.liquidatedMs)} | ${f(crash.perSeizureMs.p50)} / ${f(crash.perSeizureMs.p99)} / ${f(crash.seizedMs)} | ${f(crash.gas.liquidation.mean)} | ${f(crash.gas.seizure.mean)} | ${crash.unexpected} | ${crash.sameSuperblock === undefined ? "–" : `${crash.sameSuperblock} / ${crash.remoteSeizures}`} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

async function main() {
  const runs: RunResult[] = [];
  for (const rollups of config.rollups)
    for (const path of config.paths) runs.push(await runFor(rollups, path));
  const report = {
    ...runStamp(),
    config,
    runs,
  };
  writeResults(values.out, "-margin", report, toMarkdown(report));
}

await main();
