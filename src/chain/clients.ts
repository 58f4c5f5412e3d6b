// viem clients for any EVM JSON-RPC endpoint, with a nonce manager so one account can pipeline txs.
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  type HttpTransport,
  http,
  type PublicClient,
  type Transport,
  type WaitForTransactionReceiptParameters,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { waitForTransactionReceipt } from "viem/actions";
import { createNonceManager, jsonRpc } from "viem/nonce";
import { currentStopSignal } from "./stop-signal.js";

export type Endpoint = { chainId: number; rpcUrl: string };
export type JunctionPublicClient = PublicClient<Transport, Chain>;
export type JunctionWalletClient = WalletClient<Transport, Chain, Account>;

export function chainOf({ chainId, rpcUrl }: Endpoint): Chain {
  return defineChain({
    id: chainId,
    name: `junction-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** fetch whose request, inside a running agent, ends when the agent stops (stop-signal.ts). */
const stoppableFetch: typeof fetch = (input, init) => {
  const stop = currentStopSignal();
  if (!stop) return fetch(input, init);
  return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, stop]) : stop });
};

/** HTTP JSON-RPC whose requests and retries do not outlive a stopping agent (viem retries no abort). */
function transportFor(rpcUrl: string): HttpTransport {
  return http(rpcUrl, { fetchFn: stoppableFetch });
}

export function publicClientFor(endpoint: Endpoint, pollingInterval = 100): JunctionPublicClient {
  // cacheTime 0: a cached block number would hide a block we just saw a receipt for.
  const client = createPublicClient({
    chain: chainOf(endpoint),
    transport: transportFor(endpoint.rpcUrl),
    pollingInterval,
    cacheTime: 0,
  });
  // A receipt wait polls on through failed requests: it needs the stop signal itself, or it lasts
  // viem's 180 s timeout on a dead node.
  return client.extend((base) => ({
    waitForTransactionReceipt: (parameters: WaitForTransactionReceiptParameters<Chain>) =>
      waitForTransactionReceipt(base, { signal: currentStopSignal(), ...parameters }),
  }));
}

/**
 * A wallet whose account has its own nonce manager. viem's shared `nonceManager` remembers the last
 * nonce per address and chain id for the life of the process and never goes below it, so after a
 * devnet restart (same chain ids, fresh chains) every transaction would wait for a nonce that never comes.
 */
export function walletClientFor(endpoint: Endpoint, privateKey: Hex): JunctionWalletClient {
  return createWalletClient({
    account: privateKeyToAccount(privateKey, { nonceManager: createNonceManager({ source: jsonRpc() }) }),
    chain: chainOf(endpoint),
    transport: transportFor(endpoint.rpcUrl),
  });
}
