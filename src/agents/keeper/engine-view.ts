// What the keeper reads from the hub: the engine's events into its ledger (in chunks, in chain order),
// and the engine's configuration and oracle prices at one block, as the twin's EngineView.
import { type Address, type Hex, parseEventLogs } from "viem";
import type { JunctionPublicClient } from "../../chain/clients.js";
import type { Manifest } from "../../chain/manifest.js";
import { marginEngineAbi } from "../../contracts/generated/index.js";
import { engineAbi, oracleAbi } from "../../sdk/marginEngine.js";
import type { EngineView } from "./decide.js";
import { LEDGER_EVENTS, type LedgerEvent, type MarginLedger } from "./ledger.js";

type Margin = Manifest["margin"];

/** Applies the engine's events of blocks `from`…`to` to the ledger, `chunk` blocks per request. */
export async function scanEngine(
  client: JunctionPublicClient,
  engine: Address,
  ledger: MarginLedger,
  range: { from: bigint; to: bigint; chunk: number },
): Promise<number> {
  let applied = 0;
  for (let start = range.from; start <= range.to; start += BigInt(range.chunk)) {
    const end = start + BigInt(range.chunk) - 1n < range.to ? start + BigInt(range.chunk) - 1n : range.to;
    const logs = await client.getLogs({ address: engine, fromBlock: start, toBlock: end });
    const events = parseEventLogs({ abi: marginEngineAbi, logs, strict: true });
    for (const event of events) {
      if (isLedgerEvent(event)) {
        ledger.apply(event, engine);
        applied += 1;
      }
    }
  }
  return applied;
}

function isLedgerEvent(event: { eventName: string }): event is LedgerEvent {
  return (LEDGER_EVENTS as readonly string[]).includes(event.eventName);
}

/** The engine's configuration and the oracle's prices (with their staleness) as of `blockNumber`. */
export async function readEngineView(
  client: JunctionPublicClient,
  margin: Margin,
  blockNumber: bigint,
): Promise<EngineView> {
  const engine = { address: margin.engine, abi: engineAbi, blockNumber } as const;
  const [collaterals, markets, risk] = await Promise.all([
    client.readContract({ ...engine, functionName: "collaterals" }),
    client.readContract({ ...engine, functionName: "markets" }),
    client.readContract({ ...engine, functionName: "riskParams" }),
  ]);
  const assets = [...new Set([...collaterals, ...markets].map((entry) => entry.asset))];
  const points = await Promise.all(
    assets.map((asset) =>
      client.readContract({
        address: margin.oracle,
        abi: oracleAbi,
        functionName: "priceOf",
        args: [asset],
        blockNumber,
      }),
    ),
  );
  const prices = new Map<Hex, bigint>();
  const stale = new Set<Hex>();
  for (const [i, asset] of assets.entries()) {
    const [price, , isStale] = points[i] ?? [0n, 0n, true];
    if (price > 0n) prices.set(asset, price);
    if (isStale) stale.add(asset);
  }
  const [fullLiquidationHealth, staleLiquidationHealth, dustFloor] = risk;
  return {
    hubChainId: margin.hubChainId,
    collaterals: [...collaterals],
    markets: [...markets],
    risk: { fullLiquidationHealth, staleLiquidationHealth, dustFloor },
    prices,
    stale,
  };
}

/** Liquidations of `account` in blocks `from`…`to`, by anyone (who took it, and where). */
export async function liquidationsOf(
  client: JunctionPublicClient,
  engine: Address,
  account: Address,
  range: { from: bigint; to: bigint },
) {
  return client.getContractEvents({
    address: engine,
    abi: marginEngineAbi,
    eventName: "Liquidated",
    args: { account },
    fromBlock: range.from,
    toBlock: range.to,
    strict: true,
  });
}
