// Stopping `junction devnet` in every order of death: Ctrl-C in a terminal (SIGINT to the whole process
// group, so the anvil nodes die with the devnet), a SIGTERM to the `npx` wrapper (it does not reach the
// devnet, which must notice its parent is gone), and a node killed before the devnet is told to stop.
// Each must end in seconds, not after viem's 180 s receipt timeout, and leave no process behind.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it, type TestContext } from "node:test";
import type { Hex } from "viem";
import { rpcCall } from "../../src/chain/json-rpc.js";
import { isPortFree } from "../../src/chain/ports.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { devnetPorts, junctionBin, waitFor } from "../helpers/cli.js";

/** Far below the 180 s hang this guards against, and loose enough for a loaded 2-core machine. */
const STOP_LIMIT_MS = 20_000;

type Process = { pid: number; ppid: number; args: string };

function processes(): Process[] {
  return execFileSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((match) => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args ?? "" }));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One devnet's ports, data directory and output, started through `spawnDevnet`. */
type Started = {
  base: number;
  ports: number[];
  dataDir: string;
  /** The process the test spawned: the devnet itself, or the npx wrapper around it. */
  child: ChildProcess;
  output: () => string;
};

/** The devnet's own node process (under a wrapper it is a grandchild of the spawned one). */
function devnetProcess(started: Started): Process {
  const found = processes().find(
    (entry) => /^\S*node /.test(entry.args) && entry.args.includes(`devnet --port ${started.base} `),
  );
  assert.ok(found, `no devnet process on port ${started.base}`);
  return found;
}

function anvilsOf(started: Started): Process[] {
  return processes().filter(
    (entry) =>
      entry.args.includes("anvil") && started.ports.some((port) => entry.args.includes(`--port ${port} `)),
  );
}

const everyStarted: Started[] = [];

/** Starts a devnet on free ports in its own process group (so a test can signal the whole group). */
async function spawnDevnet(
  command: string,
  prefix: string[],
  options: { cwd?: string; logLevel?: string; running?: boolean } = {},
): Promise<Started> {
  const { base, ports } = await devnetPorts();
  const dataDir = mkdtempSync(join(tmpdir(), "junction-stop-"));
  const args = [...prefix, "devnet", "--port", String(base), "--data-dir", dataDir];
  args.push("--log-level", options.logLevel ?? "warn");
  const child = spawn(command, args, { cwd: options.cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const started = { base, ports, dataDir, child, output: () => output };
  everyStarted.push(started);
  if (options.running === false) {
    await waitFor(() => anvilsOf(started).length === 3, 60_000, "the devnet's nodes to start");
    return started;
  }
  await waitFor(
    () => {
      // A devnet that exits (a port taken meanwhile, a failed deployment) says why instead of a timeout.
      if (child.exitCode !== null) throw new Error(`the devnet exited (${child.exitCode}):\n${output}`);
      return output.includes("Junction devnet is running");
    },
    90_000,
    "the devnet to start",
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; its output:\n${output}`);
  });
  assert.equal(anvilsOf(started).length, 3);
  return started;
}

/** Milliseconds until `pid` is gone, or undefined if it is still running after STOP_LIMIT_MS. */
async function timeToExit(pid: number): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < STOP_LIMIT_MS) {
    if (!alive(pid)) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

function report(t: TestContext, started: Started, scenario: string, stoppedInMs: number | undefined): void {
  const measured =
    stoppedInMs === undefined ? `still running after ${STOP_LIMIT_MS} ms` : `${stoppedInMs} ms`;
  t.diagnostic(`${scenario}: devnet stopped in ${measured}`);
  assert.ok(stoppedInMs !== undefined, `${scenario}: the devnet did not stop\n${started.output()}`);
}

async function assertNothingLeft(started: Started): Promise<void> {
  await waitFor(() => anvilsOf(started).length === 0, 5_000, "the anvil nodes to exit");
  assert.deepEqual(anvilsOf(started), []);
  assert.ok((await Promise.all(started.ports.map(isPortFree))).every(Boolean));
}

describe("stopping junction devnet", () => {
  const npxProject = mkdtempSync(join(tmpdir(), "junction-npx-"));

  after(() => {
    // Whatever a failed test left running: its process group holds the devnet, its wrapper and its nodes.
    for (const started of everyStarted) {
      try {
        process.kill(-(started.child.pid as number), "SIGKILL");
      } catch {
        // the group is gone: nothing left
      }
      for (const anvil of anvilsOf(started)) process.kill(anvil.pid, "SIGKILL");
      rmSync(started.dataDir, { recursive: true, force: true });
    }
    rmSync(npxProject, { recursive: true, force: true });
  });

  it("Ctrl-C (SIGINT to the whole process group, nodes included) stops it in seconds", async (t) => {
    const started = await spawnDevnet(process.execPath, [junctionBin]);
    const pid = started.child.pid as number;
    process.kill(-pid, "SIGINT");
    report(t, started, "SIGINT to the process group", await timeToExit(pid));
    await assertNothingLeft(started);
  });

  it("Ctrl-C while it is still deploying stops it in seconds", async (t) => {
    // The deployment has sent its L1 transactions and waits for their receipts (the L1 mines every 2 s)
    // when the group is signalled.
    const started = await spawnDevnet(process.execPath, [junctionBin], { running: false });
    const l1 = `http://127.0.0.1:${started.base}`;
    const deployer = devnetAccounts().deployer.address;
    await waitFor(
      async () =>
        (await rpcCall<Hex>(l1, "eth_getTransactionCount", [deployer, "pending"]).catch(() => "0x0")) !==
        "0x0",
      60_000,
      "the deployment's first L1 transaction",
    );
    const pid = started.child.pid as number;
    const stillStarting = !started.output().includes("Junction devnet is running");
    process.kill(-pid, "SIGINT");
    t.diagnostic(`signalled ${stillStarting ? "during start-up" : "after start-up (the machine was fast)"}`);
    report(t, started, "SIGINT to the process group during start-up", await timeToExit(pid));
    await assertNothingLeft(started);
  });

  it("a SIGTERM to the npx wrapper stops the devnet it orphaned, also with its output pipe gone", async (t) => {
    // A project with `junction` installed, the way `npx junction` finds it.
    mkdirSync(join(npxProject, "node_modules", ".bin"), { recursive: true });
    writeFileSync(join(npxProject, "package.json"), JSON.stringify({ name: "uses-junction", private: true }));
    symlinkSync(junctionBin, join(npxProject, "node_modules", ".bin", "junction"));
    // --log-level info: the devnet logs as it stops, into a pipe nobody reads any more.
    const started = await spawnDevnet("npx", ["--offline", "junction"], {
      cwd: npxProject,
      logLevel: "info",
    });
    const devnet = devnetProcess(started);
    assert.notEqual(devnet.pid, started.child.pid, "npx runs the devnet in a child process");
    // As when a supervisor that piped the output dies: writing to it fails (EPIPE) and must not crash
    // the devnet before it has stopped its nodes.
    started.child.stdout?.destroy();
    started.child.stderr?.destroy();
    started.child.kill("SIGTERM");
    report(t, started, "SIGTERM to the npx wrapper", await timeToExit(devnet.pid));
    await assertNothingLeft(started);
  });

  it("a node killed first, then SIGTERM to the devnet, stops it in seconds", async (t) => {
    const started = await spawnDevnet(process.execPath, [junctionBin]);
    const l1 = anvilsOf(started).find((anvil) => anvil.args.includes(`--port ${started.base} `));
    assert.ok(l1);
    process.kill(l1.pid, "SIGKILL");
    // Long enough for the agents to be waiting on the dead L1 (the sequencer posts every second).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const pid = started.child.pid as number;
    process.kill(pid, "SIGTERM");
    report(t, started, "L1 node killed, then SIGTERM", await timeToExit(pid));
    await assertNothingLeft(started);
  });
});
