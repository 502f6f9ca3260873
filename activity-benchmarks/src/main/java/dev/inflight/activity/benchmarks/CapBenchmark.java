package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opening rows when the tracker sits at its cap, against the same work below the cap. Targets:
 * at-cap {@code <=} 2x below-cap; a 100,000 cap within 1.2x of a 1,000 cap (never a scan of all
 * rows).
 *
 * <p>Both benchmarks create one row and end one row per operation, and give the new row a few
 * bytes, as a request that got its answer: {@link #openAtCap} opens a new session on a full
 * tracker, so the cap evicts an idle row (the new rows stay open and become the idle rows the next
 * operations evict, each after its second chance); {@link #openCloseBelowCap} opens and closes a
 * new session on a tracker holding as many rows, with room to spare.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class CapBenchmark {

  /** A full tracker and a tracker with room, each holding {@code cap} rows. */
  @State(Scope.Thread)
  public static class Trackers {
    @Param({"1000", "10000", "100000"})
    public int cap;

    ActivityTracker full;
    ActivityTracker roomy;
    String[] sessions;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      full = tracker(cap);
      roomy = tracker(cap * 2);
      Fixtures.fill(full, cap);
      Fixtures.fill(roomy, cap);
      // More ids than rows: an id comes back only long after the cap evicted its previous row.
      sessions = new String[Integer.highestOneBit(cap * 4)];
      for (int i = 0; i < sessions.length; i++) {
        sessions[i] = "session-" + Integer.toHexString(0x100000 + i);
      }
    }

    private static ActivityTracker tracker(int max) {
      return ActivityTracker.create(
          ActivitySettings.builder()
              .enabled(true)
              .sweepInterval(Duration.ZERO)
              .staleTimeout(Duration.ofHours(1))
              .maxConnections(max)
              .build());
    }

    String nextSession() {
      String s = sessions[next];
      next = (next + 1) & (sessions.length - 1);
      return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      if (full.activeConnections() != cap || roomy.activeConnections() != cap) {
        throw new IllegalStateException(
            "expected "
                + cap
                + " rows in each tracker, got "
                + full.activeConnections()
                + " and "
                + roomy.activeConnections());
      }
      full.close();
      roomy.close();
    }
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  public void baseline() {}

  /** A new row on a full tracker: the cap evicts an idle row to make room. */
  @Benchmark
  public void openAtCap(Trackers t) {
    t.full
        .open(Fixtures.BACKEND, t.nextSession(), ConnectionType.STREAMING, Fixtures.MODEL)
        .addRx(64);
  }

  /** The same row below the cap: opened, given its bytes, closed. */
  @Benchmark
  public void openCloseBelowCap(Trackers t) {
    var h =
        t.roomy.open(Fixtures.BACKEND, t.nextSession(), ConnectionType.STREAMING, Fixtures.MODEL);
    h.addRx(64);
    h.close();
  }
}
