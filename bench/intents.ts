// `npm run bench:intents`: the liquidity router measured on fresh sequenced devnets (the default
// `junction devnet`) running the filler agent, in one run. For each rollup count and each settlement
// path (canonical, optimistic, sequencer): paced intents (one at a time, 901 → 902) give the fill latency
// (open mined → recipient paid on the destination) and the filler's capital lock (its fill → the escrow
// repaid on the origin); a burst of intents all-to-all, from several users per origin rollup (each
// opening one order after another, as independent users would), gives the offered rate and the
// intents filled per second. Writes bench/results/<date>-<commit>-intents.{json,md}. Measures; never
// asserts timings.

import { parseArgs } from "node:util";
import { erc20Abi, type Hex, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { setBalance } from "../src/chain/anvil.js";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { type Manifest, rollupOf } from "../src/chain/manifest.js";
import { intentSettlerAbi } from "../src/contracts/generated/index.js";
import type { IntentPath } from "../src/protocol/intents.js";
import { bridgeTokens, ensureAllowance, openIntent, waitForDelivery } from "../src/sdk/index.js";
import { startTestDevnet } from "../test/helpers/devnet.js";
import { seenAt, sleep } from "./poll.js";
import { type Stats, stats } from "./report.js";
import { runStamp, writeResults } from "./results-file.js";

const { values } = parseArgs({
  options: {
    rollups: { type: "string", default: "2,4,8" },
    paths: { type: "string", default: "canonical,optimistic,sequencer" },
    paced: { type: "string", default: "10" },
    burst: { type: "string", default: "200" },
    "users-per-rollup": { type: "string", default: "4" },
    "superblock-time": { type: "string", default: "0.2" },
    "challenge-window": { type: "string", default: "5" },
    out: { type: "string", default: "bench/results" },
  },
});

const config = {
  rollups: values.rollups.split(",").map(Number),
  paths: values.paths.split(",") as IntentPath[],
  paced: Number(values.paced),
  burst: Number(values.burst),
  usersPerRollup: Number(values["users-per-rollup"]),
  superblockTimeMs: Math.round(Number(values["superblock-time"]) * 1000),
  challengeWindow: Number(values["challenge-window"]),
};

type PathRun = {
  path: IntentPath;
  /** Open mined on the origin → the destination's fill record seen. */
  fillLatencyMs: Stats;
  /** The fill seen → the origin's escrow seen repaid. */
  capitalLockMs: Stats;
  burst: {
    intents: number;
    seconds: number;
    /** Orders opened per second while the senders ran. */
    offeredPerSecond: number;
    filledPerSecond: number;
    fillLatencyMs: Stats;
  };
};

type RollupRun = { rollups: number; paths: PathRun[] };

const started = performance.now();
const progress = (what: string) =>
  process.stderr.write(`bench:intents: ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);

function fillState(manifest: Manifest, path: IntentPath, destination: number, orderId: Hex) {
  const rollup = rollupOf(manifest, destination);
  return publicClientFor(rollup)
    .readContract({
      address: rollup.contracts.settlers[path],
      abi: intentSettlerAbi,
      functionName: "fillOf",
      args: [orderId],
    })
    .then((fill) => fill.state);
}

function escrowState(manifest: Manifest, path: IntentPath, origin: number, orderId: Hex) {
  const rollup = rollupOf(manifest, origin);
  return publicClientFor(rollup)
    .readContract({
      address: rollup.contracts.settlers[path],
      abi: intentSettlerAbi,
      functionName: "escrowOf",
      args: [orderId],
    })
    .then((escrow) => escrow.state);
}

/**
 * The burst's users: fresh keys on every rollup with ETH and JUSD. The devnet's user holds the JUSD, on
 * the first rollup: it bridges some to every other one, then hands each sender its share.
 */
async function fundSenders(manifest: Manifest): Promise<Map<number, Hex[]>> {
  const [first, ...others] = manifest.rollups;
  if (!first) return new Map();
  const user = manifest.accounts.user.privateKey;
  const sent = [];
  for (const rollup of others) {
    sent.push(
      await bridgeTokens(walletClientFor(first, user), manifest, {
        amount: parseEther("20000"),
        destinationChainId: rollup.chainId,
      }),
    );
  }
  for (const { messageId } of sent) await waitForDelivery(manifest, { id: messageId, timeoutMs: 120_000 });
  const senders = new Map<number, Hex[]>();
  for (const rollup of manifest.rollups) {
    const keys = Array.from({ length: config.usersPerRollup }, () => generatePrivateKey());
    const wallet = walletClientFor(rollup, user);
    for (const key of keys) {
      const address = privateKeyToAccount(key).address;
      await setBalance(rollup, address, parseEther("100"));
      const hash = await wallet.writeContract({
        address: rollup.contracts.bridgedToken,
        abi: erc20Abi,
        functionName: "transfer",
        args: [address, parseEther("2000")],
      });
      await publicClientFor(rollup).waitForTransactionReceipt({ hash });
    }
    senders.set(rollup.chainId, keys);
  }
  return senders;
}

async function measurePath(
  manifest: Manifest,
  path: IntentPath,
  senders: Map<number, Hex[]>,
): Promise<PathRun> {
  const [a, b] = manifest.rollups.map((rollup) => rollup.chainId) as [number, number];
  const user = walletClientFor(rollupOf(manifest, a), manifest.accounts.user.privateKey);
  const fillLatency: number[] = [];
  const capitalLock: number[] = [];
  for (let i = 0; i < config.paced; i++) {
    const { orderId } = await openIntent(user, manifest, {
      destinationChainId: b,
      inputAmount: parseEther("10"),
      outputAmount: parseEther("9.98"),
      path,
    });
    const opened = performance.now();
    const filled = await seenAt(
      async () => (await fillState(manifest, path, b, orderId)) === 1,
      `the fill of ${orderId}`,
    );
    const repaid = await seenAt(
      async () => (await escrowState(manifest, path, a, orderId)) === 2,
      `the repayment of ${orderId}`,
    );
    fillLatency.push(filled - opened);
    capitalLock.push(repaid - filled);
  }
  return {
    path,
    fillLatencyMs: stats(fillLatency),
    capitalLockMs: stats(capitalLock),
    burst: await burst(manifest, path, senders),
  };
}

/** All-to-all: each origin's users send to the next rollup, each user one order after another. */
async function burst(
  manifest: Manifest,
  path: IntentPath,
  senders: Map<number, Hex[]>,
): Promise<PathRun["burst"]> {
  const chainIds = manifest.rollups.map((rollup) => rollup.chainId);
  const users = chainIds.flatMap((from, index) =>
    (senders.get(from) ?? []).map((key) => ({
      wallet: walletClientFor(rollupOf(manifest, from), key),
      from,
      to: chainIds[(index + 1) % chainIds.length] as number,
    })),
  );
  // One approval each, ahead of the burst, as a router's regular user would have.
  for (const { wallet, from } of users) {
    const origin = rollupOf(manifest, from);
    await ensureAllowance(
      wallet,
      manifest,
      origin.contracts.bridgedToken,
      origin.contracts.settlers[path],
      2n ** 255n,
    );
  }
  const opened: { orderId: Hex; to: number; at: number }[] = [];
  const perUser = Math.ceil(config.burst / users.length);
  const t0 = performance.now();
  await Promise.all(
    users.map(async ({ wallet, to }) => {
      for (let i = 0; i < perUser; i++) {
        const { orderId } = await openIntent(wallet, manifest, {
          destinationChainId: to,
          inputAmount: parseEther("2"),
          outputAmount: parseEther("1.996"),
          path,
        });
        opened.push({ orderId, to, at: performance.now() });
      }
    }),
  );
  const offeredSeconds = (performance.now() - t0) / 1000;
  const filledAt = new Map<Hex, number>();
  const deadline = performance.now() + 180_000;
  while (filledAt.size < opened.length && performance.now() < deadline) {
    await Promise.all(
      opened
        .filter(({ orderId }) => !filledAt.has(orderId))
        .map(async ({ orderId, to }) => {
          if ((await fillState(manifest, path, to, orderId)) === 1) filledAt.set(orderId, performance.now());
        }),
    );
    await sleep(20);
  }
  if (filledAt.size < opened.length)
    throw new Error(`${opened.length - filledAt.size} burst intents never filled`);
  const seconds = (Math.max(...filledAt.values()) - t0) / 1000;
  return {
    intents: opened.length,
    seconds,
    offeredPerSecond: opened.length / offeredSeconds,
    filledPerSecond: opened.length / seconds,
    fillLatencyMs: stats(opened.map(({ orderId, at }) => (filledAt.get(orderId) as number) - at)),
  };
}

async function runFor(rollups: number): Promise<RollupRun> {
  const devnet = await startTestDevnet({
    rollups,
    challengeWindow: config.challengeWindow,
    sequencer: { superblockTimeMs: config.superblockTimeMs },
    filler: true,
    rebalancer: true,
  });
  try {
    const ready = Date.now();
    while (!devnet.sequencer?.deliveriesReady()) {
      if (Date.now() - ready > 60_000) throw new Error("the sequencer's bond never reached every rollup");
      await sleep(100);
    }
    const senders = await fundSenders(devnet.manifest);
    const paths: PathRun[] = [];
    for (const path of config.paths) {
      paths.push(await measurePath(devnet.manifest, path, senders));
      progress(`${rollups} rollups, ${path} done`);
    }
    return { rollups, paths };
  } finally {
    await devnet.stop();
  }
}

const f = (value: number) => value.toFixed(1);

function toMarkdown(report: {
  date: string;
  commit: string;
  machine: { cores: number; node: string };
  runs: RollupRun[];
}) {
  const lines = [
    `Intents benchmark ${report.date.slice(0, 10)}, commit ${report.commit}, ${report.machine.cores} cores, Node ${report.machine.node}; sequenced devnet (${config.superblockTimeMs} ms superblocks), challenge window ${config.challengeWindow} s, the devnet's filler agent filling.`,
    "",
    "| rollups | path | fill latency ms p50 / p99 (paced) | capital locked ms p50 / p99 | burst intents | offered / s | filled / s | burst fill latency ms p50 / p99 |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const run of report.runs) {
    for (const path of run.paths) {
      lines.push(
        `| ${run.rollups} | ${path.path} | ${f(path.fillLatencyMs.p50)} / ${f(path.fillLatencyMs.p99)} | ${f(path.capitalLockMs.p50)} / ${f(path.capitalLockMs.p99)} | ${path.burst.intents} | ${f(path.burst.offeredPerSecond)} | ${f(path.burst.filledPerSecond)} | ${f(path.burst.fillLatencyMs.p50)} / ${f(path.burst.fillLatencyMs.p99)} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

async function main() {
  const runs: RollupRun[] = [];
  for (const rollups of config.rollups) runs.push(await runFor(rollups));
  const report = {
    ...runStamp(),
    config,
    runs,
  };
  writeResults(values.out, "-intents", report, toMarkdown(report));
}

await main();
