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
] as const;
export type Role = (typeof roles)[number];

export function devnetAccounts(): Manifest["accounts"] {
  const entries = roles.map((role, addressIndex) => {
    const account = mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex });
    const key = account.getHdKey().privateKey;
    if (!key) throw new Error(`no private key for devnet account ${addressIndex}`);
    return [role, { address: account.address, privateKey: toHex(key) as Hex }] as const;
  });
  return Object.fromEntries(entries) as Manifest["accounts"];
}
