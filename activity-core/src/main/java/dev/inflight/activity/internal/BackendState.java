package dev.inflight.activity.internal;

import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One backend's active rows, keyed by session id, and its cumulative counters.
 *
 * <p>What ended rows leave behind (their bytes and how they ended) is kept in one {@link Cell} per
 * stripe, written only under that stripe's lock, so threads ending rows of one backend in different
 * stripes never write the same cache line. Readers add the cells up without a lock.
 */
final class BackendState {
  final String name;
  final SessionTable rows;

  /** How many rows the last snapshot found: the size its next one starts with. Racy on purpose. */
  int rowsSeen;

  /** Per stripe: bytes and end counts of rows that ended. */
  private final Cell[] cells;

  /** The largest cumulative values reported so far, so that reports never go down. */
  final AtomicLong reportedRx = new AtomicLong();

  /** The highest RX-after-every-client-left total reported, so that it never goes back. */
  final AtomicLong reportedOrphanedRx = new AtomicLong();

  final AtomicLong reportedTx = new AtomicLong();

  BackendState(String name, int stripes, int cap) {
    this.name = name;
    this.rows = new SessionTable(cap);
    this.cells = new Cell[stripes];
    for (int i = 0; i < stripes; i++) {
      cells[i] = new Cell();
    }
  }

  /** Adds an ended row's values. Only under the lock of stripe {@code stripe}. */
  void fold(int stripe, long rx, long tx, EndReason reason, long orphanedRx) {
    cells[stripe].add(rx, tx, reason, orphanedRx);
  }

  /**
   * The sums over the cells: bytes of ended rows and the end counts.
   *
   * @return {rx, tx, completed, client_aborted, errored, evicted, RX received after every client
   *     left}
   */
  long[] folded() {
    long[] sum = new long[7];
    for (Cell c : cells) {
      sum[0] += c.rx;
      sum[1] += c.tx;
      sum[2] += c.completed;
      sum[3] += c.aborted;
      sum[4] += c.errored;
      sum[5] += c.evicted;
      sum[6] += c.orphanedRx;
    }
    return sum;
  }

  static EndCounts endCounts(long[] folded) {
    return new EndCounts(folded[2], folded[3], folded[4], folded[5]);
  }

  /** Padding before a cell's counters. */
  @SuppressWarnings("unused")
  abstract static class CellPad {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p08, p09, p10, p11, p12, p13, p14, p15;
  }

  /** Counters written only under one stripe's lock; volatile for the readers. */
  abstract static class CellFields extends CellPad {
    volatile long rx;
    volatile long tx;
    volatile long completed;
    volatile long aborted;
    volatile long errored;
    volatile long evicted;
    volatile long orphanedRx;
  }

  /** One stripe's counters of one backend, padded on both sides. */
  @SuppressWarnings("unused")
  static final class Cell extends CellFields {
    long q00, q01, q02, q03, q04, q05, q06, q07;
    long q08, q09, q10, q11, q12, q13, q14, q15;

    /**
     * One writer at a time (the stripe's lock), so read-then-write is enough: no atomic adds. Plain
     * volatile fields rather than VarHandles: this runs deep below the container's frames, where
     * the compiler may not inline a VarHandle, and a VarHandle chosen at run time (one per end
     * reason) is never inlined at all; each then cost a generic call in the server profile.
     */
    @SuppressWarnings("NonAtomicVolatileUpdate") // one writer: the stripe's lock
    void add(long r, long t, EndReason reason, long orphaned) {
      rx += r;
      tx += t;
      if (orphaned > 0) {
        orphanedRx += orphaned;
      }
      switch (reason) {
        case COMPLETED:
          completed++;
          break;
        case CLIENT_ABORTED:
          aborted++;
          break;
        case ERRORED:
          errored++;
          break;
        case EVICTED:
          evicted++;
          break;
        default:
          throw new AssertionError(reason);
      }
    }
  }
}
