// Keeper: liquidates the margin engine's unhealthy accounts and executes its delayed orders. Each tick it:
//   1. settles the liquidations it signed earlier and has no outcome for (after a restart, or a receipt
//      that did not come in time) from the chain alone: the receipt of the stored hash, else the nonce,
//      else the same bytes sent again (same nonce, same hash: never a second liquidation);
//   2. reads the engine's new events into its ledger (ledger.ts) up to the head, and the engine's
//      configuration and prices at the head;
//   3. values every account with the TypeScript twin and plans a liquidation for each one under health 1
//      (under the stale bar on stale prices) that no liquidation of its own is still pending for
//      (decide.ts), the least healthy first, within its JUSD;
//   4. estimates every call at once (a refusal because the account is healthy again or has nothing left is
//      "taken": another keeper got there first), then in nonce order signs each, stores it (state sent) and only then sends it;
//   5. awaits the receipts: landed, or reverted — taken when the engine refuses it for the same reasons;
//   6. executes the delayed orders whose price has come (orders.ts): traders' positions change only so.
import { type Address, erc20Abi, parseEventLogs, TransactionReceiptNotFoundError } from "viem";
import { rollupOf } from "../../chain/manifest.js";
import { revertName } from "../../chain/revert.js";
import { marginEngineAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import { gasWithHeadroom } from "../../sdk/outboxGas.js";
import type { KeeperStore, LiquidationRecord } from "../../store/keeper-store.js";
import { PollingAgent } from "../agent.js";
import { mapWithConcurrency } from "../concurrent.js";
import { type KeeperConfig, type KeeperSettings, parseKeeperSettings } from "./config.js";
import { assessAccount, type EngineView, type LiquidationPlan } from "./decide.js";
import { liquidationsOf, readEngineView, scanEngine } from "./engine-view.js";
import { HubKey, type LiquidateArgs } from "./hub-key.js";
import { MarginLedger } from "./ledger.js";
import { executeReadyOrders } from "./orders.js";

/** The engine's refusals that mean the liquidation is no longer there to take. */
const TAKEN_REFUSALS = new Set(["AccountHealthy", "NothingToLiquidate"]);

export type KeeperStatus = {
  address: Address;
  accounts: number;
  scannedBlock: string;
  liquidations: Record<string, number>;
  recent: Pick<LiquidationRecord, "account" | "txHash" | "state" | "reason" | "chainId">[];
};

export class Keeper extends PollingAgent {
  readonly #settings: KeeperSettings;
  readonly #store: KeeperStore;
  readonly #logger: Logger;
  readonly #key: HubKey;
  readonly #margin: KeeperConfig["network"]["margin"];
  readonly #ledger = new MarginLedger();
  #scanned: bigint;
  #approved = false;

  constructor(config: KeeperConfig) {
    const settings = parseKeeperSettings(config.settings);
    super("Keeper", settings.intervalMs, config.logger);
    this.#settings = settings;
    this.#store = config.store;
    this.#logger = config.logger;
    this.#margin = config.network.margin;
    const hub = rollupOf(config.network, this.#margin.hubChainId);
    this.#key = new HubKey(hub, this.#margin.engine, config.privateKey, settings.priorityFeeWei);
    // The engine is deployed after the rollup's messaging contracts: its events all come later.
    this.#scanned = BigInt(hub.deployBlock) - 1n;
  }

  get address(): Address {
    return this.#key.address;
  }

  async status(): Promise<KeeperStatus> {
    const recent = await this.#store.recent(this.#settings.statusWindow);
    return {
      address: this.address,
      accounts: this.#ledger.size,
      scannedBlock: this.#scanned.toString(),
      liquidations: await this.#store.counts(),
      recent: recent.map(({ account, txHash, state, reason, chainId }) => ({
        account,
        txHash,
        state,
        reason,
        chainId,
      })),
    };
  }

  async tick(): Promise<void> {
    if (!this.#approved) {
      await this.#key.approveEngine(this.#settings.receiptTimeoutMs);
      this.#approved = true;
    }
    await this.#settleSent();
    const head = await this.#key.client.getBlockNumber();
    if (head > this.#scanned) {
      const range = { from: this.#scanned + 1n, to: head, chunk: this.#settings.logChunk };
      await scanEngine(this.#key.client, this.#margin.engine, this.#ledger, range);
      this.#scanned = head;
    }
    const view = await readEngineView(this.#key.client, this.#margin, head);
    const plans = await this.#plan(view, head);
    // Estimates are independent reads: run them together. Signing, storing and sending stay in nonce
    // order, one after another.
    const gases = await mapWithConcurrency(plans, this.#settings.estimateConcurrency, (plan) =>
      this.#estimate(plan, head),
    );
    const sent: { plan: LiquidationPlan; record: LiquidationRecord }[] = [];
    for (const [index, plan] of plans.entries()) {
      const gas = gases[index];
      if (gas === undefined) continue;
      const record = await this.#send(plan, gas, head);
      if (record) sent.push({ plan, record });
    }
    await Promise.all(sent.map(({ plan, record }) => this.#await(record, plan)));
    await executeReadyOrders(this.#key, this.#ledger.pendingOrders(), this.#settings, this.#logger);
  }

  // ------------------------------------------------------------------ planning

  async #plan(view: EngineView, head: bigint): Promise<LiquidationPlan[]> {
    const busy = new Set((await this.#store.inState(["sent"])).map((record) => record.account.toLowerCase()));
    let budget = await this.#key.client.readContract({
      address: this.#key.hub.contracts.bridgedToken,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [this.address],
      blockNumber: head,
    });
    const cap = this.#settings.maxRepay;
    const candidates: LiquidationPlan[] = [];
    for (const address of this.#ledger.addresses()) {
      if (busy.has(address.toLowerCase())) continue;
      const assessment = this.#assess(address, view, cap !== undefined && cap < budget ? cap : budget);
      if (assessment?.kind === "liquidate") candidates.push(assessment.plan);
      else if (assessment?.kind === "settle") await this.#settleShortfall(address, assessment.debt);
      else if (assessment?.kind === "stuck") {
        this.#logger.debug("Keeper#plan", "unhealthy but nothing to take", {
          account: address,
          reason: assessment.reason,
        });
      }
    }
    candidates.sort((a, b) => (a.health < b.health ? -1 : a.health > b.health ? 1 : 0));
    const plans: LiquidationPlan[] = [];
    for (const candidate of candidates.slice(0, this.#settings.maxPerTick)) {
      // Earlier plans spend the budget: plan again with what is left when this one needs more.
      let plan: LiquidationPlan | undefined = candidate;
      if (candidate.maxRepay > budget) {
        const again = this.#assess(candidate.account, view, budget);
        plan = again?.kind === "liquidate" ? again.plan : undefined;
      }
      if (!plan) continue;
      budget -= plan.maxRepay;
      plans.push(plan);
    }
    return plans;
  }

  #assess(address: Address, view: EngineView, budget: bigint) {
    try {
      return assessAccount(address, this.#ledger.account(address), view, budget);
    } catch (error) {
      this.#logger.warn("Keeper#plan", "cannot value account", { account: address, error: firstLine(error) });
      return undefined;
    }
  }

  /**
   * Clears a debt that nothing but dust backs any more. Not stored first: a second call (after a
   * restart, or by another keeper) is refused `NoShortfall` and changes nothing.
   */
  async #settleShortfall(account: Address, debt: bigint): Promise<void> {
    try {
      const hash = await this.#key.settleShortfall(account);
      const receipt = await this.#key.client.waitForTransactionReceipt({
        hash,
        timeout: this.#settings.receiptTimeoutMs,
      });
      this.#logger.info("Keeper#settle", "shortfall settled", {
        account,
        debt,
        tx: hash,
        status: receipt.status,
      });
    } catch (error) {
      const name = revertName(error);
      const level = name === "NoShortfall" ? "debug" : "warn";
      this.#logger[level]("Keeper#settle", "shortfall not settled", {
        account,
        reason: name ?? firstLine(error),
      });
    }
  }

  // ------------------------------------------------------------------ sending

  /** The liquidation's gas estimate; undefined (and the refusal recorded) when the engine refuses it. */
  async #estimate(plan: LiquidationPlan, head: bigint): Promise<bigint | undefined> {
    try {
      return await this.#key.estimateLiquidation(argsOf(plan));
    } catch (error) {
      await this.#refused(plan.account, revertName(error), firstLine(error), head, undefined);
      return undefined;
    }
  }

  /** Signs, stores (state sent) and sends one estimated liquidation; undefined when it is not sent. */
  async #send(plan: LiquidationPlan, gas: bigint, head: bigint): Promise<LiquidationRecord | undefined> {
    const args = argsOf(plan);
    let stored = false;
    let record: LiquidationRecord | undefined;
    try {
      const signed = await this.#key.signLiquidation(args, gasWithHeadroom(gas));
      const liquidation = {
        txHash: signed.hash,
        rawTransaction: signed.raw,
        nonce: signed.nonce,
        account: plan.account,
        marketId: plan.marketId,
        chainId: plan.chainId,
        token: plan.token,
        maxRepay: plan.maxRepay,
        plannedBlock: head,
        sentAt: Date.now(),
      };
      await this.#store.recordSent(liquidation);
      stored = true;
      record = { ...liquidation, state: "sent", reason: undefined, outcome: undefined, settledAt: undefined };
    } finally {
      // A signature never stored is never sent: its nonce is given back.
      if (!stored) this.#key.resync();
    }
    this.#logger.info("Keeper#liquidate", "liquidating", {
      account: plan.account,
      health: plan.health,
      stale: plan.stale,
      full: plan.full,
      marketId: plan.marketId,
      chainId: plan.chainId,
      token: plan.token,
      expected: plan.expected,
      tx: record.txHash,
    });
    try {
      await this.#key.send(record.rawTransaction);
    } catch (error) {
      // Stored as sent: the next tick settles it from the chain (and sends the same bytes again).
      this.#logger.warn("Keeper#liquidate", "send failed; settled next tick", {
        tx: record.txHash,
        error: firstLine(error),
      });
      return undefined;
    }
    return record;
  }

  async #await(record: LiquidationRecord, plan?: LiquidationPlan): Promise<void> {
    try {
      const receipt = await this.#key.client.waitForTransactionReceipt({
        hash: record.txHash,
        timeout: this.#settings.receiptTimeoutMs,
      });
      await this.#settle(record, receipt, plan);
    } catch (error) {
      this.#logger.warn("Keeper#liquidate", "no receipt yet; settled next tick", {
        tx: record.txHash,
        error: firstLine(error),
      });
    }
  }

  async #settle(
    record: LiquidationRecord,
    receipt: {
      status: "success" | "reverted";
      blockNumber: bigint;
      logs: Parameters<typeof parseEventLogs>[0]["logs"];
    },
    plan?: LiquidationPlan,
  ): Promise<void> {
    if (receipt.status === "success") {
      const [event] = parseEventLogs({ abi: marginEngineAbi, logs: receipt.logs, eventName: "Liquidated" });
      const outcome = {
        block: receipt.blockNumber,
        closedSize: event?.args.closedSize ?? 0n,
        repaid: event?.args.repaid ?? 0n,
        seized: event?.args.seized ?? 0n,
        messageId: event && BigInt(event.args.messageId) !== 0n ? event.args.messageId : undefined,
      };
      if (!(await this.#store.markLanded(record.txHash, outcome, Date.now()))) return;
      this.#logger.info("Keeper#landed", "liquidated", {
        account: record.account,
        tx: record.txHash,
        chainId: record.chainId,
        ...outcome,
        expected: plan?.expected,
        latencyMs: Date.now() - record.sentAt,
      });
      return;
    }
    let name: string | undefined;
    let detail = "liquidation reverted";
    try {
      await this.#key.simulateAt(argsOf(record), receipt.blockNumber);
    } catch (error) {
      name = revertName(error);
      detail = firstLine(error);
    }
    await this.#refused(record.account, name, detail, record.plannedBlock, record, receipt.blockNumber);
  }

  /**
   * The engine refused a liquidation (at estimation, or on chain for `record`). Healthy again or nothing
   * left means someone else liquidated it (or the price recovered): taken, not an error.
   */
  async #refused(
    account: Address,
    name: string | undefined,
    detail: string,
    from: bigint,
    record: LiquidationRecord | undefined,
    to?: bigint,
  ): Promise<void> {
    if (name !== undefined && TAKEN_REFUSALS.has(name)) {
      const head = to ?? (await this.#key.client.getBlockNumber());
      const others = (
        await liquidationsOf(this.#key.client, this.#margin.engine, account, { from, to: head })
      ).filter((event) => event.args.liquidator.toLowerCase() !== this.address.toLowerCase());
      const winner = others[0];
      // At estimation the winner may still be pending (the node estimates on its pool): no event yet.
      const reason = winner
        ? `taken by ${winner.args.liquidator} in block ${winner.blockNumber} (${name})`
        : `no longer liquidatable (${name}): another liquidation is pending, or the account recovered`;
      if (record) await this.#store.markSettled(record.txHash, "taken", reason, Date.now());
      this.#logger.info("Keeper#taken", "liquidation already taken", {
        keeper: this.address,
        account,
        reason,
        by: winner?.args.liquidator,
        tx: record?.txHash,
        refusedAt: record ? "on chain" : "estimate",
      });
      return;
    }
    if (record)
      await this.#store.markSettled(record.txHash, "failed", `${name ?? "reverted"}: ${detail}`, Date.now());
    this.#logger.warn("Keeper#refused", "liquidation refused", {
      account,
      reason: name ?? detail,
      tx: record?.txHash,
    });
  }

  // --------------------------------------------------------------- recovery

  /**
   * Settles every liquidation signed earlier without a known outcome, from the chain alone: its receipt
   * (landed, taken or failed); no receipt and its nonce taken by another transaction (dropped); else it
   * may still be pending, and the same bytes are sent again (same nonce and hash: never a second one).
   */
  async #settleSent(): Promise<void> {
    for (const record of await this.#store.inState(["sent"])) {
      const client = this.#key.client;
      const receipt = await client.getTransactionReceipt({ hash: record.txHash }).catch((error: unknown) => {
        if (error instanceof TransactionReceiptNotFoundError) return undefined;
        throw error;
      });
      if (receipt) {
        await this.#settle(record, receipt);
        continue;
      }
      if ((await client.getTransactionCount({ address: this.address })) > record.nonce) {
        await this.#store.markSettled(
          record.txHash,
          "dropped",
          "its nonce went to another transaction",
          Date.now(),
        );
        this.#logger.warn("Keeper#recover", "liquidation dropped", {
          account: record.account,
          tx: record.txHash,
        });
        continue;
      }
      this.#logger.info("Keeper#recover", "sending the stored liquidation again", {
        account: record.account,
        tx: record.txHash,
      });
      await this.#key.send(record.rawTransaction).catch((error: unknown) => {
        this.#logger.debug("Keeper#recover", "resend refused (already pending?)", {
          error: firstLine(error),
        });
      });
      await this.#await(record);
    }
  }
}

function argsOf(
  plan: Pick<LiquidationPlan, "account" | "marketId" | "chainId" | "token" | "maxRepay">,
): LiquidateArgs {
  return [plan.account, BigInt(plan.marketId), BigInt(plan.chainId), plan.token, plan.maxRepay];
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
