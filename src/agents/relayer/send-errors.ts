// What a failed send means for a relayer key, from the node's error text: the complaints users file
// against relayers ("nonce too low", "replacement transaction underpriced", "insufficient funds") each
// need their own answer, never a blind retry of the same transaction forever.
import { revertName } from "../../chain/revert.js";

export type SendErrorKind =
  /** The key's nonce drifted from the chain (or a transaction already took it): re-read it, send again. */
  | "nonce"
  /** A transaction with this nonce sits in the pool: send again with a higher fee to replace it. */
  | "underpriced"
  /** The key cannot pay for gas: say so, keep the queue, wait for funds. */
  | "funds"
  /** The contract refused: a named revert, handled by the caller. */
  | "revert"
  /** Anything else (RPC down, timeouts): try again later. */
  | "other";

const patterns: [SendErrorKind, RegExp][] = [
  ["underpriced", /replacement transaction underpriced|replacement fee too low|transaction underpriced/i],
  [
    "nonce",
    /nonce too low|nonce too high|already known|known transaction|invalid nonce|nonce has already been used/i,
  ],
  ["funds", /insufficient funds|insufficient balance|exceeds the balance|exceeds balance|lack of funds/i],
];

export function classifySendError(error: unknown): SendErrorKind {
  if (revertName(error)) return "revert";
  const text = errorText(error);
  for (const [kind, pattern] of patterns) if (pattern.test(text)) return kind;
  return "other";
}

/** The whole message chain of an error (viem nests the node's words in `cause`). */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current instanceof Error) {
      parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(" | ");
}
