package dev.inflight.activity.internal;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import java.time.Duration;

/**
 * A row's final values, taken when it ended; the public {@link EndedConnection} is built from it
 * only when someone asks.
 *
 * @param row the row
 * @param reason how it ended
 * @param rx its bytes from the backend
 * @param tx its bytes to the client
 * @param requests how many requests shared it over its life
 * @param endNanos when it ended, monotonic nanoseconds
 * @param orphanedRx RX received after every client of the row had left
 */
record Ended(
    Row row, EndReason reason, long rx, long tx, int requests, long endNanos, long orphanedRx) {

  EndedConnection toConnection() {
    return new EndedConnection(
        row.backend.name,
        row.sessionId,
        row.type,
        row.model,
        row.startedAt(),
        Duration.ofNanos(Math.max(0, endNanos - row.startedNanos)),
        row.firstByte(),
        rx,
        tx,
        Math.max(1, requests),
        reason,
        orphanedRx,
        row.firstContent(),
        row.eventsRx,
        row.eventsTx,
        row.maxEventGap());
  }
}
