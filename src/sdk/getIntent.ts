// getIntent / waitForFill: where an ERC-7683 order stands, on its origin (escrow: open, repaid,
// refunded) and on its destination (filled by whom, or certified unfilled).
import type { Address, Hex } from "viem";
import type { IntentPath } from "../protocol/intents.js";
import { IntentNotFilledError } from "./errors.js";
import { settlerAbi, settlerOf } from "./intentSettler.js";
import { clientOf, type JunctionNetwork, rollupOf } from "./network.js";

export type GetIntentParameters = {
  orderId: Hex;
  originChainId: number | bigint;
  destinationChainId: number | bigint;
  path?: IntentPath;
};

const originStates = ["none", "open", "repaid", "refunded"] as const;
const fillStates = ["none", "filled", "certified-unfilled"] as const;

export type GetIntentReturnType = {
  origin: {
    state: (typeof originStates)[number];
    user: Address;
    inputToken: Address;
    inputAmount: bigint;
  };
  destination: {
    state: (typeof fillStates)[number];
    filler: Address;
    repaymentChainId: bigint;
    repaymentAddress: Address;
    /** Unix time of the fill or certificate (zero: neither yet). */
    settledAt: bigint;
  };
};

/**
 * Reads an order's escrow on its origin and its fill record on its destination.
 *
 * @example
 * const { origin, destination } = await getIntent(network, { orderId, originChainId: 901, destinationChainId: 902 });
 * if (origin.state === "repaid") console.log(`filled by ${destination.filler}`);
 */
export async function getIntent(
  network: JunctionNetwork,
  { orderId, originChainId, destinationChainId, path }: GetIntentParameters,
): Promise<GetIntentReturnType> {
  const origin = rollupOf(network, originChainId);
  const destination = rollupOf(network, destinationChainId);
  const [escrow, fill] = await Promise.all([
    clientOf(origin).readContract({
      address: settlerOf(origin, path),
      abi: settlerAbi,
      functionName: "escrowOf",
      args: [orderId],
    }),
    clientOf(destination).readContract({
      address: settlerOf(destination, path),
      abi: settlerAbi,
      functionName: "fillOf",
      args: [orderId],
    }),
  ]);
  return {
    origin: {
      state: originStates[escrow.state] ?? "none",
      user: escrow.user,
      inputToken: escrow.inputToken,
      inputAmount: escrow.inputAmount,
    },
    destination: {
      state: fillStates[fill.state] ?? "none",
      filler: fill.filler,
      repaymentChainId: fill.repaymentChainId,
      repaymentAddress: fill.repaymentAddress,
      settledAt: fill.settledAt,
    },
  };
}

export type WaitForFillParameters = GetIntentParameters & { timeoutMs?: number; pollIntervalMs?: number };

/**
 * Resolves once the order is filled on its destination; throws IntentNotFilledError if it is certified
 * unfilled or the timeout passes first.
 *
 * @example
 * const { destination } = await waitForFill(network, { orderId, originChainId: 901, destinationChainId: 902 });
 */
export async function waitForFill(
  network: JunctionNetwork,
  { timeoutMs = 60_000, pollIntervalMs = 100, ...params }: WaitForFillParameters,
): Promise<GetIntentReturnType> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const intent = await getIntent(network, params);
    if (intent.destination.state === "filled") return intent;
    if (intent.destination.state === "certified-unfilled") {
      throw new IntentNotFilledError(`order ${params.orderId} was certified unfilled`, {
        details: "its origin refunds the user once the certificate arrives",
      });
    }
    if (Date.now() > deadline) {
      throw new IntentNotFilledError(`order ${params.orderId} was not filled within ${timeoutMs} ms`, {
        details:
          "is a filler running with inventory on the destination, and does the order pay its gas? (a small order's spread may not: fillers log why they skip; the pool fills proven-open orders as last resort)",
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}
