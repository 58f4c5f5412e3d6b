// Port checks for processes the devnet and tests start on 127.0.0.1. Ports chosen here stay below the
// kernel's ephemeral range: every outgoing connection (each JSON-RPC request) takes a local port from
// that range, so a port picked there and bound a moment later can already be some connection's.
import { readFileSync } from "node:fs";
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

/** Lowest port of the kernel's ephemeral range (Linux: /proc; the usual 32768 elsewhere). */
export function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Where servers the devnet and tests start pick their ports: above the well-known, below the ephemeral. */
const PICK_LOW = 10_000;

/** A port free right now, outside the ephemeral range (another process could still take it before use). */
export async function freePort(): Promise<number> {
  return consecutiveFreePorts(1);
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * First of `count` consecutive ports on 127.0.0.1 that are free right now, between `low` and `high`
 * (default: from 10,000 to below the ephemeral range).
 */
export async function consecutiveFreePorts(
  count: number,
  low = PICK_LOW,
  high = ephemeralLow(),
): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const start = low + Math.floor(Math.random() * (high - low - count));
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => isPortFree(start + i)));
    if (checks.every(Boolean)) return start;
  }
  throw new Error(`no ${count} consecutive free ports found between ${low} and ${high}`);
}
