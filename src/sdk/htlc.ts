// Atomic swaps across rollups with the HashedTimelock contract: lock, respond, claim, refund, and the
// look-ups a party needs to act safely (a lock's state, a preimage revealed by a claim).
import { randomBytes } from "node:crypto";
import { type Address, type Hex, parseEventLogs, sha256, toHex } from "viem";
import type { JunctionWalletClient } from "../chain/clients.js";
import { type RollupEntry, rollupOf } from "../chain/manifest.js";
import { hashedTimelockAbi } from "../contracts/generated/index.js";
import { JunctionError } from "../errors.js";
import { clientOf, type JunctionNetwork } from "./network.js";

export const ETH: Address = "0x0000000000000000000000000000000000000000";
/**
 * Default gap between the initiator's deadline and the responder's: time for the initiator's claim
 * (which reveals the preimage) to be seen and for the responder's own claim to land. Devnet scale;
 * use hours on real networks.
 */
export const DEFAULT_SWAP_MARGIN_SECONDS = 120n;

const stateNames = ["none", "locked", "claimed", "refunded"] as const;
export type LockState = (typeof stateNames)[number];

export type SwapLock = {
  chainId: number;
  lockId: Hex;
  sender: Address;
  recipient: Address;
  token: Address;
  amount: bigint;
  hashlock: Hex;
  deadline: bigint;
  state: LockState;
};

export class SwapError extends JunctionError {
  override name = "SwapError" as const;
}

/** A fresh 32-byte secret and its sha256 hashlock. Keep the preimage private until you claim. */
export function newSwapSecret(): { preimage: Hex; hashlock: Hex } {
  const preimage = toHex(randomBytes(32));
  return { preimage, hashlock: sha256(preimage) };
}

export type LockFundsParameters = {
  recipient: Address;
  amount: bigint;
  hashlock: Hex;
  deadline: bigint;
  /** ERC-20 address; omit for native ETH. The wallet must have approved the HashedTimelock. */
  token?: Address;
};

/**
 * Locks funds on the wallet's rollup for `recipient`, claimable with the preimage until `deadline`.
 *
 * @example
 * const { preimage, hashlock } = newSwapSecret();
 * const lock = await lockFunds(wallet, network, { recipient, amount: parseEther("1"), hashlock, deadline });
 */
export async function lockFunds(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { recipient, amount, hashlock, deadline, token = ETH }: LockFundsParameters,
): Promise<SwapLock> {
  const rollup = rollupOf(network, wallet.chain.id);
  const hash = await wallet.writeContract({
    address: rollup.contracts.htlc,
    abi: hashedTimelockAbi,
    functionName: "lock",
    args: [recipient, token, amount, hashlock, deadline],
    value: token === ETH ? amount : 0n,
  });
  const receipt = await clientOf(rollup).waitForTransactionReceipt({ hash });
  const [event] = parseEventLogs({ abi: hashedTimelockAbi, logs: receipt.logs, eventName: "Locked" });
  if (!event) throw new SwapError(`lock transaction ${hash} did not emit Locked`);
  return getLock(network, { chainId: rollup.chainId, lockId: event.args.lockId });
}

/** Reads a lock; throws SwapError when it does not exist. */
export async function getLock(
  network: JunctionNetwork,
  { chainId, lockId }: { chainId: number; lockId: Hex },
): Promise<SwapLock> {
  const rollup = rollupOf(network, chainId);
  const lock = await clientOf(rollup).readContract({
    address: rollup.contracts.htlc,
    abi: hashedTimelockAbi,
    functionName: "getLock",
    args: [lockId],
  });
  const state = stateNames[lock.state] ?? "none";
  if (state === "none") throw new SwapError(`no lock ${lockId} on chain ${chainId}`);
  return { chainId, lockId, ...lock, state };
}

export type RespondToSwapParameters = {
  /** The initiator's lock, on the initiator's rollup. */
  initiatorLock: { chainId: number; lockId: Hex };
  amount: bigint;
  token?: Address;
  marginSeconds?: bigint;
};

/**
 * Locks the responder's side on the wallet's rollup, for the initiator, under the same hashlock and a
 * deadline `marginSeconds` before the initiator's. Refuses an initiator lock that is not for this
 * wallet, not open, or too close to its deadline to leave the margin.
 */
export async function respondToSwap(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { initiatorLock, amount, token, marginSeconds = DEFAULT_SWAP_MARGIN_SECONDS }: RespondToSwapParameters,
): Promise<SwapLock> {
  const theirs = await getLock(network, initiatorLock);
  const me = wallet.account.address;
  if (theirs.state !== "locked") throw new SwapError(`the initiator's lock is ${theirs.state}`);
  if (theirs.recipient.toLowerCase() !== me.toLowerCase()) {
    throw new SwapError(`the initiator's lock pays ${theirs.recipient}, not this wallet (${me})`);
  }
  const deadline = theirs.deadline - marginSeconds;
  const now = (await clientOf(rollupOf(network, wallet.chain.id)).getBlock()).timestamp;
  if (deadline <= now + 30n) {
    throw new SwapError("the initiator's deadline leaves no time for a safe response", {
      details: `initiator deadline ${theirs.deadline}, margin ${marginSeconds}s, now ${now}`,
    });
  }
  return lockFunds(wallet, network, {
    recipient: theirs.sender,
    amount,
    hashlock: theirs.hashlock,
    deadline,
    token,
  });
}

/** Claims a lock with its preimage (revealing the preimage on chain). */
export async function claimLock(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { lockId, preimage }: { lockId: Hex; preimage: Hex },
): Promise<Hex> {
  const rollup = rollupOf(network, wallet.chain.id);
  const hash = await wallet.writeContract({
    address: rollup.contracts.htlc,
    abi: hashedTimelockAbi,
    functionName: "claim",
    args: [lockId, preimage],
  });
  await clientOf(rollup).waitForTransactionReceipt({ hash });
  return hash;
}

/** Returns an expired lock to its sender. */
export async function refundLock(
  wallet: JunctionWalletClient,
  network: JunctionNetwork,
  { lockId }: { lockId: Hex },
): Promise<Hex> {
  const rollup = rollupOf(network, wallet.chain.id);
  const hash = await wallet.writeContract({
    address: rollup.contracts.htlc,
    abi: hashedTimelockAbi,
    functionName: "refund",
    args: [lockId],
  });
  await clientOf(rollup).waitForTransactionReceipt({ hash });
  return hash;
}

/** The preimage of `hashlock` if any claim on `chainId` has revealed it. */
export async function findRevealedPreimage(
  network: JunctionNetwork,
  { chainId, hashlock }: { chainId: number; hashlock: Hex },
): Promise<Hex | null> {
  const rollup: RollupEntry = rollupOf(network, chainId);
  const logs = await clientOf(rollup).getContractEvents({
    address: rollup.contracts.htlc,
    abi: hashedTimelockAbi,
    eventName: "Claimed",
    args: { hashlock },
    fromBlock: BigInt(rollup.deployBlock),
    strict: true,
  });
  return logs[0]?.args.preimage ?? null;
}
