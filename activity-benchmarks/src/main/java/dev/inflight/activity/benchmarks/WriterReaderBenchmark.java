package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.GlobalSnapshot;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * A writer adding bytes while a reader snapshots in a loop, against the same writer alone. Target:
 * the writer slowed by at most 10%. The seed's single lock is measured the same way.
 *
 * <p>Compare {@code writerWithReader:writer} with {@code writerAlone}: on a 2-core machine the
 * group uses both cores (one writer, one reader), the lone writer one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class WriterReaderBenchmark {

  /** A tracker with {@code rows} rows open, one of which the writer writes. */
  @State(Scope.Benchmark)
  public static class Tracked {
    @Param({"1000", "10000"})
    public int rows;

    public long bytes = 512;
    ActivityTracker tracker;
    ActivityHandle handle;
    LockedMapTracker locked;
    LockedMapTracker.Key lockedKey;

    @Setup(Level.Trial)
    public void setUp() {
      Fixtures.StaggeredClock clock = new Fixtures.StaggeredClock();
      tracker = Fixtures.enabledTracker(rows, clock);
      Fixtures.fillStaggered(tracker, clock, rows - 1);
      handle = tracker.open(Fixtures.BACKEND, "written", ConnectionType.STREAMING, Fixtures.MODEL);
      locked = new LockedMapTracker();
      Fixtures.fill(locked, rows - 1);
      lockedKey =
          locked.open(Fixtures.BACKEND, "written", ConnectionType.STREAMING, Fixtures.MODEL);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      handle.close();
      tracker.close();
    }
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  @Threads(1)
  public void baseline() {}

  /** The writer with nobody reading. */
  @Benchmark
  @Threads(1)
  public void writerAlone(Tracked t) {
    t.handle.addRx(t.bytes);
  }

  /** The writer while {@link #reader} snapshots. */
  @Benchmark
  @Group("writerWithReader")
  @GroupThreads(1)
  public void writer(Tracked t) {
    t.handle.addRx(t.bytes);
  }

  /** The reader: a full snapshot in a loop. */
  @Benchmark
  @Group("writerWithReader")
  @GroupThreads(1)
  public GlobalSnapshot reader(Tracked t) {
    return t.tracker.getGlobalSnapshot();
  }

  /** The seed's design: the writer with nobody reading. */
  @Benchmark
  @Threads(1)
  public void lockedMapWriterAlone(Tracked t) {
    t.locked.addRx(t.lockedKey, t.bytes);
  }

  /** The seed's design: the writer while the reader copies under the same lock. */
  @Benchmark
  @Group("lockedMapWithReader")
  @GroupThreads(1)
  public void lockedMapWriter(Tracked t) {
    t.locked.addRx(t.lockedKey, t.bytes);
  }

  /** The seed's design: the reader copying under the lock in a loop. */
  @Benchmark
  @Group("lockedMapWithReader")
  @GroupThreads(1)
  public List<LockedMapTracker.RowView> lockedMapReader(Tracked t) {
    return t.locked.snapshot();
  }
}
