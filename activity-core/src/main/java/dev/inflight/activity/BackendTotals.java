package dev.inflight.activity;

import java.util.Objects;

/**
 * Immutable totals of one backend, read without building its rows: what metrics exporters read on
 * each scrape ({@link ActivityTracker#getTotals()}).
 *
 * @param name the backend instance name
 * @param activeConnections rows open now
 * @param activeRequests requests open now (joined requests share a row, so at least {@code
 *     activeConnections})
 * @param cumulativeBytesRx all bytes ever received from this backend; never decreases
 * @param cumulativeBytesTx all bytes ever sent to clients for this backend; never decreases
 * @param ended how the rows of this backend ended so far
 * @param stalledConnections open rows whose backend sent no content for the stall time ({@link
 *     ConnectionSnapshot#stalled()})
 * @param orphanedConnections open rows whose every client left while the backend goes on ({@link
 *     ConnectionSnapshot#orphaned()})
 * @param cumulativeBytesRxOrphaned all bytes ever received from this backend after every client of
 *     their row had left: what an upstream generated (and may bill) for nobody; never decreases
 */
public record BackendTotals(
    String name,
    int activeConnections,
    int activeRequests,
    long cumulativeBytesRx,
    long cumulativeBytesTx,
    EndCounts ended,
    int stalledConnections,
    int orphanedConnections,
    long cumulativeBytesRxOrphaned) {

  /**
   * Validates: no nulls, no negative counts.
   *
   * @param name the backend instance name
   * @param activeConnections rows open now
   * @param activeRequests requests open now
   * @param cumulativeBytesRx all bytes ever received from this backend
   * @param cumulativeBytesTx all bytes ever sent to clients for this backend
   * @param ended how the rows of this backend ended so far
   * @param stalledConnections open rows whose backend sent no content for the stall time
   * @param orphanedConnections open rows whose every client left while the backend goes on
   * @param cumulativeBytesRxOrphaned all bytes ever received from this backend after every client
   *     of their row had left
   */
  public BackendTotals {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ended, "ended");
    Snapshots.requireNonNegative(activeConnections, "activeConnections");
    Snapshots.requireNonNegative(activeRequests, "activeRequests");
    Snapshots.requireNonNegative(cumulativeBytesRx, "cumulativeBytesRx");
    Snapshots.requireNonNegative(cumulativeBytesTx, "cumulativeBytesTx");
    Snapshots.requireNonNegative(stalledConnections, "stalledConnections");
    Snapshots.requireNonNegative(orphanedConnections, "orphanedConnections");
    Snapshots.requireNonNegative(cumulativeBytesRxOrphaned, "cumulativeBytesRxOrphaned");
  }

  /**
   * Totals with no stalled or orphaned rows.
   *
   * @param name the backend instance name
   * @param activeConnections rows open now
   * @param activeRequests requests open now
   * @param cumulativeBytesRx all bytes ever received from this backend
   * @param cumulativeBytesTx all bytes ever sent to clients for this backend
   * @param ended how the rows of this backend ended so far
   */
  public BackendTotals(
      String name,
      int activeConnections,
      int activeRequests,
      long cumulativeBytesRx,
      long cumulativeBytesTx,
      EndCounts ended) {
    this(
        name,
        activeConnections,
        activeRequests,
        cumulativeBytesRx,
        cumulativeBytesTx,
        ended,
        0,
        0,
        0);
  }
}
