// `npm run bench:api`: the API's latency under concurrent clients, on a fresh sequenced devnet with
// its agents and API. First it sends messages (canonical and sequencer paths) and waits until the API
// has indexed them all; then C concurrent clients (default 100), each with its own connection, issue
// requests back to back for D seconds over a mix of routes (message lists with filters and pages, one
// message, chains, checkpoints, bonds), and S WebSocket clients follow /v1/stream meanwhile. Reports
// latency per route (p50/p95/p99/max), requests per second and errors. Writes
// bench/results/<date>-<commit>-api.{json,md}. Measures; never asserts timings.
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";
import { type Hex, toHex } from "viem";
import WebSocket from "ws";
import { walletClientFor } from "../src/chain/clients.js";
import { rollupOf } from "../src/chain/manifest.js";
import { freePort } from "../src/chain/ports.js";
import { sendMessage } from "../src/sdk/index.js";
import { startTestDevnet } from "../test/helpers/devnet.js";
import { type Stats, stats } from "./report.js";
import { runStamp, writeResults } from "./results-file.js";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "100" },
    seconds: { type: "string", default: "20" },
    messages: { type: "string", default: "60" },
    streams: { type: "string", default: "20" },
    out: { type: "string", default: "bench/results" },
  },
});

const config = {
  clients: Number(values.clients),
  seconds: Number(values.seconds),
  messages: Number(values.messages),
  streams: Number(values.streams),
};

type RouteName =
  | "messages"
  | "messages?filter"
  | "messages?cursor"
  | "message"
  | "chains"
  | "checkpoints"
  | "bonds";

function get(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const devnet = await startTestDevnet({
    sequencer: { superblockTimeMs: 500 },
    l1BlockTime: 1,
    api: { port: await freePort() },
  });
  try {
    const base = devnet.manifest.api?.url as string;
    const { manifest } = devnet;
    const ids: Hex[] = [];
    for (let i = 0; i < config.messages; i++) {
      const from = i % 2 === 0 ? 901 : 902;
      const to = from === 901 ? 902 : 901;
      const wallet = walletClientFor(rollupOf(manifest, from), manifest.accounts.user.privateKey);
      const recipient = rollupOf(manifest, to).contracts[i % 3 === 0 ? "sequencerRecorder" : "recorder"];
      const sent = await sendMessage(wallet, manifest, {
        destinationChainId: to,
        recipient,
        body: toHex(`bench ${i}`),
      });
      ids.push(sent.id);
    }
    for (;;) {
      const { body } = await get(new Agent(), `${base}/v1/messages?status=delivered&limit=200`);
      const delivered = new Set((JSON.parse(body).messages as { id: Hex }[]).map((message) => message.id));
      if (ids.every((id) => delivered.has(id))) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const sockets = Array.from(
      { length: config.streams },
      () => new WebSocket(`${base.replace("http", "ws")}/v1/stream?cursor=0`),
    );
    let streamed = 0;
    for (const socket of sockets) socket.on("message", () => (streamed += 1));
    const routes: [RouteName, () => string][] = [
      ["messages", () => `${base}/v1/messages?limit=50`],
      ["messages?filter", () => `${base}/v1/messages?status=delivered&path=canonical&source=901&limit=20`],
      [
        "messages?cursor",
        () => `${base}/v1/messages?limit=10&cursor=${20 + Math.floor(Math.random() * config.messages)}`,
      ],
      ["message", () => `${base}/v1/messages/${ids[Math.floor(Math.random() * ids.length)]}`],
      ["chains", () => `${base}/v1/chains`],
      ["checkpoints", () => `${base}/v1/checkpoints`],
      ["bonds", () => `${base}/v1/bonds`],
    ];
    const samples = new Map<RouteName, number[]>(routes.map(([name]) => [name, []]));
    let errors = 0;
    const deadline = Date.now() + config.seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: config.clients }, async (_, client) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        for (let i = client; Date.now() < deadline; i++) {
          const [name, url] = routes[i % routes.length] as [RouteName, () => string];
          const t0 = performance.now();
          try {
            const { status } = await get(agent, url());
            if (status !== 200) errors += 1;
            else samples.get(name)?.push(performance.now() - t0);
          } catch {
            errors += 1;
          }
        }
        agent.destroy();
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    for (const socket of sockets) socket.close();
    const all = [...samples.values()].flat();
    const report = {
      ...runStamp(),
      config,
      indexedMessages: ids.length,
      requests: all.length,
      errors,
      requestsPerSecond: all.length / elapsed,
      latencyMs: stats(all),
      perRoute: Object.fromEntries([...samples].map(([name, values]) => [name, stats(values)])) as Record<
        RouteName,
        Stats
      >,
      streamFramesReceived: streamed,
    };
    writeResults(values.out, "-api", report, toMarkdown(report));
  } finally {
    await devnet.stop();
  }
}

function row(name: string, s: Stats): string {
  const f = (n: number) => n.toFixed(1);
  return `| ${name} | ${s.n} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.p99)} | ${f(s.max)} |`;
}

function toMarkdown(report: {
  date: string;
  commit: string;
  machine: { cores: number; node: string };
  config: typeof config;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  latencyMs: Stats;
  perRoute: Record<string, Stats>;
  streamFramesReceived: number;
}): string {
  return [
    `# API under ${report.config.clients} concurrent clients`,
    "",
    `${report.date}, commit ${report.commit}, ${report.machine.cores} cores, Node ${report.machine.node}. One sequenced devnet (2 rollups, its agents and API in the same process as the clients), ${report.config.messages} messages indexed, ${report.config.streams} WebSocket clients replaying and following the stream meanwhile.`,
    "",
    `${report.requests} requests in ${report.config.seconds} s: **${report.requestsPerSecond.toFixed(0)} requests/s**, ${report.errors} errors; ${report.streamFramesReceived} stream frames delivered.`,
    "",
    "| route | n | p50 ms | p95 ms | p99 ms | max ms |",
    "|---|---|---|---|---|---|",
    row("all", report.latencyMs),
    ...Object.entries(report.perRoute).map(([name, s]) => row(name, s)),
    "",
  ].join("\n");
}

await main();
