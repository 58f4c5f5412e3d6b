// Filler: watches `Open` on every settler of every rollup, fills what it may and what pays after gas
// from its own inventory, and follows each fill to its repayment. Each tick it:
//   1. settles the fills it signed earlier and has no outcome for (after a restart, or a receipt that
//      did not come in time) from the chain alone: fillOf, the receipt of the stored hash, the nonce;
//   2. approves the settlers to take its tokens (once per process, only where missing);
//   3. reads new Open events into its store (cursor per rollup);
//   4. judges every order it has seen and may fill (decide.ts), signs the fill, stores its hash and bytes
//      (state filling), and only then sends it; then awaits the receipts;
//   5. reads the origin escrows of its filled orders, for their repayment.
import { type Address, type Hex, parseTransaction, TransactionReceiptNotFoundError } from "viem";
import type { RollupEntry } from "../../chain/manifest.js";
import { revertName } from "../../chain/revert.js";
import type { Logger } from "../../log.js";
import { decodeOrder, orderIdOf, pathName } from "../../protocol/intents.js";
import { gasWithHeadroom } from "../../sdk/outboxGas.js";
import { fillCall, type SignFillParameters, type SignFillReturnType, signFill } from "../../sdk/signFill.js";
import type { FillerOrder, FillerStore } from "../../store/filler-store.js";
import { PollingAgent } from "../agent.js";
import {
  type Asset,
  defaultAssets,
  type FillerConfig,
  type FillerSettings,
  parseFillerSettings,
} from "./config.js";
import { assessLocally, assessOnChain, chooseRepayment, profitOf } from "./decide.js";
import { type Fees, FillerKey } from "./filler-key.js";
import { assetOf, type Holdings, holdingsRecord, inventoryAfterFill, readHoldings } from "./inventory.js";
import { newOrder, scanOpened, trackRepayments } from "./orders.js";
import { orderFacts } from "./settlers.js";
import { type FillerStatus, fillerStatus } from "./status.js";
import { routeOf, Verdicts } from "./verdicts.js";

type Head = { number: bigint; timestamp: number; fees: Fees };
type Heads = ReadonlyMap<number, Head>;
/** An order's two chains, as the filler's keys on them. */
type Legs = { origin: FillerKey; destination: FillerKey };

export class Filler extends PollingAgent {
  readonly #settings: FillerSettings;
  readonly #store: FillerStore;
  readonly #logger: Logger;
  readonly #keys: ReadonlyMap<number, FillerKey>;
  readonly #assets: readonly Asset[];
  readonly #verdicts: Verdicts;
  readonly #address: Address;
  #approved = false;
  #lastRepaymentPoll = 0;
  readonly #pendingPayouts = new Set<Hex>();
  #holdings: Holdings = new Map();

  constructor(config: FillerConfig) {
    const settings = parseFillerSettings(config.settings);
    super("Filler", settings.intervalMs, config.logger);
    this.#settings = settings;
    this.#store = config.store;
    this.#logger = config.logger;
    this.#assets = config.assets ?? defaultAssets(config.network);
    this.#verdicts = new Verdicts(config.store, config.logger, settings.recheckMs);
    const keys = config.network.rollups.map(
      (rollup) => new FillerKey(rollup, config.privateKey, settings.priorityFeeWei),
    );
    this.#keys = new Map(keys.map((key) => [key.rollup.chainId, key]));
    this.#address = keys[0]?.address ?? ("0x" as Address);
  }

  get address(): Address {
    return this.#address;
  }

  /**
   * Gives the filler an order learnt off-chain (a feed, a peer): it is judged like an Open event in the
   * next tick, and filled only if its escrow is open on the origin. Returns the order id.
   */
  async offer(originData: Hex): Promise<Hex> {
    const orderId = orderIdOf(originData);
    await this.#store.addOrder(newOrder(orderId, decodeOrder(originData), originData, "offered"));
    return orderId;
  }

  async status(): Promise<FillerStatus> {
    return fillerStatus({
      address: this.address,
      counts: await this.#store.counts(),
      inventory: holdingsRecord(this.#holdings),
      recent: await this.#store.recent(this.#settings.statusWindow),
    });
  }

  async tick(): Promise<void> {
    const heads = await this.#heads();
    await this.#settleFilling();
    await this.#approveSettlers();
    await this.#scan(heads);
    await this.#fillSeen(heads);
    await this.#trackRepayments();
  }

  // ------------------------------------------------------------------ reading

  async #heads(): Promise<Heads> {
    const entries = await Promise.all(
      [...this.#keys.entries()].map(async ([chainId, key]) => {
        const block = await key.client.getBlock();
        const head = { number: block.number, timestamp: Number(block.timestamp), fees: key.feesAt(block) };
        return [chainId, head] as const;
      }),
    );
    return new Map(entries);
  }

  #settlersOn(rollup: RollupEntry): Address[] {
    return this.#settings.paths.map((path) => rollup.contracts.settlers[path]);
  }

  #legsOf(order: Pick<FillerOrder, "originChainId" | "destinationChainId">): Legs | undefined {
    const origin = this.#keys.get(order.originChainId);
    const destination = this.#keys.get(order.destinationChainId);
    return origin && destination ? { origin, destination } : undefined;
  }

  async #approveSettlers(): Promise<void> {
    if (this.#approved) return;
    await Promise.all(
      [...this.#keys.values()].map((key) => {
        const pairs = this.#assets.flatMap((asset) => {
          const token = asset.tokens.get(key.rollup.chainId);
          return token ? this.#settlersOn(key.rollup).map((spender) => ({ token, spender })) : [];
        });
        return key.approveAll(pairs, this.#settings.receiptTimeoutMs);
      }),
    );
    this.#approved = true;
  }

  async #scan(heads: Heads): Promise<void> {
    await Promise.all(
      [...this.#keys.values()].map(async (key) => {
        const head = heads.get(key.rollup.chainId);
        if (!head) return;
        await scanOpened(key, this.#settlersOn(key.rollup), head.number, this.#store, this.#logger);
      }),
    );
  }

  // ------------------------------------------------------------------ filling

  async #fillSeen(heads: Heads): Promise<void> {
    const now = Date.now();
    const due = (await this.#store.ordersIn(["seen"])).filter((order) =>
      this.#verdicts.isDue(order.orderId, now),
    );
    if (due.length === 0) return;
    const awaiting = await this.#store.ordersIn(["filling", "filled"]);
    this.#holdings = await readHoldings(
      this.#keys,
      this.#assets,
      awaiting.filter((order) => order.state === "filling"),
    );
    const sent: { order: FillerOrder; hash: Hex }[] = [];
    for (const order of due) {
      if (sent.length >= this.#settings.maxFillsPerTick) break;
      const hash = await this.#consider(order, heads, awaiting);
      if (hash) sent.push({ order: { ...order, state: "filling", attempts: order.attempts + 1 }, hash });
    }
    await Promise.all(sent.map(({ order, hash }) => this.#awaitFill(order, hash)));
  }

  /** Judges one order; if it is to be filled, signs, stores and sends the fill and returns its hash. */
  async #consider(
    order: FillerOrder,
    heads: Heads,
    awaiting: readonly FillerOrder[],
  ): Promise<Hex | undefined> {
    const decoded = decodeOrder(order.originData);
    const { data } = decoded;
    const legs = this.#legsOf(order);
    const head = heads.get(order.destinationChainId);
    if (!legs || !head) {
      const reason = this.#keys.has(order.originChainId) ? "unknown-destination" : "unknown-origin";
      return void (await this.#verdicts.skip(order, { kind: "skip", reason, detail: routeOf(order) }));
    }
    const path = pathName(decoded.terms.path);
    if (
      !path ||
      !this.#settings.paths.includes(path) ||
      !sameAddress(legs.destination.rollup.contracts.settlers[path], decoded.settler)
    ) {
      const detail = `settler ${decoded.settler} on path ${path ?? decoded.terms.path}`;
      return void (await this.#verdicts.skip(order, { kind: "skip", reason: "unknown-settler", detail }));
    }
    const outputAsset = assetOf(this.#assets, order.destinationChainId, data.outputToken);
    const holdings = outputAsset && this.#holdings.get(outputAsset.symbol);
    const local = assessLocally({
      order: decoded,
      filler: this.address,
      knownDestination: true,
      inputAsset: assetOf(this.#assets, order.originChainId, data.inputToken)?.symbol,
      outputAsset: outputAsset?.symbol,
      destinationTime: head.timestamp,
      deadlineMargin: this.#settings.deadlineMarginSeconds,
      inventory: holdings?.get(order.destinationChainId) ?? 0n,
    });
    if (local.kind !== "fill" || !holdings) return void (await this.#verdicts.record(order, local));
    const facts = await orderFacts(legs.origin.client, legs.destination.client, decoded, order.orderId);
    const onChain = assessOnChain(facts, this.address);
    if (onChain.kind !== "fill") return void (await this.#verdicts.record(order, onChain));

    const repayment = chooseRepayment({
      originChainId: order.originChainId,
      destinationChainId: order.destinationChainId,
      inventory: inventoryAfterFill(holdings, awaiting, order.destinationChainId, data.outputAmount),
      targetShares: new Map(
        Object.entries(this.#settings.targetShares).map(([id, share]) => [Number(id), share]),
      ),
      tolerance: this.#settings.shareTolerance,
    });
    const call = {
      originData: order.originData,
      settler: decoded.settler,
      repayment:
        repayment.chainId === order.originChainId
          ? undefined
          : { chainId: BigInt(repayment.chainId), address: this.address },
    };
    let gas: bigint;
    try {
      gas = await legs.destination.client.estimateContractGas({ ...fillCall(call), account: this.address });
    } catch (error) {
      return void (await this.#refused(order, `estimate: ${revertName(error) ?? firstLine(error)}`));
    }
    const { gasCost, profit } = profitOf({
      inputAmount: data.inputAmount,
      outputAmount: data.outputAmount,
      gas,
      gasPrice: head.fees.expectedGasPrice,
      gasTokenPrice: this.#settings.gasTokenPrice,
    });
    if (profit < this.#settings.minProfit) {
      const detail = `profit ${profit} after gas ${gasCost} is below ${this.#settings.minProfit}`;
      return void (await this.#verdicts.skip(order, { kind: "skip", reason: "unprofitable", detail }));
    }

    const signed = await this.#signAndStore(order, legs.destination, {
      ...call,
      gas: gasWithHeadroom(gas),
      maxFeePerGas: head.fees.maxFeePerGas,
      maxPriorityFeePerGas: head.fees.maxPriorityFeePerGas,
      repaymentChainId: repayment.chainId,
    });
    if (!signed) return undefined;
    holdings.set(
      order.destinationChainId,
      (holdings.get(order.destinationChainId) ?? 0n) - data.outputAmount,
    );
    this.#logger.info("Filler#fill", "filling", {
      orderId: order.orderId,
      route: routeOf(order),
      path,
      input: data.inputAmount,
      output: data.outputAmount,
      gasCost,
      profit,
      repaymentChainId: repayment.chainId,
      repayment: repayment.reason,
      tx: signed.hash,
    });
    try {
      await legs.destination.sendRaw(signed.serializedTransaction);
    } catch (error) {
      // Stored as filling: the next tick settles it from the chain (and sends the same bytes again).
      this.#logger.warn("Filler#fill", "send failed; settled next tick", {
        orderId: order.orderId,
        tx: signed.hash,
        error: firstLine(error),
      });
      return undefined;
    }
    return signed.hash;
  }

  /**
   * Signs the fill with the key's next nonce and stores it (state filling) before anything is sent.
   * A fill signed but not stored is never sent: its nonce is given back (the key re-reads it).
   */
  async #signAndStore(
    order: FillerOrder,
    key: FillerKey,
    request: Omit<SignFillParameters, "nonce"> & { repaymentChainId: number },
  ): Promise<SignFillReturnType | undefined> {
    let stored = false;
    try {
      const signed = await signFill(key.wallet, { ...request, nonce: await key.nextNonce() });
      const fill = {
        txHash: signed.hash,
        rawTransaction: signed.serializedTransaction,
        repaymentChainId: request.repaymentChainId,
      };
      stored = await this.#store.markFilling(order.orderId, fill, Date.now());
      return stored ? signed : undefined;
    } finally {
      if (!stored) key.resync();
    }
  }

  async #awaitFill(order: FillerOrder, hash: Hex): Promise<void> {
    const destination = this.#keys.get(order.destinationChainId);
    if (!destination) return;
    try {
      const receipt = await destination.client.waitForTransactionReceipt({
        hash,
        timeout: this.#settings.receiptTimeoutMs,
      });
      if (receipt.status === "success") await this.#filled(order, hash);
      else await this.#afterRevert(order);
    } catch (error) {
      this.#logger.warn("Filler#fill", "no receipt yet; settled next tick", {
        orderId: order.orderId,
        tx: hash,
        error: firstLine(error),
      });
    }
  }

  async #filled(order: FillerOrder, hash: Hex, recovered = false): Promise<void> {
    const at = Date.now();
    if (!(await this.#store.markFilled(order.orderId, at))) return;
    this.#verdicts.forget(order.orderId);
    this.#logger.info("Filler#filled", recovered ? "fill found on chain" : "filled", {
      orderId: order.orderId,
      route: routeOf(order),
      tx: hash,
      latencyMs: at - order.seenAt,
    });
  }

  /** The fill's transaction reverted or was dropped: someone else filled, or it is tried again (bounded). */
  async #afterRevert(order: FillerOrder, detail = "fill transaction reverted"): Promise<void> {
    const legs = this.#legsOf(order);
    if (!legs) return;
    const decoded = decodeOrder(order.originData);
    const verdict = assessOnChain(
      await orderFacts(legs.origin.client, legs.destination.client, decoded, order.orderId),
      this.address,
    );
    if (verdict.kind === "skip") await this.#verdicts.skip(order, verdict);
    else await this.#refused(order, detail);
  }

  /** A fill refused at estimation or on chain: it waits and is tried again, up to maxAttempts fills. */
  async #refused(order: FillerOrder, detail: string): Promise<void> {
    if (order.attempts >= this.#settings.maxAttempts) {
      const verdict = {
        kind: "skip",
        reason: "fill-reverted",
        detail: `${detail} (${order.attempts} tries)`,
      } as const;
      await this.#verdicts.skip(order, verdict);
    } else {
      await this.#verdicts.wait(order, { kind: "wait", reason: "fill-refused", detail });
    }
  }

  // --------------------------------------------------------------- recovery

  /**
   * Settles every fill signed earlier without a known outcome, from the chain alone: filled by us
   * (filled), by someone else (skipped), reverted, or never mined with its nonce taken by another
   * transaction (tried again, bounded); otherwise it may still be pending, and the same bytes are sent
   * again (the same nonce and hash: never a second fill).
   */
  async #settleFilling(): Promise<void> {
    for (const order of await this.#store.ordersIn(["filling"])) {
      const legs = this.#legsOf(order);
      if (!legs || !order.txHash || !order.rawTransaction) continue;
      const decoded = decodeOrder(order.originData);
      const facts = await orderFacts(legs.origin.client, legs.destination.client, decoded, order.orderId);
      if (facts.fill === "filled" && sameAddress(facts.filledBy, this.address)) {
        await this.#filled(order, order.txHash, true);
        continue;
      }
      const verdict = assessOnChain(facts, this.address);
      if (verdict.kind === "skip") {
        await this.#verdicts.skip(order, verdict);
        continue;
      }
      const client = legs.destination.client;
      const receipt = await client.getTransactionReceipt({ hash: order.txHash }).catch((error: unknown) => {
        if (error instanceof TransactionReceiptNotFoundError) return undefined;
        throw error;
      });
      if (receipt) {
        await this.#afterRevert(order);
        continue;
      }
      const { nonce } = parseTransaction(order.rawTransaction);
      if (nonce !== undefined && (await client.getTransactionCount({ address: this.address })) > nonce) {
        await this.#refused(order, "fill transaction dropped: its nonce went to another transaction");
        continue;
      }
      this.#logger.info("Filler#recover", "sending the stored fill again", {
        orderId: order.orderId,
        tx: order.txHash,
      });
      await legs.destination.sendRaw(order.rawTransaction).catch((error: unknown) => {
        this.#logger.debug("Filler#recover", "resend refused (already pending?)", {
          error: firstLine(error),
        });
      });
      await this.#awaitFill(order, order.txHash);
    }
  }

  async #trackRepayments(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastRepaymentPoll < this.#settings.repaymentPollMs) return;
    this.#lastRepaymentPoll = now;
    await trackRepayments(this.#keys, this.#store, this.#logger, this.#pendingPayouts);
  }
}

function sameAddress(a: Address, b: Address): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
