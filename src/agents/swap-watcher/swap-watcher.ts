// Swap watcher: keeps one party of HTLC swaps safe while it stays online. On every rollup it follows
// Locked and Claimed events; when a claim reveals a preimage, it claims every open lock for this party
// under the same hashlock (on any rollup), and it refunds this party's own locks once they expire.
import type { Hex } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import type { Manifest, RollupEntry } from "../../chain/manifest.js";
import { revertName } from "../../chain/revert.js";
import { hashedTimelockAbi } from "../../contracts/generated/index.js";
import type { Logger } from "../../log.js";
import { PollingAgent } from "../agent.js";

export type SwapWatcherConfig = {
  network: Pick<Manifest, "rollups">;
  privateKey: Hex;
  logger: Logger;
  intervalMs?: number;
};

type Rollup = {
  entry: RollupEntry;
  client: JunctionPublicClient;
  wallet: JunctionWalletClient;
  cursor: bigint;
};
type OpenLock = {
  chainId: number;
  lockId: Hex;
  hashlock: Hex;
  deadline: bigint;
  mine: "recipient" | "sender";
};

export class SwapWatcher extends PollingAgent {
  readonly #rollups: Rollup[];
  /** Locks that involve this party and are still open, by lock id. */
  readonly #open = new Map<Hex, OpenLock>();
  /** Preimages revealed anywhere, by hashlock. */
  readonly #preimages = new Map<Hex, Hex>();

  constructor(private readonly config: SwapWatcherConfig) {
    super("SwapWatcher", config.intervalMs ?? 250, config.logger);
    this.#rollups = config.network.rollups.map((entry) => ({
      entry,
      client: publicClientFor(entry),
      wallet: walletClientFor(entry, config.privateKey),
      cursor: BigInt(entry.deployBlock),
    }));
  }

  get address(): Hex {
    return (this.#rollups[0] as Rollup).wallet.account.address;
  }

  async tick(): Promise<void> {
    await Promise.all(this.#rollups.map((rollup) => this.#scan(rollup)));
    for (const lock of [...this.#open.values()]) await this.#act(lock);
  }

  async #scan(rollup: Rollup): Promise<void> {
    const head = await rollup.client.getBlockNumber();
    if (rollup.cursor > head) return;
    const range = {
      address: rollup.entry.contracts.htlc,
      fromBlock: rollup.cursor,
      toBlock: head,
      strict: true,
    } as const;
    const [locked, claimed, refunded] = await Promise.all([
      rollup.client.getContractEvents({ ...range, abi: hashedTimelockAbi, eventName: "Locked" }),
      rollup.client.getContractEvents({ ...range, abi: hashedTimelockAbi, eventName: "Claimed" }),
      rollup.client.getContractEvents({ ...range, abi: hashedTimelockAbi, eventName: "Refunded" }),
    ]);
    const me = this.address.toLowerCase();
    for (const { args } of locked) {
      const mine =
        args.recipient.toLowerCase() === me
          ? "recipient"
          : args.sender.toLowerCase() === me
            ? "sender"
            : null;
      if (!mine) continue;
      this.#open.set(args.lockId, {
        chainId: rollup.entry.chainId,
        lockId: args.lockId,
        hashlock: args.hashlock,
        deadline: args.deadline,
        mine,
      });
    }
    for (const { args } of claimed) {
      this.#preimages.set(args.hashlock, args.preimage);
      this.#open.delete(args.lockId);
    }
    for (const { args } of refunded) this.#open.delete(args.lockId);
    rollup.cursor = head + 1n;
  }

  async #act(lock: OpenLock): Promise<void> {
    const rollup = this.#rollups.find(({ entry }) => entry.chainId === lock.chainId);
    if (!rollup) return;
    const now = (await rollup.client.getBlock({ blockTag: "pending" })).timestamp;
    const preimage = this.#preimages.get(lock.hashlock);
    const htlc = rollup.entry.contracts.htlc;
    const claim = lock.mine === "recipient" && preimage !== undefined && now < lock.deadline;
    const refund = lock.mine === "sender" && now >= lock.deadline;
    if (!claim && !refund) return;
    const action = claim ? "claim" : "refund";
    try {
      const hash =
        claim && preimage
          ? await rollup.wallet.writeContract({
              address: htlc,
              abi: hashedTimelockAbi,
              functionName: "claim",
              args: [lock.lockId, preimage],
            })
          : await rollup.wallet.writeContract({
              address: htlc,
              abi: hashedTimelockAbi,
              functionName: "refund",
              args: [lock.lockId],
            });
      await rollup.client.waitForTransactionReceipt({ hash });
      this.#open.delete(lock.lockId);
      this.config.logger.info(
        `SwapWatcher#${action}`,
        `lock ${action === "claim" ? "claimed" : "refunded"}`,
        {
          chainId: lock.chainId,
          lockId: lock.lockId,
          tx: hash,
        },
      );
    } catch (error) {
      const name = revertName(error);
      if (name === "LockSettled") this.#open.delete(lock.lockId);
      rollup.wallet.account.nonceManager?.reset({
        address: rollup.wallet.account.address,
        chainId: lock.chainId,
      });
      this.config.logger.warn("SwapWatcher#act", "swap action failed; will retry", {
        lockId: lock.lockId,
        error: name ?? String(error).split("\n")[0],
      });
    }
  }
}
