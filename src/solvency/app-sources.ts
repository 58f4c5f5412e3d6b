// The liability sources of the apps that joined after the first five (sources.ts): the HashedTimelock's
// open locks, the order book's gateway escrows, tokens a vault or gateway owes a receiver that refused
// them, and margin withdrawals in flight from the hub to a vault. Also the list the publisher runs.
import { type Address, getAbiItem, type Hex, zeroHash } from "viem";
import {
  collateralVaultAbi,
  hashedTimelockAbi,
  inboxAbi,
  marginEngineAbi,
  orderGatewayAbi,
} from "../contracts/generated/index.js";
import { blockAt } from "./instant.js";
import {
  bridgeLockedAssets,
  intentEscrows,
  type Liability,
  type LiabilitySource,
  liquidityPoolShares,
  logsUntil,
  marginCollateral,
  type SourceContext,
  safePaymentsOwed,
} from "./sources.js";

const lockedEvent = getAbiItem({ abi: hashedTimelockAbi, name: "Locked" });
/** HashedTimelock.State.Locked: neither claimed nor refunded. */
const LOCKED = 1;

/**
 * Every HashedTimelock lock still open at the instant, owed to its sender: until the recipient claims it
 * with the preimage, the sender can take it back after the deadline, and the contract holds it either way.
 */
export const htlcLocks: LiabilitySource = {
  name: "htlc",
  async collect(context) {
    const owed: Liability[] = [];
    for (const rollup of context.manifest.rollups) {
      const htlc = rollup.contracts.htlc;
      const client = context.clientOf(rollup.chainId);
      const blockNumber = blockAt(context.instant, rollup.chainId);
      for (const log of await logsUntil(context, rollup.chainId, htlc, lockedEvent)) {
        const lock = await client.readContract({
          address: htlc,
          abi: hashedTimelockAbi,
          functionName: "getLock",
          args: [log.args.lockId as Hex],
          blockNumber,
        });
        if (lock.state !== LOCKED) continue;
        const asset = context.assetOf(rollup.chainId, lock.token);
        if (asset) owed.push({ source: this.name, user: lock.sender, asset, amount: lock.amount });
      }
    }
    return owed;
  },
};

const placedEvent = getAbiItem({ abi: orderGatewayAbi, name: "OrderPlaced" });
const committedEvent = getAbiItem({ abi: orderGatewayAbi, name: "SealedCommitted" });

/**
 * The order book's gateways: every order's escrow still held (a buy's quote, a sell's base; the part
 * reserved for a fill awaiting its answer stays with the owner until the fill pays), owed to its owner;
 * and every sealed commitment neither revealed nor withdrawn (its deposits). The gateway is at one
 * address on every rollup.
 */
export const orderGatewayEscrows: LiabilitySource = {
  name: "orderbook",
  async collect(context) {
    const gateway = context.manifest.orderbook?.gateway;
    if (!gateway) return [];
    const owed: Liability[] = [];
    for (const rollup of context.manifest.rollups) {
      const client = context.clientOf(rollup.chainId);
      const blockNumber = blockAt(context.instant, rollup.chainId);
      const read = { address: gateway, abi: orderGatewayAbi, blockNumber } as const;
      const markets = new Map<Hex, { base: Address; quote: Address }>();
      const marketOf = async (marketId: Hex) => {
        const known = markets.get(marketId);
        if (known) return known;
        const [base, quote] = await client.readContract({
          ...read,
          functionName: "markets",
          args: [marketId],
        });
        markets.set(marketId, { base, quote });
        return { base, quote };
      };
      const push = (user: Address, token: Address, amount: bigint, source: string) => {
        const asset = amount > 0n ? context.assetOf(rollup.chainId, token) : undefined;
        if (asset) owed.push({ source, user, asset, amount });
      };
      for (const log of await logsUntil(context, rollup.chainId, gateway, placedEvent)) {
        const order = await client.readContract({
          ...read,
          functionName: "orderOf",
          args: [log.args.orderId as bigint],
        });
        const market = await marketOf(order.marketId);
        push(order.owner, order.isBuy ? market.quote : market.base, order.escrow, this.name);
      }
      for (const log of await logsUntil(context, rollup.chainId, gateway, committedEvent)) {
        const [owner, marketId, , settled, , baseDeposit, quoteDeposit] = await client.readContract({
          ...read,
          functionName: "sealedOrders",
          args: [log.args.sealedId as bigint],
        });
        if (settled) continue;
        const market = await marketOf(marketId);
        push(owner, market.base, baseDeposit, `${this.name}-sealed`);
        push(owner, market.quote, quoteDeposit, `${this.name}-sealed`);
      }
    }
    return owed;
  },
};

const tokenPayoutOwedEvent = getAbiItem({ abi: collateralVaultAbi, name: "PayoutOwed" });
const payoutHeldEvent = getAbiItem({ abi: collateralVaultAbi, name: "PayoutHeld" });

/**
 * Tokens the margin vault or an order gateway owes a receiver whose payout the token refused
 * (`owedTokens(receiver, token)`, pulled with `claimOwedTokens`), and releases and seizures the vault holds
 * over its release cap (`heldPayouts(receiver, token)`, paid by `claimHeldPayout`): the contract still
 * holds them.
 */
export const tokenPayoutsOwed: LiabilitySource = {
  name: "owed-tokens",
  async collect(context) {
    const { margin, orderbook } = context.manifest;
    const refusedBy = [...new Set([margin.vault, ...(orderbook ? [orderbook.gateway] : [])])];
    const owed: Liability[] = [];
    for (const rollup of context.manifest.rollups) {
      for (const [payers, event, functionName] of [
        [refusedBy, tokenPayoutOwedEvent, "owedTokens"],
        [[margin.vault], payoutHeldEvent, "heldPayouts"],
      ] as const) {
        owed.push(...(await owedBy(context, this.name, rollup.chainId, payers, event, functionName)));
      }
    }
    return owed;
  },
};

/** What `payers` on `chainId` owe each receiver an `event` named, read with `functionName` at the instant. */
async function owedBy(
  context: SourceContext,
  source: string,
  chainId: number,
  payers: readonly Address[],
  event: typeof tokenPayoutOwedEvent | typeof payoutHeldEvent,
  functionName: "owedTokens" | "heldPayouts",
): Promise<Liability[]> {
  const client = context.clientOf(chainId);
  const blockNumber = blockAt(context.instant, chainId);
  const owed: Liability[] = [];
  const seen = new Set<string>();
  for (const log of await logsUntil(context, chainId, [...payers], event)) {
    const receiver = log.args.receiver as Address;
    const token = log.args.token as Address;
    const key = `${log.address}:${receiver}:${token}`.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const asset = context.assetOf(chainId, token);
    if (!asset) continue;
    const amount = await client.readContract({
      address: log.address,
      abi: collateralVaultAbi,
      functionName,
      args: [receiver, token],
      blockNumber,
    });
    if (amount > 0n) owed.push({ source, user: receiver, asset, amount });
  }
  return owed;
}

const withdrawalEvent = getAbiItem({ abi: marginEngineAbi, name: "WithdrawalRequested" });
const liquidatedEvent = getAbiItem({ abi: marginEngineAbi, name: "Liquidated" });
const returnedEvent = getAbiItem({ abi: marginEngineAbi, name: "PayoutReturned" });
const DELIVERED = 1;
const EXPIRED = 3;

/** A payout the hub's engine debited and sent to a vault by message. */
type SentPayout = {
  messageId: Hex;
  chainId: number;
  token: Address;
  amount: bigint;
  /** Whom the vault pays on delivery, and whom the engine credits back should the message expire. */
  receiver: Address;
  creditBack: Address;
};

/**
 * Payouts the engine sent that the vault has not paid yet (the message not delivered at the instant's
 * block of the vault's rollup): the vault still holds the tokens, owed to the payout's receiver — or, once
 * the message expired and until the engine credits it back (`PayoutReturned`, then it is collateral
 * again), to whom it is credited back.
 */
async function payoutsInFlight(
  context: SourceContext,
  source: string,
  sent: SentPayout[],
): Promise<Liability[]> {
  const { margin, rollups } = context.manifest;
  const returned = new Set(
    (await logsUntil(context, margin.hubChainId, margin.engine, returnedEvent)).map(
      (log) => log.args.messageId as Hex,
    ),
  );
  const owed: Liability[] = [];
  for (const payout of sent) {
    if (payout.messageId === zeroHash || returned.has(payout.messageId)) continue; // paid on the hub, or credited back
    const target = rollups.find((rollup) => rollup.chainId === payout.chainId);
    if (!target) continue;
    const status = await context.clientOf(payout.chainId).readContract({
      address: target.contracts.inbox,
      abi: inboxAbi,
      functionName: "status",
      args: [payout.messageId],
      blockNumber: blockAt(context.instant, payout.chainId),
    });
    if (status === DELIVERED) continue;
    const asset = context.assetOf(payout.chainId, payout.token);
    if (!asset) continue;
    const user = status === EXPIRED ? payout.creditBack : payout.receiver;
    owed.push({ source, user, asset, amount: payout.amount });
  }
  return owed;
}

/** Margin withdrawals in flight, owed to the withdrawal's receiver (to the account once expired). */
export const marginWithdrawalsInFlight: LiabilitySource = {
  name: "margin-withdrawals",
  async collect(context) {
    const { margin } = context.manifest;
    const logs = await logsUntil(context, margin.hubChainId, margin.engine, withdrawalEvent);
    return payoutsInFlight(
      context,
      this.name,
      logs.map((log) => ({
        messageId: log.args.messageId as Hex,
        chainId: Number(log.args.chainId),
        token: log.args.token as Address,
        amount: log.args.amount as bigint,
        receiver: log.args.receiver as Address,
        creditBack: log.args.account as Address,
      })),
    );
  },
};

/** Collateral a liquidation seized and sent to its vault, in flight: owed to the liquidator either way. */
export const marginSeizuresInFlight: LiabilitySource = {
  name: "margin-seizures",
  async collect(context) {
    const { margin } = context.manifest;
    const logs = await logsUntil(context, margin.hubChainId, margin.engine, liquidatedEvent);
    return payoutsInFlight(
      context,
      this.name,
      logs
        .filter((log) => (log.args.seized as bigint) > 0n)
        .map((log) => ({
          messageId: log.args.messageId as Hex,
          chainId: Number(log.args.chainId),
          token: log.args.token as Address,
          amount: log.args.seized as bigint,
          receiver: log.args.liquidator as Address,
          creditBack: log.args.liquidator as Address,
        })),
    );
  },
};

/** The sources the devnet counts. */
export const DEFAULT_LIABILITY_SOURCES: readonly LiabilitySource[] = [
  liquidityPoolShares,
  intentEscrows,
  marginCollateral,
  marginWithdrawalsInFlight,
  marginSeizuresInFlight,
  bridgeLockedAssets,
  safePaymentsOwed,
  tokenPayoutsOwed,
  htlcLocks,
  orderGatewayEscrows,
];

/** Runs every source at the instant and returns their liabilities, each source's list in order. */
export async function collectLiabilities(
  context: SourceContext,
  sources: readonly LiabilitySource[] = DEFAULT_LIABILITY_SOURCES,
): Promise<Liability[]> {
  const lists = await Promise.all(sources.map((source) => source.collect(context)));
  return lists.flat();
}
