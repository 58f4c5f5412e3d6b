// Port checks for processes the devnet and tests start on 127.0.0.1.
import { createServer } from "node:net";
import { JunctionError } from "../errors.js";

export class PortInUseError extends JunctionError {
  override name = "PortInUseError" as const;
  constructor(readonly port: number) {
    super(`port ${port} on 127.0.0.1 is already in use`, {
      details: "stop whatever listens there, or choose other ports with --port",
    });
  }
}

/** Resolves true when nothing listens on 127.0.0.1:`port`. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number): Promise<void> {
  if (!(await isPortFree(port))) throw new PortInUseError(port);
}

/** A port the OS reports free right now (another process could still take it before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** First of `count` consecutive ports on 127.0.0.1 that are free right now. */
export async function consecutiveFreePorts(count: number, low = 20_000, high = 50_000): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const start = low + Math.floor(Math.random() * (high - low - count));
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => isPortFree(start + i)));
    if (checks.every(Boolean)) return start;
  }
  throw new Error(`no ${count} consecutive free ports found between ${low} and ${high}`);
}
