// How busy the machine is while a benchmark step runs: this process's main thread (where a devnet's
// agents and sequencer run), the whole process (with the burst's worker thread), and the anvil nodes.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

/** Where the machine's CPU went while `work` ran. */
export type Load = {
  seconds: number;
  /** Share of the time this process's main thread (devnet agents, sequencer) was busy. */
  mainThread: number;
  /** CPU of this whole process (main thread, burst worker, runtime threads), in cores. */
  processCores: number;
  /** CPU of the anvil nodes, in cores (Linux only: read from /proc). */
  nodeCores: number | null;
};

export async function measureLoad<T>(
  nodePids: readonly number[],
  work: () => Promise<T>,
): Promise<{ value: T; load: Load }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const nodes = nodeTicks(nodePids);
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const nodesAfter = nodeTicks(nodePids);
  return {
    value,
    load: {
      seconds,
      mainThread: performance.eventLoopUtilization(loop).utilization,
      processCores: (used.user + used.system) / 1e6 / seconds,
      nodeCores: nodes === null || nodesAfter === null ? null : (nodesAfter - nodes) / CLOCK_TICKS / seconds,
    },
  };
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in hundredths of a second. */
const CLOCK_TICKS = 100;

/** User and system CPU ticks of the processes, or null where /proc is not there to read. */
function nodeTicks(pids: readonly number[]): number | null {
  try {
    let ticks = 0;
    for (const pid of pids) {
      // The command name may hold spaces: fields count from after its closing parenthesis.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}
