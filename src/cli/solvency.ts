// `junction solvency publish|prove|verify|status`: proof of solvency. publish runs the publisher agent
// (one epoch every --epoch-ms); prove prints a user's proof from the publisher's archive; verify checks
// a proof (here and with the L1's verifyInclusion) and prints each asset's solvency ratio.
import { readFileSync } from "node:fs";
import type { Address } from "viem";
import { releaseProvingThreads } from "../agents/prover/groth16.js";
import { SolvencyPublisher } from "../agents/solvency/publisher.js";
import { walletClientFor } from "../chain/clients.js";
import { solvencyPublisherAccount } from "../devnet/accounts.js";
import { UserNotIncludedError } from "../protocol/sum-tree.js";
import {
  auditEpochReserves,
  getOwedBalances,
  getSolvencyEpoch,
  proveSolvency,
  type SolvencyProof,
  verifySolvencyProof,
} from "../sdk/solvency.js";
import { loadArchive, publisherSecret } from "../solvency/epoch.js";
import { publishEpoch } from "../solvency/publish.js";
import { proveEpochRanges } from "../solvency/zk-epoch.js";
import {
  addressFlag,
  dataDirOf,
  intFlag,
  keyFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  parseFlags,
  printJson,
  requiredFlag,
  UsageError,
} from "./options.js";
import { runWithStatus } from "./run-agent.js";

export const usage = `junction solvency publish [--once] [--epoch-ms MS] [--zk] [--private-key KEY] [--data-dir DIR | --manifest FILE]
junction solvency prove --user ADDRESS [--epoch N] [--data-dir DIR | --manifest FILE]
junction solvency verify [--proof FILE | --user ADDRESS] [--epoch N] [--skip-balances] [--data-dir DIR | --manifest FILE]
junction solvency status [--epoch N] [--data-dir DIR | --manifest FILE]
  Proof of solvency (needs the shared sequencer: not on a devnet started with --no-sequencer).
  publish: every --epoch-ms (default 10000; --once: one epoch and exit) takes the newest superblock
  posted on the L1, reads what the apps owe each user (pool shares, open intent escrows, margin
  collateral net of debt, deposits in flight) and what the holding contracts hold on every rollup at
  its blocks, and publishes each asset's Merkle-sum root and total and the reserves to the
  SolvencyRegistry; archives the epoch (balances and salts, private) in DIR/solvency/. The key
  defaults to the devnet's solvency publisher; --zk then proves every covered tree in range with the zk
  circuits, batches of 8 users folded into the root, and records it on the L1 (proveBatch, proveFold). prove: prints USER's proof of inclusion for the epoch
  (default the newest) from that archive. verify: checks a proof (a file from prove, or USER's proof
  built from the archive) against the published roots, in TypeScript and with the registry's
  verifyInclusion; recomputes what the apps owed the proof's user at the epoch's blocks (from the
  chains, not the publisher) and requires a leaf with exactly that balance for every asset owed
  (--skip-balances: only the path checks); re-reads every reserve at its block (whose hash must be the
  superblock's, whose holder a holding contract of the manifest), and prints each asset's
  liabilities, reserves and ratio. status: the ratios alone, and superblocksBehind (how many
  superblocks the L1 has past the epoch's).`;

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case "publish":
      return publish(rest);
    case "prove":
      return prove(rest);
    case "verify":
      return verify(rest);
    case "status":
      return status(rest);
    case "--help":
    case "-h":
    case undefined:
      console.log(usage);
      return action === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown solvency action "${action}"`, {
        details: "use publish, prove, verify or status",
      });
  }
}

async function publish(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...networkFlags,
    "private-key": { type: "string" },
    "epoch-ms": { type: "string" },
    once: { type: "boolean" },
    zk: { type: "boolean" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const manifest = manifestOf(values);
  const dataDir = dataDirOf(values);
  const privateKey = keyFlag(values["private-key"], solvencyPublisherAccount().privateKey);
  const secret = publisherSecret(dataDir);
  if (values.once) {
    const result = await publishEpoch(manifest, { publisherKey: privateKey, secret, dataDir });
    if (!values.zk || !result.published) {
      printJson(result);
      return 0;
    }
    const archive = loadArchive(dataDir, result.superblockHeight);
    const ranges = await proveEpochRanges(
      walletClientFor(manifest.l1, privateKey),
      manifest,
      archive,
      result.epoch,
    );
    await releaseProvingThreads();
    printJson({ ...result, ranges });
    return 0;
  }
  const logger = loggerOf(values);
  const agent = new SolvencyPublisher({
    network: manifest,
    privateKey,
    secret,
    dataDir,
    epochMs: intFlag("epoch-ms", values["epoch-ms"], 10_000, 100),
    logger,
    proveRanges: values.zk === true,
  });
  const code = await runWithStatus(agent, {
    logger,
    at: "SolvencyPublisher#status",
    statusEveryMs: 0,
    status: () => agent.status(),
  });
  // snarkjs keeps its worker threads alive after a proof (--zk): release them so the process exits.
  await releaseProvingThreads();
  return code;
}

const readFlags = {
  ...networkFlags,
  user: { type: "string" },
  epoch: { type: "string" },
  proof: { type: "string" },
  "skip-balances": { type: "boolean" },
} as const;

async function proofOf(values: { user?: string; epoch?: string; "data-dir"?: string; manifest?: string }) {
  const manifest = manifestOf(values);
  const epoch = await getSolvencyEpoch(manifest, {
    epoch: values.epoch === undefined ? undefined : BigInt(intFlag("epoch", values.epoch, 1, 1)),
  });
  const archive = loadArchive(dataDirOf(values), epoch.superblockHeight);
  const user = addressFlag("user", requiredFlag("user", values.user)) as Address;
  return proveSolvency(archive, { epoch: epoch.epoch, user });
}

async function prove(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, readFlags);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  printJson(await proofOf(values));
  return 0;
}

const reviveBigints = (key: string, value: unknown) =>
  typeof value === "string" && /^\d+$/.test(value) && key !== "asset" ? BigInt(value) : value;

function ratios(
  assets: {
    asset: string;
    liabilities: bigint;
    reserves: bigint;
    ratio: number | null;
    solvent: boolean;
    rangeProven?: boolean;
  }[],
) {
  return assets.map(({ asset, liabilities, reserves, ratio, solvent, rangeProven }) => ({
    asset,
    liabilities,
    reserves,
    ratio: ratio === null ? "nothing owed" : ratio.toFixed(6),
    solvent,
    ...(rangeProven === undefined ? {} : { rangeProven }),
  }));
}

async function verify(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, readFlags);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.proof && !values.user) throw new UsageError("verify needs --proof FILE or --user ADDRESS");
  const manifest = manifestOf(values);
  const skip = values["skip-balances"] === true;
  let proof: SolvencyProof;
  if (values.proof) {
    proof = JSON.parse(readFileSync(values.proof, "utf8"), reviveBigints) as SolvencyProof;
  } else {
    try {
      proof = await proofOf(values);
    } catch (error) {
      if (skip || !(error instanceof UserNotIncludedError)) throw error;
      // No leaf at all: fine only if the chains say nothing was owed to the user then.
      const user = addressFlag("user", values.user as string) as Address;
      const epoch = values.epoch === undefined ? undefined : BigInt(intFlag("epoch", values.epoch, 1, 1));
      const owed = Object.entries(await getOwedBalances(manifest, { epoch, user })).filter(([, v]) => v > 0n);
      if (owed.length > 0) {
        throw new UserNotIncludedError(`the epoch has no leaf for ${user}`, {
          details: `the apps owed ${owed.map(([asset, amount]) => `${amount} ${asset}`).join(", ")} then`,
        });
      }
      throw error;
    }
  }
  // The user's own expectation, from the chains at the epoch's instant: catches a dropped asset or a
  // lowered balance, which the path checks alone cannot.
  const balances = skip
    ? undefined
    : await getOwedBalances(manifest, { epoch: proof.epoch, user: proof.user });
  const result = await verifySolvencyProof(manifest, proof, { balances });
  const audit = await auditEpochReserves(manifest, { epoch: result.epoch });
  printJson({
    epoch: result.epoch,
    superblockHeight: result.superblockHeight,
    superblocksBehind: result.superblocksBehind,
    user: proof.user,
    included: result.included,
    reservesAudited: audit.reserves,
    solvency: ratios(result.assets),
  });
  return 0;
}

async function status(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, readFlags);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const epoch = await getSolvencyEpoch(manifestOf(values), {
    epoch: values.epoch === undefined ? undefined : BigInt(intFlag("epoch", values.epoch, 1, 1)),
  });
  printJson({
    epoch: epoch.epoch,
    superblockHeight: epoch.superblockHeight,
    superblocksBehind: epoch.superblocksBehind,
    solvency: ratios(epoch.assets),
  });
  return 0;
}
