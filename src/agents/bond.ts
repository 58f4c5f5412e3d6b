// Keeping a signer's bond in a rollup's BondManager at the minimum the destinations require: shared by
// the attester and the sequencer, whose checkpoints are slashable by the same fraud proof.
import type { Address, Hex } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../chain/clients.js";
import { bondManagerAbi } from "../contracts/generated/index.js";

export type BondTopUp =
  | { state: "inactive" } // slashed or withdrawing: it cannot be topped up
  | { state: "sufficient" }
  | { state: "sent"; hash: Hex; amount: bigint };

/** Reads the wallet's bond and, if below `minimum`, sends the difference; the caller awaits the receipt. */
export async function topUpBond(
  client: JunctionPublicClient,
  wallet: JunctionWalletClient,
  bondManager: Address,
  minimum: bigint,
): Promise<BondTopUp> {
  const bond = await client.readContract({
    address: bondManager,
    abi: bondManagerAbi,
    functionName: "bondOf",
    args: [wallet.account.address],
  });
  if (bond.slashed || bond.withdrawableAt !== 0n) return { state: "inactive" };
  if (bond.amount >= minimum) return { state: "sufficient" };
  const amount = minimum - bond.amount;
  const hash = await wallet.writeContract({
    address: bondManager,
    abi: bondManagerAbi,
    functionName: "bond",
    value: amount,
  });
  return { state: "sent", hash, amount };
}
