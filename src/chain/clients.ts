// viem clients for any EVM JSON-RPC endpoint, with a nonce manager so one account can pipeline txs.
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createNonceManager, jsonRpc } from "viem/nonce";

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

export function publicClientFor(endpoint: Endpoint, pollingInterval = 100): JunctionPublicClient {
  // cacheTime 0: a cached block number would hide a block we just saw a receipt for.
  return createPublicClient({
    chain: chainOf(endpoint),
    transport: http(endpoint.rpcUrl),
    pollingInterval,
    cacheTime: 0,
  });
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
    transport: http(endpoint.rpcUrl),
  });
}
