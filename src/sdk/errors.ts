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
