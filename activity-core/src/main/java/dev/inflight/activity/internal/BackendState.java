package dev.inflight.activity.internal;

import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** One backend's active rows, keyed by session id, and its cumulative counters. */
@SuppressWarnings("EnumOrdinal") // EndReason's order is fixed: it indexes the counters
final class BackendState {
  final String name;
  final ConcurrentHashMap<String, Row> rows = new ConcurrentHashMap<>();

  /** Bytes of rows that ended; added when a row ends, never on the byte path. */
  final AtomicLong foldedRx = new AtomicLong();

  final AtomicLong foldedTx = new AtomicLong();

  /** Ended rows by {@link EndReason#ordinal()}. */
  final AtomicLongArray ended = new AtomicLongArray(EndReason.values().length);

  /** The largest cumulative values reported so far, so that reports never go down. */
  final AtomicLong reportedRx = new AtomicLong();

  final AtomicLong reportedTx = new AtomicLong();

  BackendState(String name) {
    this.name = name;
  }

  EndCounts endCounts() {
    return new EndCounts(
        ended.get(EndReason.COMPLETED.ordinal()),
        ended.get(EndReason.CLIENT_ABORTED.ordinal()),
        ended.get(EndReason.ERRORED.ordinal()),
        ended.get(EndReason.EVICTED.ordinal()));
  }
}
