// `npm run bench:orderbook`: the unified order book measured in one run.
//   1. The engine: the matcher's pure price-time book (src/protocol/orderbook-book.ts) fed `--orders`
//      seeded random limit orders over three rollups' id spaces, in process: orders added and fills
//      produced per second.
//   2. End to end, on fresh 2-rollup devnets (`--devnets canonical,sequencer`: one without the shared
//      sequencer, the gateways' messages on the canonical path; one sequenced, `--superblock-time`
//      superblocks) with the matcher agent at its default settings, started here to read its settled fills:
//      `--paced` crossing pairs one at a time — a resting sell, then a buy that crosses it: the buy mined →
//      both orders settled on their gateways (filled, nothing reserved) — for both orders on one rollup
//      (the single-rollup book: the limit) and for the sell on 902 and the buy on 901 (cross-rollup: the
//      fill is settled on 901's gateway and its message paid on 902, the answer on 901); then a burst of
//      `--burst` resting sells and as many crossing buys, signed beforehand and sent at once: fills
//      settled on both rollups per second (first buy sent → last fill's second leg seen), and the gas per fill (the settle transaction's gas shared over its fills, plus, across
//      rollups, each delivery's gas shared over the messages it delivered, on 902 and back on 901).
// "Mined" and "settled" are the first 10 ms poll that finds them; orders are sent directly (approvals done
// beforehand) so the SDK's 100 ms receipt wait does not blur the start. The matcher's own timestamps
// (matched, batch landed, legs paid; seen on its 200 ms ticks) break the paced latency down.
// Writes bench/results/<date>-<commit>-orderbook.{json,md}. Measures; never asserts timings.

import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import {
  type Address,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  maxUint256,
  parseEther,
  parseEventLogs,
} from "viem";
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { mapWithConcurrency } from "../src/agents/concurrent.js";
import type { Matcher, SettledFill } from "../src/agents/matcher/matcher.js";
import { setBalance } from "../src/chain/anvil.js";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../src/chain/clients.js";
import { type Manifest, rollupOf } from "../src/chain/manifest.js";
import { inboxAbi, orderGatewayAbi, ownedTestTokenAbi } from "../src/contracts/generated/index.js";
import { createMatcher, type MatcherAgent } from "../src/devnet/orderbook-agents.js";
import { createLogger } from "../src/log.js";
import { gatewayOrderId } from "../src/protocol/orderbook.js";
import { type BookOrder, OrderBook } from "../src/protocol/orderbook-book.js";
import { seededRandom } from "../src/protocol/prng.js";
import { gatewayAbi } from "../src/sdk/orderGateway.js";
import { startTestDevnet, type TestDevnet } from "../test/helpers/devnet.js";
import { seenAt, sleep } from "./poll.js";
import { type Stats, stats } from "./report.js";
import { runStamp, writeResults } from "./results-file.js";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "10000,100000" },
    seed: { type: "string", default: "15" },
    devnets: { type: "string", default: "canonical,sequencer" },
    paced: { type: "string", default: "20" },
    burst: { type: "string", default: "256" },
    traders: { type: "string", default: "8" },
    "superblock-time": { type: "string", default: "0.2" },
    out: { type: "string", default: "bench/results" },
  },
});

type DevnetKind = "canonical" | "sequencer";
type Placement = "same-rollup" | "cross-rollup";

const config = {
  orders: values.orders
    .split(",")
    .filter((entry) => entry !== "")
    .map(Number),
  seed: Number(values.seed),
  devnets: values.devnets.split(",").filter((entry) => entry !== "") as DevnetKind[],
  paced: Number(values.paced),
  burst: Number(values.burst),
  traders: Number(values.traders),
  superblockTimeMs: Math.round(Number(values["superblock-time"]) * 1000),
  /** Every end-to-end order: 0.01 tETH at 3,000 JUSD (30 JUSD of escrow per buy). */
  amount: parseEther("0.01"),
  price: parseEther("3000"),
};

/** Most requests in flight at once (1,000 at once ran out of sockets in the margin bench). */
const IN_FLIGHT = 32;
/** Where each placement puts its orders: the buy (the taker) and the sell resting before it. */
const CHAINS: Record<Placement, { buy: number; sell: number }> = {
  "same-rollup": { buy: 901, sell: 901 },
  "cross-rollup": { buy: 901, sell: 902 },
};

type EngineResult = {
  orders: number;
  fills: number;
  ms: number;
  ordersPerSecond: number;
  fillsPerSecond: number;
  /** Orders still resting at the end. */
  resting: number;
};

type PacedResult = {
  /** The crossing buy mined → both orders settled on their gateways (filled, nothing reserved). */
  settledMs: Stats;
  /** The matcher's view of the same fills: buy mined → matched, → its batch mined, → both legs paid. */
  matchedMs: Stats;
  landedMs: Stats;
  matcherSettledMs: Stats;
};

type BurstResult = {
  fills: number;
  /** First buy sent (all signed beforehand) → last buy mined. */
  placedSeconds: number;
  /** First buy sent → every fill settled on both rollups. */
  settledSeconds: number;
  fillsPerSecond: number;
  /** Per fill: first buy sent → its second leg seen paid. */
  fillMs: Stats;
  batches: number;
  gas: {
    /** Per fill: its settle transaction's gasUsed over the fills it carried. */
    settle: Stats;
    /** Per cross-rollup fill: the delivery paying the maker on 902, shared over its messages. */
    counterpartyDelivery: Stats;
    /** Per cross-rollup fill: the answer's delivery paying the taker on 901, shared likewise. */
    answerDelivery: Stats;
    total: Stats;
  };
};

type DevnetResult = {
  devnet: DevnetKind;
  seconds: number;
  /** The machine's 1-minute load average as the devnet started and as it stopped (others' work too). */
  load: { start: number; end: number };
  runs: { placement: Placement; paced: PacedResult; burst: BurstResult }[];
};

const started = performance.now();
const progress = (what: string) =>
  process.stderr.write(`bench:orderbook: ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
/** Unix ms with sub-ms precision (comparable with the matcher's Date.now() stamps). */
const now = () => performance.timeOrigin + performance.now();
/** `seenAt` on the Unix-ms clock the matcher's timestamps use. */
const seenNow = (read: () => Promise<boolean>, what: string, everyMs?: number, timeoutMs?: number) =>
  seenAt(read, what, { everyMs, timeoutMs, clock: now });

// --------------------------------------------------------------------------------------------- engine

/** `count` seeded limit orders around 3,000: either side, prices 2,950–3,050, sizes 0.01–1. */
function randomOrders(count: number, seed: number): BookOrder[] {
  const random = seededRandom(seed);
  const marketId = `0x${"11".repeat(32)}` as Hex;
  const owner = `0x${"22".repeat(20)}` as Address;
  return Array.from({ length: count }, (_, i) => {
    const amount = BigInt(1 + Math.floor(random() * 100)) * 10n ** 16n;
    return {
      id: gatewayOrderId(901 + (i % 3), BigInt(i)),
      owner,
      marketId,
      isBuy: random() < 0.5,
      price: BigInt(2950 + Math.floor(random() * 101)) * 10n ** 18n,
      amount,
      open: amount,
      time: BigInt(i),
    };
  });
}

function engine(count: number): EngineResult {
  const orders = randomOrders(count, config.seed);
  const book = new OrderBook();
  let fills = 0;
  const t0 = performance.now();
  for (const order of orders) fills += book.add(order).length;
  const ms = performance.now() - t0;
  const marketId = orders[0]?.marketId as Hex;
  const resting = book.side(marketId, true).length + book.side(marketId, false).length;
  return {
    orders: count,
    fills,
    ms,
    ordersPerSecond: count / (ms / 1000),
    fillsPerSecond: fills / (ms / 1000),
    resting,
  };
}

// ------------------------------------------------------------------------------------------ end to end

type Trader = { key: Hex; address: Address; account: PrivateKeyAccount; nonces: Map<number, number> };

class Kit {
  readonly clients = new Map<number, JunctionPublicClient>();
  readonly #wallets = new Map<string, JunctionWalletClient>();
  readonly gateway: Address;
  readonly settled = new Map<bigint, SettledFill>();

  constructor(
    readonly manifest: Manifest,
    readonly matcher: Matcher,
  ) {
    for (const rollup of manifest.rollups) this.clients.set(rollup.chainId, publicClientFor(rollup));
    this.gateway = manifest.orderbook?.gateway as Address;
    // The matcher's timings of every settled fill, by its buy.
    matcher.onSettled((fill) => this.settled.set(fill.buy, fill));
  }

  client(chainId: number): JunctionPublicClient {
    return this.clients.get(chainId) as JunctionPublicClient;
  }

  wallet(key: Hex, chainId: number): JunctionWalletClient {
    const name = `${key}:${chainId}`;
    let wallet = this.#wallets.get(name);
    if (!wallet) {
      wallet = walletClientFor(rollupOf(this.manifest, chainId), key);
      this.#wallets.set(name, wallet);
    }
    return wallet;
  }

  /** Polls the receipt every 10 ms: when the transaction was first seen mined. */
  async minedAt(chainId: number, hash: Hex) {
    for (;;) {
      const receipt = await this.client(chainId)
        .getTransactionReceipt({ hash })
        .catch(() => undefined);
      if (receipt) {
        if (receipt.status !== "success") throw new Error(`${hash} on ${chainId} reverted`);
        return { at: now(), receipt };
      }
      await sleep(10);
    }
  }

  /** Sends `count` transactions from `key` on `chainId` back to back with explicit nonces, then awaits them. */
  async pipeline(key: Hex, chainId: number, calls: ((nonce: number) => Promise<Hex>)[]) {
    const { address } = privateKeyToAccount(key);
    let nonce = await this.client(chainId).getTransactionCount({ address, blockTag: "pending" });
    const hashes: Hex[] = [];
    for (const call of calls) hashes.push(await call(nonce++));
    await mapWithConcurrency(hashes, IN_FLIGHT, (hash) => this.minedAt(chainId, hash));
  }

  /** Places an order with the trader's next nonce (approvals done beforehand); returns its hash. */
  place(trader: Trader, chainId: number, isBuy: boolean): Promise<Hex> {
    const nonce = trader.nonces.get(chainId) as number;
    trader.nonces.set(chainId, nonce + 1);
    return this.wallet(trader.key, chainId).writeContract({
      address: this.gateway,
      abi: gatewayAbi,
      functionName: "place",
      args: [this.manifest.orderbook?.marketId as Hex, isBuy, config.price, config.amount],
      nonce,
      gas: 400_000n,
    });
  }

  /** The same order signed with the trader's next nonce and the given fees, for a later send. */
  signPlace(
    trader: Trader,
    chainId: number,
    isBuy: boolean,
    fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  ): Promise<Hex> {
    const nonce = trader.nonces.get(chainId) as number;
    trader.nonces.set(chainId, nonce + 1);
    return trader.account.signTransaction({
      chainId,
      type: "eip1559",
      to: this.gateway,
      data: encodeFunctionData({
        abi: gatewayAbi,
        functionName: "place",
        args: [this.manifest.orderbook?.marketId as Hex, isBuy, config.price, config.amount],
      }),
      nonce,
      gas: 400_000n,
      // Twice the estimate: the base fee may rise while the burst fills blocks.
      maxFeePerGas: fees.maxFeePerGas * 2n,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
  }

  /** The order id an OrderPlaced in this receipt names. */
  orderIdOf(receipt: Awaited<ReturnType<JunctionPublicClient["getTransactionReceipt"]>>): bigint {
    const [placed] = parseEventLogs({ abi: orderGatewayAbi, logs: receipt.logs, eventName: "OrderPlaced" });
    if (!placed) throw new Error(`no OrderPlaced in ${receipt.transactionHash}`);
    return placed.args.orderId;
  }

  async settledOnChain(orderId: bigint): Promise<boolean> {
    const order = await this.client(Number(orderId >> 64n)).readContract({
      address: this.gateway,
      abi: gatewayAbi,
      functionName: "orderOf",
      args: [orderId],
    });
    return order.filled === order.amount && order.reserved === 0n;
  }
}

/** `count` fresh traders with gas on both rollups, 1,000 tETH and 6,000 JUSD on each, the gateway approved. */
async function traders(kit: Kit, count: number): Promise<Trader[]> {
  const { manifest } = kit;
  const chainIds = manifest.rollups.map((rollup) => rollup.chainId);
  const keys = Array.from({ length: count }, () => generatePrivateKey());
  const addresses = keys.map((key) => privateKeyToAccount(key).address);
  await mapWithConcurrency(addresses, IN_FLIGHT, (address) =>
    Promise.all(manifest.rollups.map((rollup) => setBalance(rollup, address, parseEther("100")))),
  );
  for (const chainId of chainIds) {
    const rollup = rollupOf(manifest, chainId);
    await kit.pipeline(
      manifest.accounts.deployer.privateKey,
      chainId,
      addresses.map(
        (to) => (nonce) =>
          kit.wallet(manifest.accounts.deployer.privateKey, chainId).writeContract({
            address: manifest.margin.testAsset,
            abi: ownedTestTokenAbi,
            functionName: "mint",
            args: [to, parseEther("1000")],
            nonce,
            gas: 100_000n,
          }),
      ),
    );
    await kit.pipeline(
      manifest.accounts.filler.privateKey,
      chainId,
      addresses.map(
        (to) => (nonce) =>
          kit.wallet(manifest.accounts.filler.privateKey, chainId).writeContract({
            address: rollup.contracts.bridgedToken,
            abi: erc20Abi,
            functionName: "transfer",
            args: [to, parseEther("6000")],
            nonce,
            gas: 100_000n,
          }),
      ),
    );
  }
  return mapWithConcurrency(keys, IN_FLIGHT, async (key, i) => {
    const nonces = new Map<number, number>();
    for (const chainId of chainIds) {
      await kit.pipeline(
        key,
        chainId,
        [manifest.margin.testAsset, rollupOf(manifest, chainId).contracts.bridgedToken].map(
          (token) => (nonce) =>
            kit.wallet(key, chainId).writeContract({
              address: token,
              abi: erc20Abi,
              functionName: "approve",
              args: [kit.gateway, maxUint256],
              nonce,
              gas: 100_000n,
            }),
        ),
      );
      nonces.set(chainId, 2);
    }
    return { key, address: addresses[i] as Address, account: privateKeyToAccount(key), nonces };
  });
}

async function paced(kit: Kit, pool: Trader[], placement: Placement): Promise<PacedResult> {
  const chains = CHAINS[placement];
  const samples = {
    settled: [] as number[],
    matched: [] as number[],
    landed: [] as number[],
    paid: [] as number[],
  };
  for (let i = 0; i < config.paced; i++) {
    const seller = pool[(2 * i) % pool.length] as Trader;
    const buyer = pool[(2 * i + 1) % pool.length] as Trader;
    const sell = kit.orderIdOf(
      (await kit.minedAt(chains.sell, await kit.place(seller, chains.sell, false))).receipt,
    );
    await seenNow(async () => kit.matcher.book.get(sell) !== undefined, `the matcher reads ${sell}`);
    const { at: minedAt, receipt } = await kit.minedAt(chains.buy, await kit.place(buyer, chains.buy, true));
    const buy = kit.orderIdOf(receipt);
    const settledAt = await seenNow(
      async () => (await kit.settledOnChain(buy)) && (await kit.settledOnChain(sell)),
      `${buy} and ${sell} settled`,
    );
    samples.settled.push(settledAt - minedAt);
    const fill = await seenNow(async () => kit.settled.has(buy), `the matcher sees ${buy} settled`, 20).then(
      () => kit.settled.get(buy) as SettledFill,
    );
    samples.matched.push(fill.matchedAt - minedAt);
    samples.landed.push((fill.landedAt ?? fill.settledAt) - minedAt);
    samples.paid.push(fill.settledAt - minedAt);
  }
  return {
    settledMs: stats(samples.settled),
    matchedMs: stats(samples.matched),
    landedMs: stats(samples.landed),
    matcherSettledMs: stats(samples.paid),
  };
}

type Receipt = Awaited<ReturnType<JunctionPublicClient["getTransactionReceipt"]>>;

/** A transaction's gasUsed over the fills (a settle) or the messages (a delivery) it carried. */
async function gasShare(kit: Kit, chainId: number, hash: Hex, cache: Map<string, number>) {
  const name = `${chainId}:${hash}`;
  const known = cache.get(name);
  if (known !== undefined) return known;
  const receipt: Receipt = await kit.client(chainId).getTransactionReceipt({ hash });
  const batch = parseEventLogs({ abi: orderGatewayAbi, logs: receipt.logs, eventName: "BatchSettled" })[0];
  const inbox = rollupOf(kit.manifest, chainId).contracts.inbox.toLowerCase();
  const delivered = parseEventLogs({
    abi: inboxAbi,
    logs: receipt.logs.filter((log) => log.address.toLowerCase() === inbox),
    eventName: "MessageDelivered",
  }).length;
  const units = batch ? Number(batch.args.fills) : Math.max(1, delivered);
  const share = Number(receipt.gasUsed) / units;
  cache.set(name, share);
  return share;
}

async function burst(kit: Kit, pool: Trader[], placement: Placement): Promise<BurstResult> {
  const chains = CHAINS[placement];
  const from = new Map(
    await Promise.all(
      [901, 902].map(async (chainId) => [chainId, await kit.client(chainId).getBlockNumber()] as const),
    ),
  );
  const half = Math.ceil(pool.length / 2);
  const sellers = pool.slice(0, half);
  const buyers = pool.slice(half);
  // Each side's orders dealt over its traders and signed beforehand (explicit nonces and fees), then all
  // sent at once, at most IN_FLIGHT requests at a time: the burst is not paced by signing.
  const send = async (side: Trader[], chainId: number, isBuy: boolean) => {
    const fees = await kit.client(chainId).estimateFeesPerGas();
    const signed = await mapWithConcurrency(side, IN_FLIGHT, async (trader, t) => {
      const mine: Hex[] = [];
      for (let i = t; i < config.burst; i += side.length)
        mine.push(await kit.signPlace(trader, chainId, isBuy, fees));
      return mine;
    });
    const sentAt = now();
    const hashes = await mapWithConcurrency(signed.flat(), IN_FLIGHT, (serializedTransaction) =>
      kit.client(chainId).sendRawTransaction({ serializedTransaction }),
    );
    const mined = await mapWithConcurrency(hashes, IN_FLIGHT, (hash) => kit.minedAt(chainId, hash));
    return { sentAt, mined };
  };
  const sells = (await send(sellers, chains.sell, false)).mined.map(({ receipt }) => kit.orderIdOf(receipt));
  await seenNow(
    async () => sells.every((id) => kit.matcher.book.get(id) !== undefined),
    "the matcher reads every resting sell",
    20,
  );
  const buys = await send(buyers, chains.buy, true);
  const t0 = buys.sentAt;
  const placedAt = Math.max(...buys.mined.map(({ at }) => at));
  // Every fill's legs, from the gateways' OrderFilled events (a fill is settled when both are seen).
  const legs = new Map<Hex, { chainId: number; hash: Hex }[]>();
  const settledAt = new Map<Hex, number>();
  const reservedIn = new Map<Hex, Hex>(); // cross-rollup fill → its settle transaction (FillReserved)
  let next = new Map(from);
  await seenNow(
    async () => {
      for (const chainId of [901, 902]) {
        const head = await kit.client(chainId).getBlockNumber();
        const start = (next.get(chainId) as bigint) + 1n;
        if (head < start) continue;
        const events = await kit.client(chainId).getContractEvents({
          address: kit.gateway,
          abi: orderGatewayAbi,
          fromBlock: start,
          toBlock: head,
          strict: true,
        });
        for (const event of events) {
          if (event.eventName === "FillReserved") reservedIn.set(event.args.fillId, event.transactionHash);
          if (event.eventName !== "OrderFilled") continue;
          const seen = legs.get(event.args.fillId) ?? [];
          seen.push({ chainId, hash: event.transactionHash });
          legs.set(event.args.fillId, seen);
          if (seen.length === 2) settledAt.set(event.args.fillId, now());
        }
        next = new Map(next).set(chainId, head);
      }
      return settledAt.size >= config.burst;
    },
    "every burst fill settled",
    25,
    300_000,
  );
  const allSettled = Math.max(...settledAt.values());
  const cache = new Map<string, number>();
  const gas = {
    settle: [] as number[],
    counterpartyDelivery: [] as number[],
    answerDelivery: [] as number[],
    total: [] as number[],
  };
  const batches = new Set<string>();
  for (const [fillId, paid] of legs) {
    if (paid.length !== 2) continue;
    let settle: number;
    let total: number;
    if (placement === "same-rollup") {
      const { chainId, hash } = paid[0] as { chainId: number; hash: Hex };
      settle = await gasShare(kit, chainId, hash, cache);
      batches.add(hash);
      total = settle;
    } else {
      const settleHash = reservedIn.get(fillId);
      if (!settleHash) throw new Error(`no FillReserved for ${fillId}`);
      batches.add(settleHash);
      settle = await gasShare(kit, chains.buy, settleHash, cache);
      const maker = paid.find((leg) => leg.chainId === chains.sell) as { chainId: number; hash: Hex };
      const taker = paid.find((leg) => leg.chainId === chains.buy) as { chainId: number; hash: Hex };
      const counterparty = await gasShare(kit, maker.chainId, maker.hash, cache);
      const answer = await gasShare(kit, taker.chainId, taker.hash, cache);
      gas.counterpartyDelivery.push(counterparty);
      gas.answerDelivery.push(answer);
      total = settle + counterparty + answer;
    }
    gas.settle.push(settle);
    gas.total.push(total);
  }
  return {
    fills: settledAt.size,
    placedSeconds: (placedAt - t0) / 1000,
    settledSeconds: (allSettled - t0) / 1000,
    fillsPerSecond: settledAt.size / ((allSettled - t0) / 1000),
    fillMs: stats([...settledAt.values()].map((at) => at - t0)),
    batches: batches.size,
    gas: {
      settle: stats(gas.settle),
      counterpartyDelivery: stats(gas.counterpartyDelivery),
      answerDelivery: stats(gas.answerDelivery),
      total: stats(gas.total),
    },
  };
}

async function runDevnet(kind: DevnetKind): Promise<DevnetResult> {
  const t0 = performance.now();
  const loadAtStart = loadavg()[0] as number;
  const devnet: TestDevnet = await startTestDevnet({
    rollups: 2,
    ...(kind === "sequencer" ? { sequencer: { superblockTimeMs: config.superblockTimeMs } } : {}),
  });
  let agent: MatcherAgent | undefined;
  try {
    const ready = Date.now();
    while (kind === "sequencer" && !devnet.sequencer?.deliveriesReady()) {
      if (Date.now() - ready > 60_000) throw new Error("the sequencer's bond never reached every rollup");
      await sleep(100);
    }
    let matcher: Matcher | undefined;
    // The devnet's matcher, started here (as `matcher: true` would, default settings) to read its fills.
    agent = createMatcher(devnet.manifest, devnet.dataDir, createLogger("silent"), {
      onStart: (running) => {
        matcher = running;
      },
    });
    await agent.start();
    const kit = new Kit(devnet.manifest, matcher as unknown as Matcher);
    const pool = await traders(kit, config.traders);
    progress(`${kind}: ${pool.length} traders funded`);
    const runs: DevnetResult["runs"] = [];
    for (const placement of ["same-rollup", "cross-rollup"] as const) {
      const pacedResult = await paced(kit, pool, placement);
      progress(`${kind}, ${placement}: ${config.paced} paced pairs done`);
      const burstResult = await burst(kit, pool, placement);
      progress(`${kind}, ${placement}: burst of ${burstResult.fills} fills done`);
      runs.push({ placement, paced: pacedResult, burst: burstResult });
    }
    return {
      devnet: kind,
      seconds: (performance.now() - t0) / 1000,
      load: { start: loadAtStart, end: loadavg()[0] as number },
      runs,
    };
  } finally {
    await agent?.stop();
    await devnet.stop();
  }
}

// -------------------------------------------------------------------------------------------- report

const f0 = (value: number) => value.toFixed(0);
const thousands = (value: number) => Math.round(value).toLocaleString("en-US");

function toMarkdown(report: {
  date: string;
  commit: string;
  machine: { cores: number; node: string };
  engine: EngineResult[];
  devnets: DevnetResult[];
}): string {
  const lines = [
    `Order book benchmark ${report.date.slice(0, 10)}, commit ${report.commit}, ${report.machine.cores} cores, Node ${report.machine.node}.`,
    "",
    `The engine (the matcher's pure price-time book, seeded random orders: either side, limits 2,950–3,050, sizes 0.01–1; seed ${config.seed}):`,
    "",
    "| orders | fills | ms | orders / s | fills / s | resting at the end |",
    "| --- | --- | --- | --- | --- | --- |",
    ...report.engine.map(
      (run) =>
        `| ${thousands(run.orders)} | ${thousands(run.fills)} | ${f0(run.ms)} | ${thousands(run.ordersPerSecond)} | ${thousands(run.fillsPerSecond)} | ${thousands(run.resting)} |`,
    ),
  ];
  if (report.devnets.length > 0) {
    lines.push(
      "",
      `End to end on 2-rollup devnets with the matcher (default settings: 200 ms ticks, 64 fills a batch); sequencer: ${config.superblockTimeMs} ms superblocks; ${config.paced} paced pairs, a burst of ${config.burst} (same-rollup: both orders on 901; cross-rollup: sell on 902, buy on 901):`,
      "",
      "| devnet | orders | paced: buy mined → settled on both ms p50 / p99 | matcher saw it matched / batch mined / both legs paid, ms p50 | burst fills | burst: every buy mined, s | burst: fills settled / s | burst: fill settled ms p50 / p99 (from the first send) | batches | gas / fill: settle + delivery on 902 + answer on 901 = total (mean) |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const result of report.devnets) {
      for (const run of result.runs) {
        const { paced: p, burst: b } = run;
        const g = b.gas;
        const gasCell =
          run.placement === "same-rollup"
            ? `${f0(g.settle.mean)} (one transaction)`
            : `${f0(g.settle.mean)} + ${f0(g.counterpartyDelivery.mean)} + ${f0(g.answerDelivery.mean)} = ${f0(g.total.mean)}`;
        lines.push(
          `| ${result.devnet} | ${run.placement} | ${f0(p.settledMs.p50)} / ${f0(p.settledMs.p99)} | ${f0(p.matchedMs.p50)} / ${f0(p.landedMs.p50)} / ${f0(p.matcherSettledMs.p50)} | ${b.fills} | ${b.placedSeconds.toFixed(1)} | ${b.fillsPerSecond.toFixed(1)} | ${f0(b.fillMs.p50)} / ${f0(b.fillMs.p99)} | ${b.batches} | ${gasCell} |`,
        );
      }
    }
  }
  for (const result of report.devnets) {
    lines.push(
      "",
      `${result.devnet} devnet: ${result.seconds.toFixed(0)} s from start to stop; 1-minute load average ${result.load.start.toFixed(1)} as it started, ${result.load.end.toFixed(1)} as it stopped (${report.machine.cores} cores, shared).`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function main() {
  engine(1_000); // warm-up
  const engineRuns = config.orders.map(engine);
  progress("engine done");
  const devnets: DevnetResult[] = [];
  for (const kind of config.devnets) devnets.push(await runDevnet(kind));
  const report = {
    ...runStamp(),
    config: { ...config, amount: config.amount.toString(), price: config.price.toString() },
    engine: engineRuns,
    devnets,
  };
  writeResults(values.out, "-orderbook", report, toMarkdown(report));
}

await main();
