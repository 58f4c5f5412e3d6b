// What the indexer does with the apps' events on a rollup: the BondManager's bonds and slashes and the
// liquidity router's orders. Each handler reads what it needs from the chain first and pushes the write
// (rows, stream events, metrics) for the indexer to run inside its one transaction per scan.
import type { Address, Hex, Log } from "viem";
import type { JunctionPublicClient } from "../chain/clients.js";
import type { RollupEntry } from "../chain/manifest.js";
import { clientOf } from "../sdk/network.js";
import type { IndexStore } from "./index-store.js";
import { type OpenLog, openedOrder, settlerPath } from "./intent-index.js";
import type { ApiMetrics } from "./metrics.js";

/** A log decoded against the indexer's ABIs. */
export type DecodedLog = Log<bigint, number, false> & {
  eventName: string;
  args: Record<string, unknown>;
  transactionHash: Hex;
  blockNumber: bigint;
};

export type EventContext = {
  store: IndexStore;
  metrics: ApiMetrics;
  /** A block's timestamp (cached by the indexer). */
  timestamp: (client: JunctionPublicClient, blockNumber: bigint) => Promise<number>;
};

export function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** An IntentSettler event of `rollup`: an order opened, filled, repaid or refunded. */
export async function prepareIntent(
  { store, metrics, timestamp: timestampOf }: EventContext,
  rollup: RollupEntry,
  log: DecodedLog,
  rest: (() => void)[],
): Promise<void> {
  const path = settlerPath(rollup, log.address) as string;
  const orderId = log.args.orderId as Hex;
  const timestamp = () => timestampOf(clientOf(rollup), log.blockNumber);
  if (log.eventName === "Open") {
    const order = openedOrder(log.args as unknown as OpenLog, log.address);
    if (!order) return;
    const opened = {
      orderId,
      originChainId: rollup.chainId,
      destinationChainId: Number(order.data.destinationChainId),
      path,
      user: order.user,
      inputAmount: order.data.inputAmount.toString(),
      outputAmount: order.data.outputAmount.toString(),
      tx: log.transactionHash,
      timestamp: await timestamp(),
    };
    rest.push(() => {
      const indexed = store.intents.recordOpen(opened);
      if (!indexed) return;
      store.appendEvent("intent", indexed);
      metrics.intents.inc({ event: "opened", path });
      if (indexed.fillSeconds !== null) metrics.fillLatency.observe({ path }, indexed.fillSeconds);
    });
  } else if (log.eventName === "Filled") {
    const fill = {
      filler: log.args.filler as Address,
      tx: log.transactionHash,
      timestamp: await timestamp(),
    };
    rest.push(() => {
      const indexed = store.intents.recordFill(orderId, fill);
      metrics.intents.inc({ event: "filled", path });
      if (!indexed) return; // its Open comes in a later scan, which observes the latency
      store.appendEvent("intent", indexed);
      if (indexed.fillSeconds !== null) metrics.fillLatency.observe({ path }, indexed.fillSeconds);
    });
  } else if (log.eventName === "Repaid" || log.eventName === "Refunded") {
    const state = log.eventName === "Repaid" ? "repaid" : "refunded";
    const at = await timestamp();
    rest.push(() => {
      const indexed = store.intents.recordSettled(orderId, state, log.transactionHash, at);
      metrics.intents.inc({ event: state, path });
      if (indexed) store.appendEvent("intent", indexed);
    });
  }
}

/** A BondManager event on `chainId`: a bond posted, being withdrawn, withdrawn or slashed. */
export function prepareBond(
  { store, metrics }: EventContext,
  chainId: number,
  log: DecodedLog,
  rest: (() => void)[],
): void {
  const attester = log.args.attester as Hex | undefined;
  if (!attester) return;
  const current = () =>
    store.getBond(chainId, attester) ?? {
      chainId,
      attester,
      amount: "0",
      withdrawableAt: null,
      slashed: false,
    };
  if (log.eventName === "Bonded") {
    rest.push(() => {
      const bond = { ...current(), amount: String(log.args.total) };
      store.upsertBond(bond);
      store.appendEvent("bond", bond);
    });
  } else if (log.eventName === "WithdrawalRequested") {
    rest.push(() => {
      const bond = { ...current(), withdrawableAt: Number(log.args.withdrawableAt) };
      store.upsertBond(bond);
      store.appendEvent("bond", bond);
    });
  } else if (log.eventName === "Withdrawn") {
    rest.push(() => {
      const bond = { ...current(), amount: "0", withdrawableAt: null };
      store.upsertBond(bond);
      store.appendEvent("bond", bond);
    });
  } else if (log.eventName === "AttesterSlashed") {
    rest.push(() => {
      const bond = { ...current(), amount: "0", slashed: true };
      store.upsertBond(bond);
      store.appendEvent("slash", {
        chainId,
        attester,
        prover: log.args.prover,
        count: String(log.args.count),
        root: log.args.root,
        reward: String(log.args.reward),
        burned: String(log.args.burned),
        tx: log.transactionHash,
      });
      metrics.slashes.inc({ chain: String(chainId) });
    });
  }
}
