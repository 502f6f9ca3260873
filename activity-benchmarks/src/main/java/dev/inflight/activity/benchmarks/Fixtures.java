package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityClock;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import java.time.Duration;

/** Trackers and filler rows shared by the benchmarks. */
final class Fixtures {
  /** Backends the filler rows are spread over, like a proxy with a handful of providers. */
  static final int BACKENDS = 8;

  /** The backend of the rows a benchmark writes to. */
  static final String BACKEND = "openai.1";

  static final String MODEL = "gpt-4";

  private Fixtures() {}

  /**
   * An enabled tracker with no sweeper thread (nothing runs in the background while measuring) and
   * a cap large enough for every row a benchmark opens.
   */
  static ActivityTracker enabledTracker(int rows) {
    return enabledTracker(rows, ActivityClock.system());
  }

  /** Like {@link #enabledTracker(int)}, counting server-sent events or not. */
  static ActivityTracker enabledTracker(int rows, boolean countEvents) {
    return enabledTracker(rows, ActivityClock.system(), countEvents);
  }

  /** Like {@link #enabledTracker(int)}, on the given clock. */
  static ActivityTracker enabledTracker(int rows, ActivityClock clock) {
    return enabledTracker(rows, clock, false);
  }

  private static ActivityTracker enabledTracker(int rows, ActivityClock clock, boolean events) {
    return ActivityTracker.create(
        ActivitySettings.builder()
            .enabled(true)
            .countEvents(events)
            .clock(clock)
            .sweepInterval(Duration.ZERO)
            .staleTimeout(Duration.ofHours(1))
            .maxConnections(Math.max(ActivitySettings.DEFAULT_MAX_CONNECTIONS, rows + 1_000))
            .build());
  }

  /** Opens {@code rows} rows spread over {@link #BACKENDS} backends; they stay open. */
  static void fill(ActivityTracker tracker, int rows) {
    for (int i = 0; i < rows; i++) {
      tracker
          .open(backendName(i), "filler-" + i, ConnectionType.STREAMING, MODEL)
          .addRx(1 + (i & 1023));
    }
  }

  /**
   * Opens {@code rows} rows as if they had been opened one per millisecond over the last {@code
   * rows} milliseconds, as rows of a live proxy are, instead of all within the same millisecond of
   * the setup loop (which would make every start time equal).
   */
  static void fillStaggered(ActivityTracker tracker, StaggeredClock clock, int rows) {
    for (int i = 0; i < rows; i++) {
      clock.shiftMillis = (long) rows - i;
      tracker
          .open(backendName(i), "filler-" + i, ConnectionType.STREAMING, MODEL)
          .addRx(1 + (i & 1023));
    }
    clock.shiftMillis = 0;
  }

  /** The system clock, shifted into the past while rows are being opened in setup. */
  static final class StaggeredClock implements ActivityClock {
    volatile long shiftMillis;

    @Override
    public long nanoTime() {
      return System.nanoTime() - shiftMillis * 1_000_000L;
    }

    @Override
    public long epochMillis() {
      return System.currentTimeMillis() - shiftMillis;
    }
  }

  /** Opens {@code rows} rows in the seed-style tracker, spread like {@link #fill}. */
  static void fill(LockedMapTracker tracker, int rows) {
    for (int i = 0; i < rows; i++) {
      LockedMapTracker.Key key =
          tracker.open(backendName(i), "filler-" + i, ConnectionType.STREAMING, MODEL);
      tracker.addRx(key, 1 + (i & 1023));
    }
  }

  static String backendName(int i) {
    return "backend." + (i % BACKENDS);
  }
}
