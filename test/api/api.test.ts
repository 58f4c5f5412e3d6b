// The API against one sequenced devnet with its agents running: messages on the canonical, optimistic
// and sequencer paths indexed from the chains' events and served with filters and cursor pages; ids
// that do not exist (404) and parameters that are invalid (400 naming the parameter); checkpoints with
// their challenge windows; superblocks; bonds; the finance apps' reads; the OpenAPI document; the
// WebSocket stream in order and resumed from a cursor; and /metrics moving as messages are delivered.
import assert from "node:assert/strict";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Hex, parseEther, toHex } from "viem";
import WebSocket from "ws";
import { ApiServer } from "../../src/api/server.js";
import { publicClientFor, walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { freePort } from "../../src/chain/ports.js";
import { bondManagerAbi, optimisticVerifierAbi } from "../../src/contracts/generated/index.js";
import { silentLogger } from "../../src/log.js";
import { MESSAGE_TREE_DEPTH, merkleRoot } from "../../src/protocol/merkle.js";
import { type Message, messageId } from "../../src/protocol/message.js";
import {
  cancelOrder,
  fillIntent,
  openIntent,
  placeOrder,
  sendMessage,
  waitForDelivery,
} from "../../src/sdk/index.js";
import { fundedKey, waitUntil } from "../helpers/chain.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { outboxIds, submitCheckpoint } from "../helpers/optimistic.js";
import { amount, orderbookTrader, place, price, settleAs } from "../helpers/orderbook.js";

type Json = Record<string, unknown>;
type StreamEvent = { cursor: number; kind: string; data: Json };

async function get(url: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Json };
}

/** Reads a metric sample (0 when absent) from Prometheus text. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split("\n").find((entry) => entry.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/** A WebSocket client that keeps every event it receives. */
function openStream(url: string): Promise<{ events: StreamEvent[]; hello: Json; socket: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const events: StreamEvent[] = [];
    let hello: Json | undefined;
    socket.on("message", (data) => {
      const parsed = JSON.parse(String(data)) as Json;
      if (parsed.kind === "hello") {
        hello = parsed;
        resolve({ events, hello, socket });
      } else events.push(parsed as StreamEvent);
    });
    socket.on("error", reject);
  });
}

describe("API", () => {
  let devnet: TestDevnet;
  let api: ApiServer;
  let base: string;
  let metricsBefore: string;
  let live: Awaited<ReturnType<typeof openStream>>;
  const sent: { id: Hex; path: string; from: number; to: number }[] = [];
  let orderId: Hex;
  const apiConfig = (port: number) => ({
    network: devnet.manifest,
    database: join(devnet.dataDir, "api.sqlite"),
    port,
    logger: silentLogger,
  });

  before(async () => {
    devnet = await startTestDevnet({ sequencer: { superblockTimeMs: 500 }, l1BlockTime: 1 });
    api = new ApiServer(apiConfig(await freePort()));
    await api.start();
    base = api.url;
    metricsBefore = await (await fetch(`${base}/metrics`)).text();
    live = await openStream(`${base.replace("http", "ws")}/v1/stream`);
    const { manifest } = devnet;
    const plan = [
      { from: 901, to: 902, recipient: "recorder", path: "canonical" },
      { from: 902, to: 901, recipient: "recorder", path: "canonical" },
      { from: 901, to: 902, recipient: "optimisticRecorder", path: "optimistic" },
      { from: 902, to: 901, recipient: "sequencerRecorder", path: "sequencer" },
    ] as const;
    for (const step of plan) {
      const wallet = walletClientFor(rollupOf(manifest, step.from), manifest.accounts.user.privateKey);
      const message = await sendMessage(wallet, manifest, {
        destinationChainId: step.to,
        recipient: rollupOf(manifest, step.to).contracts[step.recipient],
        body: toHex(`api test ${step.path} ${step.from}`),
      });
      sent.push({ id: message.id, path: step.path, from: step.from, to: step.to });
    }
    // An intent 901 → 902 on the canonical path, filled by the filler's account by hand.
    const opened = await openIntent(
      walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey),
      manifest,
      {
        destinationChainId: 902,
        inputAmount: parseEther("10"),
        outputAmount: parseEther("9.9"),
        recipient: manifest.accounts.user.address,
        path: "canonical",
      },
    );
    orderId = opened.orderId;
    await fillIntent(
      walletClientFor(rollupOf(manifest, 902), manifest.accounts.filler.privateKey),
      manifest,
      {
        originData: opened.originData,
      },
    );
    for (const message of sent) await waitForDelivery(manifest, { id: message.id, timeoutMs: 60_000 });
    await waitUntil(
      () => get(`${base}/v1/intents?origin=901`),
      (response) =>
        (response.body.intents as Json[]).some(
          (intent) => intent.orderId === orderId && intent.state === "repaid",
        ),
      "the API to show the intent repaid",
      60_000,
    );
    // The index follows the chains a moment behind.
    for (const message of sent) {
      await waitUntil(
        () => get(`${base}/v1/messages/${message.id}`),
        (response) => response.body.status === "delivered",
        `the API to show ${message.id} delivered`,
      );
    }
  });

  after(async () => {
    live?.socket.close();
    await api?.stop();
    await devnet?.stop();
  });

  it("GET /v1/messages/:id: status, path, source and delivery transactions, latency", async () => {
    for (const message of sent) {
      const { status, body } = await get(`${base}/v1/messages/${message.id}`);
      assert.equal(status, 200);
      assert.equal(body.id, message.id);
      assert.equal(body.path, message.path);
      assert.equal(body.sourceChainId, message.from);
      assert.equal(body.destinationChainId, message.to);
      const source = body.source as Json;
      const delivery = body.delivery as Json;
      assert.match(String(source.tx), /^0x[0-9a-f]{64}$/);
      assert.match(String(delivery.tx), /^0x[0-9a-f]{64}$/);
      assert.ok(Number(delivery.gasUsed) > 21_000, "the delivery transaction's gas");
      assert.ok(Number(body.latencySeconds) >= 0);
      assert.deepEqual(body.failures, []);
    }
  });

  it("GET /v1/messages filters by status, path, source, destination and sender", async () => {
    const all = (await get(`${base}/v1/messages?limit=200`)).body.messages as Json[];
    for (const message of sent) assert.ok(all.some((entry) => entry.id === message.id));
    const optimistic = (await get(`${base}/v1/messages?path=optimistic`)).body.messages as Json[];
    assert.deepEqual(
      optimistic.map((entry) => entry.id),
      sent.filter((message) => message.path === "optimistic").map((message) => message.id),
    );
    const fromB = (await get(`${base}/v1/messages?source=902&destination=901&status=delivered`)).body
      .messages as Json[];
    assert.ok(fromB.length >= 2);
    assert.ok(fromB.every((entry) => entry.sourceChainId === 902 && entry.destinationChainId === 901));
    const user = devnet.manifest.accounts.user.address;
    const bySender = (await get(`${base}/v1/messages?sender=${user}`)).body.messages as Json[];
    assert.equal(bySender.length, sent.length);
    const none = (await get(`${base}/v1/messages?sender=0x000000000000000000000000000000000000dEaD`)).body;
    assert.deepEqual(none.messages, []);
    assert.equal(none.nextCursor, null);
  });

  it("GET /v1/messages pages with a cursor: every message once, newest first", async () => {
    const seen: string[] = [];
    let cursor: number | null = null;
    do {
      const query: string = cursor === null ? "" : `&cursor=${cursor}`;
      const { body } = await get(`${base}/v1/messages?limit=1${query}`);
      const page = body.messages as Json[];
      assert.ok(page.length <= 1);
      seen.push(...page.map((entry) => String(entry.id)));
      cursor = body.nextCursor as number | null;
    } while (cursor !== null);
    const all = ((await get(`${base}/v1/messages?limit=200`)).body.messages as Json[]).map(
      (entry) => entry.id,
    );
    assert.deepEqual(seen, all);
    assert.equal(new Set(seen).size, seen.length);
  });

  it("answers 404 for unknown ids and 400 naming an invalid parameter", async () => {
    const unknown = `0x${"ab".repeat(32)}`;
    assert.equal((await get(`${base}/v1/messages/${unknown}`)).status, 404);
    assert.equal((await get(`${base}/v1/superblocks/999999999`)).status, 404);
    assert.equal((await get(`${base}/v1/no-such-route`)).status, 404);
    const cases: [string, string][] = [
      ["/v1/messages/0x1234", "id"],
      ["/v1/messages?status=lost", "status"],
      ["/v1/messages?path=carrier-pigeon", "path"],
      ["/v1/messages?limit=0", "limit"],
      ["/v1/messages?limit=201", "limit"],
      ["/v1/messages?cursor=abc", "cursor"],
      ["/v1/messages?source=-1", "source"],
      ["/v1/messages?sender=0x12", "sender"],
      ["/v1/messages?colour=blue", "colour"],
      ["/v1/superblocks/zero", "height"],
      ["/v1/checkpoints?path=zk-ish", "path"],
      [`/v1/intents/${unknown}?origin=901`, "destination"],
      [`/v1/intents/${unknown}?origin=77&destination=901`, "origin"],
      ["/v1/margin/accounts/0xnope", "account"],
      ["/v1/intents?state=lost", "state"],
      ["/v1/intents?limit=1000", "limit"],
      ["/v1/solvency/epochs/0", "epoch"],
      ["/v1/solvency/epochs/newest", "epoch"],
    ];
    for (const [path, parameter] of cases) {
      const { status, body } = await get(`${base}${path}`);
      assert.equal(status, 400, path);
      assert.equal(body.error, "invalid parameter", path);
      assert.equal(body.parameter, parameter, path);
    }
    assert.equal((await get(`${base}/v1/intents/${unknown}?origin=901&destination=902`)).status, 404);
    // The stream's cursor is checked before the upgrade.
    const upgrade = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${base.replace("http", "ws")}/v1/stream?cursor=-5`);
      socket.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.on("open", () => {
        socket.close();
        resolve(101);
      });
      socket.on("error", reject);
    });
    assert.equal(upgrade, 400);
    // The devnet here runs no solvency publisher: no epoch yet.
    assert.equal((await get(`${base}/v1/solvency/epochs/latest`)).status, 404);
    assert.equal((await get(`${base}/v1/solvency/epochs/7`)).status, 404);
  });

  it("answers only its own Host (a rebound name pointing at 127.0.0.1 gets 421)", async () => {
    const statusFor = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(base);
        const req = request(
          { host: "127.0.0.1", port: url.port, path: "/v1/chains", headers: { host } },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end();
      });
    const port = new URL(base).port;
    assert.equal(await statusFor(`evil.example:${port}`), 421);
    assert.equal(await statusFor(`127.0.0.1:${port}`), 200);
    assert.equal(await statusFor(`localhost:${port}`), 200);
  });

  it("GET /v1/chains, /v1/checkpoints, /v1/superblocks/:height, /v1/bonds", async () => {
    const chains = (await get(`${base}/v1/chains`)).body;
    const list = chains.chains as Json[];
    assert.deepEqual(
      list.map((chain) => chain.chainId),
      [900, 901, 902],
    );
    assert.ok(
      list.every((chain) => Number(chain.head) >= Number(chain.indexedBlock) && Number(chain.head) > 0),
    );
    const height = Number(chains.superblockHeight);
    assert.ok(height >= 1, "superblocks are indexed");
    const superblock = (await get(`${base}/v1/superblocks/${height}`)).body;
    assert.equal(superblock.height, height);
    assert.deepEqual((superblock.blocks as Json[]).map((block) => block.chainId).sort(), [901, 902]);
    const { checkpoints } = (await get(`${base}/v1/checkpoints`)).body as { checkpoints: Json[] };
    const canonical = checkpoints.filter((entry) => entry.path === "canonical");
    const optimistic = checkpoints.filter((entry) => entry.path === "optimistic");
    assert.ok(canonical.length > 0 && optimistic.length > 0);
    for (const entry of optimistic) {
      assert.equal(
        Number(entry.windowEnd) - Number(entry.postedAt),
        devnet.manifest.optimistic.challengeWindow,
      );
      assert.ok(["pending", "final", "confirmed"].includes(String(entry.state)));
    }
    const onlyB = (await get(`${base}/v1/checkpoints?source=902&path=canonical`)).body.checkpoints as Json[];
    assert.ok(
      onlyB.length > 0 && onlyB.every((entry) => entry.sourceChainId === 902 && entry.path === "canonical"),
    );
    const bonds = (await get(`${base}/v1/bonds`)).body;
    const attester = devnet.manifest.accounts.attester.address.toLowerCase();
    const attesterBonds = (bonds.bonds as Json[]).filter(
      (bond) => String(bond.attester).toLowerCase() === attester,
    );
    assert.equal(attesterBonds.length, 2, "the attester's bond on both rollups");
    assert.ok(BigInt(String((bonds.atStake as Json)["901"])) >= BigInt(devnet.manifest.optimistic.minBond));
  });

  it("GET /v1/intents follows an order from open to filled to repaid", async () => {
    const { intents } = (await get(`${base}/v1/intents?origin=901&destination=902`)).body as {
      intents: Json[];
    };
    const intent = intents.find((entry) => entry.orderId === orderId) as Json;
    assert.equal(intent.state, "repaid");
    assert.equal(intent.path, "canonical");
    assert.equal(intent.inputAmount, parseEther("10").toString());
    assert.equal(intent.outputAmount, parseEther("9.9").toString());
    assert.equal(String(intent.user).toLowerCase(), devnet.manifest.accounts.user.address.toLowerCase());
    assert.equal(
      String((intent.fill as Json).filler).toLowerCase(),
      devnet.manifest.accounts.filler.address.toLowerCase(),
    );
    assert.ok(Number(intent.fillSeconds) >= 0);
    assert.deepEqual((await get(`${base}/v1/intents?state=refunded`)).body.intents, []);
    const onChain = await get(`${base}/v1/intents/${orderId}?origin=901&destination=902&path=canonical`);
    assert.equal((onChain.body.origin as Json).state, "repaid");
    assert.equal((onChain.body.destination as Json).state, "filled");
  });

  it("GET /v1/pools and /v1/margin/accounts/:account read the finance apps", async () => {
    const pools = (await get(`${base}/v1/pools`)).body.pools as Json[];
    assert.deepEqual(
      pools.map((pool) => pool.chainId),
      [901, 902],
    );
    assert.ok(pools.every((pool) => BigInt(String(pool.totalAssets)) > 0n));
    const account = await get(`${base}/v1/margin/accounts/${devnet.manifest.accounts.user.address}`);
    assert.equal(account.status, 200);
    assert.equal(account.body.cash, "0");
  });

  it("GET /v1/orderbook and /v1/orderbook/orders/:id read every rollup's gateway; /fills its index", async () => {
    // No matcher runs in this devnet: the orders rest (the filler's account holds JUSD on every rollup). Two bids at one price on two rollups are one level.
    const { manifest } = devnet;
    const bid = async (chainId: number, amount: string) =>
      placeOrder(
        walletClientFor(rollupOf(manifest, chainId), manifest.accounts.filler.privateKey),
        manifest,
        {
          side: "buy",
          price: parseEther("1234"),
          amount: parseEther(amount),
        },
      );
    const first = await bid(901, "0.5");
    const second = await bid(902, "0.25");
    const book = (await get(`${base}/v1/orderbook`)).body;
    const level = (book.bids as Json[]).find((entry) => entry.price === parseEther("1234").toString());
    assert.deepEqual(level, {
      price: parseEther("1234").toString(),
      amount: parseEther("0.75").toString(),
      orders: 2,
    });

    const order = await get(`${base}/v1/orderbook/orders/${second.orderId}`);
    assert.equal(order.status, 200);
    assert.equal(order.body.chainId, 902);
    assert.equal(order.body.owner, manifest.accounts.filler.address);
    assert.equal(order.body.isBuy, true);
    assert.equal(order.body.filled, "0");

    await cancelOrder(
      walletClientFor(rollupOf(manifest, 901), manifest.accounts.filler.privateKey),
      manifest,
      {
        orderId: first.orderId,
      },
    );
    const after = (await get(`${base}/v1/orderbook`)).body;
    const left = (after.bids as Json[]).find((entry) => entry.price === parseEther("1234").toString());
    assert.deepEqual(left, {
      price: parseEther("1234").toString(),
      amount: parseEther("0.25").toString(),
      orders: 1,
    });
    // A cancel request takes the order out of the book at once; it completes after the gateway's delay.
    const requested = (await get(`${base}/v1/orderbook/orders/${first.orderId}`)).body;
    assert.notEqual(requested.cancelRequestedAt, "0");
    assert.equal(requested.cancelled, false);
    assert.deepEqual((await get(`${base}/v1/orderbook/fills?order=${second.orderId}`)).body, {
      fills: [],
      nextCursor: null,
    });

    const unknown = (901n << 64n) + 999_999n;
    assert.equal((await get(`${base}/v1/orderbook/orders/${unknown}`)).status, 404);
    for (const [path, parameter] of [
      ["/v1/orderbook/orders/0x12", "orderId"],
      [`/v1/orderbook/orders/${(77n << 64n) + 1n}`, "orderId"],
      ["/v1/orderbook/fills?order=-3", "order"],
    ] as const) {
      const { status, body } = await get(`${base}${path}`);
      assert.equal(status, 400, path);
      assert.equal(body.parameter, parameter, path);
    }
  });

  it("GET /v1/orderbook/fills serves every leg the gateways paid from the index, by order and page by page", async () => {
    const m = devnet.manifest;
    const [buyer, seller] = [await orderbookTrader(m, [901]), await orderbookTrader(m, [901])];
    const buy = await place(m, buyer, 901, "buy", price("2000"), amount("0.5"));
    const sell = await place(m, seller, 901, "sell", price("2000"), amount("0.5"));
    // Settled as the devnet's matcher key (no matcher runs here): one fill, a leg paid per order.
    const logs = await settleAs(m, 901, 0n, [
      { order: buy, counter: sell, price: price("2000"), amount: amount("0.5") },
    ]);
    const legs = logs.filter((log) => log.eventName === "OrderFilled");
    assert.equal(legs.length, 2);
    const { body } = await waitUntil(
      () => get(`${base}/v1/orderbook/fills?order=${buy}`),
      (response) => (response.body.fills as Json[]).length === 1,
      "the buy's leg indexed",
    );
    const [leg] = body.fills as Json[];
    const event = legs.find((log) => log.args.order === buy) as (typeof legs)[number] & {
      args: Record<string, unknown>;
    };
    assert.deepEqual(
      { ...leg, cursor: undefined, blockNumber: undefined },
      {
        chainId: 901,
        fillId: event.args.fillId,
        order: String(buy),
        counter: String(sell),
        price: price("2000").toString(),
        amount: amount("0.5").toString(),
        receiver: event.args.receiver,
        token: event.args.token,
        paid: String(event.args.paid),
        txHash: event.transactionHash,
        cursor: undefined,
        blockNumber: undefined,
      },
    );
    // Page by page: one leg per page, every leg once, the buy's and the sell's.
    const seen: string[] = [];
    let cursor: number | null = 0;
    while (cursor !== null) {
      const page = (await get(`${base}/v1/orderbook/fills?limit=1${cursor ? `&cursor=${cursor}` : ""}`)).body;
      seen.push(...(page.fills as Json[]).map((fill) => String(fill.order)));
      cursor = page.nextCursor as number | null;
    }
    assert.deepEqual(seen.sort(), [String(buy), String(sell)].sort());
    const bad = await get(`${base}/v1/orderbook/fills?limit=0`);
    assert.equal(bad.status, 400);
  });

  it("serves an OpenAPI 3.1 document describing every route and its parameters", async () => {
    const { status, body } = await get(`${base}/v1/openapi.json`);
    assert.equal(status, 200);
    assert.equal(body.openapi, "3.1.0");
    const paths = body.paths as Record<string, Record<string, Json>>;
    for (const path of [
      "/v1/chains",
      "/v1/messages",
      "/v1/messages/{id}",
      "/v1/checkpoints",
      "/v1/superblocks/{height}",
      "/v1/bonds",
      "/v1/pools",
      "/v1/margin/accounts/{account}",
      "/v1/intents/{orderId}",
      "/v1/intents",
      "/v1/solvency/epochs/{epoch}",
      "/v1/orderbook",
      "/v1/orderbook/orders/{orderId}",
      "/v1/orderbook/fills",
      "/v1/stream",
    ]) {
      const operation = paths[path]?.get;
      assert.ok(operation, `${path} is documented`);
      assert.ok(typeof operation.summary === "string" && operation.summary.length > 0);
      assert.ok((operation.responses as Json)["200"] || path === "/v1/stream");
      const parameters = operation.parameters as {
        name: string;
        in: string;
        required: boolean;
        schema: Json;
      }[];
      // Every {name} of the template is a required path parameter, and nothing else is.
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      assert.deepEqual(
        parameters.filter((parameter) => parameter.in === "path").map((parameter) => parameter.name),
        templated,
      );
      for (const parameter of parameters) {
        assert.ok(["path", "query"].includes(parameter.in));
        assert.ok(typeof parameter.schema.type === "string", `${path} ${parameter.name} has a type`);
        if (parameter.in === "path") assert.equal(parameter.required, true);
      }
    }
    const messageQuery = ((paths["/v1/messages"]?.get?.parameters ?? []) as { name: string }[]).map(
      (p) => p.name,
    );
    assert.deepEqual(messageQuery.sort(), [
      "cursor",
      "destination",
      "limit",
      "path",
      "sender",
      "source",
      "status",
    ]);
  });

  it("streams events in order over the WebSocket and resumes from a cursor", async () => {
    const events = live.events;
    // Cursors are consecutive: nothing lost, nothing reordered.
    for (let i = 1; i < events.length; i++) assert.equal(events[i]?.cursor, (events[i - 1]?.cursor ?? 0) + 1);
    assert.equal(events[0]?.cursor, Number(live.hello.cursor) + 1);
    for (const message of sent) {
      const states = events
        .filter((event) => event.kind === "message" && event.data.id === message.id)
        .map((event) => event.data.status);
      assert.equal(states[0], "sent", `${message.id} first seen sent`);
      assert.equal(states.at(-1), "delivered");
    }
    const kinds = new Set(events.map((event) => event.kind));
    for (const kind of ["message", "checkpoint", "superblock", "intent"]) assert.ok(kinds.has(kind), kind);
    // Resume from the middle: the replay is exactly what the live socket saw after that cursor.
    const middle = events[Math.floor(events.length / 2)] as StreamEvent;
    const resumed = await openStream(`${base.replace("http", "ws")}/v1/stream?cursor=${middle.cursor}`);
    const last = events.at(-1) as StreamEvent;
    await waitUntil(
      async () => resumed.events.length,
      () => (resumed.events.at(-1)?.cursor ?? 0) >= last.cursor,
      "the resumed stream to catch up",
    );
    resumed.socket.close();
    const replayed = resumed.events.filter((event) => event.cursor <= last.cursor);
    assert.deepEqual(
      replayed.map((event) => event.cursor),
      events.filter((event) => event.cursor > middle.cursor).map((event) => event.cursor),
    );
    assert.deepEqual(
      replayed.map((event) => event.data),
      events.filter((event) => event.cursor > middle.cursor).map((event) => event.data),
    );
  });

  it("/metrics: counters and histograms move as messages are sent and delivered", async () => {
    const after = await (await fetch(`${base}/metrics`)).text();
    for (const path of ["canonical", "optimistic", "sequencer"]) {
      const expected = sent.filter((message) => message.path === path).length;
      const label = `path="${path}"`;
      const delta = (name: string) => sample(after, name, label) - sample(metricsBefore, name, label);
      assert.ok(delta("junction_messages_sent_total") >= expected, `${path} sent`);
      assert.ok(delta("junction_messages_delivered_total") >= expected, `${path} delivered`);
      assert.ok(delta("junction_delivery_latency_seconds_count") >= expected, `${path} latency observed`);
      assert.ok(delta("junction_delivery_gas_total") > 21_000 * expected, `${path} gas`);
    }
    assert.ok(sample(after, "junction_messages", 'status="delivered",path="canonical"') >= 2);
    assert.ok(
      after.includes("junction_relayer_lag_seconds") && after.includes('junction_chain_head{chain="901"}'),
    );
    assert.ok(sample(after, "junction_checkpoints_total", 'path="optimistic"') > 0);
    assert.ok(Number(after.match(/^junction_superblocks_posted_total (\d+)/m)?.[1]) > 0);
    assert.ok(Number(after.match(/^junction_superblock_height (\d+)/m)?.[1]) > 0);
    assert.ok(sample(after, "junction_bonds_at_stake_wei", 'chain="901"') > 0);
    for (const event of ["opened", "filled", "repaid"]) {
      const label = `event="${event}",path="canonical"`;
      assert.ok(
        sample(after, "junction_intents_total", label) >
          sample(metricsBefore, "junction_intents_total", label),
        event,
      );
    }
    assert.ok(sample(after, "junction_intent_fill_seconds_count", 'path="canonical"') >= 1);
  });

  it("a forged optimistic checkpoint: challenged and rejected, its attester slashed, on every view", async () => {
    const { manifest } = devnet;
    const source = rollupOf(manifest, 901);
    const target = rollupOf(manifest, 902);
    const sourceClient = publicClientFor(source);
    const targetClient = publicClientFor(target);
    const verifier = target.contracts.optimisticVerifier;
    // A stranger registered as an attester of 901 on 902 and bonded on 901 (as the optimistic e2e does).
    const rogue = await fundedKey(manifest);
    const bond = parseEther("2");
    await targetClient.waitForTransactionReceipt({
      hash: await walletClientFor(target, manifest.accounts.deployer.privateKey).writeContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "setAttester",
        args: [901n, rogue.address, true],
      }),
    });
    await sourceClient.waitForTransactionReceipt({
      hash: await walletClientFor(source, rogue.key).writeContract({
        address: source.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "bond",
        value: bond,
      }),
    });
    await waitUntil(
      () =>
        targetClient.readContract({
          address: verifier,
          abi: optimisticVerifierAbi,
          functionName: "bondOnSource",
          args: [901n, rogue.address],
        }),
      (amount) => amount === bond,
      "the rogue's bond to reach 902",
    );
    // It claims a message that was never sent as the Outbox's next one.
    const ids = await outboxIds(manifest, 901);
    const count = BigInt(ids.length) + 1n;
    const forged: Message = {
      version: 1,
      nonce: count - 1n,
      sourceChainId: 901n,
      sender: rogue.address,
      destinationChainId: 902n,
      recipient: target.contracts.optimisticRecorder,
      gasLimit: 200_000n,
      deadline: 4_000_000_000n,
      body: toHex("mint me a fortune"),
    };
    await submitCheckpoint(manifest, 902, rogue.key, {
      sourceChainId: 901n,
      count,
      root: merkleRoot([...ids, messageId(forged)], MESSAGE_TREE_DEPTH),
    });
    const lane = () => get(`${base}/v1/checkpoints?path=optimistic&source=901&limit=100`);
    const forgedRow = (body: Json) =>
      (body.checkpoints as Json[]).find(
        (entry) =>
          entry.destinationChainId === 902 &&
          entry.count === Number(count) &&
          entry.attester === rogue.address,
      );
    await waitUntil(
      lane,
      (response) => forgedRow(response.body)?.state === "challenged",
      "the API to show the challenge",
    );
    // The true root at `count` exists once the Outbox holds that many messages; then the challenge settles.
    await sendMessage(walletClientFor(source, manifest.accounts.user.privateKey), manifest, {
      destinationChainId: 902,
      recipient: target.contracts.recorder,
      body: toHex("the real message"),
    });
    await waitUntil(
      lane,
      (response) => forgedRow(response.body)?.state === "rejected",
      "the API to show it rejected",
      60_000,
    );
    const bonds = await waitUntil(
      () => get(`${base}/v1/bonds`),
      (response) =>
        (response.body.bonds as Json[]).some((entry) => entry.attester === rogue.address && entry.slashed),
      "the API to show the rogue slashed",
      60_000,
    );
    const slashed = (bonds.body.bonds as Json[]).find((entry) => entry.attester === rogue.address) as Json;
    assert.equal(slashed.chainId, 901);
    assert.equal(slashed.amount, "0");
    const slashEvent = live.events.find(
      (event) => event.kind === "slash" && event.data.attester === rogue.address,
    );
    assert.ok(slashEvent, "a slash event on the stream");
    assert.equal(slashEvent.data.reward, (bond / 2n).toString());
    assert.equal(
      String(slashEvent.data.prover).toLowerCase(),
      manifest.accounts.watchtower.address.toLowerCase(),
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.ok(sample(metrics, "junction_challenges_total", 'destination="902"') >= 1);
    assert.ok(sample(metrics, "junction_slashes_total", 'chain="901"') >= 1);
  });

  it("a restarted API resumes its index: what happened while it was down arrives once, cursors continue", async () => {
    const lastCursor = live.events.at(-1)?.cursor ?? 0;
    const indexed = ((await get(`${base}/v1/messages?limit=200`)).body.messages as Json[]).map(
      (entry) => entry.id,
    );
    const port = Number(new URL(base).port);
    await api.stop();
    const { manifest } = devnet;
    const wallet = walletClientFor(rollupOf(manifest, 902), manifest.accounts.user.privateKey);
    const whileDown = await sendMessage(wallet, manifest, {
      destinationChainId: 901,
      recipient: rollupOf(manifest, 901).contracts.recorder,
      body: toHex("sent while the API was down"),
    });
    await waitForDelivery(manifest, { id: whileDown.id, timeoutMs: 60_000 });
    api = new ApiServer(apiConfig(port));
    await api.start();
    const replay = await openStream(`${base.replace("http", "ws")}/v1/stream?cursor=${lastCursor}`);
    await waitUntil(
      async () => replay.events.length,
      () =>
        replay.events.some((event) => event.data.id === whileDown.id && event.data.status === "delivered"),
      "the restarted API to stream the message sent while it was down",
    );
    replay.socket.close();
    // Cursors continue where the first run stopped; no event of the first run comes again.
    assert.equal(replay.events[0]?.cursor, lastCursor + 1);
    for (let i = 1; i < replay.events.length; i++) {
      assert.equal(replay.events[i]?.cursor, (replay.events[i - 1]?.cursor ?? 0) + 1);
    }
    const replayedIds = replay.events
      .filter((event) => event.kind === "message")
      .map((event) => event.data.id);
    assert.ok(!replayedIds.some((id) => indexed.includes(id as string) && id !== whileDown.id));
    const all = ((await get(`${base}/v1/messages?limit=200`)).body.messages as Json[]).map(
      (entry) => entry.id,
    );
    assert.equal(new Set(all).size, all.length, "no message indexed twice");
    assert.deepEqual(all.filter((id) => id !== whileDown.id && indexed.includes(id)).length, indexed.length);
    const stopped = await get(`${base}/v1/messages/${whileDown.id}`);
    assert.equal(stopped.body.status, "delivered");
  });
});
