package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Adding bytes from two threads at once: on distinct rows (they should scale: each row owns its
 * padded counters) and on one joined row (two requests of the same session: they contend on one
 * counter by design), next to a shared {@link AtomicLong}, per-thread ones, a shared {@link
 * LongAdder} and the seed's single lock.
 *
 * <p>Reported times are per operation and per thread: equal to the single-thread figure in {@link
 * UpdateBenchmark} means perfect scaling.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(2)
public class ConcurrentUpdateBenchmark {

  /** The tracker both threads write to, with {@code activeRows} rows open. */
  @State(Scope.Benchmark)
  public static class Tracked {
    @Param({"1", "1000", "100000"})
    public int activeRows;

    ActivityTracker tracker;
    ActivityHandle joinedFirst;
    final AtomicInteger threadIds = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      tracker = Fixtures.enabledTracker(activeRows);
      Fixtures.fill(tracker, activeRows - 1);
      // keeps the joined row open even between the threads' own opens
      joinedFirst =
          tracker.open(Fixtures.BACKEND, "joined", ConnectionType.STREAMING, Fixtures.MODEL);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      joinedFirst.close();
      tracker.close();
    }
  }

  /** Per thread: a handle on the thread's own row and one on the shared joined row. */
  @State(Scope.Thread)
  public static class PerThread {
    public long bytes = 512;
    ActivityHandle own;
    ActivityHandle joined;

    @Setup(Level.Trial)
    public void setUp(Tracked t) {
      int id = t.threadIds.getAndIncrement();
      own = t.tracker.open(Fixtures.BACKEND, "own-" + id, ConnectionType.STREAMING, Fixtures.MODEL);
      joined = t.tracker.open(Fixtures.BACKEND, "joined", ConnectionType.STREAMING, Fixtures.MODEL);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      own.close();
      joined.close();
    }
  }

  /** Shared plain counters. */
  @State(Scope.Benchmark)
  public static class Shared {
    final AtomicLong atomicLong = new AtomicLong();
    final LongAdder longAdder = new LongAdder();
    final LockedMapTracker locked = new LockedMapTracker();
    final AtomicInteger threadIds = new AtomicInteger();
  }

  /** Per thread: its own counter (JMH pads state objects) and its own row in the locked map. */
  @State(Scope.Thread)
  public static class PerThreadCounters {
    public long bytes = 512;
    final AtomicLong own = new AtomicLong();
    LockedMapTracker.Key lockedKey;

    @Setup(Level.Trial)
    public void setUp(Shared s) {
      lockedKey =
          s.locked.open(
              Fixtures.BACKEND,
              "own-" + s.threadIds.getAndIncrement(),
              ConnectionType.STREAMING,
              Fixtures.MODEL);
    }
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  public void baseline() {}

  /** Each thread adds to its own row: should cost what one thread alone costs. */
  @Benchmark
  public void handleDistinctRows(PerThread p) {
    p.own.addRx(p.bytes);
  }

  /** Both threads add to one joined row: contended by design, like a shared AtomicLong. */
  @Benchmark
  public void handleJoinedRow(PerThread p) {
    p.joined.addRx(p.bytes);
  }

  /** Baseline: each thread has its own AtomicLong (no sharing). */
  @Benchmark
  public void atomicLongPerThread(PerThreadCounters p) {
    p.own.addAndGet(p.bytes);
  }

  /** Baseline: both threads add to one AtomicLong (one contended cache line). */
  @Benchmark
  public void atomicLongShared(Shared s, PerThreadCounters p) {
    s.atomicLong.addAndGet(p.bytes);
  }

  /** Baseline: both threads add to one LongAdder (striped under contention). */
  @Benchmark
  public void longAdderShared(Shared s, PerThreadCounters p) {
    s.longAdder.add(p.bytes);
  }

  /** Alternative: the seed's single lock, each thread updating its own row. */
  @Benchmark
  public void lockedMapDistinctRows(Shared s, PerThreadCounters p) {
    s.locked.addRx(p.lockedKey, p.bytes);
  }
}
