// The WebSocket at /v1/stream: every indexed event (message, checkpoint, superblock, bond, slash) in the
// order the index appended it, each with its cursor. A client resumes with ?cursor=N (the last cursor it
// saw) and first receives everything after N; without a cursor it receives only what happens from now on.
// Each socket reads the index itself, so a slow client never loses or reorders events.
import { EventEmitter } from "node:events";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import type { IndexStore } from "./index-store.js";

/** Bytes queued for one client beyond which it is disconnected. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Wakes the sockets when the indexer appended events. */
export class StreamHub extends EventEmitter {
  notify(): void {
    this.emit("events");
  }
}

export function registerStream(app: FastifyInstance, store: IndexStore, hub: StreamHub): void {
  app.get<{ Querystring: { cursor?: number } }>(
    "/v1/stream",
    {
      websocket: true,
      schema: {
        summary:
          "WebSocket: {cursor, kind, at, data} per event, in order; ?cursor=N replays everything after N first",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { cursor: { type: "integer", minimum: 0 } },
        },
      },
    },
    (socket: WebSocket, request) => {
      let last = request.query.cursor ?? store.lastEventCursor();
      let pumping = false;
      let again = false;
      const pump = () => {
        if (pumping) {
          again = true;
          return;
        }
        pumping = true;
        try {
          do {
            again = false;
            for (;;) {
              if (socket.readyState !== socket.OPEN) return;
              // A client that does not read would make us buffer without end: close it; it resumes from
              // the last cursor it received.
              if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
                socket.close(1013, "too slow: reconnect with ?cursor= your last cursor");
                return;
              }
              const events = store.eventsAfter(last, 200);
              if (events.length === 0) break;
              for (const event of events) socket.send(JSON.stringify(event));
              last = events.at(-1)?.cursor ?? last;
            }
          } while (again);
        } finally {
          pumping = false;
        }
      };
      hub.on("events", pump);
      socket.on("close", () => hub.off("events", pump));
      socket.send(JSON.stringify({ kind: "hello", cursor: last }));
      pump();
    },
  );
}
