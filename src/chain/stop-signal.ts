// The stop signal of the agent whose work is running. An agent runs each pass of its loop inside
// `withStopSignal`, and the clients of clients.ts give the current signal to every request and receipt
// wait, so a stopping agent ends them at once instead of after viem's retries and 180 s receipt timeout
// on a node that died (Ctrl-C kills the nodes with the devnet): in every agent alike, without passing
// the signal to every call.
import { AsyncLocalStorage } from "node:async_hooks";

const running = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` so that the waits it starts, however deep, end when `signal` aborts. */
export function withStopSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return running.run(signal, work);
}

/** The signal of the `withStopSignal` call this code runs under, if any. */
export function currentStopSignal(): AbortSignal | undefined {
  return running.getStore();
}
