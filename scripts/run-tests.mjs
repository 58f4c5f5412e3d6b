// Runs every test file under test/ with Node's test runner (Node 20 does not expand globs itself).
// Extra arguments are passed through, e.g. `npm test -- --test-name-pattern=relayer`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return find(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const filters = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const flags = process.argv.slice(2).filter((arg) => arg.startsWith("--"));
const files = find("test")
  .sort()
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)));
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...flags, ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
