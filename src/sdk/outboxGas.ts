// Gas for any transaction whose cost depends on what lands before it: an Outbox append (a message send,
// a fill, a certificate, a bridge transfer) costs more when other messages land between the estimate
// and the execution (a longer carry through the incremental tree), and an escrow's transfer into a
// settler costs more when a payout emptied the settler's balance first (a fresh storage write), and a margin
// action at the hub costs more when a collateral credit lands first (one more entry to value). An exact
// estimate can then run out of gas; unused gas is refunded.

/** Extra gas on top of the estimate: 32 more tree levels of cold reads at most. */
export const OUTBOX_GAS_HEADROOM = 80_000n;

/** The gas limit to send with for a transaction estimated at `estimate` whose cost others' activity changes. */
export function gasWithHeadroom(estimate: bigint): bigint {
  return (estimate * 13n) / 10n + OUTBOX_GAS_HEADROOM;
}
