package dev.inflight.activity.benchmarks;

import com.codahale.metrics.Counter;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
 * Adding bytes to an open handle, one thread, next to the counters a user could use instead.
 *
 * <p>Target: {@link #handleAddRx} within 1.5x of {@link #atomicLongAddAndGet}, 0 B/op, and the same
 * cost at 1, 1,000 and 100,000 active rows (the other rows are opened in setup).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class UpdateBenchmark {

  /** The byte count added per call: a typical SSE chunk, read from a field so it is not folded. */
  @State(Scope.Thread)
  public static class Chunk {
    public long bytes = 512;
  }

  /** An enabled tracker with {@code activeRows} open rows, one of which the benchmark writes. */
  @State(Scope.Benchmark)
  public static class Tracked {
    @Param({"1", "1000", "100000"})
    public int activeRows;

    ActivityTracker tracker;
    ActivityHandle handle;
    RequestActivity request;

    @Setup(Level.Trial)
    public void setUp() {
      tracker = Fixtures.enabledTracker(activeRows);
      // activeRows - 1 others, plus the row written below
      Fixtures.fill(tracker, activeRows - 1);
      handle = tracker.open(Fixtures.BACKEND, "measured", ConnectionType.STREAMING, Fixtures.MODEL);
      request = tracker.beginRequest("measured-request");
      request.attach(Fixtures.BACKEND, Fixtures.MODEL, ConnectionType.STREAMING);
      if (tracker.activeConnections() != activeRows + 1) {
        throw new IllegalStateException(
            "expected " + (activeRows + 1) + " rows, got " + tracker.activeConnections());
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      handle.close();
      request.close();
      tracker.close();
    }
  }

  /** The seed's design with {@code activeRows} rows. */
  @State(Scope.Benchmark)
  public static class Locked {
    @Param({"1", "1000", "100000"})
    public int activeRows;

    LockedMapTracker tracker;
    LockedMapTracker.Key key;

    @Setup(Level.Trial)
    public void setUp() {
      tracker = new LockedMapTracker();
      Fixtures.fill(tracker, activeRows - 1);
      key = tracker.open(Fixtures.BACKEND, "measured", ConnectionType.STREAMING, Fixtures.MODEL);
    }
  }

  /** Plain counters, the floor a tracker cannot beat. */
  @State(Scope.Benchmark)
  public static class Counters {
    final AtomicLong atomicLong = new AtomicLong();
    final LongAdder longAdder = new LongAdder();
    final Counter dropwizard = new Counter();
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  public void baseline() {}

  /** The hot path: one chunk's bytes on an open handle. */
  @Benchmark
  public void handleAddRx(Tracked t, Chunk c) {
    t.handle.addRx(c.bytes);
  }

  /** The same through an attached {@link RequestActivity}, which is what adapters hand out. */
  @Benchmark
  public void requestActivityAddTx(Tracked t, Chunk c) {
    t.request.addTx(c.bytes);
  }

  /** Baseline: a bare {@link AtomicLong}. */
  @Benchmark
  public void atomicLongAddAndGet(Counters s, Chunk c) {
    s.atomicLong.addAndGet(c.bytes);
  }

  /** Baseline: a {@link LongAdder}. */
  @Benchmark
  public void longAdderAdd(Counters s, Chunk c) {
    s.longAdder.add(c.bytes);
  }

  /** Alternative: a Dropwizard metrics {@link Counter} (a LongAdder behind a call). */
  @Benchmark
  public void dropwizardCounterInc(Counters s, Chunk c) {
    s.dropwizard.inc(c.bytes);
  }

  /** Alternative: the seed's one lock around a map, looked up per update. */
  @Benchmark
  public void lockedMapAddRx(Locked s, Chunk c) {
    s.tracker.addRx(s.key, c.bytes);
  }
}
