package dev.inflight.activity.micrometer;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendTotals;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one tracker in one registry.
 *
 * <p>Thread-safety: meters are registered and removed under this object's lock, so a meter
 * registered while {@link #close()} runs is removed too; recording looks timers up in concurrent
 * maps without a lock.
 */
final class Binding {
  /** Tag keys the binder sets itself. */
  static final Set<String> OWN_TAGS =
      Set.of(
          "backend",
          "direction",
          "reason",
          "type",
          "model",
          GenAiOptions.OPERATION,
          GenAiOptions.PROVIDER,
          GenAiOptions.MODEL,
          GenAiOptions.ERROR_TYPE);

  /** The {@code model} tag's value for rows that named no model. */
  static final String NO_MODEL = "none";

  private final MeterRegistry registry;
  private final ActivityTracker tracker;
  private final Tags tags;
  private final TimerOptions options;
  private final GenAiOptions genAi;
  private final ConcurrentHashMap<String, String> providers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> genAiDurations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> genAiFirstTokens = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, BackendMeters> backends = new ConcurrentHashMap<>();
  private final List<Meter> meters = new ArrayList<>(); // guarded by this
  private boolean closed; // guarded by this

  Binding(
      MeterRegistry registry,
      ActivityTracker tracker,
      Tags tags,
      TimerOptions options,
      GenAiOptions genAi) {
    this.registry = registry;
    this.tracker = tracker;
    this.tags = tags;
    this.options = options;
    this.genAi = genAi;
  }

  void start() {
    synchronized (this) {
      if (closed) {
        return; // closed by a concurrent ActivityMetrics.close()
      }
      keep(
          Gauge.builder("inflight.backends", this, Binding::refresh)
              .description("Backends the activity tracker has seen")
              .tags(tags)
              .strongReference(true)
              .register(registry));
    }
    refresh();
  }

  /** Registers the meters of backends not seen yet; the value of {@code inflight.backends}. */
  private double refresh() {
    List<BackendTotals> all = tracker.getTotals();
    for (BackendTotals t : all) {
      backend(t.name());
    }
    return all.size();
  }

  void record(EndedConnection ended) {
    BackendMeters m = backend(ended.backend());
    if (m == null) {
      return; // closed
    }
    m.duration(ended.type(), ended.model()).record(ended.duration());
    Duration firstByte = ended.firstByte();
    if (firstByte != null) {
      m.firstByte(ended.model()).record(firstByte);
    }
    if (genAi.enabled) {
      recordGenAi(ended);
    }
  }

  /**
   * The generative-AI timers. Every one carries the same tag keys, as Prometheus requires of one
   * name: a row without a model and a completed row have an empty {@code gen_ai.request.model} and
   * {@code error.type}, which Prometheus reads as no label.
   */
  private void recordGenAi(EndedConnection ended) {
    String provider = providers.get(ended.backend());
    if (provider == null) {
      provider = providers.computeIfAbsent(ended.backend(), genAi::provider);
    }
    String model = ended.model() == null ? "" : ended.model();
    String error = ended.reason() == EndReason.COMPLETED ? "" : ended.reason().wireName();
    String key = provider + '\n' + model + '\n' + error;
    Timer duration = genAiDurations.get(key);
    if (duration == null) {
      duration =
          genAiTimer(
              genAiDurations,
              key,
              GenAiOptions.REQUEST_DURATION,
              "Generative AI server request duration such as time-to-last byte or last output token",
              GenAiOptions.DURATION_BUCKETS,
              provider,
              model,
              error);
    }
    if (duration != null) {
      duration.record(ended.duration());
    }
    Duration firstContent = ended.firstContent();
    if (firstContent == null || ended.type() != ConnectionType.STREAMING) {
      return;
    }
    Timer firstToken = genAiFirstTokens.get(key);
    if (firstToken == null) {
      firstToken =
          genAiTimer(
              genAiFirstTokens,
              key,
              GenAiOptions.TIME_TO_FIRST_TOKEN,
              "Time to generate first token for successful responses",
              GenAiOptions.FIRST_TOKEN_BUCKETS,
              provider,
              model,
              error);
    }
    if (firstToken != null) {
      firstToken.record(firstContent);
    }
  }

  /** Registers a generative-AI timer, or returns null once closed. */
  private synchronized @Nullable Timer genAiTimer(
      ConcurrentHashMap<String, Timer> cache,
      String key,
      String name,
      String description,
      Duration[] buckets,
      String provider,
      String model,
      String error) {
    if (closed) {
      return null;
    }
    Timer t = cache.get(key);
    if (t == null) {
      t =
          keep(
              Timer.builder(name)
                  .description(description)
                  .tags(tags)
                  .tag(GenAiOptions.OPERATION, genAi.operation)
                  .tag(GenAiOptions.PROVIDER, provider)
                  .tag(GenAiOptions.MODEL, model)
                  .tag(GenAiOptions.ERROR_TYPE, error)
                  .serviceLevelObjectives(buckets)
                  .register(registry));
      cache.put(key, t);
    }
    return t;
  }

  private @Nullable BackendMeters backend(String name) {
    BackendMeters m = backends.get(name);
    if (m != null) {
      return m;
    }
    synchronized (this) {
      if (closed) {
        return null;
      }
      m = backends.get(name);
      if (m == null) {
        m = new BackendMeters(name);
        backends.put(name, m);
      }
      return m;
    }
  }

  /** Keeps a registered meter for {@link #close()}; called under the lock. */
  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }

  synchronized void close() {
    closed = true;
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
    backends.clear();
    genAiDurations.clear();
    genAiFirstTokens.clear();
  }

  /** One backend's meters. Gauges and counters read the tracker; timers come on first use. */
  private final class BackendMeters {
    private final String name;
    private final Tags backendTags;
    private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> firstBytes = new ConcurrentHashMap<>();

    /** Called under the binding's lock. */
    BackendMeters(String name) {
      this.name = name;
      this.backendTags = tags.and("backend", name);
      keep(
          Gauge.builder("inflight.connections.active", this, m -> m.totals().activeConnections())
              .description("Connection rows open to the backend")
              .tags(backendTags)
              .strongReference(true)
              .register(registry));
      keep(
          Gauge.builder("inflight.requests.active", this, m -> m.totals().activeRequests())
              .description("Requests open to the backend (joined requests share a row)")
              .tags(backendTags)
              .strongReference(true)
              .register(registry));
      keep(
          Gauge.builder("inflight.connections.stalled", this, m -> m.totals().stalledConnections())
              .description("Open connection rows whose backend sent no content for the stall time")
              .tags(backendTags)
              .strongReference(true)
              .register(registry));
      keep(
          Gauge.builder(
                  "inflight.connections.orphaned", this, m -> m.totals().orphanedConnections())
              .description("Open connection rows whose every client left while the backend goes on")
              .tags(backendTags)
              .strongReference(true)
              .register(registry));
      keep(
          FunctionCounter.builder("inflight.bytes", this, m -> m.totals().cumulativeBytesRx())
              .description("Bytes received from the backend (rx) or sent to clients (tx)")
              .baseUnit("bytes")
              .tags(backendTags)
              .tag("direction", "rx")
              .register(registry));
      keep(
          FunctionCounter.builder("inflight.bytes", this, m -> m.totals().cumulativeBytesTx())
              .description("Bytes received from the backend (rx) or sent to clients (tx)")
              .baseUnit("bytes")
              .tags(backendTags)
              .tag("direction", "tx")
              .register(registry));
      // No base unit: the Prometheus registry would append it to a name that does not end in
      // it (inflight_bytes_orphaned_bytes_total); the name says bytes, as inflight.bytes does.
      keep(
          FunctionCounter.builder(
                  "inflight.bytes.orphaned", this, m -> m.totals().cumulativeBytesRxOrphaned())
              .description("Bytes received from the backend after every client of their row left")
              .tags(backendTags)
              .register(registry));
      for (EndReason reason : EndReason.values()) {
        keep(
            FunctionCounter.builder(
                    "inflight.connections.ended", this, m -> m.totals().ended().get(reason))
                .description("Connection rows that ended, by how they ended")
                .tags(backendTags)
                .tag("reason", reason.wireName())
                .register(registry));
      }
    }

    BackendTotals totals() {
      return tracker
          .getBackendTotals(name)
          .orElseGet(() -> new BackendTotals(name, 0, 0, 0, 0, EndCounts.empty()));
    }

    Timer duration(ConnectionType type, @Nullable String model) {
      String key = options.modelTag ? type.wireName() + '\n' + modelValue(model) : type.wireName();
      Timer t = durations.get(key);
      return t != null ? t : register(durations, key, durationTimer(type, model));
    }

    Timer firstByte(@Nullable String model) {
      String key = options.modelTag ? modelValue(model) : "";
      Timer t = firstBytes.get(key);
      return t != null ? t : register(firstBytes, key, firstByteTimer(model));
    }

    private Timer.Builder durationTimer(ConnectionType type, @Nullable String model) {
      return timer("inflight.connection.duration", model)
          .description("How long connection rows were open, recorded when they end")
          .tag("type", type.wireName())
          .maximumExpectedValue(Duration.ofHours(1));
    }

    private Timer.Builder firstByteTimer(@Nullable String model) {
      return timer("inflight.time.to.first.byte", model)
          .description("Time from opening a connection row to its first byte to the client");
    }

    private Timer.Builder timer(String meterName, @Nullable String model) {
      Timer.Builder b = Timer.builder(meterName).tags(backendTags);
      if (options.modelTag) {
        b = b.tag("model", modelValue(model));
      }
      if (options.percentileHistogram) {
        b = b.publishPercentileHistogram(true);
      }
      double[] p = options.percentiles();
      if (p.length > 0) {
        b = b.publishPercentiles(p);
      }
      return b;
    }

    private Timer register(ConcurrentHashMap<String, Timer> cache, String key, Timer.Builder b) {
      synchronized (Binding.this) {
        Timer t = cache.get(key);
        if (t == null) {
          t = b.register(registry);
          if (closed) {
            registry.remove(t);
          } else {
            keep(t);
            cache.put(key, t);
          }
        }
        return t;
      }
    }
  }

  private static String modelValue(@Nullable String model) {
    return model == null ? NO_MODEL : model;
  }
}
