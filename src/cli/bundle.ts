// `junction bundle FILE`: submits an atomic cross-rollup bundle described in a JSON file and prints
// the superblock it landed in, or which leg refused it and why (exit 1; nothing landed).
import { readFileSync } from "node:fs";
import { encodeFunctionData, type Hex, isAddress, isHex, parseAbiItem } from "viem";
import { z } from "zod";
import { walletClientFor } from "../chain/clients.js";
import { type Manifest, rollupOf } from "../chain/manifest.js";
import { publicClientFor, sendBundle } from "../sdk/index.js";
import { intFlag, keyFlag, manifestOf, networkFlags, parseFlags, printJson, UsageError } from "./options.js";

export const usage = `junction bundle FILE [--private-key KEY] [--timeout SECONDS] [--data-dir DIR | --manifest FILE]
  Signs and submits the transactions in FILE as one atomic bundle through the shared sequencer: every
  required leg lands in the same superblock, or none of the bundle lands anywhere. FILE is
  { "transactions": [ { "chainId": 901, "to": "0x…", "data": "0x…" | "function": "claim(bytes32 name)",
  "args": [...], "value": "0", "gas": "100000", "required": true }, … ] }. Legs are signed by the
  devnet's user account unless --private-key is given.`;

const hex = z.custom<Hex>((value) => typeof value === "string" && isHex(value), "not hex");
const leg = z.object({
  chainId: z.number().int().positive(),
  to: z.custom<Hex>((value) => typeof value === "string" && isAddress(value), "not an address"),
  data: hex.optional(),
  function: z.string().optional(),
  args: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
  value: z.string().regex(/^\d+$/).optional(),
  gas: z.string().regex(/^\d+$/).optional(),
  required: z.boolean().optional(),
});
const bundleFile = z.object({ transactions: z.array(leg).min(1) });

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...networkFlags, "private-key": { type: "string" }, timeout: { type: "string" } },
    true,
  );
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError("give exactly one bundle FILE");
  const manifest = manifestOf(values);
  const key = keyFlag(values["private-key"], manifest.accounts.user.privateKey);
  const legs = readBundle(file);
  const landed = await sendBundle(manifest, {
    transactions: legs.map((entry) => ({
      wallet: walletClientFor(rollupOf(manifest, entry.chainId), key),
      to: entry.to,
      data: calldataOf(entry),
      value: entry.value === undefined ? undefined : BigInt(entry.value),
      gas: entry.gas === undefined ? undefined : BigInt(entry.gas),
      required: entry.required,
    })),
    timeoutMs: intFlag("timeout", values.timeout, 30, 1) * 1000,
  });
  printJson({ ...landed, transactions: await withReceipts(manifest, landed.transactions) });
  return 0;
}

function readBundle(file: string): z.infer<typeof leg>[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new UsageError(`cannot read bundle file ${file}`, { cause, details: String(cause) });
  }
  const parsed = bundleFile.safeParse(json);
  if (!parsed.success)
    throw new UsageError(`invalid bundle file ${file}`, { details: z.prettifyError(parsed.error) });
  return parsed.data.transactions;
}

/** `data` as given, or encoded from a human-readable function signature and its arguments. */
function calldataOf(entry: z.infer<typeof leg>): Hex | undefined {
  if (entry.data !== undefined || entry.function === undefined) return entry.data;
  let item: ReturnType<typeof parseAbiItem>;
  try {
    item = parseAbiItem(`function ${entry.function.replace(/^function\s+/, "")}`);
  } catch (cause) {
    throw new UsageError(`cannot parse function "${entry.function}"`, { cause });
  }
  if (item.type !== "function") throw new UsageError(`"${entry.function}" is not a function`);
  const args = (entry.args ?? []).map((arg, i) => {
    const type = item.inputs[i]?.type ?? "";
    return /^u?int\d*$/.test(type) ? BigInt(arg as string | number) : arg;
  });
  return encodeFunctionData({ abi: [item], functionName: item.name, args });
}

async function withReceipts(manifest: Manifest, legs: { chainId: number; hash: Hex; required: boolean }[]) {
  return Promise.all(
    legs.map(async (entry) => {
      const receipt = await publicClientFor(rollupOf(manifest, entry.chainId)).getTransactionReceipt({
        hash: entry.hash,
      });
      return { ...entry, blockNumber: receipt.blockNumber, status: receipt.status, gasUsed: receipt.gasUsed };
    }),
  );
}
