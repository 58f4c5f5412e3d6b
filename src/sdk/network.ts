// What SDK functions need to know about a Junction network: its chains and contract addresses
// (the devnet manifest has exactly this shape), and clients for them.
import { type JunctionPublicClient, publicClientFor } from "../chain/clients.js";
import { type Manifest, type RollupEntry, rollupOf } from "../chain/manifest.js";

export type JunctionNetwork = Pick<Manifest, "l1" | "rollups">;

const clients = new WeakMap<object, JunctionPublicClient>();

/** A cached public client for a chain entry of the network. */
export function clientOf(entry: JunctionNetwork["l1"] | RollupEntry): JunctionPublicClient {
  let client = clients.get(entry);
  if (!client) {
    client = publicClientFor(entry);
    clients.set(entry, client);
  }
  return client;
}

export { rollupOf };
