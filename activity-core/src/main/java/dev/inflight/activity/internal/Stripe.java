package dev.inflight.activity.internal;

import org.jspecify.annotations.Nullable;

/** Padding before a stripe's fields, so that two stripes never share a cache line. */
@SuppressWarnings("unused")
abstract class StripePadBefore {
  long p00, p01, p02, p03, p04, p05, p06, p07;
  long p08, p09, p10, p11, p12, p13, p14, p15;
}

/** A stripe's fields. */
abstract class StripeFields extends StripePadBefore {
  /** The row the clock hand visits next; guarded by the stripe's monitor. */
  @Nullable Row head;

  /** The row the clock hand visits last; guarded by the stripe's monitor. */
  @Nullable Row tail;

  /** Rows in this stripe; written under the monitor, read without it to count all rows. */
  volatile int size;
}

/**
 * One stripe of the rows: an intrusive list in the clock hand's order, the oldest visit first.
 *
 * <p>Rows are linked into the stripe of the thread that opened them, so threads opening rows at the
 * same time mostly take different monitors. Every method runs under the stripe's monitor; callers
 * may hold a row's map lock while taking it, never the other way round (the hand picks a victim
 * under the monitor, lets go, and only then evicts it).
 */
@SuppressWarnings("unused")
final class Stripe extends StripeFields {
  long q00, q01, q02, q03, q04, q05, q06, q07;
  long q08, q09, q10, q11, q12, q13, q14, q15;

  /** This stripe's place in the registry's array, and its counters' place in each backend. */
  final int index;

  /** The most recently ended rows of this stripe, or null when the ring is off. */
  private final @Nullable Ended @Nullable [] recent;

  /** Guarded by the monitor: how many rows ended into {@link #recent} so far. */
  private long recentCount;

  Stripe(int index, int recentCapacity) {
    this.index = index;
    this.recent = recentCapacity > 0 ? new Ended[recentCapacity] : null;
  }

  /** Appends a new row at the hand's far end. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // under the monitor; volatile for readers
  synchronized void link(Row row) {
    append(row);
    size++;
  }

  /** Unlinks a row that never became visible: its session was opened by another thread first. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // under the monitor; volatile for readers
  synchronized void unlink(Row row) {
    if (row.linked) {
      detach(row);
      row.linked = false;
      size--;
    }
  }

  /**
   * Ends a sealed row: unlinks it, folds its final values into its backend's counters for this
   * stripe and keeps it among the recently ended rows. One monitor for all three, so that ending a
   * row writes no line shared with threads of other stripes.
   */
  @SuppressWarnings("NonAtomicVolatileUpdate") // under the monitor; volatile for readers
  synchronized void end(Row row, Ended ended) {
    // Folded and kept first, counted out last: a reader that sees the row count drop (a volatile
    // read of size) then also sees its bytes, end count and ring entry.
    row.backend.fold(index, ended.rx(), ended.tx(), ended.reason());
    @Nullable Ended[] ring = recent;
    if (ring != null) {
      ring[(int) (recentCount++ % ring.length)] = ended;
    }
    if (row.linked) {
      detach(row);
      row.linked = false;
      size--;
    }
  }

  /**
   * Adds this stripe's recently ended rows to {@code into}, newest first.
   *
   * @param into where to add them
   */
  synchronized void addRecent(java.util.List<Ended> into) {
    @Nullable Ended[] ring = recent;
    if (ring == null) {
      return;
    }
    // newest first, so that a stable sort by end time keeps this order among equal times
    long first = Math.max(0, recentCount - ring.length);
    for (long i = recentCount - 1; i >= first; i--) {
      Ended e = ring[(int) (i % ring.length)];
      if (e != null) {
        into.add(e);
      }
    }
  }

  /**
   * Moves the clock hand until it finds a row with no activity since its last visit, or has visited
   * every row once. A row with activity gets a second chance: its mark is refreshed and it goes to
   * the far end. Rows that ended but are not unlinked yet are passed over the same way.
   *
   * @return the first row without activity since the hand last passed it, or null if none
   */
  synchronized @Nullable Row pickIdle() {
    for (int visited = 0, n = size; visited < n; visited++) {
      Row row = head;
      if (row == null) {
        return null;
      }
      long activity = row.activity();
      boolean idle = activity >= 0 && activity == row.handMark;
      row.handMark = activity;
      if (row != tail) { // also the picked row: if its eviction misses, the next pick moves on
        detach(row);
        append(row);
      }
      if (idle) {
        return row;
      }
    }
    return null;
  }

  /**
   * The row the hand would visit first, for when no row is idle.
   *
   * @return the head, or null if the stripe is empty
   */
  synchronized @Nullable Row first() {
    return head;
  }

  private void append(Row row) {
    Row last = tail;
    row.prev = last;
    row.next = null;
    if (last == null) {
      head = row;
    } else {
      last.next = row;
    }
    tail = row;
    row.linked = true;
  }

  private void detach(Row row) {
    Row p = row.prev;
    Row n = row.next;
    if (p == null) {
      head = n;
    } else {
      p.next = n;
    }
    if (n == null) {
      tail = p;
    } else {
      n.prev = p;
    }
    row.prev = null;
    row.next = null;
  }
}
