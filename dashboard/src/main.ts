// The Junction dashboard: loads the API's current state over REST, then follows /v1/stream (WebSocket)
// so messages, checkpoints, superblocks, bonds and slashes change on screen as the chains do. Challenge
// windows count down against the server's clock; chain heads and pools are refreshed every second.
import "./style.css";

type Json = Record<string, unknown>;
type Message = {
  id: string;
  status: string;
  path: string | null;
  sourceChainId: number;
  destinationChainId: number;
  latencySeconds: number | null;
  source: { timestamp: number };
  cursor: number;
};
type Checkpoint = {
  path: string;
  sourceChainId: number;
  destinationChainId: number;
  count: number;
  root: string;
  windowEnd: number | null;
  postedAt: number;
  state: string;
};
type Bond = {
  chainId: number;
  attester: string;
  amount: string;
  slashed: boolean;
  withdrawableAt: number | null;
};
type StreamEvent = { cursor: number; kind: string; data: Json };
type Intent = {
  orderId: string;
  state: string;
  path: string;
  originChainId: number;
  destinationChainId: number;
  inputAmount: string;
  outputAmount: string;
  fillSeconds: number | null;
  cursor: number;
};

const MAX_MESSAGES = 100;
const CHECKPOINTS_PER_LANE = 3;

const messages = new Map<string, Message>();
const checkpoints = new Map<string, Checkpoint>();
const bonds = new Map<string, Bond>();
const intents = new Map<string, Intent>();
const superblocks: { height: number; blocks: number; postedAt: number }[] = [];
let clockOffset = 0; // server seconds − browser seconds

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing`);
  return element as T;
};

function cell(text: string, attributes: Record<string, string> = {}): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  for (const [name, value] of Object.entries(attributes)) td.setAttribute(name, value);
  return td;
}

function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;
}

function ether(wei: string): string {
  const value = BigInt(wei);
  const whole = value / 10n ** 18n;
  const fraction = (value % 10n ** 18n).toString().padStart(18, "0").slice(0, 3);
  return `${whole.toLocaleString("en")}.${fraction}`;
}

function nowSeconds(): number {
  return Date.now() / 1000 + clockOffset;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

// ---- rendering -------------------------------------------------------------------------------------

function renderMessages(): void {
  const rows = [...messages.values()].sort((a, b) => b.cursor - a.cursor).slice(0, MAX_MESSAGES);
  const body = byId("messages");
  body.replaceChildren(
    ...rows.map((message) => {
      const tr = document.createElement("tr");
      tr.dataset.messageId = message.id;
      tr.append(
        cell(short(message.id), { title: message.id }),
        cell(message.path ?? "?", { class: `path path-${message.path}` }),
        cell(`${message.sourceChainId} → ${message.destinationChainId}`),
        cell(message.status, { class: `status status-${message.status}`, "data-status": message.status }),
        cell(message.latencySeconds === null ? "–" : `${message.latencySeconds} s`),
        cell(new Date(message.source.timestamp * 1000).toLocaleTimeString("en-GB")),
      );
      return tr;
    }),
  );
  byId("message-count").textContent = String(messages.size);
  byId("delivered-count").textContent = String(
    [...messages.values()].filter((m) => m.status === "delivered").length,
  );
}

function renderIntents(): void {
  const rows = [...intents.values()].sort((a, b) => b.cursor - a.cursor).slice(0, MAX_MESSAGES);
  byId("intents").replaceChildren(
    ...rows.map((intent) => {
      const tr = document.createElement("tr");
      tr.dataset.orderId = intent.orderId;
      tr.append(
        cell(short(intent.orderId), { title: intent.orderId }),
        cell(intent.path, { class: `path path-${intent.path}` }),
        cell(`${intent.originChainId} → ${intent.destinationChainId}`),
        cell(ether(intent.inputAmount)),
        cell(ether(intent.outputAmount)),
        cell(intent.state, { class: `state state-${intent.state}`, "data-state": intent.state }),
        cell(intent.fillSeconds === null ? "–" : `${intent.fillSeconds} s`),
      );
      return tr;
    }),
  );
}

function checkpointKey(checkpoint: Checkpoint): string {
  return `${checkpoint.path}:${checkpoint.sourceChainId}:${checkpoint.destinationChainId}:${checkpoint.count}`;
}

function renderCheckpoints(): void {
  const now = nowSeconds();
  const lanes = new Map<string, Checkpoint[]>();
  for (const checkpoint of checkpoints.values()) {
    const lane = `${checkpoint.path}:${checkpoint.sourceChainId}:${checkpoint.destinationChainId}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), checkpoint]);
  }
  const rows: HTMLTableRowElement[] = [];
  for (const lane of [...lanes.keys()].sort()) {
    const newest = (lanes.get(lane) ?? []).sort((a, b) => b.count - a.count).slice(0, CHECKPOINTS_PER_LANE);
    for (const checkpoint of newest) {
      const tr = document.createElement("tr");
      tr.dataset.checkpoint = checkpointKey(checkpoint);
      let window = "–";
      let state = checkpoint.state;
      if (checkpoint.windowEnd !== null) {
        const left = Math.ceil(checkpoint.windowEnd - now);
        if (left > 0) window = `closes in ${left} s`;
        else window = "closed";
        if (state === "pending" && left <= 0) state = "final";
      }
      tr.append(
        cell(checkpoint.path, { class: `path path-${checkpoint.path}` }),
        cell(
          `${checkpoint.sourceChainId} → ${checkpoint.destinationChainId === 0 ? "all (L1)" : checkpoint.destinationChainId}`,
        ),
        cell(String(checkpoint.count)),
        cell(short(checkpoint.root), { title: checkpoint.root }),
        cell(window, { class: "window", "data-window-end": String(checkpoint.windowEnd ?? "") }),
        cell(state, { class: `state state-${state}`, "data-state": state }),
      );
      rows.push(tr);
    }
  }
  byId("checkpoints").replaceChildren(...rows);
}

function renderSuperblocks(): void {
  const newest = superblocks.slice(-12).reverse();
  byId("superblocks").replaceChildren(
    ...newest.map((superblock) => {
      const li = document.createElement("li");
      li.dataset.height = String(superblock.height);
      li.textContent = `#${superblock.height} · ${superblock.blocks} blocks · posted ${new Date(superblock.postedAt * 1000).toLocaleTimeString("en-GB")}`;
      return li;
    }),
  );
  const latest = newest[0];
  if (latest) byId("superblock-height").textContent = String(latest.height);
}

function renderBonds(): void {
  byId("bonds").replaceChildren(
    ...[...bonds.values()].map((bond) => {
      const tr = document.createElement("tr");
      const state = bond.slashed ? "slashed" : bond.withdrawableAt ? "withdrawing" : "active";
      tr.append(
        cell(String(bond.chainId)),
        cell(short(bond.attester), { title: bond.attester }),
        cell(ether(bond.amount)),
        cell(state, { class: `state state-${state}` }),
      );
      return tr;
    }),
  );
}

function addSlash(data: Json): void {
  const li = document.createElement("li");
  li.className = "slash";
  li.textContent = `chain ${data.chainId}: attester ${short(String(data.attester))} slashed for checkpoint ${data.count} (reward ${ether(String(data.reward))} ETH)`;
  byId("slashes").prepend(li);
}

// ---- state from the API --------------------------------------------------------------------------

function applyEvent(event: StreamEvent): void {
  const { kind, data } = event;
  if (kind === "message") {
    messages.set(String(data.id), data as unknown as Message);
    renderMessages();
  } else if (kind === "checkpoint") {
    const checkpoint = data as unknown as Checkpoint;
    checkpoints.set(checkpointKey(checkpoint), checkpoint);
    renderCheckpoints();
  } else if (kind === "superblock") {
    const blocks = Array.isArray(data.blocks) ? data.blocks.length : 0;
    superblocks.push({ height: Number(data.height), blocks, postedAt: Number(data.postedAt) });
    if (superblocks.length > 200) superblocks.splice(0, superblocks.length - 200);
    renderSuperblocks();
  } else if (kind === "bond") {
    const bond = data as unknown as Bond;
    bonds.set(`${bond.chainId}:${bond.attester}`, bond);
    renderBonds();
  } else if (kind === "slash") {
    addSlash(data);
  } else if (kind === "intent") {
    intents.set(String(data.orderId), data as unknown as Intent);
    renderIntents();
  }
}

async function refreshChains(): Promise<void> {
  const { chains } = await getJson<{ chains: Json[] }>("/v1/chains");
  byId("chains").replaceChildren(
    ...chains.map((chain) => {
      const tr = document.createElement("tr");
      tr.dataset.chainId = String(chain.chainId);
      tr.append(
        cell(chain.kind === "l1" ? "L1" : "rollup"),
        cell(String(chain.chainId)),
        cell(String(chain.head ?? "–"), { class: "head" }),
        cell(String(chain.indexedBlock ?? "–")),
        cell(`${chain.blockTime} s`),
      );
      return tr;
    }),
  );
}

async function refreshPools(): Promise<void> {
  const { pools } = await getJson<{ pools: Json[] }>("/v1/pools");
  byId("pools").replaceChildren(
    ...pools.map((pool) => {
      const tr = document.createElement("tr");
      tr.append(
        cell(String(pool.chainId)),
        cell(ether(String(pool.totalAssets))),
        cell(ether(String(pool.outstanding))),
      );
      return tr;
    }),
  );
}

async function refreshOrderbook(): Promise<void> {
  const response = await fetch("/v1/orderbook");
  if (response.status === 404) return; // no gateways on this network: the note stays
  if (!response.ok) throw new Error(`order book: ${response.status}`);
  const book = (await response.json()) as { market: string; bids: Json[]; asks: Json[] };
  byId("orderbook-market").textContent = `${book.market}: resting orders of every rollup's gateway`;
  // Asks from the highest down to the best, then bids from the best down: the spread sits in the middle.
  const rows = [
    ...[...book.asks].reverse().map((level) => ["ask", level] as const),
    ...book.bids.map((level) => ["bid", level] as const),
  ];
  byId("orderbook").replaceChildren(
    ...rows.map(([side, level]) => {
      const tr = document.createElement("tr");
      tr.dataset.side = side;
      tr.dataset.price = String(level.price);
      tr.append(
        cell(side, { class: `state state-${side}` }),
        cell(ether(String(level.price))),
        cell(ether(String(level.amount))),
        cell(String(level.orders)),
      );
      return tr;
    }),
  );
}

async function refreshSolvency(): Promise<void> {
  const response = await fetch("/v1/solvency/epochs/latest");
  if (response.status === 404) return; // none published yet (or no registry): the note stays
  if (!response.ok) throw new Error(`solvency: ${response.status}`);
  const epoch = (await response.json()) as { epoch: string; superblockHeight: string; assets: Json[] };
  byId("solvency-epoch").textContent = `epoch ${epoch.epoch} at superblock ${epoch.superblockHeight}`;
  byId("solvency").replaceChildren(
    ...epoch.assets.map((asset) => {
      const tr = document.createElement("tr");
      const state = asset.solvent ? "solvent" : "insolvent";
      tr.append(
        cell(String(asset.asset)),
        cell(ether(String(asset.liabilities))),
        cell(ether(String(asset.reserves))),
        cell(asset.ratio === null ? "nothing owed" : Number(asset.ratio).toFixed(3), {
          class: `state state-${state}`,
        }),
      );
      return tr;
    }),
  );
}

async function loadSnapshot(): Promise<void> {
  const [list, lanes, bondList, orders] = await Promise.all([
    getJson<{ messages: Message[] }>(`/v1/messages?limit=${MAX_MESSAGES}`),
    getJson<{ now: number; checkpoints: Checkpoint[] }>(`/v1/checkpoints?limit=${CHECKPOINTS_PER_LANE}`),
    getJson<{ bonds: Bond[] }>("/v1/bonds"),
    getJson<{ intents: Intent[] }>(`/v1/intents?limit=${MAX_MESSAGES}`),
  ]);
  for (const intent of orders.intents) if (!intents.has(intent.orderId)) intents.set(intent.orderId, intent);
  renderIntents();
  clockOffset = lanes.now - Date.now() / 1000;
  for (const message of list.messages) if (!messages.has(message.id)) messages.set(message.id, message);
  for (const checkpoint of lanes.checkpoints) {
    const key = checkpointKey(checkpoint);
    // The API reports an expired window as "final"; keep the indexed state and let the clock decide.
    if (!checkpoints.has(key))
      checkpoints.set(key, {
        ...checkpoint,
        state: checkpoint.state === "final" ? "pending" : checkpoint.state,
      });
  }
  for (const bond of bondList.bonds) bonds.set(`${bond.chainId}:${bond.attester}`, bond);
  renderMessages();
  renderCheckpoints();
  renderBonds();
}

/** Follows the stream from `cursor` (undefined: from now); reconnects from the last cursor seen. */
function follow(cursor: number | undefined, onHello: () => void): void {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = cursor === undefined ? "" : `?cursor=${cursor}`;
  const socket = new WebSocket(`${scheme}://${location.host}/v1/stream${query}`);
  const badge = byId("connection");
  let last = cursor;
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(String(message.data)) as StreamEvent | { kind: "hello"; cursor: number };
    if (event.kind === "hello") {
      last = event.cursor;
      badge.textContent = "live";
      badge.dataset.state = "live";
      onHello();
      return;
    }
    last = (event as StreamEvent).cursor;
    applyEvent(event as StreamEvent);
  });
  socket.addEventListener("close", () => {
    badge.textContent = "reconnecting";
    badge.dataset.state = "reconnecting";
    setTimeout(() => follow(last, () => {}), 1000);
  });
}

function setUpMarginLookup(): void {
  byId<HTMLFormElement>("margin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const account = byId<HTMLInputElement>("margin-account").value.trim();
    const out = byId("margin-result");
    const response = await fetch(`/v1/margin/accounts/${account}`);
    const body = (await response.json()) as Json;
    if (!response.ok) {
      out.textContent = String(body.message ?? response.status);
      return;
    }
    const health = BigInt(String(body.health));
    out.textContent = [
      `equity   ${ether(String(body.equity))} JUSD`,
      `cash     ${ether(String(body.cash))} JUSD`,
      `health   ${health > 10n ** 30n ? "∞" : (Number(health) / 1e18).toFixed(3)}`,
      `positions ${(body.positions as unknown[]).length}`,
    ].join("\n");
  });
}

function every(ms: number, work: () => Promise<void> | void): void {
  const run = async () => {
    try {
      await work();
    } catch {
      // The next round retries; the connection badge shows whether the API is reachable.
    }
    setTimeout(run, ms);
  };
  void run();
}

// Open the stream first, then load the snapshot: anything that happens in between arrives on the stream.
follow(undefined, () => {
  void loadSnapshot();
});
every(1000, refreshChains);
every(5000, refreshPools);
every(5000, refreshSolvency);
every(2000, refreshOrderbook);
setInterval(renderCheckpoints, 250);
setUpMarginLookup();
