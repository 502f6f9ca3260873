package dev.inflight.activity.internal;

import dev.inflight.activity.ActivityClock;

/**
 * A pair of readings of the monotonic and the wall clock, from which the wall time of a later
 * monotonic reading is derived: opening a row then reads one clock instead of two. The sweeper
 * compares the derived time with the wall clock and takes a new pair when they differ by more than
 * {@link #MAX_DRIFT_MILLIS} (the wall clock was stepped), so a row's shown start time is off by at
 * most that much, and exact while the wall clock runs evenly.
 *
 * @param nanos the monotonic reading
 * @param millis the wall-clock reading taken with it, epoch milliseconds
 */
record WallBase(long nanos, long millis) {
  static final long MAX_DRIFT_MILLIS = 1_000;

  static WallBase read(ActivityClock clock) {
    long n = clock.nanoTime();
    return new WallBase(n, clock.epochMillis());
  }

  long millisAt(long nowNanos) {
    return millis + Math.floorDiv(nowNanos - nanos, 1_000_000L);
  }
}
