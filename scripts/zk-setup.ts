// `npm run zk:setup`: compiles circuits/committee.circom and produces the Groth16 artifacts the zk path
// uses — the witness generator (circuits/build/committee.wasm), the proving key (committee.zkey), the
// verification key, and the Solidity verifier (contracts/verifiers/zk/Groth16Verifier.sol) — plus
// circuits/build/setup.json recording which circuit and which powers of tau they came from.
// `npm run zk:setup -- --circuit solvency` does the same for proof of solvency's batch circuit
// (circuits/solvency.circom → circuits/build/solvency.*, contracts/verifiers/zk/SolvencyBatchVerifier.sol);
// `npm run zk:setup -- --circuit solvency-fold` builds the fold that combines eight proven nodes into their
// ancestor (circuits/solvency-fold.circom → contracts/verifiers/zk/SolvencyFoldVerifier.sol);
// each circuit's artifacts are written only by its own run.
//
// DEVELOPMENT SETUP: without --ptau, the powers of tau are generated here with one contribution of
// local randomness, and so is the circuit-specific phase 2. Whoever ran it could forge proofs. For
// production, pass a ceremony file (e.g. a Perpetual Powers of Tau / Hermez `powersOfTau28_hez_final_14`)
// with --ptau and run the phase-2 contributions with independent parties.
//
// The generated powers of tau are cached under --cache-dir (default .junction/zk-cache) keyed by power,
// so re-running after a circuit change costs only the compile and phase 2 (seconds).
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { curves, powersOfTau, zKey } from "snarkjs";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    ptau: { type: "string" },
    power: { type: "string" },
    circuit: { type: "string", default: "committee" },
    "cache-dir": { type: "string", default: join(root, ".junction", "zk-cache") },
  },
});

/** Every circuit the setup builds: its source, default powers of tau, and where its artifacts go. */
export const CIRCUITS = {
  committee: {
    power: 14,
    wasm: "committee.wasm",
    zkey: "committee.zkey",
    verificationKey: "verification_key.json",
    setup: "setup.json",
    verifier: "Groth16Verifier",
    command: "npm run zk:setup",
  },
  solvency: {
    power: 13,
    wasm: "solvency.wasm",
    zkey: "solvency.zkey",
    verificationKey: "solvency.verification_key.json",
    setup: "solvency.setup.json",
    verifier: "SolvencyBatchVerifier",
    command: "npm run zk:setup -- --circuit solvency",
  },
  "solvency-fold": {
    power: 13,
    wasm: "solvency-fold.wasm",
    zkey: "solvency-fold.zkey",
    verificationKey: "solvency-fold.verification_key.json",
    setup: "solvency-fold.setup.json",
    verifier: "SolvencyFoldVerifier",
    command: "npm run zk:setup -- --circuit solvency-fold",
  },
} as const;
export type CircuitName = keyof typeof CIRCUITS;

const name = values.circuit as CircuitName;
const spec = CIRCUITS[name];
const build = join(root, "circuits", "build");
const cache = resolve(values["cache-dir"]);
const power = Number(values.power ?? spec?.power);

/** What a circuit's artifacts depend on: its source and the circomlib it includes. */
export function circuitHash(circuitName: CircuitName = "committee"): string {
  const circomlib = JSON.parse(readFileSync(join(root, "node_modules", "circomlib", "package.json"), "utf8"));
  return createHash("sha256")
    .update(readFileSync(join(root, "circuits", `${circuitName}.circom`)))
    .update(`circomlib@${circomlib.version}`)
    .digest("hex");
}

function log(message: string) {
  process.stderr.write(`zk-setup: ${message}\n`);
}

async function developmentPtau(): Promise<string> {
  const final = join(cache, `pot${power}_final.ptau`);
  if (existsSync(final)) {
    log(`using cached development powers of tau ${final}`);
    return final;
  }
  mkdirSync(cache, { recursive: true });
  const curve = await curves.getCurveFromName("bn128");
  try {
    const fresh = join(cache, `pot${power}_0000.ptau`);
    const contributed = join(cache, `pot${power}_0001.ptau`);
    log(`generating development powers of tau 2^${power} (minutes; cached afterwards)`);
    await powersOfTau.newAccumulator(curve, power, fresh);
    await powersOfTau.contribute(fresh, contributed, "junction development", randomBytes(32).toString("hex"));
    await powersOfTau.preparePhase2(contributed, final);
    rmSync(fresh);
    rmSync(contributed);
  } finally {
    await curve.terminate();
  }
  return final;
}

async function main() {
  if (!spec)
    throw new Error(`unknown circuit "${values.circuit}": use ${Object.keys(CIRCUITS).join(" or ")}`);
  const circuit = join(root, "circuits", `${name}.circom`);
  mkdirSync(build, { recursive: true });
  const work = join(cache, "compile");
  mkdirSync(work, { recursive: true });
  log(`compiling circuits/${name}.circom`);
  // The WASM compiler reads includes only inside its working tree: circomlib comes from node_modules.
  const output = execFileSync(
    process.execPath,
    [
      join(root, "node_modules", "circom2", "cli.js"),
      circuit,
      "--r1cs",
      "--wasm",
      "--O2",
      "-l",
      join(root, "node_modules"),
      "-o",
      work,
    ],
    { cwd: root, encoding: "utf8" },
  );
  const constraints = Number(/non-linear constraints: (\d+)/.exec(output)?.[1] ?? Number.NaN);
  if (!(constraints < 2 ** power))
    throw new Error(`${constraints} constraints do not fit powers of tau 2^${power}`);
  copyFileSync(join(work, `${name}_js`, `${name}.wasm`), join(build, spec.wasm));

  const ptau = values.ptau ? resolve(values.ptau) : await developmentPtau();
  const zkey0 = join(work, `${name}_0000.zkey`);
  const zkey = join(build, spec.zkey);
  log("groth16 phase 2 (circuit-specific setup)");
  await zKey.newZKey(join(work, `${name}.r1cs`), ptau, zkey0);
  await zKey.contribute(zkey0, zkey, "junction development", randomBytes(32).toString("hex"));
  const verificationKey = await zKey.exportVerificationKey(zkey);
  writeFileSync(join(build, spec.verificationKey), `${JSON.stringify(verificationKey, null, 2)}\n`);
  const template = readFileSync(
    join(root, "node_modules", "snarkjs", "templates", "verifier_groth16.sol.ejs"),
    "utf8",
  );
  // Each circuit's verifier is its own contract: rename the template's Groth16Verifier but for the committee.
  const solidity = (await zKey.exportSolidityVerifier(zkey, { groth16: template })).replace(
    "contract Groth16Verifier",
    `contract ${spec.verifier}`,
  );
  mkdirSync(join(root, "contracts", "verifiers", "zk"), { recursive: true });
  writeFileSync(
    join(root, "contracts", "verifiers", "zk", `${spec.verifier}.sol`),
    `// Generated by snarkjs from circuits/build/${spec.zkey} (${spec.command}). Do not edit.\n${solidity}`,
  );
  const setup = {
    circuit: `circuits/${name}.circom`,
    circuitHash: circuitHash(name),
    constraints,
    power,
    ptau: values.ptau
      ? { ceremony: createHash("sha256").update(readFileSync(ptau)).digest("hex") }
      : "development",
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(build, spec.setup), `${JSON.stringify(setup, null, 2)}\n`);
  log(`done: ${constraints} constraints; artifacts in circuits/build, verifier in contracts/verifiers/zk`);
  // snarkjs keeps worker threads alive.
  process.exit(0);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
