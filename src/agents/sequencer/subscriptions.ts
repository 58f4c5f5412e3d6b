// `eth_subscribe` on the sequencer's websocket endpoints: newHeads and logs of one rollup. The node's own
// subscriptions would report blocks of a superblock still being sealed, which a failed bundle may undo;
// this follows the node's head only once no undoable seal is in progress (the same wait as every read),
// so a subscriber sees exactly the blocks and logs a later read sees.
import { randomBytes } from "node:crypto";
import type { WebSocket } from "ws";
import { nodeRpcCall } from "../../chain/node-rpc.js";
import { SequencerRequestError } from "./order-book.js";

export type SubscriptionKind = "newHeads" | "logs";

type Subscription = {
  socket: WebSocket;
  kind: SubscriptionKind;
  /** The `eth_getLogs` filter of a logs subscription: address and topics. */
  filter: { address?: unknown; topics?: unknown };
};

/** How often the follower looks at the node's head when no seal announced a new block. */
const POLL_MS = 200;
/** Most live subscriptions one socket may hold: each costs reads of the node every new block. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 64;

type Block = Record<string, unknown> & { number: string };

export class HeadFollower {
  readonly #subscriptions = new Map<string, Subscription>();
  #last: bigint | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #stopped = false;

  constructor(
    private readonly nodeRpcUrl: string,
    /** Resolves when no block that may still be undone exists. */
    private readonly sealed: () => Promise<void>,
  ) {}

  /** Starts a subscription for `socket`; its id goes back to the caller of eth_subscribe. */
  async subscribe(socket: WebSocket, params: unknown[]): Promise<string> {
    const [kind, filter] = params;
    if (kind !== "newHeads" && kind !== "logs") {
      throw new SequencerRequestError(`eth_subscribe supports newHeads and logs, not ${String(kind)}`);
    }
    const { address, topics } = (typeof filter === "object" && filter !== null ? filter : {}) as {
      address?: unknown;
      topics?: unknown;
    };
    const held = [...this.#subscriptions.values()].filter((entry) => entry.socket === socket).length;
    if (held >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
      throw new SequencerRequestError(
        `a socket may hold ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions; eth_unsubscribe one first`,
      );
    }
    if (this.#last === undefined) {
      await this.sealed();
      this.#last = BigInt(await nodeRpcCall<string>(this.nodeRpcUrl, "eth_blockNumber"));
    }
    const id = `0x${randomBytes(16).toString("hex")}`;
    this.#subscriptions.set(id, { socket, kind, filter: { address, topics } });
    this.#loop ??= this.#follow();
    return id;
  }

  unsubscribe(id: unknown): boolean {
    return typeof id === "string" && this.#subscriptions.delete(id);
  }

  /** Drops every subscription of a closed socket. */
  forget(socket: WebSocket): void {
    for (const [id, subscription] of this.#subscriptions) {
      if (subscription.socket === socket) this.#subscriptions.delete(id);
    }
  }

  /** A superblock was sealed: look at the head now rather than at the next poll. */
  announce(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#subscriptions.clear();
    this.#wake?.();
    await this.#loop;
  }

  async #follow(): Promise<void> {
    while (!this.#stopped && this.#subscriptions.size > 0) {
      try {
        await this.#catchUp();
      } catch {
        // The node did not answer (stopping, or busy): the next round retries from the same block.
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#loop = undefined;
    this.#last = undefined;
  }

  async #catchUp(): Promise<void> {
    await this.sealed();
    const head = BigInt(await nodeRpcCall<string>(this.nodeRpcUrl, "eth_blockNumber"));
    const from = (this.#last ?? head) + 1n;
    if (head < from) return;
    const subscriptions = [...this.#subscriptions.entries()];
    if (subscriptions.some(([, subscription]) => subscription.kind === "newHeads")) {
      for (let number = from; number <= head; number++) {
        const block = await nodeRpcCall<Block>(this.nodeRpcUrl, "eth_getBlockByNumber", [
          `0x${number.toString(16)}`,
          false,
        ]);
        const { transactions: _hashes, ...header } = block;
        for (const [id, subscription] of subscriptions) {
          if (subscription.kind === "newHeads") push(subscription.socket, id, header);
        }
      }
    }
    for (const [id, subscription] of subscriptions) {
      if (subscription.kind !== "logs") continue;
      const logs = await nodeRpcCall<unknown[]>(this.nodeRpcUrl, "eth_getLogs", [
        {
          ...subscription.filter,
          fromBlock: `0x${from.toString(16)}`,
          toBlock: `0x${head.toString(16)}`,
        },
      ]);
      for (const log of logs) push(subscription.socket, id, log);
    }
    this.#last = head;
  }
}

function push(socket: WebSocket, subscription: string, result: unknown): void {
  if (socket.readyState !== socket.OPEN) return;
  socket.send(
    JSON.stringify({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription, result } }),
  );
}
