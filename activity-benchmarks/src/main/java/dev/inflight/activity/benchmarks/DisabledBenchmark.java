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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The disabled path (the default): what an application pays for the tracker being present but off.
 * Target: within 0.5 ns of {@link #baseline()}, 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class DisabledBenchmark {

  /** Handles obtained from the disabled tracker, as an adapter would hold them. */
  @State(Scope.Thread)
  public static class Disabled {
    public long bytes = 512;
    public String sessionId = "abc123";
    ActivityTracker tracker;
    ActivityHandle handle;
    RequestActivity request;

    @Setup(Level.Trial)
    public void setUp() {
      tracker = ActivityTracker.disabled();
      handle = tracker.open(Fixtures.BACKEND, sessionId, ConnectionType.STREAMING, Fixtures.MODEL);
      request = RequestActivity.disabled();
    }
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  public void baseline() {}

  /** A byte update on the handle a disabled tracker returns. */
  @Benchmark
  public void noopHandleAddRx(Disabled d) {
    d.handle.addRx(d.bytes);
  }

  /** A byte update on the disabled request activity adapters hand out when tracking is off. */
  @Benchmark
  public void disabledRequestAddTx(Disabled d) {
    d.request.addTx(d.bytes);
  }

  /** What a proxy does per request when tracking is off: open, count, close. */
  @Benchmark
  public void disabledOpenAddClose(Disabled d) {
    try (ActivityHandle h =
        d.tracker.open(Fixtures.BACKEND, d.sessionId, ConnectionType.STREAMING, Fixtures.MODEL)) {
      h.addRx(d.bytes);
    }
  }

  /** What an adapter does per request when tracking is off: check, begin, attach, end. */
  @Benchmark
  public void disabledBeginAttachEnd(Disabled d) {
    RequestActivity r = d.tracker.beginRequest(d.sessionId);
    r.attach(Fixtures.BACKEND, Fixtures.MODEL, ConnectionType.STREAMING).addTx(d.bytes);
    r.close();
  }
}
