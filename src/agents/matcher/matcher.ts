// Matcher: keeps one price-time book per market over the orders of every rollup's OrderGateway and
// settles what crosses in strictly sequential batches per gateway. Each tick it:
//   1. (first tick) rebuilds the book from its store and settles, from the chain, the batches it had
//      sent: a batch id below the gateway's `nextBatchId` landed (its receipt is found by its
//      BatchSettled event); one at or above it is sent again as it was — never a second batch for it;
//   2. reads every gateway's new events in block order: OrderPlaced (into the book, matching at once),
//      CancelRequested (out of the book at once; Cancelled, its completion, too), OrderFilled (a leg
//      paid; both paid: the fill is settled, logged with its timings), FillReleased (a cross-rollup fill
//      refused or expired: both legs go back to the book);
//   3. submits, per gateway, its batch of planned fills (each fill goes to its taker's rollup): the fill
//      ids come from the receipt; a fill the gateway skipped (FillSkipped: an order cancelled, unknown or
//      without enough remaining) drops that order from the book and gives the other leg back; a batch the
//      gateway refuses gives its fills back, after dropping the orders the chain says are cancelled, and the
//      next batch reuses the id.
// Every step is stored before the next is taken, so a restart neither loses nor repeats a fill.
import type { Address, Hex, Log } from "viem";
import { decodeFunctionData, parseEventLogs, toFunctionSelector } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import type { RollupEntry } from "../../chain/manifest.js";
import { revertName } from "../../chain/revert.js";
import { orderGatewayAbi } from "../../contracts/generated/index.js";
import { ConfigError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { chainOfOrder, localFillId } from "../../protocol/orderbook.js";
import { type BookFill, type BookOrder, OrderBook } from "../../protocol/orderbook-book.js";
import { gatewayAbi } from "../../sdk/orderGateway.js";
import { gasWithHeadroom } from "../../sdk/outboxGas.js";
import type { FillRecord, MatcherStep, StoredOrder } from "../../store/sqlite/matcher-sqlite-store.js";
import { PollingAgent } from "../agent.js";
import { AuctionDesk, type AuctionTiming } from "./auctions.js";
import { type MatcherConfig, type MatcherSettings, parseMatcherSettings } from "./config.js";

export type MatcherStatus = {
  address: Address;
  orders: number;
  nextBatch: Record<string, string>;
  fills: Record<string, number>;
  recent: Pick<FillRecord, "buy" | "sell" | "price" | "amount" | "state" | "chainId" | "batchId">[];
};

/** A fill whose two legs are paid, with the times the matcher saw each step (Unix ms). */
export type SettledFill = FillRecord & { settledAt: number };

/**
 * How far the matcher trusts its own clock behind a rollup's: a round clears once every rollup's newest
 * block, or the matcher's clock less this, is past the reveal window.
 */
const CLOCK_GRACE_SECONDS = 2n;

type GatewayLog = ReturnType<typeof parseEventLogs<typeof orderGatewayAbi>>[number];

/** The gateway's refusal selectors, by name (FillSkipped and FillReleased carry a selector). */
const refusalNames = new Map<string, string>(
  orderGatewayAbi
    .filter((item) => item.type === "error")
    .map((item) => [toFunctionSelector(item as never), item.name]),
);

export class Matcher extends PollingAgent {
  readonly #settings: MatcherSettings;
  readonly #store: MatcherConfig["store"];
  readonly #logger: Logger;
  readonly #gateway: Address;
  readonly #rollups: RollupEntry[];
  readonly #clients = new Map<number, JunctionPublicClient>();
  readonly #wallets = new Map<number, JunctionWalletClient>();
  readonly #nextBatch = new Map<number, bigint>();
  readonly #book = new OrderBook();
  readonly #settled: ((fill: SettledFill) => void)[] = [];
  #recovered = false;
  /** The next order's place in time (arrival order, across every rollup). */
  #arrival = 0n;
  #auctions: AuctionDesk | undefined;
  #timing: AuctionTiming | undefined;
  /** Each rollup's clock at the last block read (sealed rounds clear when all passed the reveal window). */
  readonly #clocks = new Map<number, bigint>();

  constructor(config: MatcherConfig) {
    const settings = parseMatcherSettings(config.settings);
    super("Matcher", settings.intervalMs, config.logger);
    if (!config.network.orderbook) throw new ConfigError("this network has no order book to match");
    this.#settings = settings;
    this.#store = config.store;
    this.#logger = config.logger;
    this.#gateway = config.network.orderbook.gateway;
    this.#rollups = [...config.network.rollups].sort((a, b) => a.chainId - b.chainId);
    for (const rollup of this.#rollups) {
      this.#clients.set(rollup.chainId, publicClientFor(rollup));
      this.#wallets.set(rollup.chainId, walletClientFor(rollup, config.privateKey));
    }
  }

  get address(): Address {
    return (this.#wallets.get(this.#rollups[0]?.chainId ?? 0) as JunctionWalletClient).account.address;
  }

  /** Calls `listener` for every fill settled on both rollups (tests and benchmarks read timings here). */
  onSettled(listener: (fill: SettledFill) => void): void {
    this.#settled.push(listener);
  }

  /** The book the matcher holds now. */
  get book(): OrderBook {
    return this.#book;
  }

  async status(): Promise<MatcherStatus> {
    return {
      address: this.address,
      orders: this.#book.orders().filter((order) => order.open > 0n).length,
      nextBatch: Object.fromEntries(
        [...this.#nextBatch].map(([chain, id]) => [String(chain), id.toString()]),
      ),
      fills: this.#store.counts(),
      recent: this.#store
        .recent(this.#settings.statusWindow)
        .map(({ buy, sell, price, amount, state, chainId, batchId }) => ({
          buy,
          sell,
          price,
          amount,
          state,
          chainId,
          batchId,
        })),
    };
  }

  async tick(): Promise<void> {
    if (!this.#recovered) {
      await this.#recover();
      this.#recovered = true;
    }
    for (const rollup of this.#rollups) await this.#scan(rollup);
    this.#clearAuctions();
    await Promise.all(this.#rollups.map((rollup) => this.#submit(rollup.chainId)));
  }

  // ------------------------------------------------------------------ recovery

  async #recover(): Promise<void> {
    const planned: BookFill[] = [];
    const stored = this.#store.orders();
    for (const order of stored) {
      if (order.time >= this.#arrival) this.#arrival = order.time + 1n;
      if (!order.cancelled && order.auction === 0n) planned.push(...this.#book.add(order));
    }
    this.#persist(planned, []);
    this.#auctions = new AuctionDesk(this.#store, stored);
    const client = this.#clients.get(this.#rollups[0]?.chainId ?? 0) as JunctionPublicClient;
    const at = { address: this.#gateway, abi: orderGatewayAbi } as const;
    this.#timing = {
      period: await client.readContract({ ...at, functionName: "auctionPeriod" }),
      reveal: await client.readContract({ ...at, functionName: "revealPeriod" }),
    };
    for (const rollup of this.#rollups) {
      this.#nextBatch.set(rollup.chainId, await this.#readNextBatch(rollup.chainId));
    }
  }

  async #readNextBatch(chainId: number): Promise<bigint> {
    return (this.#clients.get(chainId) as JunctionPublicClient).readContract({
      address: this.#gateway,
      abi: orderGatewayAbi,
      functionName: "nextBatchId",
    });
  }

  /**
   * The transaction that settled `batchId` on `chainId` (found by its BatchSettled): its events, and
   * whether it is the batch the matcher stored (`fills`, sent by its key) or another one under that id.
   */
  async #landedBatch(
    chainId: number,
    batchId: bigint,
    fills: FillRecord[],
  ): Promise<{ logs: GatewayLog[]; own: boolean }> {
    const client = this.#clients.get(chainId) as JunctionPublicClient;
    const rollup = this.#rollups.find((entry) => entry.chainId === chainId) as RollupEntry;
    const [settled] = await client.getContractEvents({
      address: this.#gateway,
      abi: orderGatewayAbi,
      eventName: "BatchSettled",
      args: { batchId },
      fromBlock: BigInt(rollup.deployBlock),
    });
    if (!settled)
      throw new ConfigError(`batch ${batchId} on ${chainId} is below nextBatchId but has no event`);
    const receipt = await client.getTransactionReceipt({ hash: settled.transactionHash });
    const tx = await client.getTransaction({ hash: settled.transactionHash });
    return {
      logs: parseEventLogs({ abi: orderGatewayAbi, logs: receipt.logs }),
      own: this.#isOwnBatch(tx.from, tx.input, fills),
    };
  }

  /** True when a settle/settleAuction call (`from`, `input`) carries exactly `fills`, from this matcher. */
  #isOwnBatch(from: Address, input: Hex, batch: FillRecord[]): boolean {
    if (from.toLowerCase() !== this.address.toLowerCase()) return false;
    let entries: readonly { order: bigint; counter: bigint; price: bigint; amount: bigint }[];
    try {
      const call = decodeFunctionData({ abi: gatewayAbi, data: input });
      if (call.functionName === "settle") entries = call.args[1];
      else if (call.functionName === "settleAuction") entries = call.args[4];
      else return false;
    } catch {
      return false;
    }
    const fills = [...batch].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return (
      entries.length === fills.length &&
      fills.every((fill, i) => {
        const entry = entries[i];
        return (
          entry !== undefined &&
          entry.order === fill.taker &&
          entry.counter === fill.maker &&
          entry.price === fill.price &&
          entry.amount === fill.amount
        );
      })
    );
  }

  /**
   * Another batch than the stored one holds its id (a second matcher with this key, or a replaced
   * transaction): the stored fills never landed. They go back to the book (an order the other batch
   * filled is then skipped by its gateway and dropped), and the batch sequence is read again.
   */
  async #foreignBatch(chainId: number, batchId: bigint, fills: FillRecord[]): Promise<void> {
    this.#logger.error(
      "Matcher#batch",
      "another batch landed under this matcher's batch id: its fills are not ours; is a second matcher using this key?",
      { chainId, batchId: batchId.toString(), fills: fills.length },
    );
    this.#giveBack(fills, "failed", "foreign batch under this id");
    this.#nextBatch.set(chainId, await this.#readNextBatch(chainId));
  }

  // ---------------------------------------------------------------------- scan

  async #scan(rollup: RollupEntry): Promise<void> {
    const client = this.#clients.get(rollup.chainId) as JunctionPublicClient;
    const from = (this.#store.cursor(rollup.chainId) ?? BigInt(rollup.deployBlock) - 1n) + 1n;
    // Read before the head: every block after the head is at least this late (a rollup that mines only
    // on demand has no newer block to tell its time; its next block takes the current time).
    const wallClock = BigInt(Math.floor(Date.now() / 1000)) - CLOCK_GRACE_SECONDS;
    const head = await client.getBlockNumber();
    if (head < from) {
      this.#clocks.set(
        rollup.chainId,
        wallClock > (this.#clocks.get(rollup.chainId) ?? 0n)
          ? wallClock
          : (this.#clocks.get(rollup.chainId) as bigint),
      );
      return;
    }
    for (let start = from; start <= head; start += BigInt(this.#settings.logChunk)) {
      const end =
        start + BigInt(this.#settings.logChunk) - 1n < head
          ? start + BigInt(this.#settings.logChunk) - 1n
          : head;
      const logs = await client.getContractEvents({
        address: this.#gateway,
        abi: orderGatewayAbi,
        fromBlock: start,
        toBlock: end,
      });
      for (const log of logs) this.#apply(rollup.chainId, log as GatewayLog & Log);
      this.#store.apply({ cursor: { chainId: rollup.chainId, block: end } });
    }
    const headTime = (await client.getBlock({ blockNumber: head })).timestamp;
    this.#clocks.set(rollup.chainId, headTime > wallClock ? headTime : wallClock);
  }

  /** Clears the sealed rounds every rollup's clock has passed; their fills wait for submission. */
  #clearAuctions(): void {
    if (!this.#auctions || !this.#timing || this.#clocks.size < this.#rollups.length) return;
    let now = -1n;
    for (const clock of this.#clocks.values()) if (now < 0n || clock < now) now = clock;
    for (const cleared of this.#auctions.due(now, this.#timing)) {
      const matchedAt = Date.now();
      const fills = cleared.fills.map((fill) => ({
        ...fill,
        chainId: chainOfOrder(fill.taker),
        matchedAt,
        round: cleared.round,
      }));
      this.#store.roundCleared(cleared.round, cleared.price, { fills });
      this.#logger.info("Matcher#auction", "sealed round cleared", {
        round: cleared.round.toString(),
        marketId: cleared.marketId,
        price: cleared.price?.toString(),
        fills: fills.length,
      });
    }
  }

  #apply(chainId: number, log: GatewayLog & Log): void {
    switch (log.eventName) {
      case "OrderPlaced": {
        const { orderId, owner, marketId, isBuy, price, amount, auction } = log.args;
        if (this.#book.get(orderId)) return;
        // Time priority is the order the matcher read the orders in (stored with them).
        const time = this.#arrival++;
        const order: BookOrder = { id: orderId, owner, marketId, isBuy, price, amount, open: amount, time };
        if (auction !== 0n) {
          // A revealed sealed order: it waits for its round's auction, never the continuous book.
          const stored = { ...order, cancelled: false, auction };
          this.#store.apply({ orders: [stored] });
          this.#auctions?.add(stored);
          return;
        }
        const fills = this.#book.add(order);
        this.#persist(fills, [orderId]);
        return;
      }
      case "SealedCommitted": {
        const { sealedId, owner, marketId, round, baseDeposit, quoteDeposit } = log.args;
        this.#store.recordSealed({ id: sealedId, owner, marketId, round, baseDeposit, quoteDeposit });
        return;
      }
      case "SealedRevealed":
        this.#store.sealedRevealed(log.args.sealedId, log.args.orderId);
        return;
      // A cancel request takes the order out of matching at once (the gateway refuses any fill created
      // after it); its completion, later, only pays the escrow back.
      case "CancelRequested":
      case "Cancelled": {
        const orderId = log.args.orderId;
        this.#auctions?.cancel(orderId);
        const removed = this.#book.remove(orderId);
        if (removed) this.#store.apply({ orders: [{ ...removed, open: 0n, cancelled: true, auction: 0n }] });
        // Fills planned against it this tick (another rollup's order read before this request) are not
        // sent: a fill created after the request must not take the order. Their other legs match again.
        const planned = this.#rollups
          .flatMap((rollup) => this.#store.fillsIn(rollup.chainId, "planned"))
          .filter((fill) => fill.buy === orderId || fill.sell === orderId);
        if (planned.length > 0)
          this.#giveBack(planned, "failed", "cancel requested before the fill was sent");
        return;
      }
      case "OrderFilled": {
        const fill = this.#store.byFillId(log.args.fillId);
        if (!fill) return;
        const settled = this.#store.legPaid(log.args.fillId, log.args.order === fill.buy, Date.now());
        if (settled) this.#announce(settled);
        return;
      }
      case "FillReleased": {
        const fill = this.#store.byFillId(log.args.fillId);
        if (fill?.state !== "reserved") return;
        this.#logger.info(
          "Matcher#release",
          "a cross-rollup fill was released; its legs go back to the book",
          {
            fillId: log.args.fillId,
            reason: log.args.reason,
          },
        );
        this.#giveBack([fill], "released", log.args.reason);
        return;
      }
      case "FillRejected":
        this.#logger.info("Matcher#reject", "a counterparty refused a fill", {
          chainId,
          fillId: log.args.fillId,
          order: log.args.order.toString(),
          reason: log.args.reason,
        });
        return;
      default:
        return;
    }
  }

  #announce(fill: FillRecord): void {
    const settledAt = Math.max(fill.paidBuyAt ?? 0, fill.paidSellAt ?? 0);
    this.#logger.info("Matcher#settled", "fill settled on both rollups", {
      fillId: fill.fillId,
      buy: fill.buy.toString(),
      sell: fill.sell.toString(),
      price: fill.price.toString(),
      amount: fill.amount.toString(),
      batch: `${fill.chainId}:${fill.batchId}`,
      matchedToLandedMs: (fill.landedAt ?? settledAt) - fill.matchedAt,
      matchedToSettledMs: settledAt - fill.matchedAt,
    });
    for (const listener of this.#settled) listener({ ...fill, settledAt });
  }

  /** Stores the fills `matched` and the orders they (and `touched`) changed, in one step. */
  #persist(matched: BookFill[], touched: bigint[]): void {
    if (matched.length === 0 && touched.length === 0) return;
    this.#store.apply(this.#step(matched, touched));
  }

  #step(matched: BookFill[], touched: bigint[]): MatcherStep {
    const ids = new Set<bigint>(touched);
    for (const fill of matched) {
      ids.add(fill.buy);
      ids.add(fill.sell);
    }
    const orders: StoredOrder[] = [];
    for (const id of ids) {
      const order = this.#book.get(id);
      if (order) orders.push({ ...order, cancelled: false, auction: 0n });
    }
    const matchedAt = Date.now();
    const fills = matched.map((fill) => ({ ...fill, chainId: chainOfOrder(fill.taker), matchedAt }));
    return { orders, fills };
  }

  /** Gives both legs of `fills` back to the book, and stores that with whatever they match anew. */
  #giveBack(fills: FillRecord[], state: "failed" | "released", reason: string): void {
    // Every leg back before anything matches, so a leg cannot cross an order behind its own counterparty.
    const matched = this.#book.restoreAll(
      fills.flatMap((fill) => [
        { id: fill.buy, amount: fill.amount },
        { id: fill.sell, amount: fill.amount },
      ]),
    );
    const step = this.#step(
      matched,
      fills.flatMap((fill) => [fill.buy, fill.sell]),
    );
    this.#store.giveBack(
      fills.map((fill) => fill.key),
      state,
      reason,
      step,
    );
  }

  // -------------------------------------------------------------------- submit

  async #submit(chainId: number): Promise<void> {
    const batched = this.#store.fillsIn(chainId, "batched");
    const pending = batched[0]?.batchId;
    if (pending !== undefined) {
      // A batch stored before a stop or a lost answer: landed if the gateway moved past it, else send it
      // again as it was (the same id: never a second batch for these fills).
      const fills = batched.filter((fill) => fill.batchId === pending);
      const next = await this.#readNextBatch(chainId);
      if (pending < next) {
        const { logs, own } = await this.#landedBatch(chainId, pending, fills);
        if (own) await this.#landed(chainId, pending, fills, logs);
        else await this.#foreignBatch(chainId, pending, fills);
        return;
      }
      return this.#send(chainId, pending, fills);
    }
    // One batch holds continuous fills only, or one round's auction fills of one market only.
    const waiting = this.#store.fillsIn(chainId, "planned");
    const first = waiting[0];
    if (!first) return;
    const planned = waiting
      .filter((fill) => fill.round === first.round && fill.marketId === first.marketId)
      .slice(0, this.#settings.maxFills);
    const batchId = this.#nextBatch.get(chainId) as bigint;
    this.#store.assignBatch(
      batchId,
      planned.map((fill) => fill.key),
    );
    await this.#send(chainId, batchId, this.#store.fillsIn(chainId, "batched"));
  }

  async #send(chainId: number, batchId: bigint, batch: FillRecord[]): Promise<void> {
    const fills = [...batch].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    const wallet = this.#wallets.get(chainId) as JunctionWalletClient;
    const client = this.#clients.get(chainId) as JunctionPublicClient;
    const started = Date.now();
    const entries = fills.map((fill) => ({
      order: fill.taker,
      counter: fill.maker,
      price: fill.price,
      amount: fill.amount,
    }));
    const round = fills[0]?.round;
    // Either call (viem's types take one function name at a time, hence the casts where it is used).
    const call =
      round === undefined
        ? ({
            address: this.#gateway,
            abi: gatewayAbi,
            functionName: "settle",
            args: [batchId, entries],
          } as const)
        : ({
            address: this.#gateway,
            abi: gatewayAbi,
            functionName: "settleAuction",
            args: [batchId, fills[0]?.marketId as Hex, round, fills[0]?.price as bigint, entries],
          } as const);
    let reverted: unknown;
    try {
      // A batch's gas depends on what lands before it (each cross-rollup fill appends to the Outbox, whose
      // carry grows with every message sent in between; a reservation from zero costs a fresh write): an
      // exact estimate can run out of gas, and that revert is no refusal of the gateway's.
      const gas = gasWithHeadroom(
        await client.estimateContractGas({ ...call, account: wallet.account } as never),
      );
      const hash = await wallet.writeContract({ ...call, gas } as never);
      const receipt = await client.waitForTransactionReceipt({ hash });
      if (receipt.transactionHash !== hash) {
        // Replaced in the mempool by another transaction of this key: check what landed under the id.
        const next = await this.#readNextBatch(chainId);
        if (batchId < next) {
          const { logs, own } = await this.#landedBatch(chainId, batchId, fills);
          if (own) await this.#landed(chainId, batchId, fills, logs);
          else await this.#foreignBatch(chainId, batchId, fills);
        }
        return;
      }
      if (receipt.status === "success") {
        await this.#landed(
          chainId,
          batchId,
          fills,
          parseEventLogs({ abi: orderGatewayAbi, logs: receipt.logs }),
        );
        this.#logger.info("Matcher#batch", "batch settled", {
          chainId,
          batchId: batchId.toString(),
          fills: fills.length,
          ms: Date.now() - started,
        });
        return;
      }
      // A mined revert names no reason. Only a refusal the gateway still makes gives the fills back:
      // giving them back on anything else (out of gas) would re-match them behind orders that arrived
      // since, breaking price-time priority. Ask the gateway now; if it takes the batch, send it again as
      // it was (same id, same fills: it stays stored as batched for the next tick).
      try {
        await client.simulateContract({ ...call, account: wallet.account } as never);
      } catch (error) {
        if (revertName(error) === undefined) throw error;
        reverted = error;
      }
      if (reverted === undefined) {
        this.#logger.warn(
          "Matcher#batch",
          "a batch reverted on chain but the gateway takes it now; sent again",
          {
            chainId,
            batchId: batchId.toString(),
            tx: hash,
            gas: gas.toString(),
            gasUsed: receipt.gasUsed.toString(),
          },
        );
        return;
      }
    } catch (error) {
      // Only the gateway's refusal gives the fills back; anything else (a node down, a stop) leaves the
      // batch stored, to be found landed or sent again.
      if (revertName(error) === undefined) throw error;
      reverted = error;
    }
    if (revertName(reverted) === "BatchOutOfOrder") {
      this.#nextBatch.set(chainId, await this.#readNextBatch(chainId));
      return;
    }
    await this.#refused(chainId, batchId, fills, reverted);
  }

  async #landed(chainId: number, batchId: bigint, batch: FillRecord[], logs: GatewayLog[]): Promise<void> {
    const fills = [...batch].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    const reserved = logs.filter((log) => log.eventName === "FillReserved");
    const skips = new Map<number, { order: bigint; reason: string }>();
    for (const log of logs) {
      if (log.eventName !== "FillSkipped" || log.args.batchId !== batchId) continue;
      skips.set(Number(log.args.index), {
        order: log.args.order,
        reason: refusalNames.get(log.args.reason) ?? log.args.reason,
      });
    }
    let next = 0;
    const now = Date.now();
    const landed: { key: number; fillId: Hex; state: "reserved" | "settled" }[] = [];
    const skipped: FillRecord[] = [];
    for (const fill of fills) {
      if (skips.has(fill.index ?? 0)) {
        skipped.push(fill);
        continue;
      }
      const cross = chainOfOrder(fill.maker) !== chainId;
      const fillId = cross
        ? ((reserved[next++]?.args as { fillId: Hex } | undefined)?.fillId as Hex)
        : localFillId(chainId, batchId, fill.index ?? 0);
      landed.push({ key: fill.key, fillId, state: cross ? "reserved" : "settled" });
    }
    this.#store.batchLanded(landed, now);
    this.#nextBatch.set(chainId, batchId + 1n);
    for (const fill of skipped) {
      const skip = skips.get(fill.index ?? 0) as { order: bigint; reason: string };
      this.#logger.warn("Matcher#skip", "the gateway skipped a fill; its order leaves the book", {
        chainId,
        batchId: batchId.toString(),
        index: fill.index,
        order: skip.order.toString(),
        reason: skip.reason,
      });
      // The refusing order leaves the book (cancelled, unknown, or the chain holds less of it than the
      // book: its owner cancels the rest); the other leg goes back and may match again.
      const removed = this.#book.remove(skip.order);
      if (removed) {
        this.#store.apply({
          orders: [
            {
              ...removed,
              open: 0n,
              cancelled: skip.reason === "OrderCancelled" || skip.reason === "CancelPending",
              auction: 0n,
            },
          ],
        });
      }
      this.#giveBack([fill], "failed", `skipped: ${skip.reason}`);
    }
  }

  /** The gateway refused the batch: drop the orders the chain says are gone, give the rest back. */
  async #refused(chainId: number, batchId: bigint, fills: FillRecord[], error: unknown): Promise<void> {
    const reason =
      revertName(error) ??
      (error instanceof Error ? (error.message.split("\n")[0] ?? "reverted") : String(error));
    this.#logger.warn("Matcher#batch", "the gateway refused a batch; its fills go back to the book", {
      chainId,
      batchId: batchId.toString(),
      reason,
    });
    for (const id of new Set(fills.flatMap((fill) => [fill.buy, fill.sell]))) {
      const client = this.#clients.get(chainOfOrder(id));
      if (!client) continue;
      const order = await client.readContract({
        address: this.#gateway,
        abi: orderGatewayAbi,
        functionName: "orderOf",
        args: [id],
      });
      if (order.cancelled || order.cancelRequestedAt !== 0n) {
        const removed = this.#book.remove(id);
        if (removed) this.#store.apply({ orders: [{ ...removed, open: 0n, cancelled: true, auction: 0n }] });
      }
    }
    this.#giveBack(fills, "failed", reason);
  }
}
