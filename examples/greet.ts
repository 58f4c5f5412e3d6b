// Example walkthrough: sets the greeting of CrossRollupGreeter on one rollup from another, and waits
// for it to land. Run with a devnet up: npx tsx examples/greet.ts 901 902 "gm from 901"
import { parseEventLogs } from "viem";
import { crossRollupGreeterAbi } from "../src/contracts/generated/index.js";
import {
  loadManifest,
  publicClientFor,
  rollupOf,
  waitForDelivery,
  walletClientFor,
} from "../src/sdk/index.js";

export async function greet(manifestFile: string, from: number, to: number, text: string): Promise<string> {
  const network = loadManifest(manifestFile);
  const source = rollupOf(network, from);
  const target = rollupOf(network, to);
  const wallet = walletClientFor(source, network.accounts.user.privateKey);
  // 1. Call greet() on the source rollup: the greeter sends a message to its twin on `to`.
  const hash = await wallet.writeContract({
    address: source.contracts.greeter,
    abi: crossRollupGreeterAbi,
    functionName: "greet",
    args: [BigInt(to), text],
  });
  const receipt = await publicClientFor(source).waitForTransactionReceipt({ hash });
  const [sent] = parseEventLogs({
    abi: crossRollupGreeterAbi,
    logs: receipt.logs,
    eventName: "GreetingSent",
  });
  if (!sent) throw new Error("greet() did not emit GreetingSent");
  // 2. The proposer, root importer and relayer carry it through the L1; wait for the delivery.
  await waitForDelivery(network, { id: sent.args.messageId, sourceChainId: from, timeoutMs: 60_000 });
  // 3. Read the twin's greeting on the destination.
  return publicClientFor(target).readContract({
    address: target.contracts.greeter,
    abi: crossRollupGreeterAbi,
    functionName: "greeting",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [from = "901", to = "902", text = "gm"] = process.argv.slice(2);
  console.log(await greet(".junction/devnet.json", Number(from), Number(to), text));
}
