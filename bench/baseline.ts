// The machine's limit every trust path is compared with: plain same-rollup calls on the first rollup,
// one at a time (latency) and pipelined (every transaction sent before any receipt is awaited).
import type { Address, Hex } from "viem";
import { publicClientFor, walletClientFor } from "../src/chain/clients.js";
import { type Manifest, rollupOf } from "../src/chain/manifest.js";
import { testRecipientAbi, testRecipientBytecode } from "../src/contracts/generated/index.js";
import { stats } from "./report.js";

export async function measureBaseline(manifest: Manifest, calls: number) {
  const rollup = rollupOf(manifest, 901);
  const client = publicClientFor(rollup);
  const wallet = walletClientFor(rollup, manifest.accounts.deployer.privateKey);
  const hash = await wallet.deployContract({
    abi: testRecipientAbi,
    bytecode: testRecipientBytecode,
    args: [rollup.contracts.inbox],
  });
  const target = (await client.waitForTransactionReceipt({ hash })).contractAddress as Address;
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const tx = await wallet.writeContract({
      address: target,
      abi: testRecipientAbi,
      functionName: "setFailing",
      args: [false],
    });
    await client.waitForTransactionReceipt({ hash: tx, pollingInterval: 5 });
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  // Pipelined: every transaction sent before any receipt is awaited.
  const pipelineStarted = performance.now();
  const hashes: Hex[] = [];
  for (let i = 0; i < calls; i++) {
    hashes.push(
      await wallet.writeContract({
        address: target,
        abi: testRecipientAbi,
        functionName: "setFailing",
        args: [false],
        gas: 100_000n,
      }),
    );
  }
  await Promise.all(hashes.map((tx) => client.waitForTransactionReceipt({ hash: tx, pollingInterval: 20 })));
  const pipelinedSeconds = (performance.now() - pipelineStarted) / 1000;
  return {
    calls: calls,
    perSecond: calls / seconds,
    pipelinedPerSecond: calls / pipelinedSeconds,
    latencyMs: stats(latencies),
  };
}
