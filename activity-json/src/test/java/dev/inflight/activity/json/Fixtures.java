package dev.inflight.activity.json;

import dev.inflight.activity.ActivityClock;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A tracker on a hand-driven clock, so rendered documents are reproducible. */
final class Fixtures {
  /** 2023-12-05T15:59:50.456Z, the seed's started_at. */
  static final long START_MILLIS = 1_701_791_990_456L;

  private Fixtures() {}

  static final class ManualClock implements ActivityClock {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong millis = new AtomicLong(START_MILLIS);

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
      millis.addAndGet(d.toMillis());
    }

    @Override
    public long nanoTime() {
      return nanos.get();
    }

    @Override
    public long epochMillis() {
      return millis.get();
    }
  }

  static ActivityTracker tracker(ManualClock clock) {
    return ActivityTracker.create(
        ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).clock(clock).build());
  }
}
