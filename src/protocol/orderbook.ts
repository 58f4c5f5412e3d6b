// The order book's pure twin of contracts/apps/orderbook/OrderGateway.sol: order ids (the origin rollup in
// the high bits), market ids, what an order escrows and what a fill moves, and the id of a fill settled
// within one rollup. No I/O; the matcher, the SDK and the tests compute with these.
import { type Address, encodeAbiParameters, type Hex, keccak256, toHex } from "viem";

/** Prices are quote units per whole base unit x 1e18. */
export const PRICE_SCALE = 10n ** 18n;
/** Most fills one batch may carry (OrderGateway.MAX_FILLS). */
export const MAX_FILLS = 64;

/** The market id the gateways list a pair under: keccak256 of "BASE/QUOTE". */
export function marketIdOf(symbol: string): Hex {
  return keccak256(toHex(symbol));
}

/** The devnet's market: the test ETH priced in JUSD. */
export const DEVNET_MARKET = "tETH/JUSD";

/** The rollup an order lives on. */
export function chainOfOrder(orderId: bigint): number {
  return Number(orderId >> 64n);
}

/** The local sequence number of an order on its rollup. */
export function sequenceOfOrder(orderId: bigint): bigint {
  return orderId & ((1n << 64n) - 1n);
}

export function gatewayOrderId(chainId: number, sequence: bigint): bigint {
  return (BigInt(chainId) << 64n) | sequence;
}

/** Quote a fill of `amount` base at `price` moves (rounded down, as the gateway pays it). */
export function quoteFor(amount: bigint, price: bigint): bigint {
  return (amount * price) / PRICE_SCALE;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/**
 * The least base amount whose quote at `price` is a whole number of quote units (`1e18 / gcd(price, 1e18)`):
 * the gateway refuses a fill that is not a multiple of it (`InexactFill`), so rounding never pays a seller
 * below the fill's price. E.g. 3000 → 1 wei, 3000.9 → 10 wei,
 * 0.5 → 2 wei.
 */
export function lotFor(price: bigint): bigint {
  return PRICE_SCALE / gcd(price, PRICE_SCALE);
}

/** True when a fill of `amount` at `price` moves a whole number of quote units (the gateway's check). */
export function isExactFill(amount: bigint, price: bigint): boolean {
  return (amount * price) % PRICE_SCALE === 0n;
}

/** What an order escrows: a buy its amount at its limit in quote (rounded up), a sell its base amount. */
export function escrowFor(isBuy: boolean, amount: bigint, price: bigint): bigint {
  return isBuy ? (amount * price + PRICE_SCALE - 1n) / PRICE_SCALE : amount;
}

/** The id of a fill whose two orders live on one rollup: keccak256(abi.encode(chainId, batchId, index)). */
export function localFillId(chainId: number, batchId: bigint, index: number): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "uint64" }, { type: "uint256" }],
      [BigInt(chainId), batchId, BigInt(index)],
    ),
  );
}

/**
 * What a sealed order commits to (OrderGateway.revealSealed recomputes it): keccak256(abi.encode(chainId,
 * gateway, owner, marketId, isBuy, price, amount, salt)). Binding the chain, gateway and owner keeps a
 * commitment from being replayed elsewhere or by someone else.
 */
export function sealedCommitment(fields: {
  chainId: number;
  gateway: Address;
  owner: Address;
  marketId: Hex;
  isBuy: boolean;
  price: bigint;
  amount: bigint;
  salt: Hex;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "uint256" },
        { type: "address" },
        { type: "address" },
        { type: "bytes32" },
        { type: "bool" },
        { type: "uint256" },
        { type: "uint256" },
        { type: "bytes32" },
      ],
      [
        BigInt(fields.chainId),
        fields.gateway,
        fields.owner,
        fields.marketId,
        fields.isBuy,
        fields.price,
        fields.amount,
        fields.salt,
      ],
    ),
  );
}

/** A sealed-order round's windows (seconds): commits in [r x period, (r+1) x period), reveals for `reveal` after. */
export function revealWindowOf(
  round: bigint,
  period: bigint,
  reveal: bigint,
): { opens: bigint; closes: bigint } {
  const opens = (round + 1n) * period;
  return { opens, closes: opens + reveal };
}
