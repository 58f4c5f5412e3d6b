// What the rebalancer watches on every rollup: orders opened (their routes), fills paid by the pool
// (the flow it measures demand with) and liquidity the pools sent each other (in flight until the
// destination's Inbox delivers it). Cursors live in memory: a restarted rebalancer reads the last
// `lookbackBlocks` again, and what it reads back counts as seen at that moment.
import type { Address, Hex } from "viem";
import type { JunctionPublicClient } from "../../chain/clients.js";
import { getFills, getLiquiditySent, getOpenedOrders } from "../../chain/intent-events.js";
import type { RollupEntry } from "../../chain/manifest.js";
import { inboxAbi } from "../../contracts/generated/index.js";
import type { IntentPath } from "../../protocol/intents.js";
import { settlerAbi } from "../../sdk/intentSettler.js";
import { FlowWindow } from "./flow-window.js";

export type Chain = { entry: RollupEntry; client: JunctionPublicClient };
export type Transfer = { messageId: Hex; from: number; to: number; amount: bigint };

/** Inbox.Status: Delivered, and Expired (the source reclaims it: no longer on its way). */
const DELIVERED = 1;
const EXPIRED = 3;
/** Routes of opened orders are kept this long past the window (a pool fill may come much later). */
const ROUTE_MEMORY = 10_000;

export class FlowObserver {
  /** Volume the pools paid out, per route. */
  readonly poolFlow: FlowWindow;
  /** Volume opened, per route (all orders, whoever fills them): context for the decisions. */
  readonly openFlow: FlowWindow;
  readonly #cursors = new Map<number, bigint>();
  readonly #routes = new Map<Hex, number>();
  readonly #inFlight = new Map<Hex, Transfer>();
  #poolFlowSeen = 0n;

  constructor(
    private readonly chains: ReadonlyMap<number, Chain>,
    private readonly paths: readonly IntentPath[],
    private readonly lookbackBlocks: number,
    windowMs: number,
    buckets: number,
  ) {
    this.poolFlow = new FlowWindow(windowMs, buckets);
    this.openFlow = new FlowWindow(windowMs, buckets);
  }

  /** All the volume the pools paid out since this observer started. */
  get poolFlowSeen(): bigint {
    return this.#poolFlowSeen;
  }

  inFlight(): Transfer[] {
    return [...this.#inFlight.values()];
  }

  /** Reads new events on every chain (opens first, so fills find their routes), then deliveries. */
  async scan(now: number): Promise<void> {
    const ranges = await Promise.all(
      [...this.chains.values()].map(async (chain) => {
        const head = await chain.client.getBlockNumber();
        const known = this.#cursors.get(chain.entry.chainId);
        const start = BigInt(chain.entry.deployBlock);
        const back = head - BigInt(this.lookbackBlocks);
        const from = known === undefined ? (back > start ? back : start) : known + 1n;
        return { chain, from, to: head };
      }),
    );
    for (const { chain, from, to } of ranges) if (from <= to) await this.#scanOpens(chain, from, to, now);
    for (const { chain, from, to } of ranges) {
      if (from > to) continue;
      await this.#scanPool(chain, from, to, now);
      this.#cursors.set(chain.entry.chainId, to);
    }
    await this.#dropDelivered();
    if (this.#routes.size > ROUTE_MEMORY) {
      for (const id of [...this.#routes.keys()].slice(0, this.#routes.size - ROUTE_MEMORY))
        this.#routes.delete(id);
    }
  }

  /** Records a transfer this rebalancer just sent (before the scan reads its event). */
  sent(transfer: Transfer): void {
    this.#inFlight.set(transfer.messageId, transfer);
  }

  #settlers(chain: Chain): Address[] {
    return this.paths.map((path) => chain.entry.contracts.settlers[path]);
  }

  async #scanOpens(chain: Chain, from: bigint, to: bigint, now: number): Promise<void> {
    for (const opened of await getOpenedOrders(chain.client, this.#settlers(chain), from, to)) {
      const destination = Number(opened.order.data.destinationChainId);
      this.#routes.set(opened.orderId, Number(opened.order.originChainId));
      this.openFlow.add(Number(opened.order.originChainId), destination, opened.order.data.outputAmount, now);
    }
  }

  async #scanPool(chain: Chain, from: bigint, to: bigint, now: number): Promise<void> {
    const pool = chain.entry.contracts.liquidityPool;
    const fills = await getFills(chain.client, this.#settlers(chain), from, to, { filler: pool });
    for (const fill of fills) {
      const origin =
        this.#routes.get(fill.orderId) ?? (await this.#provenOrigin(chain, fill.settler, fill.orderId));
      if (origin === undefined) continue;
      this.poolFlow.add(origin, chain.entry.chainId, fill.outputAmount, now);
      this.#poolFlowSeen += fill.outputAmount;
    }
    for (const sent of await getLiquiditySent(chain.client, pool, from, to)) {
      this.#inFlight.set(sent.messageId, {
        messageId: sent.messageId,
        from: chain.entry.chainId,
        to: sent.chainId,
        amount: sent.repaid + sent.lent,
      });
    }
  }

  /** A pool fills only orders their origin proved open on its chain: the settler knows the origin. */
  async #provenOrigin(chain: Chain, settler: Address, orderId: Hex): Promise<number | undefined> {
    const origin = await chain.client.readContract({
      address: settler,
      abi: settlerAbi,
      functionName: "openProvenFrom",
      args: [orderId],
    });
    return origin === 0n ? undefined : Number(origin);
  }

  async #dropDelivered(): Promise<void> {
    await Promise.all(
      this.inFlight().map(async (transfer) => {
        const destination = this.chains.get(transfer.to);
        if (!destination) return void this.#inFlight.delete(transfer.messageId);
        const status = await destination.client.readContract({
          address: destination.entry.contracts.inbox,
          abi: inboxAbi,
          functionName: "status",
          args: [transfer.messageId],
        });
        if (status === DELIVERED || status === EXPIRED) this.#inFlight.delete(transfer.messageId);
      }),
    );
  }
}
