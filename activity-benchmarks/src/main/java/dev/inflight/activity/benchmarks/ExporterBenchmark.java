package dev.inflight.activity.benchmarks;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendTotals;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.micrometer.ActivityMetrics;
import dev.inflight.activity.opentelemetry.ActivityTelemetry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
 * What the Micrometer binder and the OpenTelemetry instruments cost.
 *
 * <p>Targets: {@link #handleAddRx} with {@code exporters=both} within 1.05x of {@code
 * exporters=none} (the exporters add nothing to the byte path); and what one scrape of 1,000
 * backends with 10 rows each costs: {@link #prometheusScrape} (the binder's gauges and counters
 * read and rendered as Prometheus text), {@link #otelCollect} (one batch callback and the SDK's
 * aggregation), and the tracker's own {@link #totals} read under both. {@link #openCloseRow} shows
 * what a row end costs with the ring of recently ended rows off or on, and with the exporters'
 * timers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class ExporterBenchmark {

  /** The byte count added per call, read from a field so it is not folded. */
  @State(Scope.Thread)
  public static class Chunk {
    public long bytes = 512;
  }

  /** 1,000 open rows and one written row, with no exporter or with both registered. */
  @State(Scope.Benchmark)
  public static class Exported {
    @Param({"none", "both"})
    public String exporters;

    ActivityTracker tracker;
    ActivityHandle handle;
    @Nullable Exporters registered;

    @Setup(Level.Trial)
    public void setUp() {
      tracker = Fixtures.enabledTracker(1_000);
      Fixtures.fill(tracker, 1_000);
      if (!"none".equals(exporters)) {
        // -p exporters=micrometer / opentelemetry / registries measure each part on its own
        Exporters r = new Exporters(tracker, exporters);
        r.scrape(); // every backend has its meters before measuring
        registered = r;
      }
      handle = tracker.open(Fixtures.BACKEND, "measured", ConnectionType.STREAMING, Fixtures.MODEL);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      handle.close();
      Exporters r = registered;
      if (r != null) {
        r.close();
      }
      tracker.close();
    }
  }

  /**
   * Like {@link Exported}, for opening and closing rows: with the ring of recently ended rows off
   * or at its default size, and with no exporter or with both (whose timers record per row).
   */
  @State(Scope.Benchmark)
  public static class Ending {
    @Param({"none", "both"})
    public String exporters;

    @Param({"0", "100"})
    public int recent;

    ActivityTracker tracker;
    @Nullable Exporters registered;

    @Setup(Level.Trial)
    public void setUp() {
      tracker =
          ActivityTracker.create(
              ActivitySettings.builder()
                  .enabled(true)
                  .sweepInterval(Duration.ZERO)
                  .recentConnections(recent)
                  .build());
      Fixtures.fill(tracker, 1_000);
      if ("both".equals(exporters)) {
        Exporters r = new Exporters(tracker);
        r.scrape();
        registered = r;
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      Exporters r = registered;
      if (r != null) {
        r.close();
      }
      tracker.close();
    }
  }

  /** 1,000 backends with 10 open rows each, both exporters registered. */
  @State(Scope.Benchmark)
  public static class Scraped {
    static final int BACKENDS = 1_000;
    static final int ROWS_PER_BACKEND = 10;

    ActivityTracker tracker;
    Exporters exporters;

    @Setup(Level.Trial)
    public void setUp() {
      tracker = Fixtures.enabledTracker(BACKENDS * ROWS_PER_BACKEND);
      for (int b = 0; b < BACKENDS; b++) {
        for (int r = 0; r < ROWS_PER_BACKEND; r++) {
          ActivityHandle h =
              tracker.open("backend-" + b, "s-" + r, ConnectionType.STREAMING, Fixtures.MODEL);
          h.addRx(1 + r);
          h.addTx(r);
        }
      }
      exporters = new Exporters(tracker);
      String text = exporters.scrape(); // first scrape registers every backend's meters
      if (!exporters.scrape().contains("backend-999")) {
        throw new IllegalStateException("the scrape misses backends: " + text.length());
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      exporters.close();
      tracker.close();
    }
  }

  /** A Prometheus registry with the binder, and an OpenTelemetry SDK with the instruments. */
  static final class Exporters implements AutoCloseable {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final ActivityMetrics metrics;
    final PullReader reader = new PullReader();
    final SdkMeterProvider provider =
        SdkMeterProvider.builder().registerMetricReader(reader).build();
    final @Nullable ActivityTelemetry telemetry;

    Exporters(ActivityTracker tracker) {
      this(tracker, "both");
    }

    /**
     * Registers what {@code which} names: {@code both}, {@code micrometer}, {@code opentelemetry},
     * or {@code registries} (the registry and the SDK are created, nothing is bound to them).
     */
    Exporters(ActivityTracker tracker, String which) {
      if (!List.of("both", "micrometer", "opentelemetry", "registries").contains(which)) {
        throw new IllegalArgumentException(
            "exporters must be none, both, micrometer, opentelemetry or registries, got " + which);
      }
      metrics = ActivityMetrics.builder().tracker(tracker).build();
      if (which.equals("both") || which.equals("micrometer")) {
        metrics.bindTo(registry);
      }
      telemetry =
          which.equals("both") || which.equals("opentelemetry")
              ? ActivityTelemetry.builder().tracker(tracker).meterProvider(provider).build()
              : null;
    }

    String scrape() {
      return registry.scrape();
    }

    @Override
    public void close() {
      ActivityTelemetry t = telemetry;
      if (t != null) {
        t.close();
      }
      provider.close();
      metrics.close();
      registry.close();
    }
  }

  /** A metric reader that collects when asked, like a Prometheus pull exporter. */
  static final class PullReader implements MetricReader {
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    Collection<MetricData> collect() {
      return registration.collectAllMetrics();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** Nothing: the cost of the benchmark loop itself. */
  @Benchmark
  public void baseline() {}

  /** The hot path, with the exporters registered or not. */
  @Benchmark
  public void handleAddRx(Exported e, Chunk c) {
    e.handle.addRx(c.bytes);
  }

  /**
   * Opening and closing a row: the end builds the ended-row record when the ring or a listener
   * wants it, and the exporters' timers record it.
   */
  @Benchmark
  public void openCloseRow(Ending e, Chunk c) {
    ActivityHandle h =
        e.tracker.open(Fixtures.BACKEND, "open-close", ConnectionType.STREAMING, Fixtures.MODEL);
    h.addTx(c.bytes);
    h.close();
  }

  /** One Prometheus scrape of 1,000 backends x 10 rows through the Micrometer binder. */
  @Benchmark
  @Fork(1)
  public String prometheusScrape(Scraped s) {
    return s.exporters.scrape();
  }

  /** One OpenTelemetry collection of 1,000 backends x 10 rows. */
  @Benchmark
  @Fork(1)
  public Collection<MetricData> otelCollect(Scraped s) {
    return s.exporters.reader.collect();
  }

  /** The tracker's aggregate read that both exporters build on, for the same 10,000 rows. */
  @Benchmark
  @Fork(1)
  public List<BackendTotals> totals(Scraped s) {
    return s.tracker.getTotals();
  }
}
