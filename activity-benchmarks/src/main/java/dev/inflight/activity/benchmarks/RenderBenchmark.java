package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsJson;
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
 * The {@code /v1/diagnostics} document for {@code rows} rows, from the snapshot to the bytes sent.
 * Target: 10,000 rows {@code <=} 5 ms.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class RenderBenchmark {

  /** A tracker holding {@code rows} rows over eight backends, and the renderer. */
  @State(Scope.Thread)
  public static class Rows {
    @Param({"10000"})
    public int rows;

    ActivityTracker tracker;
    final DiagnosticsJson json = DiagnosticsJson.create();

    @Setup(Level.Trial)
    public void setUp() {
      Fixtures.StaggeredClock clock = new Fixtures.StaggeredClock();
      tracker = Fixtures.enabledTracker(rows, clock);
      Fixtures.fillStaggered(tracker, clock, rows);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      tracker.close();
    }
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  public void baseline() {}

  /** Snapshot and render the whole diagnostics document to bytes. */
  @Benchmark
  public byte[] renderDiagnostics(Rows r) {
    return r.json.diagnostics(r.tracker.getGlobalSnapshot());
  }
}
