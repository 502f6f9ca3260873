package dev.inflight.activity.json;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One connection row of a parsed diagnostics document. Immutable. Fields beyond the seed's take a
 * default when the server does not send them: 1 request, no first byte, 0 idle seconds, the row's
 * idle time as its backend's, neither stalled nor orphaned, no orphaned RX, RX minus TX as the
 * backlog, no first content, no events and no event gap.
 *
 * @param sessionId {@code session_id}
 * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
 * @param startedAt {@code started_at}, epoch seconds
 * @param durationSeconds {@code duration_seconds}
 * @param model {@code model}, or null
 * @param bytesRx {@code bytes_rx}
 * @param bytesTx {@code bytes_tx}
 * @param requests {@code requests}: joined requests sharing the row
 * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent yet
 * @param idleSeconds {@code idle_seconds}
 * @param backendIdleSeconds {@code backend_idle_seconds}: time since the backend last sent content
 *     (server-sent-event comments such as keep-alive pings are not content)
 * @param stalled {@code stalled}: the backend sent no content for the server's stall time
 * @param orphaned {@code orphaned}: every client of the row left while its backend goes on sending
 * @param orphanedRxBytes {@code orphaned_rx_bytes}: RX since the row was orphaned, 0 if it is not
 * @param backlogBytes {@code backlog_bytes}: RX minus TX, negative when the proxy sent more than it
 *     received
 * @param firstContentSeconds {@code first_content_seconds}: time from opening the row to the
 *     backend's first content (server-sent-event comments such as keep-alive pings are not
 *     content), or null if none came yet
 * @param eventsRx {@code events_rx}: server-sent events received from the backend so far
 *     (comment-only blocks such as keep-alive pings are not events); 0 on rows whose chunks the
 *     server does not read
 * @param eventsTx {@code events_tx}: server-sent events sent to the client so far; 0 where the
 *     server does not see the bytes it sends
 * @param maxEventGapSeconds {@code max_event_gap_seconds}: the largest time between two consecutive
 *     events received from the backend so far, or null before a second event
 */
public record ConnectionView(
    String sessionId,
    String connectionType,
    double startedAt,
    double durationSeconds,
    @Nullable String model,
    long bytesRx,
    long bytesTx,
    int requests,
    @Nullable Double firstByteSeconds,
    double idleSeconds,
    double backendIdleSeconds,
    boolean stalled,
    boolean orphaned,
    long orphanedRxBytes,
    long backlogBytes,
    @Nullable Double firstContentSeconds,
    long eventsRx,
    long eventsTx,
    @Nullable Double maxEventGapSeconds) {

  /**
   * Checks for null.
   *
   * @param sessionId {@code session_id}
   * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
   * @param startedAt {@code started_at}, epoch seconds
   * @param durationSeconds {@code duration_seconds}
   * @param model {@code model}, or null
   * @param bytesRx {@code bytes_rx}
   * @param bytesTx {@code bytes_tx}
   * @param requests {@code requests}: joined requests sharing the row
   * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent yet
   * @param idleSeconds {@code idle_seconds}
   * @param backendIdleSeconds {@code backend_idle_seconds}
   * @param stalled {@code stalled}
   * @param orphaned {@code orphaned}
   * @param orphanedRxBytes {@code orphaned_rx_bytes}
   * @param backlogBytes {@code backlog_bytes}
   * @param firstContentSeconds {@code first_content_seconds}, or null if no content came yet
   * @param eventsRx {@code events_rx}
   * @param eventsTx {@code events_tx}
   * @param maxEventGapSeconds {@code max_event_gap_seconds}, or null before a second event
   */
  public ConnectionView {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(connectionType, "connectionType");
  }

  /**
   * A row of a server that sends no event counts: no events and no event gap.
   *
   * @param sessionId {@code session_id}
   * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
   * @param startedAt {@code started_at}, epoch seconds
   * @param durationSeconds {@code duration_seconds}
   * @param model {@code model}, or null
   * @param bytesRx {@code bytes_rx}
   * @param bytesTx {@code bytes_tx}
   * @param requests {@code requests}: joined requests sharing the row
   * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent yet
   * @param idleSeconds {@code idle_seconds}
   * @param backendIdleSeconds {@code backend_idle_seconds}
   * @param stalled {@code stalled}
   * @param orphaned {@code orphaned}
   * @param orphanedRxBytes {@code orphaned_rx_bytes}
   * @param backlogBytes {@code backlog_bytes}
   * @param firstContentSeconds {@code first_content_seconds}, or null if no content came yet
   */
  public ConnectionView(
      String sessionId,
      String connectionType,
      double startedAt,
      double durationSeconds,
      @Nullable String model,
      long bytesRx,
      long bytesTx,
      int requests,
      @Nullable Double firstByteSeconds,
      double idleSeconds,
      double backendIdleSeconds,
      boolean stalled,
      boolean orphaned,
      long orphanedRxBytes,
      long backlogBytes,
      @Nullable Double firstContentSeconds) {
    this(
        sessionId,
        connectionType,
        startedAt,
        durationSeconds,
        model,
        bytesRx,
        bytesTx,
        requests,
        firstByteSeconds,
        idleSeconds,
        backendIdleSeconds,
        stalled,
        orphaned,
        orphanedRxBytes,
        backlogBytes,
        firstContentSeconds,
        0,
        0,
        null);
  }

  /**
   * A row of a server that sends no first content: {@code firstContentSeconds} is null, and no
   * events.
   *
   * @param sessionId {@code session_id}
   * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
   * @param startedAt {@code started_at}, epoch seconds
   * @param durationSeconds {@code duration_seconds}
   * @param model {@code model}, or null
   * @param bytesRx {@code bytes_rx}
   * @param bytesTx {@code bytes_tx}
   * @param requests {@code requests}: joined requests sharing the row
   * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent yet
   * @param idleSeconds {@code idle_seconds}
   * @param backendIdleSeconds {@code backend_idle_seconds}
   * @param stalled {@code stalled}
   * @param orphaned {@code orphaned}
   * @param orphanedRxBytes {@code orphaned_rx_bytes}
   * @param backlogBytes {@code backlog_bytes}
   */
  public ConnectionView(
      String sessionId,
      String connectionType,
      double startedAt,
      double durationSeconds,
      @Nullable String model,
      long bytesRx,
      long bytesTx,
      int requests,
      @Nullable Double firstByteSeconds,
      double idleSeconds,
      double backendIdleSeconds,
      boolean stalled,
      boolean orphaned,
      long orphanedRxBytes,
      long backlogBytes) {
    this(
        sessionId,
        connectionType,
        startedAt,
        durationSeconds,
        model,
        bytesRx,
        bytesTx,
        requests,
        firstByteSeconds,
        idleSeconds,
        backendIdleSeconds,
        stalled,
        orphaned,
        orphanedRxBytes,
        backlogBytes,
        null);
  }

  /**
   * A row of a server that sends no stream health: neither stalled nor orphaned, its backend idle
   * as long as the row, RX minus TX as its backlog, no first content and no events.
   *
   * @param sessionId {@code session_id}
   * @param connectionType {@code connection_type}: {@code streaming} or {@code non_streaming}
   * @param startedAt {@code started_at}, epoch seconds
   * @param durationSeconds {@code duration_seconds}
   * @param model {@code model}, or null
   * @param bytesRx {@code bytes_rx}
   * @param bytesTx {@code bytes_tx}
   * @param requests {@code requests}: joined requests sharing the row
   * @param firstByteSeconds {@code first_byte_seconds}, or null if nothing was sent yet
   * @param idleSeconds {@code idle_seconds}
   */
  public ConnectionView(
      String sessionId,
      String connectionType,
      double startedAt,
      double durationSeconds,
      @Nullable String model,
      long bytesRx,
      long bytesTx,
      int requests,
      @Nullable Double firstByteSeconds,
      double idleSeconds) {
    this(
        sessionId,
        connectionType,
        startedAt,
        durationSeconds,
        model,
        bytesRx,
        bytesTx,
        requests,
        firstByteSeconds,
        idleSeconds,
        idleSeconds,
        false,
        false,
        0,
        bytesRx - bytesTx,
        null);
  }
}
