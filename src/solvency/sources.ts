// What Junction's apps owe their users at one instant, per user and asset: a small pluggable list of
// liability sources, each reading one app's state from its events and views at the instant's block of
// each rollup. A new app (e.g. the order book's gateways) adds one LiabilitySource and its holders in
// reserves.ts; nothing else changes.
import { type Address, erc20Abi, getAbiItem, type Hex, zeroAddress, zeroHash } from "viem";
import type { JunctionPublicClient } from "../chain/clients.js";
import { blockRanges } from "../chain/events.js";
import type { Manifest } from "../chain/manifest.js";
import {
  collateralVaultAbi,
  inboxAbi,
  intentSettlerAbi,
  liquidityPoolAbi,
  marginEngineAbi,
  tokenBridgeAbi,
} from "../contracts/generated/index.js";
import { reserveTokens } from "./assets.js";
import { blockAt, type Instant } from "./instant.js";

type SettlerPath = keyof Manifest["rollups"][number]["contracts"]["settlers"];

/** One amount one app owes one user, in one asset (a symbol: "JUSD", "tETH", "ETH"). */
export type Liability = { source: string; user: Address; asset: string; amount: bigint };

export type SourceContext = {
  manifest: Pick<Manifest, "rollups" | "margin" | "orderbook">;
  instant: Instant;
  clientOf(chainId: number): JunctionPublicClient;
  /** The asset a token on a rollup counts as, or undefined when it is none of the reported assets. */
  assetOf(chainId: number, token: Address): string | undefined;
};

export type LiabilitySource = { name: string; collect(context: SourceContext): Promise<Liability[]> };

type EventItem = Parameters<JunctionPublicClient["getLogs"]>[0] extends infer P
  ? P extends { event?: infer E }
    ? E
    : never
  : never;

/** Every log of `event` at `address` on `chainId` from its deploy block up to the instant's block. */
export async function logsUntil<const E extends EventItem>(
  context: SourceContext,
  chainId: number,
  address: Address | Address[],
  event: E,
) {
  const rollup = context.manifest.rollups.find((entry) => entry.chainId === chainId);
  const client = context.clientOf(chainId);
  const until = blockAt(context.instant, chainId);
  const found = [];
  for (const [fromBlock, toBlock] of blockRanges(BigInt(rollup?.deployBlock ?? 0), until)) {
    found.push(...(await client.getLogs({ address, event, fromBlock, toBlock, strict: true })));
  }
  return found;
}

const transferEvent = getAbiItem({ abi: liquidityPoolAbi, name: "Transfer" });
const openEvent = getAbiItem({ abi: intentSettlerAbi, name: "Open" });
const creditedEvent = getAbiItem({ abi: marginEngineAbi, name: "CollateralCredited" });
const depositedEvent = getAbiItem({ abi: collateralVaultAbi, name: "Deposited" });
const refundedEvent = getAbiItem({ abi: collateralVaultAbi, name: "DepositRefunded" });

/** LPs of each rollup's LiquidityPool: their shares at the pool's share price. */
export const liquidityPoolShares: LiabilitySource = {
  name: "liquidity-pool",
  async collect(context) {
    const owed: Liability[] = [];
    for (const rollup of context.manifest.rollups) {
      const pool = rollup.contracts.liquidityPool;
      const blockNumber = blockAt(context.instant, rollup.chainId);
      const client = context.clientOf(rollup.chainId);
      const logs = await logsUntil(context, rollup.chainId, pool, transferEvent);
      const holders = new Set(logs.map((log) => log.args.to as Address));
      const token = await client.readContract({
        address: pool,
        abi: liquidityPoolAbi,
        functionName: "asset",
      });
      const asset = context.assetOf(rollup.chainId, token);
      if (!asset) continue;
      for (const holder of holders) {
        const shares = await client.readContract({
          address: pool,
          abi: liquidityPoolAbi,
          functionName: "balanceOf",
          args: [holder],
          blockNumber,
        });
        if (shares === 0n) continue;
        const amount = await client.readContract({
          address: pool,
          abi: liquidityPoolAbi,
          functionName: "convertToAssets",
          args: [shares],
          blockNumber,
        });
        owed.push({ source: this.name, user: holder, asset, amount });
      }
    }
    return owed;
  },
};

const OPEN = 1;
/** FillState.Filled: the order was filled on its destination. */
const FILLED = 1;

/**
 * Users' inputs escrowed in the router's settlers for orders still open (neither repaid nor refunded).
 * An open order already filled on its destination (its fill record there shows Filled at the instant's
 * block of that rollup) is no longer owed to the user, who was paid and can never be refunded (the
 * destination refuses to certify it unfilled): its input is owed to the fill's repayment address. When
 * that is one of the network's LiquidityPools, the pool already counts the fill in its share price
 * (`outstanding`) until the repayment lands, so the escrow is not counted a second time.
 */
export const intentEscrows: LiabilitySource = {
  name: "intent-escrows",
  async collect(context) {
    const owed: Liability[] = [];
    const { rollups } = context.manifest;
    const pools = new Set(rollups.map((rollup) => rollup.contracts.liquidityPool.toLowerCase()));
    for (const rollup of rollups) {
      const settlers = Object.entries(rollup.contracts.settlers) as [SettlerPath, Address][];
      const blockNumber = blockAt(context.instant, rollup.chainId);
      const client = context.clientOf(rollup.chainId);
      const logs = await logsUntil(
        context,
        rollup.chainId,
        settlers.map(([, address]) => address),
        openEvent,
      );
      for (const log of logs) {
        const orderId = log.args.orderId as Hex;
        const escrow = await client.readContract({
          address: log.address,
          abi: intentSettlerAbi,
          functionName: "escrowOf",
          args: [orderId],
          blockNumber,
        });
        const asset = context.assetOf(rollup.chainId, escrow.inputToken);
        if (!asset) continue;
        if (escrow.state !== OPEN) {
          // A closed order whose payout (repayment or refund) was refused stays in the settler, owed to
          // the payout's receiver until `completePayout`; a pool's own is still in its `outstanding`.
          const payout = await client.readContract({
            address: log.address,
            abi: intentSettlerAbi,
            functionName: "payoutOf",
            args: [orderId],
            blockNumber,
          });
          if (payout.pending && !pools.has(payout.to.toLowerCase())) {
            owed.push({ source: `${this.name}-payout`, user: payout.to, asset, amount: escrow.inputAmount });
          }
          continue;
        }
        const path = settlers.find(([, address]) => address.toLowerCase() === log.address.toLowerCase())?.[0];
        const destination = rollups.find((entry) => BigInt(entry.chainId) === escrow.destinationChainId);
        const twin = path === undefined ? undefined : destination?.contracts.settlers[path];
        if (destination && twin) {
          const fill = await context.clientOf(destination.chainId).readContract({
            address: twin,
            abi: intentSettlerAbi,
            functionName: "fillOf",
            args: [orderId],
            blockNumber: blockAt(context.instant, destination.chainId),
          });
          if (fill.state === FILLED) {
            if (pools.has(fill.repaymentAddress.toLowerCase())) continue;
            owed.push({
              source: `${this.name}-filled`,
              user: fill.repaymentAddress,
              asset,
              amount: escrow.inputAmount,
            });
            continue;
          }
        }
        owed.push({ source: this.name, user: escrow.user, asset, amount: escrow.inputAmount });
      }
    }
    return owed;
  },
};

/**
 * Margin accounts at the hub: collateral per token (summed over the rollups it sits on), the JUSD
 * collateral net of the account's cash (a negative cash is a debt, paid from JUSD first; what JUSD
 * cannot cover is not netted against other assets, so liabilities never go below what is owed), and
 * deposits sent from a vault but not yet credited at the hub (nor refunded).
 */
export const marginCollateral: LiabilitySource = {
  name: "margin",
  async collect(context) {
    const { margin } = context.manifest;
    const hub = margin.hubChainId;
    const client = context.clientOf(hub);
    const blockNumber = blockAt(context.instant, hub);
    const engine = { address: margin.engine, abi: marginEngineAbi } as const;
    const credits = await logsUntil(context, hub, margin.engine, creditedEvent);
    const accounts = new Set(credits.map((log) => log.args.account as Address));
    const collaterals = await client.readContract({ ...engine, functionName: "collaterals", blockNumber });
    const settlement = await client.readContract({ ...engine, functionName: "settlementToken", blockNumber });
    const settlementAsset = context.assetOf(hub, settlement);
    const owed: Liability[] = [];
    for (const account of accounts) {
      const perAsset = new Map<string, bigint>();
      for (const entry of collaterals) {
        const asset = context.assetOf(Number(entry.chainId), entry.token);
        if (!asset) continue;
        const amount = await client.readContract({
          ...engine,
          functionName: "collateralOf",
          args: [account, entry.chainId, entry.token],
          blockNumber,
        });
        perAsset.set(asset, (perAsset.get(asset) ?? 0n) + amount);
      }
      const cash = await client.readContract({
        ...engine,
        functionName: "cashOf",
        args: [account],
        blockNumber,
      });
      if (settlementAsset) {
        const net = (perAsset.get(settlementAsset) ?? 0n) + cash;
        perAsset.set(settlementAsset, net > 0n ? net : 0n);
      }
      for (const [asset, amount] of perAsset) {
        if (amount > 0n) owed.push({ source: this.name, user: account, asset, amount });
      }
    }
    const credited = new Set(credits.map((log) => log.args.messageId as Hex));
    for (const rollup of context.manifest.rollups) {
      const deposits = await logsUntil(context, rollup.chainId, margin.vault, depositedEvent);
      const refunds = await logsUntil(context, rollup.chainId, margin.vault, refundedEvent);
      const refunded = new Set(refunds.map((log) => log.args.messageId as Hex));
      for (const log of deposits) {
        const messageId = log.args.messageId as Hex;
        if (messageId === zeroHash || credited.has(messageId) || refunded.has(messageId)) continue;
        const asset = context.assetOf(rollup.chainId, log.args.token as Address);
        if (asset) {
          owed.push({
            source: `${this.name}-in-flight`,
            user: log.args.account as Address,
            asset,
            amount: log.args.amount as bigint,
          });
        }
      }
    }
    return owed;
  },
};

const sentEvent = getAbiItem({ abi: tokenBridgeAbi, name: "TransferSent" });
const wrappedTransferEvent = getAbiItem({ abi: erc20Abi, name: "Transfer" });
const DELIVERED = 1;
const EXPIRED = 3;

/**
 * The TokenBridge's custody of locked assets (native ETH and plain ERC-20s locked on their home rollup):
 * every holder of their WrappedTokens on the other rollups (each can redeem at home), and every transfer
 * still in flight — sent, not refunded, and not delivered on its destination (owed to its recipient; to
 * its sender once the destination reports it expired). Burn/mint tokens (the network's JUSD) are not
 * custody: in flight they exist nowhere, and no contract holds them for anyone.
 */
export const bridgeLockedAssets: LiabilitySource = {
  name: "bridge",
  async collect(context) {
    const { rollups } = context.manifest;
    const owed: Liability[] = [];
    const burnMint = new Set(rollups.map((rollup) => rollup.contracts.bridgedToken.toLowerCase()));
    const locked = reserveTokens(context.manifest).filter(
      (entry) => !burnMint.has(entry.token.toLowerCase()),
    );
    for (const home of locked) {
      const homeRollup = rollups.find((rollup) => rollup.chainId === home.chainId);
      if (!homeRollup) continue;
      const wrapped = await context.clientOf(home.chainId).readContract({
        address: homeRollup.contracts.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "wrappedTokenFor",
        args: [BigInt(home.chainId), home.token],
      });
      for (const rollup of rollups) {
        if (rollup.chainId === home.chainId) continue;
        const logs = await logsUntil(context, rollup.chainId, wrapped, wrappedTransferEvent);
        const holders = new Set(logs.map((log) => log.args.to as Address));
        for (const holder of holders) {
          const amount = await context.clientOf(rollup.chainId).readContract({
            address: wrapped,
            abi: erc20Abi,
            functionName: "balanceOf",
            args: [holder],
            blockNumber: blockAt(context.instant, rollup.chainId),
          });
          if (amount > 0n) owed.push({ source: this.name, user: holder, asset: home.symbol, amount });
        }
      }
    }
    for (const rollup of rollups) {
      const client = context.clientOf(rollup.chainId);
      const bridge = rollup.contracts.tokenBridge;
      for (const log of await logsUntil(context, rollup.chainId, bridge, sentEvent)) {
        const token = log.args.token as Address;
        if (burnMint.has(token.toLowerCase())) continue;
        const messageId = log.args.messageId as Hex;
        const pending = await client.readContract({
          address: bridge,
          abi: tokenBridgeAbi,
          functionName: "sentTransfer",
          args: [messageId],
          blockNumber: blockAt(context.instant, rollup.chainId),
        });
        if (pending === zeroHash) continue; // refunded
        const destination = Number(log.args.destinationChainId);
        const target = rollups.find((entry) => entry.chainId === destination);
        if (!target) continue;
        const status = await context.clientOf(destination).readContract({
          address: target.contracts.inbox,
          abi: inboxAbi,
          functionName: "status",
          args: [messageId],
          blockNumber: blockAt(context.instant, destination),
        });
        if (status === DELIVERED) continue;
        const asset = await lockedAssetOf(context, rollup.chainId, bridge, token);
        if (!asset) continue;
        const user = (status === EXPIRED ? log.args.from : log.args.recipient) as Address;
        owed.push({ source: `${this.name}-in-flight`, user, asset, amount: log.args.amount as bigint });
      }
    }
    return owed;
  },
};

const paymentOwedEvent = getAbiItem({ abi: tokenBridgeAbi, name: "PaymentOwed" });

/**
 * Native ETH a holding contract owes an account that refused a direct payment (SafePayments' `owed`,
 * pulled with `withdrawOwed`): the TokenBridge's releases, the settlers' native payouts, the margin
 * vault's and engine's, the HashedTimelock's claims and refunds (and the order gateway's, should it pay ETH). It stays in the contract, so it is in the reserves and must be a liability too.
 * Accounts are found by their PaymentOwed events; the amount is `owed(account)` at the instant.
 */
export const safePaymentsOwed: LiabilitySource = {
  name: "owed",
  async collect(context) {
    const owed: Liability[] = [];
    const { margin } = context.manifest;
    for (const rollup of context.manifest.rollups) {
      const asset = context.assetOf(rollup.chainId, zeroAddress);
      if (!asset) continue;
      const payers: Address[] = [
        rollup.contracts.tokenBridge,
        ...Object.values(rollup.contracts.settlers),
        margin.vault,
        ...(rollup.chainId === margin.hubChainId ? [margin.engine] : []),
        rollup.contracts.htlc,
        ...(context.manifest.orderbook ? [context.manifest.orderbook.gateway] : []),
      ];
      const client = context.clientOf(rollup.chainId);
      const blockNumber = blockAt(context.instant, rollup.chainId);
      const logs = await logsUntil(context, rollup.chainId, [...new Set(payers)], paymentOwedEvent);
      const seen = new Set<string>();
      for (const log of logs) {
        const account = log.args.account as Address;
        const key = `${log.address.toLowerCase()}:${account.toLowerCase()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const amount = await client.readContract({
          address: log.address,
          abi: tokenBridgeAbi,
          functionName: "owed",
          args: [account],
          blockNumber,
        });
        if (amount > 0n) owed.push({ source: this.name, user: account, asset, amount });
      }
    }
    return owed;
  },
};

/** The asset a token sent from `chainId` stands for: a locked token itself, or a wrapper's home token. */
async function lockedAssetOf(
  context: SourceContext,
  chainId: number,
  bridge: Address,
  token: Address,
): Promise<string | undefined> {
  const own = context.assetOf(chainId, token);
  if (own) return own;
  const home = await context.clientOf(chainId).readContract({
    address: bridge,
    abi: tokenBridgeAbi,
    functionName: "assetOf",
    args: [token],
  });
  return home.homeChainId === 0n ? undefined : context.assetOf(Number(home.homeChainId), home.homeToken);
}
