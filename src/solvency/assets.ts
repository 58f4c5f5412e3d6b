// The assets proof of solvency reports, by symbol, and the tokens that count as each on every rollup.
import { type Address, type Hex, hexToString, stringToHex, zeroAddress } from "viem";
import type { Manifest } from "../chain/manifest.js";

/** The registry's id of an asset: its symbol as bytes32. */
export function assetId(symbol: string): Hex {
  return stringToHex(symbol, { size: 32 });
}

/** The symbol of a registry asset id. */
export function assetSymbol(id: Hex): string {
  return hexToString(id, { size: 32 }).replace(/\0+$/, "");
}

export type ReserveToken = { chainId: number; token: Address; symbol: string };

/** Every (rollup, token) the devnet counts: JUSD, the margin engine's test ETH, and native ETH. */
export function reserveTokens(manifest: {
  rollups: readonly {
    chainId: number;
    contracts: Pick<Manifest["rollups"][number]["contracts"], "bridgedToken">;
  }[];
  margin: Pick<Manifest["margin"], "testAsset">;
}): ReserveToken[] {
  return manifest.rollups.flatMap((rollup) => [
    { chainId: rollup.chainId, token: rollup.contracts.bridgedToken, symbol: "JUSD" },
    { chainId: rollup.chainId, token: manifest.margin.testAsset, symbol: "tETH" },
    { chainId: rollup.chainId, token: zeroAddress, symbol: "ETH" },
  ]);
}

/** The reported assets, in the registry's order (by id). */
export function assetsOf(tokens: readonly ReserveToken[]): string[] {
  return [...new Set(tokens.map((entry) => entry.symbol))].sort((a, b) =>
    assetId(a) < assetId(b) ? -1 : assetId(a) > assetId(b) ? 1 : 0,
  );
}
