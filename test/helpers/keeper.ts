// Test helpers for the keeper on a devnet: traders with collateral and a position, the set of accounts
// the TypeScript twin finds liquidatable, and the engine's Liquidated events counted per account.
import type { Address, Hex } from "viem";
import { marginEngineAbi } from "../../src/contracts/generated/index.js";
import { createLogger, type Logger } from "../../src/log.js";
import { depositCollateral, isLiquidatable, valueAccount, waitForDelivery } from "../../src/sdk/index.js";
import type { MarginKit, Trader } from "./margin.js";

/** Traders, each given `deposit` JUSD on `chainId`, credited at the hub, then each opening `size`. */
export async function tradersWith(
  kit: MarginKit,
  specs: readonly { chainId: number; deposit: bigint; size: bigint }[],
): Promise<Trader[]> {
  const traders: Trader[] = [];
  for (const spec of specs) {
    const trader = await kit.trader();
    await kit.giveJusd(trader.address, spec.chainId, spec.deposit);
    traders.push(trader);
  }
  // One deposit at a time (each appends to its rollup's Outbox: a parallel one would outgrow the other's
  // gas estimate), then every credit message awaited at once.
  const messages: Hex[] = [];
  for (const [i, spec] of specs.entries()) {
    const wallet = kit.wallet((traders[i] as Trader).key, spec.chainId);
    const { messageId } = await depositCollateral(wallet, kit.manifest, { amount: spec.deposit });
    if (messageId) messages.push(messageId);
  }
  await Promise.all(
    messages.map(async (id) => {
      const delivered = await waitForDelivery(kit.manifest, { id, timeoutMs: 90_000 });
      if (delivered.status !== "delivered") throw new Error(`deposit ${id} ${delivered.status}`);
    }),
  );
  await kit.setPrices({});
  for (const [i, spec] of specs.entries()) {
    if (spec.size !== 0n)
      await kit.open(kit.wallet((traders[i] as Trader).key, kit.hubId), { size: spec.size });
  }
  return traders;
}

/** The accounts among `traders` the twin finds liquidatable at the kit's prices (fresh). */
export async function liquidatable(kit: MarginKit, traders: readonly Trader[]): Promise<Set<Address>> {
  const config = await kit.config();
  const under = new Set<Address>();
  for (const trader of traders) {
    const valued = valueAccount(await kit.account(trader.address), config, kit.prices);
    if (isLiquidatable(valued.health, config.risk)) under.add(trader.address);
  }
  return under;
}

/** Liquidated events since `fromBlock`, per account, with who liquidated and where it seized. */
export async function liquidationsSince(kit: MarginKit, fromBlock: bigint) {
  const events = await kit.hub.getContractEvents({
    address: kit.margin.engine,
    abi: marginEngineAbi,
    eventName: "Liquidated",
    fromBlock,
    strict: true,
  });
  const perAccount = new Map<Address, typeof events>();
  for (const event of events) {
    const list = perAccount.get(event.args.account) ?? [];
    list.push(event);
    perAccount.set(event.args.account, list);
  }
  return perAccount;
}

/** A logger that keeps its JSON lines (and prints them with JUNCTION_TEST_LOG=1). */
export function capturingLogger(): {
  logger: Logger;
  lines: { at: string; message: string; [key: string]: unknown }[];
} {
  const lines: { at: string; message: string }[] = [];
  const logger = createLogger("info", (line) => {
    lines.push(JSON.parse(line));
    if (process.env.JUNCTION_TEST_LOG === "1") process.stderr.write(`${line}\n`);
  });
  return { logger, lines };
}
