// The keeper's key on the hub: its nonce counted locally (a liquidation is signed and stored before it
// is sent, so its nonce must be known first), fees from the latest block, the one-time approval of the
// engine for JUSD, and sending signed bytes. Any refused send forgets the nonce; the next signature
// reads it from the chain again.
import { type Address, encodeFunctionData, erc20Abi, type Hex, keccak256, maxUint256 } from "viem";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../chain/clients.js";
import type { RollupEntry } from "../../chain/manifest.js";
import { JunctionError } from "../../errors.js";
import { engineAbi } from "../../sdk/marginEngine.js";
import { gasWithHeadroom } from "../../sdk/outboxGas.js";

/** The hub refused a transaction outright, or the key cannot sign locally. */
export class KeeperSendError extends JunctionError {
  override name = "KeeperSendError" as const;
}

export type LiquidateArgs = readonly [Address, bigint, bigint, Address, bigint];
export type SignedLiquidation = { hash: Hex; raw: Hex; nonce: number };

export class HubKey {
  readonly client: JunctionPublicClient;
  readonly wallet: JunctionWalletClient;
  #nonce: number | undefined;

  constructor(
    readonly hub: RollupEntry,
    readonly engine: Address,
    privateKey: Hex,
    private readonly priorityFee: bigint,
  ) {
    this.client = publicClientFor(hub);
    this.wallet = walletClientFor(hub, privateKey);
  }

  get address(): Address {
    return this.wallet.account.address;
  }

  resync(): void {
    this.#nonce = undefined;
  }

  /** Lets the engine take the keeper's JUSD (what it repays debt with), once. */
  async approveEngine(timeoutMs: number): Promise<void> {
    const token = this.hub.contracts.bridgedToken;
    const allowance = await this.client.readContract({
      address: token,
      abi: erc20Abi,
      functionName: "allowance",
      args: [this.address, this.engine],
    });
    if (allowance >= maxUint256 / 2n) return;
    const data = encodeFunctionData({
      abi: erc20Abi,
      functionName: "approve",
      args: [this.engine, maxUint256],
    });
    const gas = await this.client.estimateGas({ account: this.address, to: token, data });
    const signed = await this.#sign(token, data, (gas * 12n) / 10n);
    await this.send(signed.raw);
    const receipt = await this.client.waitForTransactionReceipt({ hash: signed.hash, timeout: timeoutMs });
    if (receipt.status !== "success") {
      this.resync();
      throw new KeeperSendError(`approving the engine for JUSD reverted (${signed.hash})`);
    }
  }

  /** Estimates a liquidation's gas (throws the engine's refusal, by name through revertName). */
  estimateLiquidation(args: LiquidateArgs): Promise<bigint> {
    return this.client.estimateContractGas({
      address: this.engine,
      abi: engineAbi,
      functionName: "liquidate",
      args,
      account: this.address,
    });
  }

  /** The engine's refusal of the call as it would run on the state after `blockNumber`, if any. */
  async simulateAt(args: LiquidateArgs, blockNumber: bigint): Promise<void> {
    await this.client.simulateContract({
      address: this.engine,
      abi: engineAbi,
      functionName: "liquidate",
      args,
      account: this.address,
      blockNumber,
    });
  }

  /** Estimates, signs and sends `settleShortfall(account)`; the engine's refusal is thrown by name. */
  async settleShortfall(account: Address): Promise<Hex> {
    const call = { abi: engineAbi, functionName: "settleShortfall", args: [account] } as const;
    const gas = await this.client.estimateContractGas({
      ...call,
      address: this.engine,
      account: this.address,
    });
    const signed = await this.#sign(this.engine, encodeFunctionData(call), (gas * 12n) / 10n);
    await this.send(signed.raw);
    return signed.hash;
  }

  /**
   * Estimates, signs and sends `executeOrder(account, marketId)` with gas headroom (a credit landing first
   * makes the order's margin check dearer); the engine's refusal is thrown by name.
   */
  async executeOrder(account: Address, marketId: bigint): Promise<Hex> {
    const call = { abi: engineAbi, functionName: "executeOrder", args: [account, marketId] } as const;
    const gas = await this.client.estimateContractGas({
      ...call,
      address: this.engine,
      account: this.address,
    });
    const signed = await this.#sign(this.engine, encodeFunctionData(call), gasWithHeadroom(gas));
    await this.send(signed.raw);
    return signed.hash;
  }

  /** Signs a liquidation with the next nonce; nothing is sent. */
  signLiquidation(args: LiquidateArgs, gas: bigint): Promise<SignedLiquidation> {
    const data = encodeFunctionData({ abi: engineAbi, functionName: "liquidate", args });
    return this.#sign(this.engine, data, gas);
  }

  /** Sends signed bytes; a refusal forgets the nonce and is rethrown as KeeperSendError. */
  async send(raw: Hex): Promise<void> {
    try {
      await this.wallet.sendRawTransaction({ serializedTransaction: raw });
    } catch (cause) {
      this.resync();
      throw new KeeperSendError("the hub refused the transaction", {
        details: cause instanceof Error ? cause.message.split("\n")[0] : String(cause),
        cause,
      });
    }
  }

  async #sign(to: Address, data: Hex, gas: bigint): Promise<SignedLiquidation> {
    const block = await this.client.getBlock();
    const base = block.baseFeePerGas ?? 0n;
    if (this.#nonce === undefined) {
      this.#nonce = await this.client.getTransactionCount({ address: this.address, blockTag: "pending" });
    }
    const nonce = this.#nonce;
    const raw = await this.wallet.account.signTransaction?.({
      type: "eip1559",
      chainId: this.hub.chainId,
      to,
      data,
      nonce,
      gas,
      maxFeePerGas: base * 2n + this.priorityFee,
      maxPriorityFeePerGas: this.priorityFee,
    });
    if (!raw) throw new KeeperSendError(`account ${this.address} cannot sign locally`);
    this.#nonce = nonce + 1;
    return { hash: keccak256(raw), raw, nonce };
  }
}
