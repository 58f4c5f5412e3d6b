// PollingAgent.stop ends a tick that waits for a receipt at once, whether the node still runs or died
// (Ctrl-C kills the nodes with the devnet): not after viem's 180 s receipt timeout.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Hex, keccak256, toHex } from "viem";
import { PollingAgent } from "../../src/agents/agent.js";
import { type AnvilNode, startAnvil } from "../../src/chain/anvil.js";
import { publicClientFor } from "../../src/chain/clients.js";
import { freePort } from "../../src/chain/ports.js";
import { createLogger } from "../../src/log.js";
import { waitFor } from "../helpers/cli.js";

/** Waits, every tick, for the receipt of a transaction that was never sent. */
class WaitingAgent extends PollingAgent {
  readonly logs: string[] = [];
  waiting = false;
  outcome: unknown;

  constructor(private readonly node: AnvilNode) {
    const logs: string[] = [];
    super(
      "WaitingAgent",
      50,
      createLogger("debug", (line) => logs.push(line)),
    );
    this.logs = logs;
  }

  async tick(): Promise<void> {
    const hash: Hex = keccak256(toHex(`never sent ${Math.random()}`));
    this.waiting = true;
    try {
      await publicClientFor(this.node).waitForTransactionReceipt({ hash });
    } catch (error) {
      this.outcome = error;
      throw error;
    }
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = Date.now();
  await work();
  return Date.now() - start;
}

describe("PollingAgent.stop", () => {
  let node: AnvilNode;

  before(async () => {
    node = await startAnvil({ chainId: 31_337, port: await freePort() });
  });

  after(async () => {
    await node?.stop();
  });

  it("aborts a receipt wait on a live node", { timeout: 20_000 }, async (t) => {
    const agent = new WaitingAgent(node);
    await agent.start();
    await waitFor(() => agent.waiting, 5_000, "the tick to wait for a receipt");
    const ms = await timed(() => agent.stop());
    t.diagnostic(`stopped in ${ms} ms`);
    assert.ok(ms < 2_000, `stop took ${ms} ms`);
    assert.equal((agent.outcome as Error | undefined)?.name, "AbortError");
    assert.deepEqual(agent.logs, [], "a stop is not a failed tick");
  });

  it("aborts a receipt wait on a node that died", { timeout: 20_000 }, async (t) => {
    const doomed = await startAnvil({ chainId: 31_338, port: await freePort() });
    const agent = new WaitingAgent(doomed);
    await agent.start();
    await waitFor(() => agent.waiting, 5_000, "the tick to wait for a receipt");
    await doomed.stop();
    const ms = await timed(() => agent.stop());
    t.diagnostic(`stopped in ${ms} ms`);
    assert.ok(ms < 2_000, `stop took ${ms} ms`);
    assert.equal((agent.outcome as Error | undefined)?.name, "AbortError");
  });

  it("waits again after a stop and a start", { timeout: 20_000 }, async () => {
    const agent = new WaitingAgent(node);
    await agent.start();
    await waitFor(() => agent.waiting, 5_000, "the tick to wait for a receipt");
    await agent.stop();
    agent.waiting = false;
    agent.outcome = undefined;
    await agent.start();
    await waitFor(() => agent.waiting, 5_000, "the restarted agent to wait");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(agent.outcome, undefined, "the new run's wait is not aborted by the old stop");
    await agent.stop();
  });
});
