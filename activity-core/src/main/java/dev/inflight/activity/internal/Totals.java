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
  static BackendTotals read(BackendState b, long now, long stallNanos) {
    long[] folded = b.folded();
    long foldedRx = folded[0];
    long foldedTx = folded[1];
    var ended = BackendState.endCounts(folded);
    int rows = 0;
    int requests = 0;
    long activeRx = 0;
    long activeTx = 0;
    int stalled = 0;
    int orphaned = 0;
    long orphanedRx = 0;
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
      if (now - row.observeContent(rx - row.rxComments, now) >= stallNanos) {
        stalled++;
      }
      long sinceOrphaned = row.rxSinceOrphaned(rx);
      if (sinceOrphaned != Row.NOT_ORPHANED) {
        orphaned++;
        orphanedRx += sinceOrphaned;
      }
    }
    long cumRx = b.reportedRx.accumulateAndGet(foldedRx + activeRx, Math::max);
    long cumTx = b.reportedTx.accumulateAndGet(foldedTx + activeTx, Math::max);
    long cumOrphanedRx = b.reportedOrphanedRx.accumulateAndGet(folded[6] + orphanedRx, Math::max);
    return new BackendTotals(
        b.name, rows, requests, cumRx, cumTx, ended, stalled, orphaned, cumOrphanedRx);
  }
}
