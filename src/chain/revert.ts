// Names the custom error behind a failed contract call, so callers can branch on it.
import { BaseError, ContractFunctionRevertedError } from "viem";

/** The custom-error name of a contract revert (e.g. "MessageExpired"), if the error is one. */
export function revertName(error: unknown): string | undefined {
  // An error that carries a contract's refusal without a revert (a margin order the engine cancelled).
  const refusal = (error as { refusal?: unknown } | null)?.refusal;
  if (error instanceof Error && typeof refusal === "string") return refusal;
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}
