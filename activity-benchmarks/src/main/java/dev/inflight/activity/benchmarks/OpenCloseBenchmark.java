package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
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
 * Opening and closing a row, once per proxied request. Targets: {@code <=} 1.5x the seed's design
 * on one thread, and at least 3x faster than it with two threads on distinct sessions.
 *
 * <p>{@link #openCloseNewRow} opens a session that has no row (the row is created and removed);
 * {@link #openCloseJoined} joins a row that stays open (only its request count moves). {@code
 * otherRows} rows are open meanwhile, so the maps are not trivially small.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class OpenCloseBenchmark {

  /** Session ids made up front so that string building is not measured. */
  private static final int SESSIONS = 4096;

  /** An enabled tracker with some rows open and a pool of session ids. */
  @State(Scope.Thread)
  public static class Tracked {
    @Param({"1000"})
    public int otherRows;

    ActivityTracker tracker;
    ActivityHandle held;
    LockedMapTracker locked;
    final String[] sessions = new String[SESSIONS];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      tracker = Fixtures.enabledTracker(otherRows);
      Fixtures.fill(tracker, otherRows);
      locked = new LockedMapTracker();
      Fixtures.fill(locked, otherRows);
      for (int i = 0; i < SESSIONS; i++) {
        sessions[i] = "session-" + Integer.toHexString(0x10000 + i * 7919);
      }
      held = tracker.open(Fixtures.BACKEND, "joined", ConnectionType.STREAMING, Fixtures.MODEL);
    }

    String nextSession() {
      String s = sessions[next];
      next = (next + 1) & (SESSIONS - 1);
      return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      int expected = otherRows + 1;
      if (tracker.activeConnections() != expected) {
        throw new IllegalStateException(
            "rows leaked: expected " + expected + ", got " + tracker.activeConnections());
      }
      held.close();
      tracker.close();
    }
  }

  /** One tracker and one seed-style map shared by the threads of the two-thread benchmarks. */
  @State(Scope.Benchmark)
  public static class Shared {
    @Param({"1000"})
    public int otherRows;

    ActivityTracker tracker;
    LockedMapTracker locked;

    @Setup(Level.Trial)
    public void setUp() {
      tracker = Fixtures.enabledTracker(otherRows);
      Fixtures.fill(tracker, otherRows);
      locked = new LockedMapTracker();
      Fixtures.fill(locked, otherRows);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      if (tracker.activeConnections() != otherRows) {
        throw new IllegalStateException(
            "rows leaked: expected " + otherRows + ", got " + tracker.activeConnections());
      }
      tracker.close();
    }
  }

  /** Each thread's own session ids, distinct from the other thread's. */
  @State(Scope.Thread)
  public static class ThreadSessions {
    private static final java.util.concurrent.atomic.AtomicInteger THREADS =
        new java.util.concurrent.atomic.AtomicInteger();

    final String[] sessions = new String[SESSIONS];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      int thread = THREADS.incrementAndGet();
      for (int i = 0; i < SESSIONS; i++) {
        sessions[i] = "t" + thread + "-session-" + Integer.toHexString(0x10000 + i * 7919);
      }
    }

    String nextSession() {
      String s = sessions[next];
      next = (next + 1) & (SESSIONS - 1);
      return s;
    }
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  public void baseline() {}

  /** A new row: created by the open, removed by the close. */
  @Benchmark
  public void openCloseNewRow(Tracked t) {
    t.tracker
        .open(Fixtures.BACKEND, t.nextSession(), ConnectionType.STREAMING, Fixtures.MODEL)
        .close();
  }

  /** A second request of an open session: joins the row, then leaves it. */
  @Benchmark
  public void openCloseJoined(Tracked t) {
    t.tracker.open(Fixtures.BACKEND, "joined", ConnectionType.STREAMING, Fixtures.MODEL).close();
  }

  /** The adapter's path: begin a request, attach it to a new row, end it. */
  @Benchmark
  public void beginAttachEnd(Tracked t) {
    RequestActivity r = t.tracker.beginRequest(t.nextSession());
    r.attach(Fixtures.BACKEND, Fixtures.MODEL, ConnectionType.STREAMING);
    r.close();
  }

  /** Two threads, each opening and closing new rows of its own sessions in one tracker. */
  @Benchmark
  @Threads(2)
  public void openCloseNewRowTwoThreads(Shared shared, ThreadSessions t) {
    shared
        .tracker
        .open(Fixtures.BACKEND, t.nextSession(), ConnectionType.STREAMING, Fixtures.MODEL)
        .close();
  }

  /** The seed's design with two threads on distinct sessions: both contend for its one lock. */
  @Benchmark
  @Threads(2)
  public void lockedMapOpenCloseTwoThreads(Shared shared, ThreadSessions t) {
    shared.locked.close(
        shared.locked.open(
            Fixtures.BACKEND, t.nextSession(), ConnectionType.STREAMING, Fixtures.MODEL));
  }

  /** Alternative: the seed's design, a put and a remove under one lock. */
  @Benchmark
  public void lockedMapOpenClose(Tracked t) {
    t.locked.close(
        t.locked.open(Fixtures.BACKEND, t.nextSession(), ConnectionType.STREAMING, Fixtures.MODEL));
  }
}
