// Rebalancer: keeps each rollup's LiquidityPool within a band around a target share of the pools'
// liquidity. Each tick it reads new events (observer.ts), every pool's books, decides (bands.ts: the
// demand measured from the pools' net flows per route over the window, their volatility and the pools'
// utilisation), logs the decision with its inputs and reason, and carries out its moves with
// `LiquidityPool.sendLiquidity`, signed by the pools' rebalancer key (a twin owed money is repaid first).
import { type Address, type Hex, parseEventLogs } from "viem";
import { type JunctionWalletClient, publicClientFor, walletClientFor } from "../../chain/clients.js";
import { revertName } from "../../chain/revert.js";
import { junctionErrorsAbi } from "../../contracts/errors.js";
import { liquidityPoolAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import { gasWithHeadroom } from "../../sdk/outboxGas.js";
import { PollingAgent } from "../agent.js";
import { type BandSettings, type Decision, decide, type Move, type PoolState } from "./bands.js";
import { parseRebalancerSettings, type RebalancerConfig, type RebalancerSettings } from "./config.js";
import { routeTotals } from "./flow-window.js";
import { type Chain, FlowObserver, type Transfer } from "./observer.js";

const poolAbi = [...liquidityPoolAbi, ...junctionErrorsAbi] as const;

/** A decision as kept and shown: when, what it saw and decided, and what became of each move. */
export type DecisionRecord = Decision & {
  at: string;
  /** Consecutive identical decisions folded into this one (moves are never folded). */
  repeated: number;
  poolFlows: { from: number; to: number; volume: bigint }[];
  openFlows: { from: number; to: number; volume: bigint }[];
  executed: (Move & { messageId?: Hex; error?: string })[];
};

export type RebalancerStatus = {
  address: Address;
  /** Liquidity moved between pools since start. */
  totalMoved: bigint;
  moves: number;
  /** Volume the pools paid out since start: what moving each fill's amount back would have moved. */
  poolFlowSeen: bigint;
  inFlight: Transfer[];
  decisions: DecisionRecord[];
};

export class Rebalancer extends PollingAgent {
  readonly #settings: RebalancerSettings;
  readonly #logger: Logger;
  readonly #chains: Map<number, Chain & { wallet: JunctionWalletClient }>;
  readonly #observer: FlowObserver;
  readonly #history: DecisionRecord[] = [];
  readonly #bands: BandSettings;
  #totalMoved = 0n;
  #moves = 0;

  constructor(config: RebalancerConfig) {
    const settings = parseRebalancerSettings(config.settings);
    super("Rebalancer", settings.intervalMs, config.logger);
    this.#settings = settings;
    this.#logger = config.logger;
    this.#chains = new Map(
      config.network.rollups.map((entry) => [
        entry.chainId,
        { entry, client: publicClientFor(entry), wallet: walletClientFor(entry, config.privateKey) },
      ]),
    );
    this.#observer = new FlowObserver(
      this.#chains,
      settings.paths,
      settings.lookbackBlocks,
      settings.windowMs,
      settings.buckets,
    );
    this.#bands = {
      baseShares: new Map(Object.entries(settings.baseShares).map(([id, weight]) => [Number(id), weight])),
      threshold: settings.threshold,
      volatilityZ: settings.volatilityZ,
      maxDemandShare: settings.maxDemandShare,
      maxUtilisation: settings.maxUtilisation,
      minMove: settings.minMove,
      netting: settings.netting,
    };
  }

  get address(): Address {
    const [chain] = this.#chains.values();
    return chain?.wallet.account.address ?? ("0x" as Address);
  }

  status(): RebalancerStatus {
    return {
      address: this.address,
      totalMoved: this.#totalMoved,
      moves: this.#moves,
      poolFlowSeen: this.#observer.poolFlowSeen,
      inFlight: this.#observer.inFlight(),
      decisions: [...this.#history],
    };
  }

  async tick(): Promise<void> {
    const now = Date.now();
    await this.#observer.scan(now);
    const pools = await this.#readPools();
    const poolRoutes = this.#observer.poolFlow.routes(now);
    const decision = decide(pools, poolRoutes, this.#bands);
    const record: DecisionRecord = {
      ...decision,
      at: new Date(now).toISOString(),
      repeated: 1,
      poolFlows: routeTotals(poolRoutes),
      openFlows: routeTotals(this.#observer.openFlow.routes(now)),
      executed: [],
    };
    for (const move of decision.moves) record.executed.push(await this.#send(move));
    this.#keep(record);
  }

  async #readPools(): Promise<PoolState[]> {
    const incoming = new Map<number, bigint>();
    for (const transfer of this.#observer.inFlight()) {
      incoming.set(transfer.to, (incoming.get(transfer.to) ?? 0n) + transfer.amount);
    }
    return Promise.all(
      [...this.#chains.values()].map(async ({ entry, client }) => {
        const pool = entry.contracts.liquidityPool;
        const twins = [...this.#chains.keys()].filter((chainId) => chainId !== entry.chainId);
        const read = <N extends "idle" | "outstanding">(functionName: N) =>
          client.readContract({ address: pool, abi: liquidityPoolAbi, functionName });
        const [idle, outstanding, debts] = await Promise.all([
          read("idle"),
          read("outstanding"),
          Promise.all(
            twins.map(
              async (twin) =>
                [
                  twin,
                  await client.readContract({
                    address: pool,
                    abi: liquidityPoolAbi,
                    functionName: "borrowedFrom",
                    args: [BigInt(twin)],
                  }),
                ] as const,
            ),
          ),
        ]);
        return {
          chainId: entry.chainId,
          idle,
          outstanding,
          incoming: incoming.get(entry.chainId) ?? 0n,
          borrowedFrom: new Map(debts),
        };
      }),
    );
  }

  /** One move: `sendLiquidity` on the source pool; the transfer is in flight until delivered. */
  async #send(move: Move): Promise<DecisionRecord["executed"][number]> {
    const source = this.#chains.get(move.from);
    if (!source) return { ...move, error: "unknown chain" };
    const request = {
      address: source.entry.contracts.liquidityPool,
      abi: poolAbi,
      functionName: "sendLiquidity",
      args: [BigInt(move.to), move.amount],
    } as const;
    try {
      const account = source.wallet.account;
      const gas = gasWithHeadroom(await source.client.estimateContractGas({ ...request, account }));
      const hash = await source.wallet.writeContract({ ...request, gas });
      const receipt = await source.client.waitForTransactionReceipt({
        hash,
        timeout: this.#settings.receiptTimeoutMs,
      });
      const [sent] = parseEventLogs({
        abi: liquidityPoolAbi,
        logs: receipt.logs,
        eventName: "LiquiditySent",
      });
      if (receipt.status !== "success" || !sent) return { ...move, error: `sendLiquidity ${hash} reverted` };
      this.#observer.sent({
        messageId: sent.args.messageId,
        from: move.from,
        to: move.to,
        amount: move.amount,
      });
      this.#totalMoved += move.amount;
      this.#moves += 1;
      return { ...move, messageId: sent.args.messageId };
    } catch (error) {
      source.wallet.account.nonceManager?.reset({
        address: source.wallet.account.address,
        chainId: move.from,
      });
      const reason =
        revertName(error) ?? (error instanceof Error ? error.message.split("\n")[0] : String(error));
      return { ...move, error: reason };
    }
  }

  /**
   * Logs the decision and keeps the last N. A decision without moves that repeats the last one (same
   * reason, same bands) is logged at debug and folded into it, so a quiet network does not flood the
   * log or push the decisions that moved something out of the history.
   */
  #keep(record: DecisionRecord): void {
    const last = this.#history[this.#history.length - 1];
    const fields = {
      reason: record.reason,
      total: record.total,
      grossFlow: record.grossFlow,
      pools: record.pools,
      poolFlows: record.poolFlows,
      openFlows: record.openFlows,
      moves: record.executed,
    };
    if (record.moves.length === 0 && last && last.moves.length === 0 && sameShape(last, record)) {
      // Keep the latest figures, and how many decisions in a row said the same.
      this.#history[this.#history.length - 1] = { ...record, repeated: last.repeated + 1 };
      this.#logger.debug("Rebalancer#decide", "no move", fields);
      return;
    }
    const failed = record.executed.some((move) => move.error !== undefined);
    this.#logger[failed ? "warn" : "info"](
      "Rebalancer#decide",
      record.moves.length > 0 ? "moving liquidity" : "no move",
      fields,
    );
    this.#history.push(record);
    if (this.#history.length > this.#settings.historySize) this.#history.shift();
  }
}

/** Same reason and the same band per pool: a repeat worth folding. */
function sameShape(a: DecisionRecord, b: DecisionRecord): boolean {
  return (
    a.reason.replace(/\d+/g, "#") === b.reason.replace(/\d+/g, "#") &&
    a.pools.every((pool, i) => pool.band === b.pools[i]?.band)
  );
}
