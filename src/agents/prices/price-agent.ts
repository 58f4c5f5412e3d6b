// PriceAgent: feeds the hub's PriceOracle. Each tick it reads the oracle's prices of every asset the
// engine uses, moves each walking asset one step of its seeded random walk (walk.ts) from the price on
// chain (so a crash pushed by anyone else stands), and pushes all of them in one `setPrices` — the
// unchanged ones too, so no price the engine needs goes stale. `crash(asset, pct)` pushes a fall at once,
// in as many updates as the oracle's 50 % bound per update requires. Updates go out one at a time, with
// a fixed gas limit: anvil's estimate for an update in the same second as the last one is too low.
import { type Hex, hexToString } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import { rollupOf } from "../../chain/manifest.js";
import { JunctionError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { assetId } from "../../protocol/margin.js";
import { seededRandom } from "../../protocol/prng.js";
import { engineAbi, oracleAbi } from "../../sdk/marginEngine.js";
import { PollingAgent } from "../agent.js";
import { type PriceAgentConfig, type PriceSettings, parsePriceSettings } from "./config.js";
import { crashStep, crashTarget, ORACLE_MAX_MOVE_BPS, type Rng, walkStep } from "./walk.js";

/** A price update the oracle did not take (reverted, or not mined in time). */
export class PriceUpdateError extends JunctionError {
  override name = "PriceUpdateError" as const;
}

/** The oracle has no price for the asset, so there is nothing to crash from. */
export class UnknownAssetError extends JunctionError {
  override name = "UnknownAssetError" as const;
}

export type CrashResult = {
  asset: string;
  pct: number;
  from: bigint;
  to: bigint;
  /** One entry per oracle update: a crash past the 50 % bound takes several. */
  updates: { price: bigint; txHash: Hex }[];
  note?: string;
};

export class PriceAgent extends PollingAgent {
  readonly #settings: PriceSettings;
  readonly #logger: Logger;
  readonly #client: JunctionPublicClient;
  readonly #wallet: JunctionWalletClient;
  readonly #oracle: Hex;
  readonly #engine: Hex;
  readonly #rng: Rng;
  #assets: Hex[] | undefined;
  #serial: Promise<unknown> = Promise.resolve();

  constructor(config: PriceAgentConfig) {
    const settings = parsePriceSettings(config.settings);
    super("PriceAgent", settings.intervalMs, config.logger);
    this.#settings = settings;
    this.#logger = config.logger;
    const hub = rollupOf(config.network, config.network.margin.hubChainId);
    this.#client = publicClientFor(hub);
    this.#wallet = walletClientFor(hub, config.privateKey);
    this.#oracle = config.network.margin.oracle;
    this.#engine = config.network.margin.engine;
    this.#rng = seededRandom(settings.seed);
  }

  async tick(): Promise<void> {
    await this.#exclusive(async () => {
      const current = await this.prices();
      const walking = new Set(this.#settings.walk.map(assetId));
      const next = new Map(
        [...current].map(([asset, price]) => [
          asset,
          walking.has(asset) ? walkStep(price, this.#settings.volatility, this.#rng) : price,
        ]),
      );
      const txHash = await this.#push(next);
      this.#logger.debug("PriceAgent#tick", "prices pushed", { prices: namedPrices(next), tx: txHash });
    });
  }

  /**
   * Pushes a fall of `pct` % of `symbol`'s price now. The oracle moves a price at most 50 % per update,
   * so a larger crash goes out as several updates (the result lists them and says so).
   */
  async crash(symbol: string, pct: number): Promise<CrashResult> {
    return this.#exclusive(async () => {
      const asset = assetId(symbol);
      const current = await this.prices();
      const from = current.get(asset);
      if (from === undefined) {
        throw new UnknownAssetError(`the engine uses no price of ${symbol}`, {
          details: `its assets: ${[...current.keys()].map(symbolOf).join(", ")}`,
        });
      }
      const target = crashTarget(from, pct);
      const updates: CrashResult["updates"] = [];
      let refusals = 0;
      // Each update from the prices on chain: one refused (another feeder moved the asset in the same
      // block: the oracle allows one move per asset per block) is tried again from where that left it.
      for (let prices = current; (prices.get(asset) ?? target) > target; prices = await this.prices()) {
        const price = crashStep(prices.get(asset) ?? target, target);
        prices.set(asset, price);
        try {
          updates.push({ price, txHash: await this.#push(prices) });
        } catch (error) {
          refusals += 1;
          if (!(error instanceof PriceUpdateError) || refusals > 3) throw error;
        }
      }
      const to = updates[updates.length - 1]?.price ?? from;
      const note =
        updates.length > 1
          ? `the oracle moves a price at most ${Number(ORACLE_MAX_MOVE_BPS) / 100} % per update: this ${pct} % crash took ${updates.length} updates`
          : undefined;
      this.#logger.info("PriceAgent#crash", "crash pushed", {
        asset: symbol,
        pct,
        from,
        to,
        updates: updates.length,
        note,
      });
      return { asset: symbol, pct, from, to, updates, ...(note ? { note } : {}) };
    });
  }

  /** The oracle's current price of every asset the engine uses (by asset id). */
  async prices(): Promise<Map<Hex, bigint>> {
    const assets = await this.#engineAssets();
    const points = await Promise.all(
      assets.map((asset) =>
        this.#client.readContract({
          address: this.#oracle,
          abi: oracleAbi,
          functionName: "priceOf",
          args: [asset],
        }),
      ),
    );
    const prices = new Map<Hex, bigint>();
    for (const [i, asset] of assets.entries()) {
      const price = points[i]?.[0] ?? 0n;
      if (price > 0n) prices.set(asset, price);
    }
    return prices;
  }

  async #engineAssets(): Promise<Hex[]> {
    if (!this.#assets) {
      const engine = { address: this.#engine, abi: engineAbi } as const;
      const [collaterals, markets] = await Promise.all([
        this.#client.readContract({ ...engine, functionName: "collaterals" }),
        this.#client.readContract({ ...engine, functionName: "markets" }),
      ]);
      this.#assets = [...new Set([...collaterals, ...markets].map((entry) => entry.asset))];
    }
    return this.#assets;
  }

  async #push(prices: ReadonlyMap<Hex, bigint>): Promise<Hex> {
    const hash = await this.#wallet.writeContract({
      address: this.#oracle,
      abi: oracleAbi,
      functionName: "setPrices",
      args: [[...prices.keys()], [...prices.values()]],
      gas: this.#settings.gasLimit,
    });
    const receipt = await this.#client.waitForTransactionReceipt({
      hash,
      timeout: this.#settings.receiptTimeoutMs,
    });
    if (receipt.status !== "success") {
      throw new PriceUpdateError(`price update ${hash} reverted`, {
        details: JSON.stringify(namedPrices(prices), bigints),
      });
    }
    return hash;
  }

  /** Runs `work` after every update queued before it: ticks and crashes never interleave their nonces. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(work, work);
    this.#serial = run.catch(() => undefined);
    return run;
  }
}

/** "ETH" from the oracle's bytes32 key. */
export function symbolOf(asset: Hex): string {
  return hexToString(asset, { size: 32 }).replace(/\0+$/, "");
}

/** Prices keyed by symbol ("ETH") instead of the oracle's bytes32 id. */
export function namedPrices(prices: ReadonlyMap<Hex, bigint>): Record<string, bigint> {
  return Object.fromEntries([...prices].map(([asset, price]) => [symbolOf(asset), price]));
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
