package dev.inflight.activity.internal;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/** Padding before a stripe's fields, so that no other object's line holds any of them. */
@SuppressWarnings("unused")
abstract class StripePadBefore {
  long p00, p01, p02, p03, p04, p05, p06, p07;
  long p08, p09, p10, p11, p12, p13, p14, p15;

  /** Takes the gap after the object header, which the JVM would otherwise fill with a field. */
  int gap;
}

/**
 * A stripe's fields, every one of them between the two paddings: the ones written on every open and
 * close, and the ones read with them.
 */
abstract class StripeFields extends StripePadBefore {
  /** 1 while a thread holds the stripe (see {@link Stripe#lock()}), else 0. */
  volatile int lock;

  /** The row the clock hand visits next; guarded by the stripe's lock. */
  @Nullable Row head;

  /** The row the clock hand visits last; guarded by the stripe's lock. */
  @Nullable Row tail;

  /** Rows in this stripe; written under the lock, read without it to count all rows. */
  volatile int size;

  /**
   * Guarded by the lock: rows linked less rows unlinked since this stripe last added them to the
   * registry's {@link RowCount}; always less than its batch either way.
   */
  int unpublished;

  /** Guarded by the lock: how many rows ended into {@link #recent} so far. */
  long recentCount;

  /** This stripe's place in the registry's array, and its counters' place in each backend. */
  final int index;

  /** The registry's count, to which this stripe publishes its linked and unlinked rows. */
  final RowCount count;

  /**
   * The most recently ended rows of this stripe, from {@link Stripe#RING_PAD} on, or null when the
   * ring is off.
   */
  final @Nullable Ended @Nullable [] recent;

  /** How many rows {@link #recent} keeps. */
  final int recentCapacity;

  StripeFields(int index, int recentCapacity, RowCount count) {
    this.index = index;
    this.count = count;
    this.recentCapacity = recentCapacity;
    // Slots before and after the ring that are never written: its first and last lines are shared
    // with whatever lies next to the array, which other threads may read.
    this.recent = recentCapacity > 0 ? new Ended[recentCapacity + 2 * Stripe.RING_PAD] : null;
  }
}

/**
 * One stripe of the rows: an intrusive list in the clock hand's order, the oldest visit first.
 *
 * <p>Rows are linked into the stripe of the thread that opened them, so threads opening rows at the
 * same time mostly take different locks. Every method runs under the stripe's lock; callers may
 * hold a row's bin lock while taking it, never the other way round (the hand picks a victim under
 * the lock, lets go, and only then evicts it).
 *
 * <p>The lock is a word among the padded fields rather than the object's monitor: a monitor is
 * taken by writing the object's header, whose cache line also holds the end of whatever object lies
 * before the stripe in memory (after a collection, any object at all), so that every open and close
 * would write a line that other threads may be reading. It is held for a few writes at a time
 * (longer only while the clock hand moves), so a thread that finds it taken spins briefly, then
 * parks for short whiles until it is free.
 */
@SuppressWarnings("unused")
final class Stripe extends StripeFields {
  long q00, q01, q02, q03, q04, q05, q06, q07;
  long q08, q09, q10, q11, q12, q13, q14, q15;

  /** Unused slots at each end of the ring. */
  static final int RING_PAD = 16;

  // A field updater rather than a VarHandle: see Row's counters.
  private static final AtomicIntegerFieldUpdater<StripeFields> LOCK =
      AtomicIntegerFieldUpdater.newUpdater(StripeFields.class, "lock");

  Stripe(int index, int recentCapacity, RowCount count) {
    super(index, recentCapacity, count);
  }

  /** Takes the stripe's lock. Not reentrant. */
  void lock() {
    if (!LOCK.compareAndSet(this, 0, 1)) {
      lockContended();
    }
  }

  private void lockContended() {
    for (int tries = 0; ; tries++) {
      if (lock == 0 && LOCK.compareAndSet(this, 0, 1)) {
        return;
      }
      if (tries < 100) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(this, 10_000L);
      }
    }
  }

  /** Lets go of the stripe's lock. */
  void unlock() {
    LOCK.lazySet(this, 0); // a release store
  }

  /** Appends a new row at the hand's far end. */
  void link(Row row) {
    lock();
    try {
      append(row);
      counted(1);
    } finally {
      unlock();
    }
  }

  /** Unlinks a row that never became visible: its session was opened by another thread first. */
  void unlink(Row row) {
    lock();
    try {
      if (row.linked) {
        detach(row);
        row.linked = false;
        counted(-1);
      }
    } finally {
      unlock();
    }
  }

  /**
   * Ends a sealed row: unlinks it, folds its final values into its backend's counters for this
   * stripe and keeps it among the recently ended rows. One lock for all three, so that ending a row
   * writes no line shared with threads of other stripes.
   */
  void end(Row row, Ended ended) {
    lock();
    try {
      // Folded and kept first, counted out last: a reader that sees the row count drop (a volatile
      // read of size) then also sees its bytes, end count and ring entry.
      row.backend.fold(index, ended.rx(), ended.tx(), ended.reason(), ended.orphanedRx());
      @Nullable Ended[] ring = recent;
      if (ring != null) {
        ring[RING_PAD + (int) (recentCount++ % recentCapacity)] = ended;
      }
      if (row.linked) {
        detach(row);
        row.linked = false;
        counted(-1);
      }
    } finally {
      unlock();
    }
  }

  /**
   * Adds this stripe's recently ended rows to {@code into}, newest first.
   *
   * @param into where to add them
   */
  void addRecent(java.util.List<Ended> into) {
    @Nullable Ended[] ring = recent;
    if (ring == null) {
      return;
    }
    lock();
    try {
      // newest first, so that a stable sort by end time keeps this order among equal times
      long first = Math.max(0, recentCount - recentCapacity);
      for (long i = recentCount - 1; i >= first; i--) {
        Ended e = ring[RING_PAD + (int) (i % recentCapacity)];
        if (e != null) {
          into.add(e);
        }
      }
    } finally {
      unlock();
    }
  }

  /**
   * Moves the clock hand until it finds a row with no activity since its last visit, or has visited
   * every row once. A row with activity gets a second chance: its mark is refreshed and it goes to
   * the far end. Rows that ended but are not unlinked yet are passed over the same way.
   *
   * @return the first row without activity since the hand last passed it, or null if none
   */
  @Nullable Row pickIdle() {
    lock();
    try {
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
    } finally {
      unlock();
    }
  }

  /**
   * The row the hand would visit first, for when no row is idle.
   *
   * @return the head, or null if the stripe is empty
   */
  @Nullable Row first() {
    lock();
    try {
      return head;
    } finally {
      unlock();
    }
  }

  /**
   * Counts a row linked (+1) or unlinked (-1): in {@link #size} at once, and in the registry's
   * count once a batch of them has gathered, so that a stripe's rows coming and going one at a time
   * write no line other stripes read.
   */
  @SuppressWarnings("NonAtomicVolatileUpdate") // under the lock; volatile for readers
  private void counted(int delta) {
    size += delta;
    int u = unpublished + delta;
    if (u >= count.batch || u <= -count.batch) {
      count.publish(u);
      u = 0;
    }
    unpublished = u;
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
