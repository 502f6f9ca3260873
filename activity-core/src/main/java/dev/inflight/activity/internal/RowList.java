package dev.inflight.activity.internal;

import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * The rows of one backend's snapshot: every value read when the snapshot was taken, kept in
 * primitive arrays, and a {@link ConnectionSnapshot} built only when an element is asked for (then
 * kept). A snapshot read only for its counts or totals therefore builds no records. Immutable: the
 * mutators of {@link AbstractList} throw, and every element is fixed at construction.
 *
 * <p>Thread-safety: elements are built on demand without a lock; threads racing on one element may
 * each build it, with equal values, and records are safely published through their final fields.
 */
public final class RowList extends AbstractList<ConnectionSnapshot> implements RandomAccess {
  private static final long NO_FIRST_BYTE = -1;

  private final String backend;
  private final String[] sessions;
  private final ConnectionType[] types;
  private final @Nullable String[] models;
  private final long[] startedMillis;
  private final long[] durationNanos;
  private final long[] rx;
  private final long[] tx;
  private final int[] requests;
  private final long[] firstByteNanos;
  private final long[] idleNanos;
  private final @Nullable ConnectionSnapshot[] built;
  private final long totalRx;
  private final long totalTx;

  /**
   * Reads the rows in the given order.
   *
   * @param backend the backend's name
   * @param rows the rows, in any order
   * @param order the order to list them in: indexes into the arrays
   * @param rxs each row's RX as read
   * @param txs each row's TX as read
   * @param progress each row's last progress time, monotonic nanoseconds
   * @param now the snapshot's monotonic time
   */
  RowList(
      String backend, Row[] rows, int[] order, long[] rxs, long[] txs, long[] progress, long now) {
    int n = order.length;
    this.backend = backend;
    this.sessions = new String[n];
    this.types = new ConnectionType[n];
    this.models = new String[n];
    this.startedMillis = new long[n];
    this.durationNanos = new long[n];
    this.rx = new long[n];
    this.tx = new long[n];
    this.requests = new int[n];
    this.firstByteNanos = new long[n];
    this.idleNanos = new long[n];
    this.built = new ConnectionSnapshot[n];
    long sumRx = 0;
    long sumTx = 0;
    for (int i = 0; i < n; i++) {
      int k = order[i];
      Row row = rows[k];
      sessions[i] = row.sessionId;
      types[i] = row.type;
      models[i] = row.model;
      startedMillis[i] = row.startedEpochMillis;
      durationNanos[i] = Math.max(0, now - row.startedNanos);
      rx[i] = rxs[k];
      tx[i] = txs[k];
      sumRx += rxs[k];
      sumTx += txs[k];
      requests[i] = Math.max(1, row.requests);
      firstByteNanos[i] = row.firstByteNanos();
      idleNanos[i] = Math.max(0, now - progress[k]);
    }
    this.totalRx = sumRx;
    this.totalTx = sumTx;
  }

  @Override
  public ConnectionSnapshot get(int index) {
    ConnectionSnapshot c = built[index];
    if (c == null) {
      long first = firstByteNanos[index];
      c =
          new ConnectionSnapshot(
              backend,
              sessions[index],
              types[index],
              models[index],
              Instant.ofEpochMilli(startedMillis[index]),
              Duration.ofNanos(durationNanos[index]),
              rx[index],
              tx[index],
              requests[index],
              first == NO_FIRST_BYTE ? null : Duration.ofNanos(first),
              Duration.ofNanos(idleNanos[index]));
      built[index] = c;
    }
    return c;
  }

  @Override
  public int size() {
    return sessions.length;
  }

  /**
   * The sum of the rows' RX, without building them.
   *
   * @return bytes
   */
  public long totalRx() {
    return totalRx;
  }

  /**
   * The sum of the rows' TX, without building them.
   *
   * @return bytes
   */
  public long totalTx() {
    return totalTx;
  }

  /** The value {@link Row#firstByteNanos()} gives for a row without a first byte yet. */
  static long noFirstByte() {
    return NO_FIRST_BYTE;
  }
}
