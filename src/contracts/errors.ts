// Every custom error of Junction's contracts in one ABI, so a revert that bubbles up from a verifier
// through the Inbox is decoded by name wherever the Inbox is called.
import type { Abi } from "viem";

type AbiError = Extract<Abi[number], { type: "error" }>;

import * as artifacts from "./generated/index.js";

function collectErrors(): AbiError[] {
  const seen = new Map<string, AbiError>();
  for (const [name, value] of Object.entries(artifacts)) {
    if (!name.endsWith("Abi") || !Array.isArray(value)) continue;
    for (const item of value as readonly { type: string }[]) {
      if (item.type !== "error") continue;
      const error = item as AbiError;
      const key = `${error.name}(${error.inputs.map((input) => input.type).join(",")})`;
      seen.set(key, error);
    }
  }
  return [...seen.values()];
}

export const junctionErrorsAbi: readonly AbiError[] = collectErrors();

/** The Inbox ABI plus every error a verifier behind it can raise. */
export const inboxWithErrorsAbi = [...artifacts.inboxAbi, ...junctionErrorsAbi] as const;
