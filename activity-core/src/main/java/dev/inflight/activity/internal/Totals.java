package dev.inflight.activity.internal;

import dev.inflight.activity.BackendTotals;

/** Reads a backend's totals without building its rows: one pass over the row counters. */
final class Totals {
  private Totals() {}

  /**
   * Active rows and requests, cumulative bytes and end counts of one backend. Like a snapshot, it
   * reads the folded totals before the rows (a row ending meanwhile is missed, never doubled) and
   * reports cumulative bytes through the same never-decreasing marks.
   */
  static BackendTotals read(BackendState b) {
    long[] folded = b.folded();
    long foldedRx = folded[0];
    long foldedTx = folded[1];
    var ended = BackendState.endCounts(folded);
    int rows = 0;
    int requests = 0;
    long activeRx = 0;
    long activeTx = 0;
    for (Row row : b.rows) {
      long rx = row.rx;
      long tx = row.tx;
      if (rx < 0 || tx < 0) {
        continue; // ended while we looked
      }
      rows++;
      requests += Math.max(1, row.requests);
      activeRx += rx;
      activeTx += tx;
    }
    long cumRx = b.reportedRx.accumulateAndGet(foldedRx + activeRx, Math::max);
    long cumTx = b.reportedTx.accumulateAndGet(foldedTx + activeTx, Math::max);
    return new BackendTotals(b.name, rows, requests, cumRx, cumTx, ended);
  }
}
