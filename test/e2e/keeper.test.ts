// The keeper and the price agent on a devnet of two rollups (901 the hub, 902 holding most collateral),
// canonical path, real nodes: after a crash pushed by the price agent the keeper liquidates exactly the
// accounts the TypeScript twin finds under health 1, each once, seizing on the rollup that holds the
// collateral; a keeper stopped with its liquidations sent but unmined and started again on the same
// store repeats none; two keepers racing for the same accounts land each liquidation once, and the
// loser records and logs it as taken; and the same from the CLI (junction margin, prices crash, keeper).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Address, erc20Abi, maxUint256, parseEther } from "viem";
import { Keeper } from "../../src/agents/keeper/keeper.js";
import { anvilBlockControl } from "../../src/chain/anvil.js";
import { createKeeper, createPriceAgent, type KeeperAgent } from "../../src/devnet/margin-agents.js";
import { silentLogger } from "../../src/log.js";
import { assetId, requestMarginOrder, waitForDelivery } from "../../src/sdk/index.js";
import { KeeperSqliteStore } from "../../src/store/sqlite/keeper-sqlite-store.js";
import { waitUntil } from "../helpers/chain.js";
import { runCli, startCli, stopCli } from "../helpers/cli.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { capturingLogger, liquidatable, liquidationsSince, tradersWith } from "../helpers/keeper.js";
import { type MarginKit, marginKit, type Trader } from "../helpers/margin.js";

const HUB = 901;
const B = 902;
const eth = (value: string) => parseEther(value);
const usd = (value: string) => parseEther(value);
const FAST = { intervalMs: 200 };

describe("keeper and price agent", () => {
  let devnet: TestDevnet;
  let kit: MarginKit;
  let dir: string;
  const everyone: Trader[] = [];
  const keepers: KeeperAgent[] = [];

  before(async () => {
    devnet = await startTestDevnet({ rollups: 2 });
    kit = marginKit(devnet);
    dir = mkdtempSync(join(tmpdir(), "junction-keeper-"));
  });

  after(async () => {
    await Promise.allSettled(keepers.map((keeper) => keeper.stop()));
    await devnet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const hubNode = () => anvilBlockControl(devnet.nodes[1]?.rpcUrl as string);
  const keeperAt = (
    database: string,
    options: { privateKey?: `0x${string}`; logger?: typeof silentLogger } = {},
  ) => {
    let running: Keeper | undefined;
    const agent = createKeeper(devnet.manifest, dir, options.logger ?? silentLogger, {
      database: join(dir, database),
      privateKey: options.privateKey,
      settings: FAST,
      onStart: (keeper) => {
        running = keeper;
      },
    });
    keepers.push(agent);
    return { agent, address: () => running?.address as Address };
  };
  const storeCounts = async (database: string) => {
    const store = new KeeperSqliteStore(join(dir, database));
    try {
      return await store.counts();
    } finally {
      await store.close();
    }
  };

  it("liquidates exactly the accounts the twin finds under 1 after a 30 % crash, each once", async () => {
    // At $2,100 (twin): safe 36.7, partial 0.97 (902), partial on the hub 0.97, full 0.76, dust 0.97
    // (its other half is $84 of dust), borderline 1.05.
    const traders = await tradersWith(kit, [
      { chainId: B, deposit: usd("5000"), size: eth("1") },
      { chainId: B, deposit: usd("10548"), size: eth("10") },
      { chainId: HUB, deposit: usd("10548"), size: eth("10") },
      { chainId: B, deposit: usd("10316"), size: eth("10") },
      { chainId: B, deposit: usd("84.4"), size: eth("0.08") },
      { chainId: B, deposit: usd("10632"), size: eth("10") },
    ]);
    everyone.push(...traders);
    const keeper = keeperAt("keeper.sqlite");
    await keeper.agent.start();
    const keeperOnB = await kit.balance(B, kit.jusd(B), devnet.manifest.accounts.keeper.address);
    const from = (await kit.hub.getBlockNumber()) + 1n;

    // The expected set, from the twin at the price the crash will push (the keeper acts at once).
    kit.prices.set(assetId("ETH"), usd("2100"));
    const expected = await liquidatable(kit, everyone);
    assert.equal(expected.size, 4, "partial, partial on the hub, full, dust");
    const prices = createPriceAgent(devnet.manifest, silentLogger);
    const crashedAt = Date.now();
    const crash = await prices.crash("ETH", 30);
    assert.equal(crash.updates.length, 1);
    assert.equal(crash.to, usd("2100"));

    const done = await waitUntil(
      () => liquidationsSince(kit, from),
      (seen) => [...expected].every((account) => seen.has(account)),
      "every unhealthy account liquidated",
      60_000,
    );
    const elapsedMs = Date.now() - crashedAt;
    console.log(`crash -> ${expected.size} accounts liquidated on the hub: ${elapsedMs} ms`);
    // A few more ticks: nothing else is liquidated, nothing twice.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const seen = await liquidationsSince(kit, from);
    assert.deepEqual([...seen.keys()].sort(), [...expected].sort());
    for (const [account, events] of seen) assert.equal(events.length, 1, account);
    assert.equal(done.size, expected.size);
    for (const [i, trader] of everyone.entries()) {
      const event = seen.get(trader.address)?.[0];
      console.log(
        event
          ? `account ${i}: closed ${event.args.closedSize}, repaid ${event.args.repaid}, seized ${event.args.seized} on ${event.args.chainId}`
          : `account ${i}: not liquidated`,
      );
    }
    assert.deepEqual(await liquidatable(kit, everyone), new Set(), "everyone is healthy again");

    // The seizures on 902 reach the keeper there; the hub's paid it at once.
    let seizedOnB = 0n;
    for (const [event] of seen.values()) {
      if (!event || event.args.chainId !== BigInt(B)) continue;
      seizedOnB += event.args.seized;
      const delivered = await waitForDelivery(kit.manifest, { id: event.args.messageId, timeoutMs: 90_000 });
      assert.equal(delivered.status, "delivered");
    }
    const seizedAt = Date.now() - crashedAt;
    console.log(`crash -> seizures on 902 paid (canonical path): ${seizedAt} ms`);
    assert.equal(
      await kit.balance(B, kit.jusd(B), devnet.manifest.accounts.keeper.address),
      keeperOnB + seizedOnB,
    );
    await keeper.agent.stop();
    assert.deepEqual(await storeCounts("keeper.sqlite"), {
      sent: 0,
      landed: 4,
      taken: 0,
      failed: 0,
      dropped: 0,
    });
  });

  it("repeats no liquidation when stopped with its liquidations sent but unmined, and started again", async () => {
    // Shorts opened at $2,100; ETH jumps 40 % to $2,940 (the deployer's feeder pushes it).
    const traders = await tradersWith(kit, [
      { chainId: B, deposit: usd("8000"), size: -eth("10") },
      { chainId: B, deposit: usd("9500"), size: -eth("10") },
      { chainId: HUB, deposit: usd("20000"), size: -eth("10") },
    ]);
    everyone.push(...traders);
    await kit.setPrices({ ETH: usd("2940") });
    const expected = await liquidatable(kit, everyone);
    assert.deepEqual([...expected].sort(), [traders[0]?.address, traders[1]?.address].sort());
    const from = (await kit.hub.getBlockNumber()) + 1n;

    const node = hubNode();
    await node.takeOver(); // the hub mines only when told: the keeper's transactions wait in the pool
    try {
      const first = keeperAt("keeper.sqlite");
      await first.agent.start();
      await waitUntil(
        () => storeCounts("keeper.sqlite"),
        (counts) => counts.sent === expected.size,
        "liquidations stored as sent",
      );
      await first.agent.stop();

      const again = keeperAt("keeper.sqlite");
      await again.agent.start();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await node.mine();
    } finally {
      await node.release();
    }
    await waitUntil(
      () => storeCounts("keeper.sqlite"),
      (counts) => counts.sent === 0,
      "the restarted keeper settled them",
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const seen = await liquidationsSince(kit, from);
    assert.deepEqual([...seen.keys()].sort(), [...expected].sort());
    for (const [account, events] of seen) assert.equal(events.length, 1, account);
    const counts = await storeCounts("keeper.sqlite");
    assert.equal(counts.landed, 4 + expected.size);
    assert.equal(counts.dropped + counts.failed + counts.taken, 0);
    await Promise.all(keepers.map((keeper) => keeper.stop()));
  });

  it("lands each liquidation once when two keepers race; the loser records it as taken", async () => {
    // Longs opened at $2,940; a 30 % crash to $2,058.
    const traders = await tradersWith(kit, [
      { chainId: B, deposit: usd("10100"), size: eth("10") },
      { chainId: HUB, deposit: usd("10100"), size: eth("10") },
      { chainId: B, deposit: usd("14500"), size: eth("10") },
    ]);
    everyone.push(...traders);
    const rival = await kit.trader();
    await kit.giveJusd(rival.address, HUB, usd("100000"));
    // The rival's approval of the engine is mined before the hub stops mining for the race.
    await kit.confirm(
      HUB,
      await kit.wallet(rival.key, HUB).writeContract({
        address: kit.jusd(HUB),
        abi: erc20Abi,
        functionName: "approve",
        args: [kit.margin.engine, maxUint256],
      }),
    );
    const crash = await createPriceAgent(devnet.manifest, silentLogger).crash("ETH", 30);
    kit.prices.set(assetId("ETH"), crash.to);
    assert.equal(crash.to, usd("2058"));
    const expected = await liquidatable(kit, everyone);
    assert.ok(expected.size >= 2, `${expected.size} accounts to liquidate`);
    const from = (await kit.hub.getBlockNumber()) + 1n;

    const logs = capturingLogger();
    const takenAtEstimate = (keeper: Address) =>
      logs.lines.filter(
        (line) => line.at === "Keeper#taken" && line.keeper === keeper && line.refusedAt === "estimate",
      );
    const node = hubNode();
    const a = keeperAt("race-a.sqlite", { logger: logs.logger });
    const b = keeperAt("race-b.sqlite", { privateKey: rival.key, logger: logs.logger });
    // Each keeper either pools its liquidation or, planning after the other's was pooled, is refused at
    // estimation (the node estimates on its pool) and logs it as taken.
    const pooledOrTaken = async (database: string, keeper: Address) =>
      (await storeCounts(database)).sent + takenAtEstimate(keeper).length;
    await node.takeOver(); // both keepers plan on the same state; their liquidations wait in one pool
    try {
      await Promise.all([a.agent.start(), b.agent.start()]);
      await waitUntil(
        async () => [
          await pooledOrTaken("race-a.sqlite", a.address()),
          await pooledOrTaken("race-b.sqlite", b.address()),
        ],
        ([doneA, doneB]) => doneA === expected.size && doneB === expected.size,
        "both keepers' liquidations pooled or refused as taken",
      );
      await node.mine();
    } finally {
      await node.release();
    }
    await waitUntil(
      async () => [await storeCounts("race-a.sqlite"), await storeCounts("race-b.sqlite")],
      (counts) => counts.every((count) => count.sent === 0),
      "both keepers settled",
    );
    const seen = await liquidationsSince(kit, from);
    assert.deepEqual([...seen.keys()].sort(), [...expected].sort());
    for (const [account, events] of seen) assert.equal(events.length, 1, account);
    const [countsA, countsB] = [await storeCounts("race-a.sqlite"), await storeCounts("race-b.sqlite")];
    assert.equal(countsA.landed + countsB.landed, expected.size);
    const early = takenAtEstimate(a.address()).length + takenAtEstimate(b.address()).length;
    assert.equal(
      countsA.taken + countsB.taken + early,
      expected.size,
      "the loser of each race took it as taken",
    );
    assert.equal(countsA.failed + countsB.failed, 0);
    const taken = logs.lines.filter((line) => line.at === "Keeper#taken");
    assert.equal(taken.length, expected.size);
    for (const line of taken) {
      if (line.refusedAt === "on chain") assert.match(String(line.reason), /^taken by 0x[0-9a-fA-F]{40}/);
      else assert.match(String(line.reason), /AccountHealthy|NothingToLiquidate/);
    }
    console.log(`race: ${taken.length - early} lost on chain, ${early} refused at estimation`);
    await Promise.all([a.agent.stop(), b.agent.stop()]);
  });

  it("executes a pending order in a tick once a price after its request exists, and not before", async () => {
    const [trader] = await tradersWith(kit, [{ chainId: HUB, deposit: usd("5000"), size: 0n }]);
    assert.ok(trader);
    const store = new KeeperSqliteStore(join(dir, "orders.sqlite"));
    const keeper = new Keeper({
      network: kit.manifest,
      privateKey: kit.manifest.accounts.keeper.privateKey,
      store,
      logger: silentLogger,
    });
    try {
      const { blockNumber } = await requestMarginOrder(kit.wallet(trader.key, HUB), kit.manifest, {
        size: eth("1"),
      });
      const pending = () =>
        kit.hub.readContract({ ...kit.engine, functionName: "pendingOrders", args: [trader.address] });
      // No price since the request: the tick leaves the order alone.
      await keeper.tick();
      assert.equal(await pending(), 1n);
      await kit.setPrices({});
      await keeper.tick();
      assert.equal(await pending(), 0n);
      const [executed] = await kit.hub.getContractEvents({
        ...kit.engine,
        eventName: "OrderExecuted",
        args: { account: trader.address },
        fromBlock: blockNumber,
        strict: true,
      });
      assert.ok(executed, "the keeper executed the order");
      assert.equal(executed.args.executor, kit.manifest.accounts.keeper.address);
      assert.equal(executed.args.price, kit.prices.get(assetId("ETH")));
      assert.ok(executed.blockNumber > blockNumber);
      const account = await kit.account(trader.address);
      assert.equal(account.positions.get(0)?.size, eth("1"));
    } finally {
      await store.close();
    }
  });

  it("fills an SDK order once when a running keeper and the trader's own SDK both execute it", async () => {
    const [trader] = await tradersWith(kit, [{ chainId: HUB, deposit: usd("5000"), size: 0n }]);
    assert.ok(trader);
    const keeper = keeperAt("orders-race.sqlite");
    await keeper.agent.start();
    try {
      const from = await kit.hub.getBlockNumber();
      for (let i = 0; i < 3; i++) {
        const fill = await kit.open(kit.wallet(trader.key, HUB), { size: eth("1") });
        assert.equal(fill.size, eth("1"));
      }
      const executed = await kit.hub.getContractEvents({
        ...kit.engine,
        eventName: "OrderExecuted",
        args: { account: trader.address },
        fromBlock: from,
        strict: true,
      });
      assert.equal(executed.length, 3, "each order executed once");
      assert.equal((await kit.account(trader.address)).positions.get(0)?.size, eth("3"));
    } finally {
      await keeper.agent.stop();
    }
  });

  it("works from the CLI: margin deposit, open and status, prices crash in two updates, junction keeper", async () => {
    const trader = await kit.trader();
    await kit.giveJusd(trader.address, HUB, usd("10000"));
    const network = ["--data-dir", devnet.dataDir];
    const as = [...network, "--private-key", trader.key];
    const json = (result: { code: number | null; stdout: string; stderr: string }) => {
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    json(await runCli(["margin", "deposit", "--chain", String(HUB), "--amount", "10000", ...as]));
    // The open is a delayed order: no price agent runs here, so once it is requested the test publishes
    // the next price (what the devnet's price agent does), and the command executes the order at it.
    const opening = runCli(["margin", "open", "--size", "30", ...as]);
    await waitUntil(
      () => kit.hub.readContract({ ...kit.engine, functionName: "pendingOrders", args: [trader.address] }),
      (pending) => pending === 1n,
      "the open requested",
      60_000,
    );
    await kit.setPrices({});
    const opened = json(await opening);
    assert.equal(opened.size, eth("30").toString());
    assert.equal(opened.price, (kit.prices.get(assetId("ETH")) as bigint).toString());
    const before = json(await runCli(["margin", "status", "--account", trader.address, ...network]));
    assert.equal(before.positions[0]?.size, eth("30").toString());
    assert.ok(Number(before.health) > 1, `health ${before.health}`);

    // Silent: its output is then only the status it prints when stopped.
    const keeper = startCli([
      "keeper",
      ...network,
      "--database",
      join(dir, "cli.sqlite"),
      "--interval-ms",
      "200",
      "--log-level",
      "silent",
    ]);
    try {
      const from = (await kit.hub.getBlockNumber()) + 1n;
      const crash = json(await runCli(["prices", "crash", "ETH", "60%", ...network]));
      assert.equal(crash.updates.length, 2);
      assert.match(crash.note, /at most 50 % per update: this 60 % crash took 2 updates/);
      await waitUntil(
        () => liquidationsSince(kit, from),
        (seen) => seen.has(trader.address),
        "the trader liquidated",
        30_000,
      );
      const after = json(await runCli(["margin", "status", "--account", trader.address, ...network]));
      assert.deepEqual(after.positions, []);
    } finally {
      await stopCli(keeper);
    }
    assert.equal(await keeper.exited, 0, keeper.output());
    const stopped = JSON.parse(keeper.output());
    assert.ok(stopped.status.liquidations.landed >= 1, keeper.output());
  });
});
