// What the holding contracts hold at one instant: every listed token's balance of every contract that
// keeps users' money, on every rollup, read at the instant's block of that rollup.
import { type Address, erc20Abi, zeroAddress } from "viem";
import type { Manifest } from "../chain/manifest.js";
import { blockAt } from "./instant.js";
import type { SourceContext } from "./sources.js";

/** One holder's balance of one token, as the SolvencyRegistry takes it (`token` zero: native ETH). */
export type Reserve = {
  chainId: bigint;
  blockNumber: bigint;
  holder: Address;
  token: Address;
  amount: bigint;
};

/**
 * The contracts that hold users' money on a rollup: the pool, the settlers' escrows, the margin vault, the
 * token bridge (locked assets), the HashedTimelock (open locks), the order book's gateway (escrows; one
 * address on every rollup), and on the hub the margin engine (its JUSD cash).
 */
export type HoldingNetwork = {
  rollups: readonly {
    chainId: number;
    contracts: Pick<
      Manifest["rollups"][number]["contracts"],
      "liquidityPool" | "settlers" | "tokenBridge" | "htlc"
    >;
  }[];
  margin: Pick<Manifest["margin"], "vault" | "engine" | "hubChainId">;
  /** Absent in manifests written before the order book existed. */
  orderbook?: Pick<NonNullable<Manifest["orderbook"]>, "gateway">;
};

export function holdersOf(manifest: HoldingNetwork, chainId: number): Address[] {
  const rollup = manifest.rollups.find((entry) => entry.chainId === chainId);
  if (!rollup) return [];
  const holders: Address[] = [
    rollup.contracts.liquidityPool,
    ...Object.values(rollup.contracts.settlers),
    manifest.margin.vault,
    rollup.contracts.tokenBridge,
    rollup.contracts.htlc,
  ];
  if (manifest.orderbook) holders.push(manifest.orderbook.gateway);
  if (chainId === manifest.margin.hubChainId) holders.push(manifest.margin.engine);
  return holders;
}

/** Every (rollup, holder) the registry should count: what the owner lists at deployment. */
export function listedHolders(network: HoldingNetwork): { chainId: number; holder: Address }[] {
  return network.rollups.flatMap((rollup) =>
    [...new Set(holdersOf(network, rollup.chainId))].map((holder) => ({ chainId: rollup.chainId, holder })),
  );
}

const compare = (a: bigint | string, b: bigint | string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every non-zero reserve, sorted by (chainId, holder, token) as the registry requires. */
export async function readReserves(
  context: SourceContext,
  tokens: { chainId: number; token: Address }[],
): Promise<Reserve[]> {
  const reserves: Reserve[] = [];
  for (const rollup of context.manifest.rollups) {
    const client = context.clientOf(rollup.chainId);
    const blockNumber = blockAt(context.instant, rollup.chainId);
    const listed: { token: Address }[] = [];
    for (const entry of tokens) {
      if (entry.chainId !== rollup.chainId) continue;
      // A rollup without the app (a rollup added to a running devnet has no margin vault nor tETH):
      // its token has no code there, and nothing is held in it.
      if (entry.token !== zeroAddress && !(await client.getCode({ address: entry.token, blockNumber })))
        continue;
      listed.push(entry);
    }
    for (const holder of new Set(holdersOf(context.manifest, rollup.chainId))) {
      for (const { token } of listed) {
        const amount =
          token === zeroAddress
            ? await client.getBalance({ address: holder, blockNumber })
            : await client.readContract({
                address: token,
                abi: erc20Abi,
                functionName: "balanceOf",
                args: [holder],
                blockNumber,
              });
        if (amount > 0n)
          reserves.push({ chainId: BigInt(rollup.chainId), blockNumber, holder, token, amount });
      }
    }
  }
  return reserves.sort(
    (a, b) =>
      compare(a.chainId, b.chainId) ||
      compare(a.holder.toLowerCase(), b.holder.toLowerCase()) ||
      compare(a.token.toLowerCase(), b.token.toLowerCase()),
  );
}
