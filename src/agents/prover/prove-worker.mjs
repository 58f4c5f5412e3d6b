// One proving thread of the prover's ProvingPool (pool.ts): computes the witness and the Groth16 proof
// of one statement at a time, off the agent's thread, so the agent loop keeps polling and submitting
// while proofs run. Plain JavaScript so it loads the same whether the parent runs under tsx or not.
// snarkjs is told to stay on this thread (singleThread): the pool runs one worker per core instead.
import threads from "node:worker_threads";

const { parentPort } = threads;
// ffjavascript loads the `web-worker` package, which, outside the main thread, takes itself for one of
// its own workers and fails reading its workerData. This thread only proves single-threaded and never
// starts a web worker: let the package see a main thread before snarkjs loads it.
Object.defineProperty(threads, "isMainThread", { value: true });
const { groth16 } = await import("snarkjs");

parentPort?.on("message", async ({ id, input, wasm, zkey }) => {
  const started = performance.now();
  try {
    const { proof, publicSignals } = await groth16.fullProve(input, wasm, zkey, undefined, undefined, {
      singleThread: true,
    });
    parentPort?.postMessage({ id, proof, publicSignals, provingMs: performance.now() - started });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
