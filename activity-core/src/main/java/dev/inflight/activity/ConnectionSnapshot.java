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
 * @param backendIdle time since the tracker last saw content from the backend (server-sent-event
 *     comments such as keep-alive pings are not content); the stall mark's measure
 * @param stalled whether {@code backendIdle} reached the tracker's {@link
 *     ActivitySettings#stallAfter() stall time}: the row is open but its backend sends nothing
 * @param orphaned whether every request of the row lost its client (a write to it failed, or it
 *     reset the stream) while the row goes on receiving from its backend
 * @param bytesRxOrphaned bytes received from the backend since the row was orphaned; 0 if it is not
 * @param firstContent time from opening to the backend's first content (on a streaming row whose
 *     chunks the tracker reads, the first chunk with a field of an event that is neither a
 *     keep-alive nor a control event such as {@code response.created}; else the first byte
 *     received), or null if none yet
 * @param eventsRx server-sent events received from the backend so far (blocks of fields ended by a
 *     blank line; comment-only blocks such as keep-alive pings are not events), counted on a
 *     streaming row whose chunks the tracker reads; 0 on other rows
 * @param eventsTx server-sent events sent to the client so far, counted the same way where the
 *     adapter hands the tracker the bytes it writes; 0 elsewhere
 * @param maxEventGap the largest time between two consecutive events received from the backend so
 *     far, or null before a second event; the gap under way is {@code backendIdle}
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
    Duration idle,
    Duration backendIdle,
    boolean stalled,
    boolean orphaned,
    long bytesRxOrphaned,
    @Nullable Duration firstContent,
    long eventsRx,
    long eventsTx,
    @Nullable Duration maxEventGap) {

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
   * @param backendIdle time since the tracker last saw content from the backend
   * @param stalled whether {@code backendIdle} reached the tracker's stall time
   * @param orphaned whether every request of the row lost its client while the row goes on
   * @param bytesRxOrphaned bytes received from the backend since the row was orphaned; 0 if it is
   *     not
   * @param firstContent time from opening to the backend's first content, or null if none yet
   * @param eventsRx server-sent events received from the backend so far
   * @param eventsTx server-sent events sent to the client so far
   * @param maxEventGap the largest time between two consecutive events from the backend, or null
   */
  public ConnectionSnapshot {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(idle, "idle");
    Objects.requireNonNull(backendIdle, "backendIdle");
    Snapshots.requireNonNegative(bytesRx, "bytesRx");
    Snapshots.requireNonNegative(bytesTx, "bytesTx");
    if (requests < 1) {
      throw new IllegalArgumentException("requests must be at least 1, got " + requests);
    }
    Snapshots.requireNonNegative(duration, "duration");
    Snapshots.requireNonNegative(idle, "idle");
    Snapshots.requireNonNegative(backendIdle, "backendIdle");
    Snapshots.requireNonNegative(bytesRxOrphaned, "bytesRxOrphaned");
    if (firstByte != null) {
      Snapshots.requireNonNegative(firstByte, "firstByte");
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
   * @param backendIdle time since the tracker last saw content from the backend
   * @param stalled whether {@code backendIdle} reached the tracker's stall time
   * @param orphaned whether every request of the row lost its client while the row goes on
   * @param bytesRxOrphaned bytes received from the backend since the row was orphaned; 0 if it is
   *     not
   * @param firstContent time from opening to the backend's first content, or null if none yet
   */
  public ConnectionSnapshot(
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
      Duration idle,
      Duration backendIdle,
      boolean stalled,
      boolean orphaned,
      long bytesRxOrphaned,
      @Nullable Duration firstContent) {
    this(
        backend,
        sessionId,
        type,
        model,
        startedAt,
        duration,
        bytesRx,
        bytesTx,
        requests,
        firstByte,
        idle,
        backendIdle,
        stalled,
        orphaned,
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
   * @param backendIdle time since the tracker last saw content from the backend
   * @param stalled whether {@code backendIdle} reached the tracker's stall time
   * @param orphaned whether every request of the row lost its client while the row goes on
   * @param bytesRxOrphaned bytes received from the backend since the row was orphaned; 0 if it is
   *     not
   */
  public ConnectionSnapshot(
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
      Duration idle,
      Duration backendIdle,
      boolean stalled,
      boolean orphaned,
      long bytesRxOrphaned) {
    this(
        backend,
        sessionId,
        type,
        model,
        startedAt,
        duration,
        bytesRx,
        bytesTx,
        requests,
        firstByte,
        idle,
        backendIdle,
        stalled,
        orphaned,
        bytesRxOrphaned,
        null);
  }

  /**
   * A row that is neither stalled nor orphaned, whose backend was last idle as long as the row.
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
  public ConnectionSnapshot(
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
    this(
        backend, sessionId, type, model, startedAt, duration, bytesRx, bytesTx, requests, firstByte,
        idle, idle, false, false, 0);
  }

  /**
   * Bytes received from the backend and not (yet) sent to the client: {@code bytesRx - bytesTx}. A
   * backlog that grows tells a slow client from a slow provider (whose rows have none); it is
   * negative when the proxy sends more than it received (added headers or framing of its own).
   *
   * @return RX minus TX
   */
  public long backlog() {
    return bytesRx - bytesTx;
  }
}
