// Watchtower: checks every checkpoint submitted to every rollup's OptimisticVerifier against the source
// Outbox. On a mismatch it challenges on the destination (freezing the checkpoint inside its window),
// proves fraud on the source (slashing the attester, paying this watchtower the prover's share), and
// reports the true root over the canonical path so the challenge settles. It also defends honest
// checkpoints: when someone challenges a correct one, it reports the true root so the checkpoint is
// confirmed (instead of the challenger taking its bond back after the settlement timeout). Its cases
// survive restarts.
import type { Hex } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import { revertName } from "../../chain/revert.js";
import { bondManagerAbi, optimisticVerifierAbi, outboxAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import type { FraudCase, FraudStep, WatchtowerStore } from "../../store/watchtower-store.js";
import { PollingAgent } from "../agent.js";

export type WatchtowerConfig = {
  network: Pick<Manifest, "rollups" | "optimistic">;
  privateKey: Hex;
  store: WatchtowerStore;
  logger: Logger;
  intervalMs?: number;
};

type Rollup = { entry: RollupEntry; client: JunctionPublicClient; wallet: JunctionWalletClient };

/** Checkpoint states of OptimisticVerifier.State. */
const PENDING = 1;
const CHALLENGED = 2;
const REJECTED = 4;

export class Watchtower extends PollingAgent {
  readonly #rollups = new Map<number, Rollup>();

  constructor(private readonly config: WatchtowerConfig) {
    super("Watchtower", config.intervalMs ?? 250, config.logger);
    for (const entry of config.network.rollups) this.addRollup(entry);
  }

  addRollup(entry: RollupEntry): void {
    if (this.#rollups.has(entry.chainId)) return;
    this.#rollups.set(entry.chainId, {
      entry,
      client: publicClientFor(entry),
      wallet: walletClientFor(entry, this.config.privateKey),
    });
  }

  async tick(): Promise<void> {
    await Promise.all([...this.#rollups.values()].map((rollup) => this.#scan(rollup)));
    for (const item of await this.config.store.openCases()) await this.#act(item);
  }

  /** Reads new CheckpointSubmitted events on one destination and records the fraudulent ones. */
  async #scan(destination: Rollup): Promise<void> {
    const cursorName = `checkpoints:${destination.entry.chainId}`;
    const from =
      ((await this.config.store.getCursor(cursorName)) ?? BigInt(destination.entry.deployBlock) - 1n) + 1n;
    const head = await destination.client.getBlockNumber();
    if (from > head) return;
    const logs = await destination.client.getContractEvents({
      address: destination.entry.contracts.optimisticVerifier,
      abi: optimisticVerifierAbi,
      eventName: "CheckpointSubmitted",
      fromBlock: from,
      toBlock: head,
      strict: true,
    });
    const cases: Omit<FraudCase, FraudStep>[] = [];
    for (const log of logs) {
      const { sourceChainId, count, root, signature } = log.args;
      if (await this.#isHonest(Number(sourceChainId), count, root)) continue;
      this.config.logger.warn("Watchtower#scan", "fraudulent checkpoint", {
        destination: destination.entry.chainId,
        source: sourceChainId,
        count,
        root,
        attester: log.args.attester,
      });
      cases.push({
        destinationChainId: destination.entry.chainId,
        sourceChainId: Number(sourceChainId),
        count,
        root,
        signature,
      });
    }
    cases.push(...(await this.#challengedHonest(destination, from, head)));
    await this.config.store.recordScan(cursorName, head, cases);
  }

  /**
   * Honest checkpoints challenged in [from, to]: each becomes a case whose only step left is the root
   * report (there is nothing to challenge or prove). A fraudulent one already has its case.
   */
  async #challengedHonest(
    destination: Rollup,
    from: bigint,
    to: bigint,
  ): Promise<Omit<FraudCase, FraudStep>[]> {
    const verifier = destination.entry.contracts.optimisticVerifier;
    const logs = await destination.client.getContractEvents({
      address: verifier,
      abi: optimisticVerifierAbi,
      eventName: "CheckpointChallenged",
      fromBlock: from,
      toBlock: to,
      strict: true,
    });
    const cases: Omit<FraudCase, FraudStep>[] = [];
    for (const { args } of logs) {
      const checkpoint = await destination.client.readContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "checkpointOf",
        args: [args.sourceChainId, args.count],
      });
      if (!(await this.#isHonest(Number(args.sourceChainId), args.count, checkpoint.root))) continue;
      this.config.logger.info("Watchtower#scan", "honest checkpoint challenged; reporting its root", {
        destination: destination.entry.chainId,
        source: args.sourceChainId,
        count: args.count,
        challenger: args.challenger,
      });
      cases.push({
        destinationChainId: destination.entry.chainId,
        sourceChainId: Number(args.sourceChainId),
        count: args.count,
        root: checkpoint.root,
        signature: "0x",
      });
    }
    return cases;
  }

  async #isHonest(sourceChainId: number, count: bigint, root: Hex): Promise<boolean> {
    const source = this.#rollups.get(sourceChainId);
    if (!source) return true; // not a rollup we can check
    const outbox = source.entry.contracts.outbox;
    const current = await source.client.readContract({
      address: outbox,
      abi: outboxAbi,
      functionName: "count",
    });
    if (count > current) return false;
    const actual = await source.client.readContract({
      address: outbox,
      abi: outboxAbi,
      functionName: "rootAt",
      args: [count],
    });
    return actual === root;
  }

  async #act(item: FraudCase): Promise<void> {
    const destination = this.#rollups.get(item.destinationChainId);
    const source = this.#rollups.get(item.sourceChainId);
    if (!destination || !source) return;
    const steps: [FraudStep, () => Promise<boolean>][] = [
      ["challenged", () => this.#challenge(destination, item)],
      ["fraudProven", () => this.#proveFraud(source, item)],
      ["reported", () => this.#report(source, item)],
    ];
    for (const [step, run] of steps) {
      if (item[step]) continue;
      try {
        if (await run()) await this.config.store.markDone(item, step);
      } catch (error) {
        source.wallet.account.nonceManager?.reset({
          address: source.wallet.account.address,
          chainId: source.entry.chainId,
        });
        destination.wallet.account.nonceManager?.reset({
          address: destination.wallet.account.address,
          chainId: destination.entry.chainId,
        });
        this.config.logger.warn("Watchtower#act", `${step} failed; will retry`, {
          source: item.sourceChainId,
          destination: item.destinationChainId,
          count: item.count,
          error: revertName(error) ?? String(error).split("\n")[0],
        });
      }
    }
  }

  /** Challenges a pending checkpoint; true once the checkpoint is frozen or settled. */
  async #challenge(destination: Rollup, item: FraudCase): Promise<boolean> {
    const verifier = destination.entry.contracts.optimisticVerifier;
    const checkpoint = await destination.client.readContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "checkpointOf",
      args: [BigInt(item.sourceChainId), item.count],
    });
    if (checkpoint.state === CHALLENGED || checkpoint.state === REJECTED) return true;
    if (checkpoint.state !== PENDING) return true;
    const hash = await destination.wallet.writeContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "challenge",
      args: [BigInt(item.sourceChainId), item.count],
      value: BigInt(this.config.network.optimistic.challengeBond),
    });
    const receipt = await destination.client.waitForTransactionReceipt({ hash });
    this.config.logger.info("Watchtower#challenge", "checkpoint challenged", {
      destination: item.destinationChainId,
      source: item.sourceChainId,
      count: item.count,
      tx: hash,
      gasUsed: receipt.gasUsed,
    });
    return receipt.status === "success";
  }

  /** Proves fraud on the source; true once the attester is slashed (by us or anyone). */
  async #proveFraud(source: Rollup, item: FraudCase): Promise<boolean> {
    try {
      const hash = await source.wallet.writeContract({
        address: source.entry.contracts.bondManager,
        abi: bondManagerAbi,
        functionName: "proveFraud",
        args: [BigInt(item.sourceChainId), item.count, item.root, item.signature],
      });
      const receipt = await source.client.waitForTransactionReceipt({ hash });
      this.config.logger.info("Watchtower#proveFraud", "attester slashed", {
        source: item.sourceChainId,
        count: item.count,
        tx: hash,
        gasUsed: receipt.gasUsed,
      });
      return receipt.status === "success";
    } catch (error) {
      // Slashed already, or an honest checkpoint being defended: nothing to prove.
      const name = revertName(error);
      if (name === "NothingToSlash" || name === "CheckpointNotFraudulent") return true;
      throw error;
    }
  }

  /** Sends the true root to the destination; waits while the source has fewer messages than claimed. */
  async #report(source: Rollup, item: FraudCase): Promise<boolean> {
    const current = await source.client.readContract({
      address: source.entry.contracts.outbox,
      abi: outboxAbi,
      functionName: "count",
    });
    if (item.count > current) return false;
    const hash = await source.wallet.writeContract({
      address: source.entry.contracts.bondManager,
      abi: bondManagerAbi,
      functionName: "reportRoot",
      args: [item.count, BigInt(item.destinationChainId)],
    });
    const receipt = await source.client.waitForTransactionReceipt({ hash });
    this.config.logger.info("Watchtower#report", "true root sent to the destination", {
      source: item.sourceChainId,
      destination: item.destinationChainId,
      count: item.count,
      tx: hash,
      gasUsed: receipt.gasUsed,
    });
    return receipt.status === "success";
  }
}
