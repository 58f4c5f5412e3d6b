// `--help` of every command and subcommand works anywhere: no devnet, no manifest, exit 0. The commands
// are read from `junction help`, so a new command is checked as soon as it is documented there.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";

/** `["devnet"], …, ["swap"], ["swap", "initiate"], …, ["relayer"], ["proposer"], …` from the help text. */
function commandsOf(help: string): string[][] {
  const commands = new Map<string, string[]>();
  for (const line of help.split("\n")) {
    const match = line.match(/^junction ([a-z|-]+)(?: ([a-z][a-z-]*))?(?=\s|$)/);
    if (!match?.[1]) continue;
    for (const name of match[1].split("|")) {
      commands.set(name, [name]);
      if (match[2]) commands.set(`${name} ${match[2]}`, [name, match[2]]);
    }
  }
  return [...commands.values()];
}

/** Runs `work` on every item, `limit` at a time (each CLI start loads the whole program). */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

describe("junction <command> --help", () => {
  // No .junction here: a command that looks for the devnet's manifest before reading --help fails.
  const empty = mkdtempSync(join(tmpdir(), "junction-help-"));

  after(() => rmSync(empty, { recursive: true, force: true }));

  it("works for every command and subcommand without a devnet", async () => {
    const help = await runCli(["help"], 60_000, { cwd: empty });
    assert.equal(help.code, 0, help.stderr);
    const commands = commandsOf(help.stdout);
    const names = commands.map((command) => command.join(" "));
    for (const expected of [
      "devnet",
      "send",
      "status",
      "bridge",
      "bundle",
      "swap",
      "swap watch",
      "relayer",
    ]) {
      assert.ok(names.includes(expected), `"${expected}" in ${names.join(", ")}`);
    }
    assert.ok(names.includes("prover") && names.includes("sequencer"), names.join(", "));
    const invocations = [
      ...commands.map((command) => [...command, "--help"]),
      ["swap", "-h"],
      ["--help"],
      ["-h"],
    ];
    const failed: string[] = [];
    // One at a time: each start compiles the whole program, and on 2 cores three at once starved the
    // devnet another test file was starting beside this one (its start then took over 60 s in CI).
    await eachLimited(invocations, 1, async (args) => {
      const result = await runCli(args, 60_000, { cwd: empty });
      const usage = args[0]?.startsWith("-") ? "Usage: junction" : (args[0] ?? "");
      if (result.code !== 0 || !result.stdout.includes(usage)) {
        failed.push(
          `junction ${args.join(" ")}: exit ${result.code}, ${result.stderr.trim() || "no usage printed"}`,
        );
      }
    });
    assert.deepEqual(failed, [], `checked: ${invocations.map((args) => args.join(" ")).join("; ")}`);
  });
});
