package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.GlobalSnapshot;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * A full snapshot ({@code getGlobalSnapshot()}, what the diagnostics endpoint renders) with {@code
 * rows} rows open over eight backends. Targets: 10,000 rows {@code <=} 0.5 ms, 100,000 {@code <=} 8
 * ms. Reported in ns/op like the rest; the results table converts to ms. Rows are spread over start
 * times by default (see {@link Rows#starts}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class SnapshotBenchmark {

  /** Trackers holding {@code rows} rows. */
  @State(Scope.Benchmark)
  public static class Rows {
    @Param({"100", "10000", "100000"})
    public int rows;

    /**
     * {@code spread}: rows opened one per millisecond (start times differ, as in a live proxy);
     * {@code burst}: all opened within the setup loop, so start times tie and the sort falls back
     * to comparing session ids.
     */
    @Param({"spread"})
    public String starts;

    ActivityTracker tracker;
    LockedMapTracker locked;

    @Setup(Level.Trial)
    public void setUp() {
      switch (starts) {
        case "spread" -> {
          Fixtures.StaggeredClock clock = new Fixtures.StaggeredClock();
          tracker = Fixtures.enabledTracker(rows, clock);
          Fixtures.fillStaggered(tracker, clock, rows);
        }
        case "burst" -> {
          tracker = Fixtures.enabledTracker(rows);
          Fixtures.fill(tracker, rows);
        }
        default -> throw new IllegalArgumentException("starts must be spread or burst: " + starts);
      }
      locked = new LockedMapTracker();
      Fixtures.fill(locked, rows);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      tracker.close();
    }
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  public void baseline() {}

  /**
   * The tracker's snapshot: every backend, every row's values, immutable. The rows' order and
   * records are made when first read (see {@link #globalSnapshotListed}).
   */
  @Benchmark
  public GlobalSnapshot globalSnapshot(Rows r) {
    return r.tracker.getGlobalSnapshot();
  }

  /**
   * The snapshot with every row read, as a renderer reads it: rows are sorted and their records
   * built on first access, so this is the whole cost of a snapshot that is listed.
   */
  @Benchmark
  public void globalSnapshotListed(Rows r, Blackhole bh) {
    for (BackendSnapshot b : r.tracker.getGlobalSnapshot().backends()) {
      for (ConnectionSnapshot c : b.connections()) {
        bh.consume(c);
      }
    }
  }

  /**
   * Alternative: the seed's copy under the lock (no grouping by backend, no sorting, so a lower
   * bound on what it would cost to render the same document).
   */
  @Benchmark
  public List<LockedMapTracker.RowView> lockedMapSnapshot(Rows r) {
    return r.locked.snapshot();
  }
}
