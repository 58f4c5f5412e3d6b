// `junction status <id>`: a message's status as JSON, read from the chains.
import type { Hex } from "viem";
import { isHex } from "viem";
import { getMessageStatus, messageStatusToJson } from "../sdk/index.js";
import { manifestOf, networkFlags, parseFlags, printJson, UsageError } from "./options.js";

export const usage = `junction status MESSAGE_ID [--data-dir DIR | --manifest FILE]
  Prints status (sent, delivered, failed, expired), trust path, source and delivery transactions and latency.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, networkFlags, true);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [id] = positionals;
  if (!id || !isHex(id) || id.length !== 66)
    throw new UsageError("give the 32-byte message id: junction status 0x…");
  const status = await getMessageStatus(manifestOf(values), { id: id as Hex });
  printJson(messageStatusToJson(status));
  return 0;
}
