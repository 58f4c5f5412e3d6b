// The filler's key on one rollup: its nonce counted locally (fills are signed, stored, then sent, so
// the nonce must be known before anything is sent), its fees, the sending of signed bytes, and the
// one-time approvals of the settlers. A send that fails for any reason forgets the nonce, which is read
// again from the chain before the next signature.
import { type Address, encodeFunctionData, erc20Abi, type Hex, keccak256, maxUint256 } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import type { RollupEntry } from "../../chain/manifest.js";
import { JunctionError } from "../../errors.js";

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; expectedGasPrice: bigint };

/** The chain refused a transaction outright (the error is in `cause`). */
export class SendRefusedError extends JunctionError {
  override name = "SendRefusedError" as const;
}

export class FillerKey {
  readonly client: JunctionPublicClient;
  readonly wallet: JunctionWalletClient;
  #nonce: number | undefined;

  constructor(
    readonly rollup: RollupEntry,
    privateKey: Hex,
    private readonly priorityFee: bigint,
  ) {
    this.client = publicClientFor(rollup);
    this.wallet = walletClientFor(rollup, privateKey);
  }

  get address(): Address {
    return this.wallet.account.address;
  }

  /** The next nonce to sign with; read from the chain (pending) when not known. */
  async nextNonce(): Promise<number> {
    if (this.#nonce === undefined) {
      this.#nonce = await this.client.getTransactionCount({ address: this.address, blockTag: "pending" });
    }
    const nonce = this.#nonce;
    this.#nonce += 1;
    return nonce;
  }

  /** Forgets the local nonce: the next signature reads it again. */
  resync(): void {
    this.#nonce = undefined;
  }

  /** Fees from a recent block: at most twice its base fee plus our tip; we expect to pay base + tip. */
  feesAt(block: { baseFeePerGas: bigint | null }): Fees {
    const base = block.baseFeePerGas ?? 0n;
    return {
      maxFeePerGas: base * 2n + this.priorityFee,
      maxPriorityFeePerGas: this.priorityFee,
      expectedGasPrice: base + this.priorityFee,
    };
  }

  /** Sends signed bytes; a refusal forgets the nonce and is rethrown as SendRefusedError. */
  async sendRaw(serializedTransaction: Hex): Promise<Hex> {
    try {
      return await this.wallet.sendRawTransaction({ serializedTransaction });
    } catch (cause) {
      this.resync();
      throw new SendRefusedError(`chain ${this.rollup.chainId} refused transaction`, {
        details: cause instanceof Error ? cause.message.split("\n")[0] : String(cause),
        cause,
      });
    }
  }

  /**
   * Lets each spender take any amount of its token from the key: the approvals still missing are signed
   * with consecutive nonces and sent together, then their receipts awaited. Once per process.
   */
  async approveAll(pairs: readonly { token: Address; spender: Address }[], receiptTimeoutMs: number) {
    const missing: { token: Address; spender: Address }[] = [];
    for (const pair of pairs) {
      const allowance = await this.client.readContract({
        address: pair.token,
        abi: erc20Abi,
        functionName: "allowance",
        args: [this.address, pair.spender],
      });
      if (allowance < maxUint256 / 2n) missing.push(pair);
    }
    if (missing.length === 0) return;
    const fees = this.feesAt(await this.client.getBlock());
    const hashes: Hex[] = [];
    for (const { token, spender } of missing) {
      const data = encodeFunctionData({
        abi: erc20Abi,
        functionName: "approve",
        args: [spender, maxUint256],
      });
      const gas = await this.client.estimateGas({ account: this.address, to: token, data });
      const signed = await this.wallet.account.signTransaction?.({
        type: "eip1559",
        chainId: this.rollup.chainId,
        to: token,
        data,
        nonce: await this.nextNonce(),
        gas: (gas * 12n) / 10n,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      if (!signed) throw new SendRefusedError(`account ${this.address} cannot sign locally`);
      await this.sendRaw(signed);
      hashes.push(keccak256(signed));
    }
    for (const hash of hashes) {
      const receipt = await this.client.waitForTransactionReceipt({ hash, timeout: receiptTimeoutMs });
      if (receipt.status !== "success") {
        this.resync();
        throw new SendRefusedError(`approval ${hash} reverted on chain ${this.rollup.chainId}`);
      }
    }
  }
}
