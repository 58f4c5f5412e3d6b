// Errors the SDK throws; each has a literal `name` so callers can narrow on it.
import type { Hex } from "viem";
import { JunctionError } from "../errors.js";

export class MessageNotFoundError extends JunctionError {
  override name = "MessageNotFoundError" as const;
  constructor(readonly id: Hex) {
    super(`message ${id} was not found in any rollup's Outbox`, {
      details: "check the id, and that the send transaction was mined",
    });
  }
}

export class MessageNotProvableError extends JunctionError {
  override name = "MessageNotProvableError" as const;
}

export class DeliveryTimeoutError extends JunctionError {
  override name = "DeliveryTimeoutError" as const;
}

export class SendMessageError extends JunctionError {
  override name = "SendMessageError" as const;
}

export class TrustPathMismatchError extends JunctionError {
  override name = "TrustPathMismatchError" as const;
}

/** The network has no shared sequencer, or its endpoint refused the request. */
export class SequencerError extends JunctionError {
  override name = "SequencerError" as const;
}

/** A bundle was refused as a whole; `failure` names the leg that would have failed and why. */
export class BundleRefusedError extends JunctionError {
  override name = "BundleRefusedError" as const;
  constructor(
    readonly id: Hex,
    readonly failure: { leg: number; chainId: number; hash: Hex; reason: string },
  ) {
    super(`bundle ${id} refused: leg ${failure.leg} on chain ${failure.chainId} ${failure.reason}`, {
      details: "nothing of the bundle landed on any rollup",
    });
  }
}

/** A bridge transfer cannot be refunded (yet): its message has not expired, or it was refunded already. */
export class RefundNotAvailableError extends JunctionError {
  override name = "RefundNotAvailableError" as const;
}

/** An order was not filled in time, or can no longer be (certified unfilled on its destination). */
export class IntentNotFilledError extends JunctionError {
  override name = "IntentNotFilledError" as const;
}

/** An order is not open on its origin (or names a settler that is not the network's): filling it would
 *  never be repaid. */
export class IntentNotOpenError extends JunctionError {
  override name = "IntentNotOpenError" as const;
}

/** A margin action was sent to the wrong rollup (engine actions go to the hub), or the network has no
 *  margin engine. */
export class MarginHubError extends JunctionError {
  override name = "MarginHubError" as const;
}

/**
 * The order's owner address has code on the order's rollup (a contract wallet): fills pay it on the
 * counterparty's rollup at the same address, which it may not control there. Pass
 * `allowContractOwner: true` to placeOrder if it does.
 */
export class OrderOwnerIsContractError extends JunctionError {
  override name = "OrderOwnerIsContractError" as const;
}

/**
 * An order's cancel cannot complete yet: fills created before its request may still be delivered until
 * `effectiveAt` (the gateway's clock, unix seconds; `OrderGateway.CancelNotEffective`).
 */
export class CancelNotEffectiveError extends JunctionError {
  override name = "CancelNotEffectiveError" as const;
  constructor(
    readonly orderId: bigint,
    readonly effectiveAt: bigint,
  ) {
    super(`the cancel of order ${orderId} completes from ${effectiveAt} (unix seconds, its rollup's clock)`, {
      details: "fills created before the cancel request may still be delivered until then",
    });
  }
}

/** The order gateway refused a cancel (`refusal`: its error's name, e.g. `NotOrderOwner`, `OrderComplete`). */
export class CancelRefusedError extends JunctionError {
  override name = "CancelRefusedError" as const;
  constructor(
    readonly refusal: string,
    readonly orderId: bigint,
  ) {
    super(`cancelling order ${orderId} was refused: ${refusal}`);
  }
}

/** A margin order was cancelled instead of executed; `refusal` names the engine's reason
 *  (`InsufficientMargin`, `LimitPrice`, `OrderExpired`, `StalePrice`, `MarketDisabled`, …), which
 *  `revertName` reads like a revert's. */
export class OrderCancelledError extends JunctionError {
  override name = "OrderCancelledError" as const;
  constructor(
    readonly refusal: string,
    readonly txHash: Hex,
    details?: string,
  ) {
    super(`margin order cancelled: ${refusal}`, { details: details ?? `tx ${txHash}` });
  }
}

/** A margin order could not be settled in time (no price after it, and not yet cancellable). */
export class OrderTimeoutError extends JunctionError {
  override name = "OrderTimeoutError" as const;
}
