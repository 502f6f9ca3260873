package dev.inflight.activity;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An immutable view of one active connection row: one (backend, session) pair, possibly shared by
 * several joined requests.
 *
 * @param backend the backend instance name, e.g. {@code openai.1}
 * @param sessionId the session the requests belong to
 * @param type streaming or not (streaming if any joined request streams)
 * @param model the model of the most recent request that named one, or null
 * @param startedAt when the row was opened (wall clock)
 * @param duration how long the row has been open when the snapshot was taken
 * @param bytesRx bytes received from the backend so far
 * @param bytesTx bytes sent to the client so far
 * @param requests how many requests currently share the row (at least 1)
 * @param firstByte time from opening to the first byte sent to the client, or null if none yet
 * @param idle time since the tracker last saw byte progress on the row
 */
public record ConnectionSnapshot(
    String backend,
    String sessionId,
    ConnectionType type,
    @Nullable String model,
    Instant startedAt,
    Duration duration,
    long bytesRx,
    long bytesTx,
    int requests,
    @Nullable Duration firstByte,
    Duration idle) {

  /**
   * Validates the values: no nulls where they are not allowed, no negative counts or times.
   *
   * @param backend the backend instance name, e.g. {@code openai.1}
   * @param sessionId the session the requests belong to
   * @param type streaming or not (streaming if any joined request streams)
   * @param model the model of the most recent request that named one, or null
   * @param startedAt when the row was opened (wall clock)
   * @param duration how long the row has been open when the snapshot was taken
   * @param bytesRx bytes received from the backend so far
   * @param bytesTx bytes sent to the client so far
   * @param requests how many requests currently share the row (at least 1)
   * @param firstByte time from opening to the first byte sent to the client, or null if none yet
   * @param idle time since the tracker last saw byte progress on the row
   */
  public ConnectionSnapshot {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(idle, "idle");
    Snapshots.requireNonNegative(bytesRx, "bytesRx");
    Snapshots.requireNonNegative(bytesTx, "bytesTx");
    if (requests < 1) {
      throw new IllegalArgumentException("requests must be at least 1, got " + requests);
    }
    Snapshots.requireNonNegative(duration, "duration");
    Snapshots.requireNonNegative(idle, "idle");
    if (firstByte != null) {
      Snapshots.requireNonNegative(firstByte, "firstByte");
    }
  }
}
