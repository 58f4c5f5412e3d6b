// Generic test helpers: polling until a condition holds, funded throwaway keys, named reverts.
import assert from "node:assert/strict";
import type { Address, Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { setBalance } from "../../src/chain/anvil.js";
import type { Manifest } from "../../src/chain/manifest.js";
import { revertName } from "../../src/chain/revert.js";

export async function waitUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      const last = JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item));
      throw new Error(`timed out waiting for ${what}; last value: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fresh key funded with 100 ETH on every rollup. */
export async function fundedKey(manifest: Manifest): Promise<{ key: Hex; address: Address }> {
  const key = generatePrivateKey();
  const { address } = privateKeyToAccount(key);
  for (const rollup of manifest.rollups) await setBalance(rollup, address, 100n * 10n ** 18n);
  return { key, address };
}

/** Asserts that `promise` rejects with the contract's custom error `errorName`. */
export async function rejects(promise: Promise<unknown>, errorName: string): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.equal(revertName(error), errorName, String(error).split("\n")[0]);
    return true;
  });
}
