package dev.inflight.activity.json;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One connection row of a parsed diagnostics document. Immutable. Fields beyond the seed's default
 * to 1 request, no first byte and 0 idle seconds when the server does not send them.
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
    double idleSeconds) {

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
   */
  public ConnectionView {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(connectionType, "connectionType");
  }
}
