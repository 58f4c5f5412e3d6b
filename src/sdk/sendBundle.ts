// Atomic cross-rollup bundles through the shared sequencer: every required leg lands in one
// superblock, or nothing of the bundle lands anywhere.
import type { Hex, TransactionSerializable } from "viem";
import { getTransactionCount } from "viem/actions";
import type { JunctionWalletClient } from "../chain/clients.js";
import { rollupOf } from "../chain/manifest.js";
import { BundleRefusedError, SequencerError } from "./errors.js";
import type { JunctionNetwork } from "./network.js";
import { type BundleJson, pollUntil, sequencerCall } from "./sequencerRpc.js";

export type BundleLegRequest = {
  /** A wallet on the leg's rollup (its chain decides where the leg runs). */
  wallet: JunctionWalletClient;
  to: Hex;
  data?: Hex;
  value?: bigint;
  /** Gas limit; estimated when absent. */
  gas?: bigint;
  /** When false, the leg may revert without refusing the bundle (default true). */
  required?: boolean;
};

export type SendBundleParameters = {
  transactions: BundleLegRequest[];
  /** Give up waiting for the bundle's superblock after this many milliseconds (default 30 s). */
  timeoutMs?: number;
};

export type SendBundleReturnType = BundleJson & { state: "included"; height: number };
export type SendBundleErrorType = BundleRefusedError | SequencerError;

/**
 * Signs every leg, submits them as one bundle and waits for the superblock that includes them.
 * Legs of one account on one rollup get consecutive nonces in bundle order.
 *
 * @example
 * const landed = await sendBundle(network, {
 *   transactions: [
 *     { wallet: walletOnA, to: htlcA, data: lockCalldata },
 *     { wallet: walletOnB, to: htlcB, data: claimCalldata },
 *   ],
 * });
 * console.log(landed.height); // the superblock both legs are in
 */
export async function sendBundle(
  network: JunctionNetwork,
  { transactions, timeoutMs = 30_000 }: SendBundleParameters,
): Promise<SendBundleReturnType> {
  const first = transactions[0];
  if (!first) throw new SequencerError("a bundle needs at least one transaction");
  const entry = rollupOf(network, first.wallet.chain.id);
  const signed = await signLegs(transactions);
  const submitted = await sequencerCall<BundleJson>(entry, "junction_sendBundle", [{ transactions: signed }]);
  const final = await pollUntil(
    () => sequencerCall<BundleJson>(entry, "junction_getBundle", [submitted.id]),
    (bundle) => bundle.state !== "pending",
    timeoutMs,
  );
  if (final.state === "rejected" && final.failure) throw new BundleRefusedError(final.id, final.failure);
  if (final.state !== "included" || final.height === null) {
    throw new SequencerError(`bundle ${final.id} is still pending after ${timeoutMs} ms`);
  }
  return { ...final, state: "included", height: final.height };
}

/** Gas limit of a leg whose estimate failed on its own (only the gas used is paid). */
export const UNESTIMATED_LEG_GAS = 1_000_000n;

/** Signs the legs, counting nonces per account and chain so legs of one sender do not collide. */
export async function signLegs(
  transactions: readonly BundleLegRequest[],
): Promise<{ raw: Hex; required: boolean }[]> {
  const nextNonce = new Map<string, number>();
  const signed: { raw: Hex; required: boolean }[] = [];
  for (const leg of transactions) {
    const { wallet } = leg;
    const key = `${wallet.chain.id}:${wallet.account.address}`;
    // Explicit nonces: a wallet's nonce manager would count a refused bundle's legs as used.
    const nonce =
      nextNonce.get(key) ??
      (await getTransactionCount(wallet, { address: wallet.account.address, blockTag: "pending" }));
    const prepare = (gas: bigint | undefined) =>
      wallet.prepareTransactionRequest({
        account: wallet.account,
        chain: wallet.chain,
        to: leg.to,
        data: leg.data,
        value: leg.value,
        gas,
        nonce,
      });
    // A leg may depend on an earlier one, so estimating it alone can fail; the sequencer runs the legs
    // in order and names the one that really fails.
    const request = await prepare(leg.gas).catch(() => prepare(leg.gas ?? UNESTIMATED_LEG_GAS));
    nextNonce.set(key, nonce + 1);
    const raw = await wallet.signTransaction(request as TransactionSerializable & typeof request);
    signed.push({ raw, required: leg.required !== false });
  }
  return signed;
}
