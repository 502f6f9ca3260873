package dev.inflight.activity;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An immutable record of one connection row that ended: what {@link EndedConnectionListener}s
 * receive and what {@link ActivityTracker#recentlyEnded()} lists.
 *
 * @param backend the backend instance name, e.g. {@code openai.1}
 * @param sessionId the session the requests belonged to
 * @param type streaming or not (streaming if any joined request streamed)
 * @param model the model of the most recent request that named one, or null
 * @param startedAt when the row was opened (wall clock)
 * @param duration how long the row was open
 * @param firstByte time from opening to the first byte sent to the client, or null if none was
 * @param bytesRx bytes received from the backend over the row's life
 * @param bytesTx bytes sent to the client over the row's life
 * @param requests how many requests shared the row over its life (at least 1)
 * @param reason how the row ended
 * @param bytesRxOrphaned bytes the backend sent after every client of the row had left (its row
 *     orphaned: a write to the client failed, or the client reset its stream, while the request
 *     went on reading the backend); 0 if that never happened. {@code bytesTx} stops growing when
 *     the client leaves, so it is TX at that moment
 * @param firstContent time from opening to the backend's first content, or null if none came
 * @param eventsRx server-sent events received from the backend over the row's life, when the
 *     tracker {@link ActivitySettings#countEvents() counts events}; else 0
 * @param eventsTx server-sent events sent to the client over the row's life, likewise
 * @param maxEventGap the largest time between two consecutive events from the backend, or null if
 *     fewer than two were counted
 */
public record EndedConnection(
    String backend,
    String sessionId,
    ConnectionType type,
    @Nullable String model,
    Instant startedAt,
    Duration duration,
    @Nullable Duration firstByte,
    long bytesRx,
    long bytesTx,
    int requests,
    EndReason reason,
    long bytesRxOrphaned,
    @Nullable Duration firstContent,
    long eventsRx,
    long eventsTx,
    @Nullable Duration maxEventGap) {

  /**
   * Validates the values: no nulls where they are not allowed, no negative counts or times.
   *
   * @param backend the backend instance name, e.g. {@code openai.1}
   * @param sessionId the session the requests belonged to
   * @param type streaming or not (streaming if any joined request streamed)
   * @param model the model of the most recent request that named one, or null
   * @param startedAt when the row was opened (wall clock)
   * @param duration how long the row was open
   * @param firstByte time from opening to the first byte sent to the client, or null if none was
   * @param bytesRx bytes received from the backend over the row's life
   * @param bytesTx bytes sent to the client over the row's life
   * @param requests how many requests shared the row over its life (at least 1)
   * @param reason how the row ended
   * @param bytesRxOrphaned bytes the backend sent after every client of the row had left; 0 if that
   *     never happened
   * @param firstContent time from opening to the backend's first content, or null if none came
   * @param eventsRx server-sent events received from the backend over the row's life
   * @param eventsTx server-sent events sent to the client over the row's life
   * @param maxEventGap the largest time between two consecutive events from the backend, or null
   */
  public EndedConnection {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(reason, "reason");
    Snapshots.requireNonNegative(duration, "duration");
    if (firstByte != null) {
      Snapshots.requireNonNegative(firstByte, "firstByte");
    }
    Snapshots.requireNonNegative(bytesRx, "bytesRx");
    Snapshots.requireNonNegative(bytesTx, "bytesTx");
    Snapshots.requireNonNegative(bytesRxOrphaned, "bytesRxOrphaned");
    if (requests < 1) {
      throw new IllegalArgumentException("requests must be at least 1, got " + requests);
    }
    if (firstContent != null) {
      Snapshots.requireNonNegative(firstContent, "firstContent");
    }
    Snapshots.requireNonNegative(eventsRx, "eventsRx");
    Snapshots.requireNonNegative(eventsTx, "eventsTx");
    if (maxEventGap != null) {
      Snapshots.requireNonNegative(maxEventGap, "maxEventGap");
    }
  }

  /**
   * A row without event counts.
   *
   * @param backend the backend instance name, e.g. {@code openai.1}
   * @param sessionId the session the requests belonged to
   * @param type streaming or not (streaming if any joined request streamed)
   * @param model the model of the most recent request that named one, or null
   * @param startedAt when the row was opened (wall clock)
   * @param duration how long the row was open
   * @param firstByte time from opening to the first byte sent to the client, or null if none was
   * @param bytesRx bytes received from the backend over the row's life
   * @param bytesTx bytes sent to the client over the row's life
   * @param requests how many requests shared the row over its life (at least 1)
   * @param reason how the row ended
   * @param bytesRxOrphaned bytes the backend sent after every client of the row had left
   * @param firstContent time from opening to the backend's first content, or null if none came
   */
  public EndedConnection(
      String backend,
      String sessionId,
      ConnectionType type,
      @Nullable String model,
      Instant startedAt,
      Duration duration,
      @Nullable Duration firstByte,
      long bytesRx,
      long bytesTx,
      int requests,
      EndReason reason,
      long bytesRxOrphaned,
      @Nullable Duration firstContent) {
    this(
        backend,
        sessionId,
        type,
        model,
        startedAt,
        duration,
        firstByte,
        bytesRx,
        bytesTx,
        requests,
        reason,
        bytesRxOrphaned,
        firstContent,
        0,
        0,
        null);
  }

  /**
   * A row without its first content's time.
   *
   * @param backend the backend instance name, e.g. {@code openai.1}
   * @param sessionId the session the requests belonged to
   * @param type streaming or not (streaming if any joined request streamed)
   * @param model the model of the most recent request that named one, or null
   * @param startedAt when the row was opened (wall clock)
   * @param duration how long the row was open
   * @param firstByte time from opening to the first byte sent to the client, or null if none was
   * @param bytesRx bytes received from the backend over the row's life
   * @param bytesTx bytes sent to the client over the row's life
   * @param requests how many requests shared the row over its life (at least 1)
   * @param reason how the row ended
   * @param bytesRxOrphaned bytes the backend sent after every client of the row had left
   */
  public EndedConnection(
      String backend,
      String sessionId,
      ConnectionType type,
      @Nullable String model,
      Instant startedAt,
      Duration duration,
      @Nullable Duration firstByte,
      long bytesRx,
      long bytesTx,
      int requests,
      EndReason reason,
      long bytesRxOrphaned) {
    this(
        backend,
        sessionId,
        type,
        model,
        startedAt,
        duration,
        firstByte,
        bytesRx,
        bytesTx,
        requests,
        reason,
        bytesRxOrphaned,
        null);
  }

  /**
   * A row that was never orphaned.
   *
   * @param backend the backend instance name, e.g. {@code openai.1}
   * @param sessionId the session the requests belonged to
   * @param type streaming or not (streaming if any joined request streamed)
   * @param model the model of the most recent request that named one, or null
   * @param startedAt when the row was opened (wall clock)
   * @param duration how long the row was open
   * @param firstByte time from opening to the first byte sent to the client, or null if none was
   * @param bytesRx bytes received from the backend over the row's life
   * @param bytesTx bytes sent to the client over the row's life
   * @param requests how many requests shared the row over its life (at least 1)
   * @param reason how the row ended
   */
  public EndedConnection(
      String backend,
      String sessionId,
      ConnectionType type,
      @Nullable String model,
      Instant startedAt,
      Duration duration,
      @Nullable Duration firstByte,
      long bytesRx,
      long bytesTx,
      int requests,
      EndReason reason) {
    this(
        backend, sessionId, type, model, startedAt, duration, firstByte, bytesRx, bytesTx, requests,
        reason, 0);
  }

  /**
   * When the row ended (wall clock): its start plus its duration.
   *
   * @return the end time
   */
  public Instant endedAt() {
    return startedAt.plus(duration);
  }
}
