// Front-running protection through the shared sequencer: commit to a signed transaction's hash first,
// reveal it after the sequencer has signed the commitment's place in the order. Nobody who learns the
// contents from the reveal can get a transaction ahead of it.
import { encodeAbiParameters, type Hex, keccak256, recoverMessageAddress } from "viem";
import { getTransactionCount } from "viem/actions";
import type { JunctionWalletClient } from "../chain/clients.js";
import { rollupOf } from "../chain/manifest.js";
import { SequencerError } from "./errors.js";
import type { JunctionNetwork } from "./network.js";
import { type CommitmentJson, pollUntil, sequencerCall } from "./sequencerRpc.js";

export type CommitmentReceipt = CommitmentJson & {
  /** The sequencer's signature over ("junction-commit", chainId, commitment, sequence). */
  receipt: Hex;
  sequencer: Hex;
};

export type SendCommittedTransactionParameters = {
  to: Hex;
  data?: Hex;
  value?: bigint;
  gas?: bigint;
  /** Give up waiting for inclusion after this many milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Called after the commitment is acknowledged and before the reveal (tests use it to interleave). */
  beforeReveal?: (receipt: CommitmentReceipt) => Promise<void>;
};

export type SendCommittedTransactionReturnType = {
  hash: Hex;
  commitment: CommitmentReceipt;
  final: CommitmentJson;
};

/** The digest the sequencer signs for a commitment receipt. */
export function commitmentDigest(chainId: number, commitment: Hex, sequence: number): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "string" }, { type: "uint64" }, { type: "bytes32" }, { type: "uint256" }],
      ["junction-commit", BigInt(chainId), commitment, BigInt(sequence)],
    ),
  );
}

/**
 * Signs the transaction, commits to its hash, checks the sequencer's signed receipt, reveals it and
 * waits for the superblock that includes it. Throws `SequencerError` if the receipt is not signed by
 * the sequencer or the transaction is refused.
 *
 * @example
 * const { hash, final } = await sendCommittedTransaction(wallet, network, { to: market, data });
 * console.log(final.height, final.sequence);
 */
export async function sendCommittedTransaction(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { to, data, value, gas, timeoutMs = 30_000, beforeReveal }: SendCommittedTransactionParameters,
): Promise<SendCommittedTransactionReturnType> {
  const entry = rollupOf(network, wallet.chain.id);
  const nonce = await getTransactionCount(wallet, { address: wallet.account.address, blockTag: "pending" });
  const request = await wallet.prepareTransactionRequest({
    account: wallet.account,
    chain: wallet.chain,
    to,
    data,
    value,
    gas,
    nonce,
  });
  const raw = await wallet.signTransaction(request);
  const hash = keccak256(raw);
  const commitment = await sequencerCall<CommitmentReceipt>(entry, "junction_commit", [hash]);
  const signer = await recoverMessageAddress({
    message: { raw: commitmentDigest(entry.chainId, hash, commitment.sequence) },
    signature: commitment.receipt,
  });
  if (signer.toLowerCase() !== commitment.sequencer.toLowerCase()) {
    throw new SequencerError(`the commitment receipt is signed by ${signer}, not the sequencer`);
  }
  await beforeReveal?.(commitment);
  await sequencerCall<CommitmentJson>(entry, "junction_reveal", [raw]);
  const final = await pollUntil(
    () => sequencerCall<CommitmentJson>(entry, "junction_getCommitment", [hash]),
    (state) => state.state !== "revealed" && state.state !== "committed",
    timeoutMs,
  );
  if (final.state !== "included") {
    throw new SequencerError(`committed transaction ${hash} was not included: ${final.state}`, {
      details: final.error ?? undefined,
    });
  }
  return { hash, commitment, final };
}
