// What every benchmark's report starts with (when, at which commit, on what machine) and where it goes:
// bench/results/<date>-<commit><suffix>.json and .md, the Markdown printed too.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, platform } from "node:os";
import { join } from "node:path";

export function runStamp() {
  return {
    date: new Date().toISOString(),
    commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim(),
    machine: { cores: cpus().length, node: process.version, platform: platform() },
  };
}

/** Writes the report as JSON and its Markdown beside it, and prints the Markdown. */
export function writeResults(
  outDir: string,
  suffix: string,
  report: { date: string; commit: string },
  markdown: string,
): void {
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `${report.date.slice(0, 10)}-${report.commit}${suffix}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown);
  console.log(markdown);
  console.log(`Written to ${base}.json and ${base}.md`);
}
