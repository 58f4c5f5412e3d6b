#!/usr/bin/env node
// The `junction` command: runs the TypeScript CLI through tsx, so a clone needs no build step.
import { register } from "tsx/esm/api";

// A parent that piped our output and died must not crash a command on its next log line, before it has
// stopped what it started (its anvil nodes); that output is lost either way.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
  });
}

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
