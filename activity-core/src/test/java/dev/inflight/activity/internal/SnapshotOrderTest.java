package dev.inflight.activity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Snapshot rows come oldest first, ties by session id, whatever the spread of start times. */
class SnapshotOrderTest {

  /** Gaps between opens: none (ties), a millisecond, and years (forces coarse sort keys). */
  private static final long[] GAPS = {0L, 1_000_000L, 1L << 57};

  @Test
  void rowsAreOrderedByStartThenSessionId() {
    qt().withExamples(150)
        .forAll(lists().of(integers().between(0, 3 * 1000 - 1)).ofSizeBetween(0, 60))
        .checkAssert(
            steps -> {
              FakeClock clock = new FakeClock();
              try (ActivityTracker tracker =
                  ActivityTracker.create(
                      ActivitySettings.builder()
                          .enabled(true)
                          .sweepInterval(Duration.ZERO)
                          .maxConnections(1000)
                          .clock(clock)
                          .build())) {
                List<ActivityHandle> handles = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                  int step = steps.get(i);
                  clock.advance(Duration.ofNanos(GAPS[step % 3]));
                  // session names deliberately out of opening order
                  handles.add(
                      tracker.open(
                          "b", "s" + (step / 3) + "-" + i, ConnectionType.STREAMING, null));
                }
                List<ConnectionSnapshot> rows =
                    tracker.getBackendSnapshot("b").map(s -> s.connections()).orElse(List.of());

                assertThat(rows).hasSize(steps.size());
                // Longer duration = opened earlier; equal durations are ties.
                assertThat(rows)
                    .isSortedAccordingTo(
                        Comparator.comparing(ConnectionSnapshot::duration)
                            .reversed()
                            .thenComparing(ConnectionSnapshot::sessionId));
                handles.forEach(ActivityHandle::close);
              }
            });
  }

  @Test
  void manyRowsOpenedInOneInstantComeInSessionOrder() {
    FakeClock clock = new FakeClock();
    try (ActivityTracker tracker =
        ActivityTracker.create(
            ActivitySettings.builder()
                .enabled(true)
                .sweepInterval(Duration.ZERO)
                .clock(clock)
                .build())) {
      for (int i = 999; i >= 0; i--) {
        tracker.open("b", String.format("s%04d", i), ConnectionType.NON_STREAMING, null);
      }
      List<ConnectionSnapshot> rows = tracker.getBackendSnapshot("b").orElseThrow().connections();
      assertThat(rows).extracting(ConnectionSnapshot::sessionId).isSorted().hasSize(1000);
    }
  }
}
