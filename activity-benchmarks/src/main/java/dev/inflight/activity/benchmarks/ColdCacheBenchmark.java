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
 * A request's tracking as a server runs it: with its caches filled by other work in between. In a
 * server, some hundred microseconds of the container's own work separate one request's tracking
 * from the next, so the tracker's objects (its tables, its stripe, the rows next to the new one in
 * its list, its counters) are no longer in the core's first two cache levels when a request opens
 * or ends its row. {@link OpenCloseBenchmark} runs the same calls back to back on one tracker, with
 * every line at hand, and so reads a fraction of what they cost in a server.
 *
 * <p>Here each operation takes the next of {@code trackers} trackers, round robin: with 4,096 of
 * them, a tracker's lines were last touched 4,095 operations earlier, some megabytes of other
 * trackers' lines ago, more than this machine's L2 of 1 MiB holds, so they come from the shared
 * cache. With 1 tracker it is the warm reading of the same code. Not everything a request touches
 * goes cold this way: what all trackers share (the classes' constants, the thread's own objects)
 * stays at hand, so the cold reading is a lower bound for a server's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class ColdCacheBenchmark {

  /** Events in {@link #request}: the benchmark servers' stream, 64 events of 256 bytes. */
  private static final int EVENTS = 64;

  /** Rows open in each tracker, over its backends, so that its tables are not empty. */
  private static final int ROWS_PER_TRACKER = 16;

  /** Enabled trackers with a few rows open each, as many seed-style maps, an SSE event. */
  @State(Scope.Thread)
  public static class Server {
    @Param({"1", "4096"})
    public int trackers;

    ActivityTracker[] tracked;
    LockedMapTracker[] locked;
    byte[] event;
    final String[] sessions = new String[4096];
    int next;
    int nextSession;

    @Setup(Level.Trial)
    public void setUp() {
      tracked = new ActivityTracker[trackers];
      locked = new LockedMapTracker[trackers];
      for (int i = 0; i < trackers; i++) {
        tracked[i] = Fixtures.enabledTracker(ROWS_PER_TRACKER);
        Fixtures.fill(tracked[i], ROWS_PER_TRACKER);
        locked[i] = new LockedMapTracker();
        Fixtures.fill(locked[i], ROWS_PER_TRACKER);
      }
      event = EndToEndBenchmark.sseEvent(256);
      for (int i = 0; i < sessions.length; i++) {
        sessions[i] = "session-" + Integer.toHexString(0x10000 + i * 7919);
      }
    }

    /** The next tracker, round robin. */
    int nextIndex() {
      int i = next;
      next = i + 1 == trackers ? 0 : i + 1;
      return i;
    }

    /** Session ids made up front, so that the seed's benchmark measures no string building. */
    String nextSession() {
      String id = sessions[nextSession];
      nextSession = (nextSession + 1) & (sessions.length - 1);
      return id;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      for (ActivityTracker t : tracked) {
        if (t.activeConnections() != ROWS_PER_TRACKER) {
          throw new IllegalStateException(
              "rows leaked: expected " + ROWS_PER_TRACKER + ", got " + t.activeConnections());
        }
        t.close();
      }
    }
  }

  /** Only the choice of the next tracker: the cost of the benchmark loop itself. */
  @Benchmark
  public int baseline(Server s) {
    return s.nextIndex();
  }

  /**
   * The adapter's path, once per request: begin a request that carries no session id (so one is
   * generated), attach it to a new streaming row, end it.
   */
  @Benchmark
  public void beginAttachEnd(Server s) {
    RequestActivity r = s.tracked[s.nextIndex()].beginRequest(null);
    r.attach(Fixtures.BACKEND, Fixtures.MODEL, ConnectionType.STREAMING);
    r.close();
  }

  /**
   * A whole request of the benchmark servers: {@link #beginAttachEnd} with 64 events of 256 bytes
   * read from the backend (RX, each chunk read as server-sent events) and written to the client
   * (TX) in between.
   */
  @Benchmark
  public void request(Server s) {
    RequestActivity r = s.tracked[s.nextIndex()].beginRequest(null);
    ActivityHandle h = r.attach(Fixtures.BACKEND, Fixtures.MODEL, ConnectionType.STREAMING);
    byte[] e = s.event;
    for (int i = 0; i < EVENTS; i++) {
      h.addRx(e, 0, e.length);
      h.addTx(e.length);
    }
    r.close();
  }

  /** The seed's design for {@link #beginAttachEnd}: a put and a remove under one lock. */
  @Benchmark
  public void lockedMapOpenClose(Server s) {
    LockedMapTracker m = s.locked[s.nextIndex()];
    m.close(m.open(Fixtures.BACKEND, s.nextSession(), ConnectionType.STREAMING, Fixtures.MODEL));
  }
}
