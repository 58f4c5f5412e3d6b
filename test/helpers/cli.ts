// Runs the real `junction` command as a child process, the way a user does.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { consecutiveFreePorts, ephemeralLow, isPortFree } from "../../src/chain/ports.js";

export const junctionBin = resolve(import.meta.dirname, "../../bin/junction.mjs");

export type CliResult = { code: number | null; stdout: string; stderr: string };

export function runCli(
  args: string[],
  timeoutMs = 120_000,
  options: { cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [junctionBin, ...args], {
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`junction ${args.join(" ")} timed out\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export type LongRunning = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Starts a long-running command (devnet, relayer) and collects its output. */
export function startCli(args: string[]): LongRunning {
  const child = spawn(process.execPath, [junctionBin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, output: () => output, exited };
}

/**
 * Stops a long-running command the way a user does (SIGTERM), so it stops its own children; SIGKILL
 * only if it has not exited after `graceMs` (a SIGKILLed devnet would leave its anvil nodes running).
 */
export async function stopCli(running: LongRunning, graceMs = 20_000): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill("SIGTERM");
  const timer = setTimeout(() => running.child.kill("SIGKILL"), graceMs);
  await running.exited;
  clearTimeout(timer);
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A `--port` base for `junction devnet` (two rollups) whose every port is free: the L1 on base, the
 * sequencer's rollup endpoints on base+1000 and base+1001, the rollup nodes behind it on base+2000 and
 * base+2001, the API on base+3000, the admin endpoint on base+3001 — all below the ephemeral range,
 * where clients' ports come from.
 */
export async function devnetPorts(): Promise<{ base: number; ports: number[] }> {
  for (;;) {
    const base = await consecutiveFreePorts(1, 10_000, ephemeralLow() - 3_002);
    const ports = [base, base + 1000, base + 1001, base + 2000, base + 2001, base + 3000, base + 3001];
    if ((await Promise.all(ports.map(isPortFree))).every(Boolean)) return { base, ports };
  }
}
