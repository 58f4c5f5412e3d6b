// `junction sequencer`: runs the shared sequencer alone over a devnet started with --external-sequencer.
import { sequencerOf } from "../devnet/sequencer.js";
import {
  keyFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  numberFlag,
  parseFlags,
  untilStopped,
} from "./options.js";

export const usage = `junction sequencer [--superblock-time S] [--private-key KEY] [--data-dir DIR | --manifest FILE]
  Takes block production over from every rollup of the devnet's sequencing domain and seals a
  superblock every S seconds (default: the manifest's) until Ctrl-C / SIGTERM or its parent exits. It
  serves each rollup's JSON-RPC endpoint (the manifest's rpcUrl) with eth_sendRawTransaction,
  junction_sendBundle, junction_commit / junction_reveal and superblock lookups; other calls go to the
  node.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    "superblock-time": { type: "string" },
    "private-key": { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const manifest = manifestOf(values);
  const seconds =
    values["superblock-time"] === undefined
      ? undefined
      : numberFlag("superblock-time", values["superblock-time"], 0.5);
  const sequencer = sequencerOf(manifest, loggerOf(values), {
    superblockTimeMs: seconds === undefined ? undefined : Math.max(50, Math.round(seconds * 1000)),
    privateKey: keyFlag(values["private-key"], manifest.accounts.sequencer.privateKey),
  });
  const stopping = untilStopped();
  try {
    await sequencer.start();
  } catch (error) {
    await sequencer.stop();
    throw error;
  }
  await stopping;
  await sequencer.stop();
  return 0;
}
