// Gas for any transaction that appends to an Outbox (a message send, a fill, a certificate, a bridge
// transfer): an append costs more when other messages land between the estimate and the execution (a
// longer carry through the incremental tree), so an exact estimate can run out of gas; unused gas is
// refunded.

/** Extra gas on top of the estimate: 32 more tree levels of cold reads at most. */
export const OUTBOX_GAS_HEADROOM = 80_000n;

/** The gas limit to send with for a transaction estimated at `estimate` that appends to an Outbox. */
export function gasWithHeadroom(estimate: bigint): bigint {
  return (estimate * 13n) / 10n + OUTBOX_GAS_HEADROOM;
}
