// The relayer's key on one destination: what it knows about it (a fee bump in force, whether it can pay
// for gas) and how it answers the node's complaints — re-read the nonce, outbid what sits in the pool,
// say once that the key is broke — so a relayer never jams on its own key.
import type { Hex, TransactionReceipt } from "viem";
import type { JunctionPublicClient, JunctionWalletClient } from "../../chain/clients.js";
import type { Logger } from "../../log.js";
import type { SendErrorKind } from "./send-errors.js";

/** What the relayer knows about its key on one destination: the fee bump in force, and whether it is broke. */
export type KeyHealth = { chainId: number; feeBump: number; outOfFunds: boolean };

/** Highest fee bump level: the tip doubles per level, 2^6 gwei at most. */
const MAX_FEE_BUMP = 6;

export class RelayerKey {
  readonly #health: KeyHealth;

  constructor(
    private readonly chain: { chainId: number; client: JunctionPublicClient; wallet: JunctionWalletClient },
    private readonly logger: Logger,
    private readonly receiptTimeoutMs: number,
  ) {
    this.#health = { chainId: chain.chainId, feeBump: 0, outOfFunds: false };
  }

  health(): KeyHealth {
    return { ...this.#health };
  }

  /**
   * Explicit fees while a bump is in force (after "replacement transaction underpriced" or an unmined
   * transaction): twice the base fee plus a tip that doubles per level, so a replacement always
   * outbids what sits in the pool. Otherwise nothing: viem's own estimate.
   */
  async fees(): Promise<{ maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }> {
    const { feeBump } = this.#health;
    if (feeBump === 0) return {};
    const block = await this.chain.client.getBlock({ blockTag: "latest" });
    const maxPriorityFeePerGas = 1_000_000_000n * 2n ** BigInt(feeBump);
    return { maxFeePerGas: (block.baseFeePerGas ?? 0n) * 2n + maxPriorityFeePerGas, maxPriorityFeePerGas };
  }

  /** Waits for a receipt, but not forever: an unmined transaction re-syncs the nonce and bumps fees. */
  async receipt(hash: Hex): Promise<TransactionReceipt> {
    try {
      const receipt = await this.chain.client.waitForTransactionReceipt({
        hash,
        timeout: this.receiptTimeoutMs,
      });
      this.#health.feeBump = 0;
      if (this.#health.outOfFunds) {
        this.#health.outOfFunds = false;
        this.logger.info("Relayer#funds", "relayer key pays for gas again", {
          destination: this.chain.chainId,
        });
      }
      return receipt;
    } catch (error) {
      this.#bump();
      this.resync();
      this.logger.warn("Relayer#receipt", "transaction not mined in time; nonce re-read, fees bumped", {
        destination: this.chain.chainId,
        tx: hash,
        feeBump: this.#health.feeBump,
      });
      throw error;
    }
  }

  /** Forgets the locally counted nonce: the next send reads it from the chain. */
  resync(): void {
    this.chain.wallet.account.nonceManager?.reset({
      address: this.chain.wallet.account.address,
      chainId: this.chain.chainId,
    });
  }

  /** Answers a failed send; true when the failure is the key's, not the message's (try again soon). */
  failed(kind: SendErrorKind): boolean {
    this.resync();
    if (kind === "underpriced") this.#bump();
    if (kind === "funds") {
      if (!this.#health.outOfFunds) {
        this.logger.error("Relayer#funds", "relayer key cannot pay for gas: top it up; its messages wait", {
          destination: this.chain.chainId,
          key: this.chain.wallet.account.address,
        });
      }
      this.#health.outOfFunds = true;
    }
    return kind === "nonce" || kind === "underpriced" || kind === "funds";
  }

  #bump(): void {
    this.#health.feeBump = Math.min(this.#health.feeBump + 1, MAX_FEE_BUMP);
  }
}
