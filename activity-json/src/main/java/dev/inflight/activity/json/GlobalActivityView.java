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
 */
public record GlobalActivityView(
    boolean enabled,
    int totalActiveConnections,
    long totalBytesRx,
    long totalBytesTx,
    long cumulativeBytesRx,
    long cumulativeBytesTx,
    long completedConnections) {}
