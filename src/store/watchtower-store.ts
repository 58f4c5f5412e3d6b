// What the watchtower keeps between restarts: per-destination log cursors and the fraud cases it is
// working on, each with the three steps it must take (challenge, fraud proof, root report).
import type { Hex } from "viem";

export type FraudCase = {
  destinationChainId: number;
  sourceChainId: number;
  count: bigint;
  root: Hex;
  signature: Hex;
  challenged: boolean;
  fraudProven: boolean;
  reported: boolean;
};

export type FraudStep = "challenged" | "fraudProven" | "reported";

export interface WatchtowerStore {
  getCursor(name: string): Promise<bigint | undefined>;
  /** Records the cases found in a block range and advances the cursor, atomically. */
  recordScan(
    cursorName: string,
    toBlock: bigint,
    cases: readonly Omit<FraudCase, FraudStep>[],
  ): Promise<void>;
  openCases(): Promise<FraudCase[]>;
  markDone(
    item: Pick<FraudCase, "destinationChainId" | "sourceChainId" | "count">,
    step: FraudStep,
  ): Promise<void>;
  close(): Promise<void>;
}
