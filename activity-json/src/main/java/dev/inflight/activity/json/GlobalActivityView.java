package dev.inflight.activity.json;

/**
 * The {@code global_activity} object, which is also the whole {@code /v1/diagnostics/activity}
 * document. Immutable. Fields beyond the seed's are 0 when the server does not send them.
 *
 * @param enabled {@code enabled}; true when the server does not send it
 * @param totalActiveConnections {@code total_active_connections}
 * @param totalBytesRx {@code total_bytes_rx}
 * @param totalBytesTx {@code total_bytes_tx}
 * @param cumulativeBytesRx {@code cumulative_bytes_rx}
 * @param cumulativeBytesTx {@code cumulative_bytes_tx}
 * @param completedConnections {@code completed_connections}
 * @param stalledConnections {@code stalled_connections}: open rows marked stalled, all backends
 * @param orphanedConnections {@code orphaned_connections}: open rows marked orphaned, all backends
 */
public record GlobalActivityView(
    boolean enabled,
    int totalActiveConnections,
    long totalBytesRx,
    long totalBytesTx,
    long cumulativeBytesRx,
    long cumulativeBytesTx,
    long completedConnections,
    int stalledConnections,
    int orphanedConnections) {

  /**
   * The global activity of a server that sends no stream health: no stalled or orphaned rows.
   *
   * @param enabled {@code enabled}
   * @param totalActiveConnections {@code total_active_connections}
   * @param totalBytesRx {@code total_bytes_rx}
   * @param totalBytesTx {@code total_bytes_tx}
   * @param cumulativeBytesRx {@code cumulative_bytes_rx}
   * @param cumulativeBytesTx {@code cumulative_bytes_tx}
   * @param completedConnections {@code completed_connections}
   */
  public GlobalActivityView(
      boolean enabled,
      int totalActiveConnections,
      long totalBytesRx,
      long totalBytesTx,
      long cumulativeBytesRx,
      long cumulativeBytesTx,
      long completedConnections) {
    this(
        enabled,
        totalActiveConnections,
        totalBytesRx,
        totalBytesTx,
        cumulativeBytesRx,
        cumulativeBytesTx,
        completedConnections,
        0,
        0);
  }
}
