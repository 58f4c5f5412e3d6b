// What the sequencer has been asked to order and has not yet sealed: plain transactions per rollup,
// commitments (commit–reveal) and atomic bundles. Pure bookkeeping, no I/O; the sealer reads it to
// build each superblock and writes back what happened.
import {
  type Address,
  concat,
  type Hex,
  isHex,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  type TransactionSerialized,
} from "viem";
import { JunctionError } from "../../errors.js";

/** A request the sequencer refuses; the RPC server answers it with a JSON-RPC error, nothing is kept. */
export class SequencerRequestError extends JunctionError {
  override name = "SequencerRequestError" as const;
}

/** A signed transaction as the sequencer keeps it. */
export type SignedTransaction = { hash: Hex; raw: Hex; chainId: number; from: Address; nonce: number };

export async function decodeSignedTransaction(raw: unknown): Promise<SignedTransaction> {
  if (typeof raw !== "string" || !isHex(raw))
    throw new SequencerRequestError("expected a signed transaction as hex");
  let chainId: number | undefined;
  let nonce: number | undefined;
  let from: Address;
  try {
    const parsed = parseTransaction(raw);
    chainId = parsed.chainId;
    nonce = parsed.nonce;
    from = await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerialized });
  } catch (cause) {
    throw new SequencerRequestError("not a valid signed transaction", { cause });
  }
  if (chainId === undefined)
    throw new SequencerRequestError("the transaction has no chain id (EIP-155 required)");
  return { hash: keccak256(raw), raw, chainId, from, nonce: nonce ?? 0 };
}

export type CommitmentState = "committed" | "revealed" | "included" | "rejected" | "expired";

export type Commitment = {
  /** Position in the sequencer's global commit order; lower executes first. */
  sequence: number;
  chainId: number;
  /** keccak256 of the signed transaction, i.e. its hash: binds the contents without showing them. */
  commitment: Hex;
  committedAtHeight: number;
  state: CommitmentState;
  tx?: SignedTransaction;
  /** Superblock that included it. */
  height?: number;
  error?: string;
};

export type BundleLeg = { tx: SignedTransaction; required: boolean };
export type BundleFailure = { leg: number; chainId: number; hash: Hex; reason: string };
export type BundleState = "pending" | "included" | "rejected";
export type Bundle = {
  id: Hex;
  legs: BundleLeg[];
  state: BundleState;
  height?: number;
  failure?: BundleFailure;
};

export type OrderBookOptions = {
  chainIds: readonly number[];
  /** Superblocks a commitment waits for its reveal before it expires. */
  revealWindow: number;
};

export class OrderBook {
  readonly #chainIds: Set<number>;
  readonly #plain = new Map<number, SignedTransaction[]>();
  readonly #commitments = new Map<Hex, Commitment>();
  readonly #bundles = new Map<Hex, Bundle>();
  #nextSequence = 1;

  constructor(private readonly options: OrderBookOptions) {
    this.#chainIds = new Set(options.chainIds);
    for (const chainId of options.chainIds) this.#plain.set(chainId, []);
  }

  #assertChain(chainId: number, what: string): void {
    if (!this.#chainIds.has(chainId)) {
      throw new SequencerRequestError(
        `${what} is for chain ${chainId}, which this sequencer does not order`,
        {
          details: `sequenced chains: ${[...this.#chainIds].join(", ")}`,
        },
      );
    }
  }

  /** Records a plain transaction the node's pool accepted; it stays until a block includes it. */
  addPlain(tx: SignedTransaction): void {
    this.#assertChain(tx.chainId, "the transaction");
    this.#plain.get(tx.chainId)?.push(tx);
  }

  plain(chainId: number): readonly SignedTransaction[] {
    return this.#plain.get(chainId) ?? [];
  }

  /** Forgets plain transactions that were included or that the node refused. */
  removePlain(chainId: number, hashes: ReadonlySet<Hex>): void {
    const list = this.#plain.get(chainId) ?? [];
    this.#plain.set(
      chainId,
      list.filter((tx) => !hashes.has(tx.hash)),
    );
  }

  commit(chainId: number, commitment: unknown, height: number): Commitment {
    this.#assertChain(chainId, "the commitment");
    if (typeof commitment !== "string" || !isHex(commitment) || commitment.length !== 66) {
      throw new SequencerRequestError("a commitment is the 32-byte hash of the signed transaction");
    }
    if (this.#commitments.has(commitment)) {
      throw new SequencerRequestError(`commitment ${commitment} exists already`);
    }
    const entry: Commitment = {
      sequence: this.#nextSequence++,
      chainId,
      commitment,
      committedAtHeight: height,
      state: "committed",
    };
    this.#commitments.set(commitment, entry);
    return entry;
  }

  reveal(tx: SignedTransaction): Commitment {
    const entry = this.#commitments.get(tx.hash);
    if (!entry) throw new SequencerRequestError(`no commitment matches transaction ${tx.hash}`);
    if (entry.state !== "committed") {
      throw new SequencerRequestError(
        `commitment ${entry.commitment} is ${entry.state}, not awaiting a reveal`,
      );
    }
    if (tx.chainId !== entry.chainId) {
      throw new SequencerRequestError(
        `the transaction is for chain ${tx.chainId} but was committed for chain ${entry.chainId}`,
      );
    }
    entry.state = "revealed";
    entry.tx = tx;
    return entry;
  }

  commitment(commitment: Hex): Commitment | undefined {
    return this.#commitments.get(commitment);
  }

  /** Revealed commitments of one chain, in commit order: they open that chain's next block. */
  revealed(chainId: number): Commitment[] {
    return [...this.#commitments.values()]
      .filter((entry) => entry.chainId === chainId && entry.state === "revealed")
      .sort((a, b) => a.sequence - b.sequence);
  }

  /** Sequence numbers of the commitments included in superblock `height`. */
  includedAt(height: number): number[] {
    return [...this.#commitments.values()]
      .filter((entry) => entry.state === "included" && entry.height === height)
      .map((entry) => entry.sequence);
  }

  /** Commitments never revealed within the window stop holding their place. */
  expireCommitments(height: number): Commitment[] {
    const expired: Commitment[] = [];
    for (const entry of this.#commitments.values()) {
      if (entry.state === "committed" && height - entry.committedAtHeight > this.options.revealWindow) {
        entry.state = "expired";
        expired.push(entry);
      }
    }
    return expired;
  }

  addBundle(legs: BundleLeg[]): Bundle {
    if (legs.length === 0) throw new SequencerRequestError("a bundle needs at least one transaction");
    for (const leg of legs) this.#assertChain(leg.tx.chainId, `bundle leg ${leg.tx.hash}`);
    const id = keccak256(concat(legs.map((leg) => leg.tx.hash)));
    if (this.#bundles.has(id)) throw new SequencerRequestError(`bundle ${id} was submitted already`);
    const bundle: Bundle = { id, legs, state: "pending" };
    this.#bundles.set(id, bundle);
    return bundle;
  }

  bundle(id: Hex): Bundle | undefined {
    return this.#bundles.get(id);
  }

  pendingBundles(): Bundle[] {
    return [...this.#bundles.values()].filter((bundle) => bundle.state === "pending");
  }
}
