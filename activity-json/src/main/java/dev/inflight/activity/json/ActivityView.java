package dev.inflight.activity.json;

import java.util.List;

/**
 * The {@code activity} object of one instance. Immutable. Fields beyond the seed's are 0 when the
 * server does not send them.
 *
 * @param activeConnections {@code active_connections}
 * @param connections {@code connections}
 * @param totalBytesRx {@code total_bytes_rx}
 * @param totalBytesTx {@code total_bytes_tx}
 * @param cumulativeBytesRx {@code cumulative_bytes_rx}
 * @param cumulativeBytesTx {@code cumulative_bytes_tx}
 * @param completedConnections {@code completed_connections}
 * @param stalledConnections {@code stalled_connections}: open rows marked stalled
 * @param orphanedConnections {@code orphaned_connections}: open rows marked orphaned
 */
public record ActivityView(
    int activeConnections,
    List<ConnectionView> connections,
    long totalBytesRx,
    long totalBytesTx,
    long cumulativeBytesRx,
    long cumulativeBytesTx,
    long completedConnections,
    int stalledConnections,
    int orphanedConnections) {

  /**
   * Copies the list.
   *
   * @param activeConnections {@code active_connections}
   * @param connections {@code connections}
   * @param totalBytesRx {@code total_bytes_rx}
   * @param totalBytesTx {@code total_bytes_tx}
   * @param cumulativeBytesRx {@code cumulative_bytes_rx}
   * @param cumulativeBytesTx {@code cumulative_bytes_tx}
   * @param completedConnections {@code completed_connections}
   * @param stalledConnections {@code stalled_connections}
   * @param orphanedConnections {@code orphaned_connections}
   */
  public ActivityView {
    connections = List.copyOf(connections);
  }

  /**
   * The activity of a server that sends no stream health: no stalled or orphaned rows.
   *
   * @param activeConnections {@code active_connections}
   * @param connections {@code connections}
   * @param totalBytesRx {@code total_bytes_rx}
   * @param totalBytesTx {@code total_bytes_tx}
   * @param cumulativeBytesRx {@code cumulative_bytes_rx}
   * @param cumulativeBytesTx {@code cumulative_bytes_tx}
   * @param completedConnections {@code completed_connections}
   */
  public ActivityView(
      int activeConnections,
      List<ConnectionView> connections,
      long totalBytesRx,
      long totalBytesTx,
      long cumulativeBytesRx,
      long cumulativeBytesTx,
      long completedConnections) {
    this(
        activeConnections,
        connections,
        totalBytesRx,
        totalBytesTx,
        cumulativeBytesRx,
        cumulativeBytesTx,
        completedConnections,
        0,
        0);
  }
}
