// Worker-thread entry of a benchmark burst (see burstInWorker in burst.ts): runs the job it was
// given and posts its report back.
import { parentPort, workerData } from "node:worker_threads";
import { type BurstJob, runBurstJob } from "./burst.js";

parentPort?.postMessage(await runBurstJob(workerData as BurstJob));
