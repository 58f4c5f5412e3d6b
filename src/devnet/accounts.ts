// The devnet's accounts: anvil's well-known test mnemonic, one role per index. Public keys, devnet only.
import { type Hex, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { Manifest } from "../chain/manifest.js";

export const DEVNET_MNEMONIC = "test test test test test test test test test test test junk";

const roles = [
  "deployer",
  "proposer",
  "system",
  "relayer",
  "user",
  "attester",
  "watchtower",
  "sequencer",
  "prover",
  "filler",
  "rebalancer",
  "keeper",
  "feeder",
  "matcher",
] as const;
export type Role = (typeof roles)[number];

/** Mnemonic index of the devnet's second relayer; each further relayer takes the next index. */
const EXTRA_RELAYER_INDEX = 100;

/** Accounts for relayers beyond the manifest's one: each relayer needs its own key, or their nonces collide. */
export function extraRelayerAccounts(count: number): Manifest["accounts"]["relayer"][] {
  return Array.from({ length: count }, (_, i) => accountAt(EXTRA_RELAYER_INDEX + i));
}

/** Mnemonic index of the devnet's solvency publisher (its own key, so its L1 nonces collide with nobody's). */
const SOLVENCY_PUBLISHER_INDEX = 200;

/** The account that publishes proof-of-solvency epochs on the devnet's L1. */
export function solvencyPublisherAccount(): Manifest["accounts"]["relayer"] {
  return accountAt(SOLVENCY_PUBLISHER_INDEX);
}

function accountAt(addressIndex: number): { address: Hex; privateKey: Hex } {
  const account = mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex });
  const key = account.getHdKey().privateKey;
  if (!key) throw new Error(`no private key for devnet account ${addressIndex}`);
  return { address: account.address, privateKey: toHex(key) };
}

export function devnetAccounts(): Manifest["accounts"] {
  const entries = roles.map((role, addressIndex) => [role, accountAt(addressIndex)] as const);
  return Object.fromEntries(entries) as Manifest["accounts"];
}
