// The keeper's copy of the engine's accounts, rebuilt from the engine's events alone (no I/O here):
// collateral per (rollup, token), cash and positions change only through the events below, which carry
// every amount, so applying them in chain order gives exactly the engine's state at the last block
// applied (and which delayed orders are pending). The keeper values these accounts with the TypeScript twin (src/protocol/margin.ts) instead
// of calling the engine once per account per tick.
import { type Address, getAddress } from "viem";
import { collateralKey, type MarginAccount, type Position } from "../../protocol/margin.js";

/** The engine events that change an account (as viem decodes them; other fields are ignored). */
export type LedgerEvent =
  | {
      eventName: "CollateralCredited";
      args: { account: Address; chainId: bigint; token: Address; amount: bigint };
    }
  | {
      eventName: "WithdrawalRequested";
      args: { account: Address; chainId: bigint; token: Address; amount: bigint };
    }
  | {
      eventName: "PositionModified";
      args: { account: Address; marketId: bigint; size: bigint; entryPrice: bigint; realisedPnl: bigint };
    }
  | {
      eventName: "Liquidated";
      args: { account: Address; chainId: bigint; token: Address; repaid: bigint; seized: bigint };
    }
  | { eventName: "DebtRepaid"; args: { account: Address; amount: bigint } }
  | { eventName: "CashWithdrawn"; args: { account: Address; amount: bigint } }
  | {
      eventName: "DustSwept";
      args: { account: Address; chainId: bigint; token: Address; amount: bigint };
    }
  | { eventName: "ShortfallSettled"; args: { account: Address } }
  | { eventName: "OrderRequested"; args: { account: Address; marketId: bigint } }
  | { eventName: "OrderExecuted"; args: { account: Address; marketId: bigint } }
  | { eventName: "OrderCancelled"; args: { account: Address; marketId: bigint } };

export const LEDGER_EVENTS = [
  "CollateralCredited",
  "WithdrawalRequested",
  "PositionModified",
  "Liquidated",
  "DebtRepaid",
  "CashWithdrawn",
  "DustSwept",
  "ShortfallSettled",
  "OrderRequested",
  "OrderExecuted",
  "OrderCancelled",
] as const satisfies readonly LedgerEvent["eventName"][];

type MutableAccount = { collateral: Map<string, bigint>; cash: bigint; positions: Map<number, Position> };

/** A pending delayed order, as the ledger knows it (requested, not yet executed nor cancelled). */
export type PendingOrder = { account: Address; marketId: bigint };

export class MarginLedger {
  readonly #accounts = new Map<Address, MutableAccount>();
  readonly #orders = new Map<string, PendingOrder>();

  /**
   * Applies one event; events must come in chain order (block, then log index), each once. `engine`
   * is the engine's own address: swept dust becomes its collateral there.
   */
  apply(event: LedgerEvent, engine?: Address): void {
    if (
      event.eventName === "OrderRequested" ||
      event.eventName === "OrderExecuted" ||
      event.eventName === "OrderCancelled"
    ) {
      const order = { account: getAddress(event.args.account), marketId: event.args.marketId };
      const key = `${order.account}:${order.marketId}`;
      if (event.eventName === "OrderRequested") this.#orders.set(key, order);
      else this.#orders.delete(key);
      return;
    }
    const account = this.#account(event.args.account);
    switch (event.eventName) {
      case "CollateralCredited":
        add(account.collateral, collateralKey(event.args.chainId, event.args.token), event.args.amount);
        return;
      case "WithdrawalRequested":
        add(account.collateral, collateralKey(event.args.chainId, event.args.token), -event.args.amount);
        return;
      case "PositionModified": {
        const { marketId, size, entryPrice, realisedPnl } = event.args;
        account.positions.set(Number(marketId), { size, entryPrice });
        account.cash += realisedPnl;
        return;
      }
      case "Liquidated":
        add(account.collateral, collateralKey(event.args.chainId, event.args.token), -event.args.seized);
        account.cash += event.args.repaid;
        return;
      case "DebtRepaid":
        account.cash += event.args.amount;
        return;
      case "CashWithdrawn":
        account.cash -= event.args.amount;
        return;
      case "DustSwept": {
        const key = collateralKey(event.args.chainId, event.args.token);
        add(account.collateral, key, -event.args.amount);
        if (engine) add(this.#account(engine).collateral, key, event.args.amount);
        return;
      }
      case "ShortfallSettled":
        // The fund and bad debt take the whole debt: the engine sets the cash to zero.
        account.cash = 0n;
        return;
    }
  }

  /** The orders requested and not yet executed nor cancelled, oldest request first. */
  pendingOrders(): PendingOrder[] {
    return [...this.#orders.values()];
  }

  /** Every account that ever appeared in an event. */
  addresses(): Address[] {
    return [...this.#accounts.keys()];
  }

  get size(): number {
    return this.#accounts.size;
  }

  /** The account as the engine holds it (an empty one for an address never seen). */
  account(address: Address): MarginAccount {
    return (
      this.#accounts.get(getAddress(address)) ?? { collateral: new Map(), cash: 0n, positions: new Map() }
    );
  }

  #account(address: Address): MutableAccount {
    const key = getAddress(address);
    let account = this.#accounts.get(key);
    if (!account) {
      account = { collateral: new Map(), cash: 0n, positions: new Map() };
      this.#accounts.set(key, account);
    }
    return account;
  }
}

function add(map: Map<string, bigint>, key: string, amount: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + amount);
}
