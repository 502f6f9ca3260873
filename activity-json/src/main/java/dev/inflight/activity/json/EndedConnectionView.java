package dev.inflight.activity.json;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One recently ended row of a parsed diagnostics document (the {@code recent} list). Immutable.
 * {@code orphanedRxBytes}, {@code eventsRx} and {@code eventsTx} are 0 and {@code
 * firstContentSeconds} and {@code maxEventGapSeconds} null when the server does not send them.
 *
 * @param backend {@code backend}: the backend instance name
 * @param sessionId {@code session_id}
 * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
 * @param startedAt {@code started_at}, epoch seconds
 * @param durationSeconds {@code duration_seconds}: how long the row was open
 * @param model {@code model}, or null
 * @param bytesRx {@code bytes_rx}
 * @param bytesTx {@code bytes_tx}
 * @param requests {@code requests}: how many requests shared the row over its life
 * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent
 * @param endedAt {@code ended_at}, epoch seconds
 * @param reason {@code reason}: {@code completed}, {@code client_aborted}, {@code errored} or
 *     {@code evicted}
 * @param orphanedRxBytes {@code orphaned_rx_bytes}: RX received after every client of the row left,
 *     0 if none did
 * @param firstContentSeconds {@code first_content_seconds}: time from opening the row to the
 *     backend's first content (server-sent-event comments such as keep-alive pings are not
 *     content), or null if none came
 * @param eventsRx {@code events_rx}: server-sent events received from the backend (0 unless the
 *     tracker counts events)
 * @param eventsTx {@code events_tx}: server-sent events sent to the client
 * @param maxEventGapSeconds {@code max_event_gap_seconds}: the largest time between two consecutive
 *     backend events, or null if fewer than two were counted
 */
public record EndedConnectionView(
    String backend,
    String sessionId,
    String connectionType,
    double startedAt,
    double durationSeconds,
    @Nullable String model,
    long bytesRx,
    long bytesTx,
    int requests,
    @Nullable Double firstByteSeconds,
    double endedAt,
    String reason,
    long orphanedRxBytes,
    @Nullable Double firstContentSeconds,
    long eventsRx,
    long eventsTx,
    @Nullable Double maxEventGapSeconds) {

  /**
   * Checks for null.
   *
   * @param backend {@code backend}: the backend instance name
   * @param sessionId {@code session_id}
   * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
   * @param startedAt {@code started_at}, epoch seconds
   * @param durationSeconds {@code duration_seconds}: how long the row was open
   * @param model {@code model}, or null
   * @param bytesRx {@code bytes_rx}
   * @param bytesTx {@code bytes_tx}
   * @param requests {@code requests}: how many requests shared the row over its life
   * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent
   * @param endedAt {@code ended_at}, epoch seconds
   * @param reason {@code reason}: {@code completed}, {@code client_aborted}, {@code errored} or
   *     {@code evicted}
   * @param orphanedRxBytes {@code orphaned_rx_bytes}
   * @param firstContentSeconds {@code first_content_seconds}, or null if no content came
   * @param eventsRx {@code events_rx}
   * @param eventsTx {@code events_tx}
   * @param maxEventGapSeconds {@code max_event_gap_seconds}, or null
   */
  public EndedConnectionView {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(connectionType, "connectionType");
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * An ended row of a server that sends no event counts: they are 0 and null.
   *
   * @param backend {@code backend}: the backend instance name
   * @param sessionId {@code session_id}
   * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
   * @param startedAt {@code started_at}, epoch seconds
   * @param durationSeconds {@code duration_seconds}: how long the row was open
   * @param model {@code model}, or null
   * @param bytesRx {@code bytes_rx}
   * @param bytesTx {@code bytes_tx}
   * @param requests {@code requests}: how many requests shared the row over its life
   * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent
   * @param endedAt {@code ended_at}, epoch seconds
   * @param reason {@code reason}: {@code completed}, {@code client_aborted}, {@code errored} or
   *     {@code evicted}
   * @param orphanedRxBytes {@code orphaned_rx_bytes}
   * @param firstContentSeconds {@code first_content_seconds}, or null if no content came
   */
  public EndedConnectionView(
      String backend,
      String sessionId,
      String connectionType,
      double startedAt,
      double durationSeconds,
      @Nullable String model,
      long bytesRx,
      long bytesTx,
      int requests,
      @Nullable Double firstByteSeconds,
      double endedAt,
      String reason,
      long orphanedRxBytes,
      @Nullable Double firstContentSeconds) {
    this(
        backend,
        sessionId,
        connectionType,
        startedAt,
        durationSeconds,
        model,
        bytesRx,
        bytesTx,
        requests,
        firstByteSeconds,
        endedAt,
        reason,
        orphanedRxBytes,
        firstContentSeconds,
        0,
        0,
        null);
  }

  /**
   * An ended row of a server that sends no first content: {@code firstContentSeconds} is null.
   *
   * @param backend {@code backend}: the backend instance name
   * @param sessionId {@code session_id}
   * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
   * @param startedAt {@code started_at}, epoch seconds
   * @param durationSeconds {@code duration_seconds}: how long the row was open
   * @param model {@code model}, or null
   * @param bytesRx {@code bytes_rx}
   * @param bytesTx {@code bytes_tx}
   * @param requests {@code requests}: how many requests shared the row over its life
   * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent
   * @param endedAt {@code ended_at}, epoch seconds
   * @param reason {@code reason}: {@code completed}, {@code client_aborted}, {@code errored} or
   *     {@code evicted}
   * @param orphanedRxBytes {@code orphaned_rx_bytes}
   */
  public EndedConnectionView(
      String backend,
      String sessionId,
      String connectionType,
      double startedAt,
      double durationSeconds,
      @Nullable String model,
      long bytesRx,
      long bytesTx,
      int requests,
      @Nullable Double firstByteSeconds,
      double endedAt,
      String reason,
      long orphanedRxBytes) {
    this(
        backend,
        sessionId,
        connectionType,
        startedAt,
        durationSeconds,
        model,
        bytesRx,
        bytesTx,
        requests,
        firstByteSeconds,
        endedAt,
        reason,
        orphanedRxBytes,
        null);
  }

  /**
   * An ended row of a server that sends no orphaned RX and no first content.
   *
   * @param backend {@code backend}: the backend instance name
   * @param sessionId {@code session_id}
   * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
   * @param startedAt {@code started_at}, epoch seconds
   * @param durationSeconds {@code duration_seconds}: how long the row was open
   * @param model {@code model}, or null
   * @param bytesRx {@code bytes_rx}
   * @param bytesTx {@code bytes_tx}
   * @param requests {@code requests}: how many requests shared the row over its life
   * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent
   * @param endedAt {@code ended_at}, epoch seconds
   * @param reason {@code reason}: {@code completed}, {@code client_aborted}, {@code errored} or
   *     {@code evicted}
   */
  public EndedConnectionView(
      String backend,
      String sessionId,
      String connectionType,
      double startedAt,
      double durationSeconds,
      @Nullable String model,
      long bytesRx,
      long bytesTx,
      int requests,
      @Nullable Double firstByteSeconds,
      double endedAt,
      String reason) {
    this(
        backend,
        sessionId,
        connectionType,
        startedAt,
        durationSeconds,
        model,
        bytesRx,
        bytesTx,
        requests,
        firstByteSeconds,
        endedAt,
        reason,
        0,
        null);
  }
}
