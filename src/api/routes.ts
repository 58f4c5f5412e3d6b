// The API's REST routes under /v1. Parameters are validated by Fastify from these JSON schemas (a bad
// one is a 400 naming it, see server.ts); the same schemas make the OpenAPI document (openapi.ts).
// Everything but the finance apps' routes reads the index; those read one contract each per request.
import type { FastifyInstance } from "fastify";
import type { Address, Hex } from "viem";
import type { Manifest } from "../chain/manifest.js";
import { liquidityPoolAbi } from "../contracts/generated/index.js";
import { chainOfOrder } from "../protocol/orderbook.js";
import { getBook } from "../sdk/getBook.js";
import { getIntent } from "../sdk/getIntent.js";
import { getMarginAccount } from "../sdk/getMarginAccount.js";
import { clientOf } from "../sdk/network.js";
import { getOrder } from "../sdk/orderGateway.js";
import { getSolvencyEpoch, SolvencyEpochNotFoundError } from "../sdk/solvency.js";
import { type IndexStore, MESSAGE_STATUSES, type MessageFilter } from "./index-store.js";
import type { Indexer } from "./indexer.js";
import { INTENT_STATES } from "./intent-index.js";

export const TRUST_PATHS = ["canonical", "optimistic", "sequencer", "zk", "custom"] as const;

const hex32 = { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } as const;
const address = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
const chainId = { type: "integer", minimum: 1 } as const;
const notFound = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;
const anyObject = { type: "object", additionalProperties: true } as const;
/** An order id: the rollup's chain id in the high bits, its sequence in the low 64 (decimal). */
const orderIdParam = { type: "string", pattern: "^[1-9][0-9]{0,39}$" } as const;

export type RouteContext = { network: Manifest; store: IndexStore; indexer: Indexer };

/** JSON with bigints as decimal strings. */
function plain<T>(value: T): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item)),
  );
}

export function registerRoutes(app: FastifyInstance, { network, store, indexer }: RouteContext): void {
  app.get(
    "/v1/chains",
    {
      schema: {
        summary:
          "Every chain of the network: its head, how far the API has indexed it, block time, contracts",
        response: {
          200: {
            type: "object",
            properties: {
              chains: { type: "array", items: anyObject },
              superblockHeight: { type: ["integer", "null"] },
              sequencer: { type: ["object", "null"], additionalProperties: true },
              challengeWindow: { type: "integer" },
            },
          },
        },
      },
    },
    async () => {
      const progress = new Map(indexer.progress().map((entry) => [entry.chainId, entry]));
      const chainOf = (
        kind: string,
        entry: { chainId: number; rpcUrl: string; blockTime: number; contracts: object },
      ) => ({
        kind,
        chainId: entry.chainId,
        rpcUrl: entry.rpcUrl,
        blockTime: entry.blockTime,
        head: progress.get(entry.chainId)?.head ?? null,
        indexedBlock: progress.get(entry.chainId)?.indexed ?? null,
        contracts: entry.contracts,
      });
      return {
        chains: [chainOf("l1", network.l1), ...network.rollups.map((rollup) => chainOf("rollup", rollup))],
        superblockHeight: store.latestSuperblockHeight(),
        sequencer: network.sequencer ?? null,
        challengeWindow: network.optimistic.challengeWindow,
      };
    },
  );

  app.get<{
    Querystring: {
      status?: (typeof MESSAGE_STATUSES)[number];
      path?: string;
      source?: number;
      destination?: number;
      sender?: string;
      cursor?: number;
      limit?: number;
    };
  }>(
    "/v1/messages",
    {
      schema: {
        summary: "Messages, newest first; pass nextCursor back as cursor for the next page",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            status: { type: "string", enum: [...MESSAGE_STATUSES] },
            path: { type: "string", enum: [...TRUST_PATHS] },
            source: chainId,
            destination: chainId,
            sender: address,
            cursor: { type: "integer", minimum: 1 },
            limit: { type: "integer", minimum: 1, maximum: 200, default: 50 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              messages: { type: "array", items: anyObject },
              nextCursor: { type: ["integer", "null"] },
            },
          },
        },
      },
    },
    async (request) => {
      const query = request.query;
      const filter: MessageFilter = {
        status: query.status,
        path: query.path,
        source: query.source,
        destination: query.destination,
        sender: query.sender,
        before: query.cursor,
        limit: query.limit ?? 50,
      };
      const messages = store.listMessages(filter);
      const last = messages.at(-1);
      return { messages, nextCursor: messages.length === filter.limit && last ? last.cursor : null };
    },
  );

  app.get<{ Params: { id: Hex } }>(
    "/v1/messages/:id",
    {
      schema: {
        summary: "One message: status, path, source and delivery transactions, failures, latency",
        params: { type: "object", required: ["id"], properties: { id: hex32 } },
        response: { 200: anyObject, 404: notFound },
      },
    },
    async (request, reply) => {
      const message = store.getMessage(request.params.id);
      if (!message)
        return reply.code(404).send({ error: "not found", message: `no message ${request.params.id}` });
      return message;
    },
  );

  app.get<{ Querystring: { path?: string; source?: number; limit?: number } }>(
    "/v1/checkpoints",
    {
      schema: {
        summary: "The newest checkpoints of every (path, source, destination), with challenge windows",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            path: { type: "string", enum: ["canonical", "optimistic", "zk"] },
            source: chainId,
            limit: { type: "integer", minimum: 1, maximum: 100, default: 5 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: { now: { type: "integer" }, checkpoints: { type: "array", items: anyObject } },
          },
        },
      },
    },
    async (request) => {
      const now = Math.floor(Date.now() / 1000);
      const checkpoints = store
        .listCheckpoints({
          path: request.query.path,
          source: request.query.source,
          perLane: request.query.limit ?? 5,
        })
        .map((checkpoint) => ({
          ...checkpoint,
          // An unchallenged optimistic checkpoint is final once its window closed.
          state:
            checkpoint.state === "pending" && checkpoint.windowEnd !== null && now >= checkpoint.windowEnd
              ? "final"
              : checkpoint.state,
          secondsLeft: checkpoint.windowEnd === null ? null : Math.max(0, checkpoint.windowEnd - now),
        }));
      return { now, checkpoints };
    },
  );

  app.get<{ Params: { height: number } }>(
    "/v1/superblocks/:height",
    {
      schema: {
        summary: "A superblock the sequencer posted to the L1: its rollup blocks and commitment",
        params: {
          type: "object",
          required: ["height"],
          properties: { height: { type: "integer", minimum: 1 } },
        },
        response: { 200: anyObject, 404: notFound },
      },
    },
    async (request, reply) => {
      const superblock = store.getSuperblock(request.params.height);
      if (!superblock) {
        return reply
          .code(404)
          .send({ error: "not found", message: `no superblock ${request.params.height} posted yet` });
      }
      return superblock;
    },
  );

  app.get(
    "/v1/bonds",
    {
      schema: {
        summary: "Attester bonds on every source rollup's BondManager, and the total at stake per chain",
        response: {
          200: {
            type: "object",
            properties: { bonds: { type: "array", items: anyObject }, atStake: anyObject },
          },
        },
      },
    },
    async () => {
      const bonds = store.listBonds();
      const atStake: Record<string, string> = {};
      for (const bond of bonds) {
        if (bond.slashed) continue;
        atStake[bond.chainId] = (BigInt(atStake[bond.chainId] ?? "0") + BigInt(bond.amount)).toString();
      }
      return { bonds, atStake };
    },
  );

  app.get<{
    Querystring: {
      state?: (typeof INTENT_STATES)[number];
      origin?: number;
      destination?: number;
      cursor?: number;
      limit?: number;
    };
  }>(
    "/v1/intents",
    {
      schema: {
        summary:
          "The liquidity router's orders as their events told, newest first; cursor pages as for messages",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            state: { type: "string", enum: [...INTENT_STATES] },
            origin: chainId,
            destination: chainId,
            cursor: { type: "integer", minimum: 1 },
            limit: { type: "integer", minimum: 1, maximum: 200, default: 50 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              intents: { type: "array", items: anyObject },
              nextCursor: { type: ["integer", "null"] },
            },
          },
        },
      },
    },
    async (request) => {
      const { state, origin, destination, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      const intents = store.intents.list({ state, origin, destination, before: cursor, limit });
      const last = intents.at(-1);
      return { intents, nextCursor: intents.length === limit && last ? last.cursor : null };
    },
  );

  registerFinanceRoutes(app, network);
  registerOrderbookRoutes(app, network, store);
}

/** The finance apps' state, read from their contracts per request (a handful of calls each). */
function registerFinanceRoutes(app: FastifyInstance, network: Manifest): void {
  app.get(
    "/v1/pools",
    {
      schema: {
        summary: "The JUSD liquidity pool of every rollup: assets, shares, liquidity lent out",
        response: { 200: { type: "object", properties: { pools: { type: "array", items: anyObject } } } },
      },
    },
    async () => {
      const pools = await Promise.all(
        network.rollups.map(async (rollup) => {
          const pool = { address: rollup.contracts.liquidityPool, abi: liquidityPoolAbi } as const;
          const client = clientOf(rollup);
          const [totalAssets, totalSupply, outstanding] = await Promise.all([
            client.readContract({ ...pool, functionName: "totalAssets" }),
            client.readContract({ ...pool, functionName: "totalSupply" }),
            client.readContract({ ...pool, functionName: "outstanding" }),
          ]);
          return plain({
            chainId: rollup.chainId,
            address: pool.address,
            totalAssets,
            totalSupply,
            outstanding,
          });
        }),
      );
      return { pools };
    },
  );

  app.get<{ Params: { epoch: string } }>(
    "/v1/solvency/epochs/:epoch",
    {
      schema: {
        summary:
          "A proof-of-solvency epoch on the L1 (`latest` for the newest): per asset, liabilities, reserves, ratio",
        params: {
          type: "object",
          required: ["epoch"],
          properties: { epoch: { type: "string", pattern: "^(latest|[1-9][0-9]{0,17})$" } },
        },
        response: { 200: anyObject, 404: notFound },
      },
    },
    async (request, reply) => {
      if (!network.solvency) {
        return reply.code(404).send({ error: "not found", message: "this network has no SolvencyRegistry" });
      }
      const { epoch } = request.params;
      try {
        const found = await getSolvencyEpoch(network, epoch === "latest" ? {} : { epoch: BigInt(epoch) });
        return plain(found);
      } catch (error) {
        if (error instanceof SolvencyEpochNotFoundError) {
          return reply.code(404).send({ error: "not found", message: error.shortMessage });
        }
        throw error;
      }
    },
  );

  app.get<{ Params: { account: Address } }>(
    "/v1/margin/accounts/:account",
    {
      schema: {
        summary: "A margin account at the hub: collateral, cash, positions, health (1e18 = 1.0)",
        params: { type: "object", required: ["account"], properties: { account: address } },
        response: { 200: anyObject },
      },
    },
    async (request) => plain(await getMarginAccount(network, { account: request.params.account })),
  );

  app.get<{
    Params: { orderId: Hex };
    Querystring: {
      origin: number;
      destination: number;
      path?: "canonical" | "optimistic" | "sequencer" | "zk";
    };
  }>(
    "/v1/intents/:orderId",
    {
      schema: {
        summary: "An ERC-7683 order: its escrow on the origin and its fill on the destination",
        params: { type: "object", required: ["orderId"], properties: { orderId: hex32 } },
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["origin", "destination"],
          properties: {
            origin: chainId,
            destination: chainId,
            path: { type: "string", enum: ["canonical", "optimistic", "sequencer", "zk"] },
          },
        },
        response: { 200: anyObject, 404: notFound },
      },
    },
    async (request, reply) => {
      const { origin, destination, path } = request.query;
      const known = (id: number) => network.rollups.some((rollup) => rollup.chainId === id);
      for (const [name, id] of [
        ["origin", origin],
        ["destination", destination],
      ] as const) {
        if (!known(id))
          return reply.code(400).send({
            error: "invalid parameter",
            parameter: name,
            message: `${name} ${id} is not a rollup of this network`,
          });
      }
      const intent = await getIntent(network, {
        orderId: request.params.orderId,
        originChainId: origin,
        destinationChainId: destination,
        path,
      });
      if (intent.origin.state === "none" && intent.destination.state === "none") {
        return reply.code(404).send({
          error: "not found",
          message: `no order ${request.params.orderId} on ${origin} → ${destination}`,
        });
      }
      return plain(intent);
    },
  );
}

/** The unified order book: the book and an order read from every rollup's gateway, fills from the index. */
function registerOrderbookRoutes(app: FastifyInstance, network: Manifest, store: IndexStore): void {
  const noBook = { error: "not found", message: "this network has no order book" };

  app.get(
    "/v1/orderbook",
    {
      schema: {
        summary: "The unified order book: resting bids and asks of every rollup's gateway, by price",
        response: { 200: anyObject, 404: notFound },
      },
    },
    async (_request, reply) => {
      if (!network.orderbook) return reply.code(404).send(noBook);
      const book = await getBook(network);
      return plain({ market: network.orderbook.market, ...book });
    },
  );

  app.get<{ Params: { orderId: string } }>(
    "/v1/orderbook/orders/:orderId",
    {
      schema: {
        summary:
          "An order as its gateway holds it: price, amount, filled, reserved by fills in flight, escrow",
        params: { type: "object", required: ["orderId"], properties: { orderId: orderIdParam } },
        response: { 200: anyObject, 400: anyObject, 404: notFound },
      },
    },
    async (request, reply) => {
      if (!network.orderbook) return reply.code(404).send(noBook);
      const orderId = BigInt(request.params.orderId);
      const chain = chainOfOrder(orderId);
      if (!network.rollups.some((rollup) => rollup.chainId === chain)) {
        return reply.code(400).send({
          error: "invalid parameter",
          parameter: "orderId",
          message: `order ${orderId} names chain ${chain}, not a rollup of this network`,
        });
      }
      const order = await getOrder(network, { orderId });
      if (/^0x0{40}$/.test(order.owner)) {
        return reply.code(404).send({ error: "not found", message: `no order ${orderId} on ${chain}` });
      }
      return plain(order);
    },
  );

  app.get<{ Querystring: { order?: string; cursor?: number; limit?: number } }>(
    "/v1/orderbook/fills",
    {
      schema: {
        summary:
          "The legs the gateways paid (one per order and fill), oldest first as indexed; ?order= filters, cursor pages forward",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            order: orderIdParam,
            cursor: { type: "integer", minimum: 1 },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              fills: { type: "array", items: anyObject },
              nextCursor: { type: ["integer", "null"] },
            },
          },
          404: notFound,
        },
      },
    },
    async (request, reply) => {
      if (!network.orderbook) return reply.code(404).send(noBook);
      const { order, cursor } = request.query;
      const limit = request.query.limit ?? 100;
      const fills = store.fills.list({ order, after: cursor, limit });
      const last = fills.at(-1);
      return { fills, nextCursor: fills.length === limit && last ? last.cursor : null };
    },
  );
}
