package dev.inflight.activity;

import dev.inflight.activity.internal.RowList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable view of one backend instance: its active connection rows and its cumulative
 * counters.
 *
 * <p>The active totals ({@link #totalBytesRx()}, {@link #totalBytesTx()}) are sums over the rows in
 * this snapshot, as in the diagnostics JSON. The cumulative counters include every byte ever
 * counted on this backend, by active and ended rows alike; they never decrease from one snapshot to
 * the next, so a poller can compute rates from them.
 *
 * @param name the backend instance name
 * @param connections the active rows, oldest first
 * @param cumulativeBytesRx all bytes ever received from this backend
 * @param cumulativeBytesTx all bytes ever sent to clients for this backend
 * @param ended how the rows of this backend ended so far
 */
public record BackendSnapshot(
    String name,
    List<ConnectionSnapshot> connections,
    long cumulativeBytesRx,
    long cumulativeBytesTx,
    EndCounts ended) {

  /**
   * Validates and copies: the list becomes unmodifiable, counts must not be negative.
   *
   * @param name the backend instance name
   * @param connections the active rows, oldest first
   * @param cumulativeBytesRx all bytes ever received from this backend
   * @param cumulativeBytesTx all bytes ever sent to clients for this backend
   * @param ended how the rows of this backend ended so far
   */
  public BackendSnapshot {
    Objects.requireNonNull(name, "name");
    // The tracker's own lists are immutable already and build their records on demand.
    connections = connections instanceof RowList ? connections : List.copyOf(connections);
    Objects.requireNonNull(ended, "ended");
    Snapshots.requireNonNegative(cumulativeBytesRx, "cumulativeBytesRx");
    Snapshots.requireNonNegative(cumulativeBytesTx, "cumulativeBytesTx");
  }

  /**
   * A backend with no rows and no history.
   *
   * @param name the backend instance name
   * @return an empty snapshot
   */
  public static BackendSnapshot empty(String name) {
    return new BackendSnapshot(name, List.of(), 0, 0, EndCounts.empty());
  }

  /**
   * The number of active rows ({@code active_connections}).
   *
   * @return the row count
   */
  public int activeConnections() {
    return connections.size();
  }

  /**
   * The number of active rows marked {@linkplain ConnectionSnapshot#stalled() stalled}.
   *
   * @return the stalled row count
   */
  public int stalledConnections() {
    int n = 0;
    for (ConnectionSnapshot c : connections) {
      if (c.stalled()) {
        n++;
      }
    }
    return n;
  }

  /**
   * The number of active rows marked {@linkplain ConnectionSnapshot#orphaned() orphaned}.
   *
   * @return the orphaned row count
   */
  public int orphanedConnections() {
    int n = 0;
    for (ConnectionSnapshot c : connections) {
      if (c.orphaned()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Bytes received from the backend by the active rows ({@code total_bytes_rx}).
   *
   * @return the sum of the rows' {@code bytesRx}
   */
  public long totalBytesRx() {
    if (connections instanceof RowList) {
      return ((RowList) connections).totalRx();
    }
    long sum = 0;
    for (ConnectionSnapshot c : connections) {
      sum += c.bytesRx();
    }
    return sum;
  }

  /**
   * Bytes sent to clients by the active rows ({@code total_bytes_tx}).
   *
   * @return the sum of the rows' {@code bytesTx}
   */
  public long totalBytesTx() {
    if (connections instanceof RowList) {
      return ((RowList) connections).totalTx();
    }
    long sum = 0;
    for (ConnectionSnapshot c : connections) {
      sum += c.bytesTx();
    }
    return sum;
  }

  /**
   * Rows that ended since the tracker started, whatever the reason ({@code completed_connections}).
   *
   * @return the number of ended rows
   */
  public long completedConnections() {
    return ended.total();
  }
}
