package dev.inflight.activity;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable view of the whole tracker at one moment: every backend it knows, with its rows.
 *
 * <p>Totals are derived from the backends, so they always agree with the rows listed. A snapshot of
 * a disabled tracker has {@code enabled == false} and no backends.
 *
 * <pre>{@code
 * GlobalSnapshot s = ActivityTracker.global().getGlobalSnapshot();
 * System.out.println("Active connections: " + s.totalActiveConnections());
 * System.out.println("Total RX: " + s.totalBytesRx() + " bytes");
 * }</pre>
 *
 * @param enabled whether the tracker that took it is enabled
 * @param takenAt when it was taken (wall clock)
 * @param backends every backend the tracker knows, by name
 * @param recent the most recently ended rows, newest first (see {@link
 *     ActivityTracker#recentlyEnded()})
 */
public record GlobalSnapshot(
    boolean enabled,
    Instant takenAt,
    List<BackendSnapshot> backends,
    List<EndedConnection> recent) {

  /**
   * Validates and copies the lists.
   *
   * @param enabled whether the tracker that took it is enabled
   * @param takenAt when it was taken (wall clock)
   * @param backends every backend the tracker knows, by name
   * @param recent the most recently ended rows, newest first
   */
  public GlobalSnapshot {
    Objects.requireNonNull(takenAt, "takenAt");
    backends = List.copyOf(backends);
    recent = List.copyOf(recent);
  }

  /**
   * A snapshot without recently ended rows.
   *
   * @param enabled whether the tracker that took it is enabled
   * @param takenAt when it was taken (wall clock)
   * @param backends every backend the tracker knows, by name
   */
  public GlobalSnapshot(boolean enabled, Instant takenAt, List<BackendSnapshot> backends) {
    this(enabled, takenAt, backends, List.of());
  }

  /**
   * The snapshot of a disabled tracker.
   *
   * @param takenAt when it was taken
   * @return a snapshot with {@code enabled == false} and no backends
   */
  public static GlobalSnapshot disabled(Instant takenAt) {
    return new GlobalSnapshot(false, takenAt, List.of());
  }

  /**
   * The snapshot of an enabled tracker that has seen nothing yet.
   *
   * @param takenAt when it was taken
   * @return an enabled snapshot with no backends
   */
  public static GlobalSnapshot empty(Instant takenAt) {
    return new GlobalSnapshot(true, takenAt, List.of());
  }

  /**
   * Looks up one backend.
   *
   * @param name the backend instance name
   * @return its snapshot, or empty if the tracker has not seen it
   */
  public Optional<BackendSnapshot> backend(String name) {
    for (BackendSnapshot b : backends) {
      if (b.name().equals(name)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  /**
   * Active rows over all backends ({@code total_active_connections}).
   *
   * @return the row count
   */
  public int totalActiveConnections() {
    int sum = 0;
    for (BackendSnapshot b : backends) {
      sum += b.activeConnections();
    }
    return sum;
  }

  /**
   * Bytes received by the active rows over all backends ({@code total_bytes_rx}).
   *
   * @return the sum
   */
  public long totalBytesRx() {
    long sum = 0;
    for (BackendSnapshot b : backends) {
      sum += b.totalBytesRx();
    }
    return sum;
  }

  /**
   * Bytes sent by the active rows over all backends ({@code total_bytes_tx}).
   *
   * @return the sum
   */
  public long totalBytesTx() {
    long sum = 0;
    for (BackendSnapshot b : backends) {
      sum += b.totalBytesTx();
    }
    return sum;
  }

  /**
   * Every byte ever received from any backend; never decreases.
   *
   * @return the sum of the backends' cumulative RX
   */
  public long cumulativeBytesRx() {
    long sum = 0;
    for (BackendSnapshot b : backends) {
      sum += b.cumulativeBytesRx();
    }
    return sum;
  }

  /**
   * Every byte ever sent to any client; never decreases.
   *
   * @return the sum of the backends' cumulative TX
   */
  public long cumulativeBytesTx() {
    long sum = 0;
    for (BackendSnapshot b : backends) {
      sum += b.cumulativeBytesTx();
    }
    return sum;
  }

  /**
   * How all rows ended so far, over all backends.
   *
   * @return the summed counts
   */
  public EndCounts ended() {
    EndCounts sum = EndCounts.empty();
    for (BackendSnapshot b : backends) {
      sum = sum.plus(b.ended());
    }
    return sum;
  }

  /**
   * Rows that ended since the tracker started, over all backends.
   *
   * @return the number of ended rows
   */
  public long completedConnections() {
    return ended().total();
  }
}
