// A pool of proving threads (node:worker_threads running prove-worker.mjs). Proofs queue here and run
// one per worker, so independent proofs overlap and the caller's event loop never blocks on a witness
// or a multi-exponentiation. Workers start on first use and end with `close`. A proof that runs longer
// than the pool's timeout ends its worker (a hung witness or prover would hold it for ever): the proof
// is refused with ProvingTimeoutError and the next proof starts a fresh worker.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { CircuitInput, Groth16Proof } from "snarkjs";

export type PooledProof = { proof: Groth16Proof; publicSignals: string[]; provingMs: number };

type Job = {
  id: number;
  input: CircuitInput;
  resolve: (proof: PooledProof) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
};
type Reply = { id: number; error?: string } & Partial<PooledProof>;

export class ProvingError extends Error {
  override name = "ProvingError" as const;
}

/** A proof ran longer than the pool's timeout: its worker was ended and replaced. */
export class ProvingTimeoutError extends Error {
  override name = "ProvingTimeoutError" as const;
  constructor(readonly timeoutMs: number) {
    super(`the proof ran longer than ${timeoutMs} ms: its proving worker was ended`);
  }
}

const WORKER = new URL("./prove-worker.mjs", import.meta.url);

/** Default per-proof timeout: a committee proof takes seconds (under 10 s on 2 loaded cores). */
export const DEFAULT_PROVING_TIMEOUT_MS = 120_000;

export type ProvingPoolOptions = {
  /** Longest a proof may run before its worker is ended (default DEFAULT_PROVING_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The worker script (default prove-worker.mjs); tests put a named fake here. */
  worker?: URL;
};

/** Default pool size: one worker per core, at most 4 (each proof is single-threaded). */
export function defaultProvingWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

export class ProvingPool {
  readonly #idle: Worker[] = [];
  readonly #all = new Set<Worker>();
  readonly #queue: Job[] = [];
  readonly #running = new Map<Worker, Job>();
  #nextId = 0;
  #closed = false;
  readonly timeoutMs: number;
  readonly #script: URL;

  constructor(
    private readonly wasm: string,
    private readonly zkey: string,
    readonly size = defaultProvingWorkers(),
    options: ProvingPoolOptions = {},
  ) {
    if (!(size >= 1)) throw new ProvingError(`a proving pool needs at least one worker, got ${size}`);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROVING_TIMEOUT_MS;
    if (!(this.timeoutMs > 0))
      throw new ProvingError(`a proving timeout is above 0 ms, got ${this.timeoutMs}`);
    this.#script = options.worker ?? WORKER;
  }

  /** Proofs queued or running. */
  get pending(): number {
    return this.#queue.length + this.#running.size;
  }

  prove(input: CircuitInput): Promise<PooledProof> {
    if (this.#closed) return Promise.reject(new ProvingError("the proving pool is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, input, resolve, reject });
      this.#dispatch();
    });
  }

  /** Ends every worker; queued and running proofs are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new ProvingError("the proving pool closed"));
    for (const job of this.#running.values()) {
      clearTimeout(job.timer);
      job.reject(new ProvingError("the proving pool closed"));
    }
    this.#running.clear();
    const workers = [...this.#all];
    this.#all.clear();
    this.#idle.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? (this.#all.size < this.size ? this.#spawn() : undefined);
      if (!worker) return;
      const job = this.#queue.shift() as Job;
      this.#running.set(worker, job);
      job.timer = setTimeout(() => this.#expire(worker, job), this.timeoutMs);
      job.timer.unref();
      worker.postMessage({ id: job.id, input: job.input, wasm: this.wasm, zkey: this.zkey });
    }
  }

  /** A proof ran out of time: end its worker (the only way to stop a busy thread) and go on. */
  #expire(worker: Worker, job: Job): void {
    if (this.#running.get(worker) !== job) return;
    this.#running.delete(worker);
    this.#all.delete(worker); // so its exit is not taken for a failure
    job.reject(new ProvingTimeoutError(this.timeoutMs));
    void worker.terminate();
    if (!this.#closed) this.#dispatch();
  }

  #spawn(): Worker {
    const worker = new Worker(this.#script);
    this.#all.add(worker);
    worker.on("message", (reply: Reply) => {
      const job = this.#running.get(worker);
      if (!job || job.id !== reply.id) return;
      clearTimeout(job.timer);
      this.#running.delete(worker);
      if (reply.error !== undefined || !reply.proof || !reply.publicSignals) {
        job.reject(new ProvingError(reply.error ?? "the proving worker answered without a proof"));
      } else {
        job.resolve({
          proof: reply.proof,
          publicSignals: reply.publicSignals,
          provingMs: reply.provingMs ?? 0,
        });
      }
      if (!this.#closed) {
        this.#idle.push(worker);
        this.#dispatch();
      }
    });
    // A worker that dies takes its job with it; the next proof starts a fresh worker.
    const lost = (error: Error) => {
      const job = this.#running.get(worker);
      clearTimeout(job?.timer);
      this.#running.delete(worker);
      this.#all.delete(worker);
      const idle = this.#idle.indexOf(worker);
      if (idle >= 0) this.#idle.splice(idle, 1);
      job?.reject(new ProvingError(`the proving worker failed: ${error.message}`));
      if (!this.#closed) this.#dispatch();
    };
    worker.on("error", lost);
    worker.on("exit", (code) => {
      if (this.#all.has(worker)) lost(new Error(`exited with code ${code}`));
    });
    return worker;
  }
}
