package dev.inflight.activity.benchmarks;

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
   * An enabled tracker with no sweeper thread (nothing runs in the background while measuring)
   * and a cap large enough for every row a benchmark opens.
   */
  static ActivityTracker enabledTracker(int rows) {
    return ActivityTracker.create(
        ActivitySettings.builder()
            .enabled(true)
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
