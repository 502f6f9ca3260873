package dev.inflight.activity.opentelemetry;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendTotals;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.EndedConnectionListener;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reports the tracker's numbers through the OpenTelemetry metrics API, with the names of the
 * Micrometer binder (dots kept) and UCUM units. Every measurement carries the {@code backend}
 * attribute and the attributes given to the builder; none ever carries a session id.
 *
 * <table>
 *   <caption>Instruments</caption>
 *   <tr><th>instrument</th><th>kind</th><th>unit</th><th>further attributes</th></tr>
 *   <tr><td>{@code inflight.connections.active}</td><td>asynchronous up-down counter</td>
 *       <td>{@code {connection}}</td><td></td></tr>
 *   <tr><td>{@code inflight.requests.active}</td><td>asynchronous up-down counter</td>
 *       <td>{@code {request}}</td><td></td></tr>
 *   <tr><td>{@code inflight.connections.stalled}</td><td>asynchronous up-down counter: open rows
 *       whose backend sent no content for the stall time</td><td>{@code {connection}}</td>
 *       <td></td></tr>
 *   <tr><td>{@code inflight.connections.orphaned}</td><td>asynchronous up-down counter: open rows
 *       whose every client left while the backend goes on</td><td>{@code {connection}}</td>
 *       <td></td></tr>
 *   <tr><td>{@code inflight.bytes}</td><td>asynchronous counter</td><td>{@code By}</td>
 *       <td>{@code network.io.direction} = {@code receive} (from the backend) | {@code transmit}
 *       (to the client)</td></tr>
 *   <tr><td>{@code inflight.bytes.orphaned}</td><td>asynchronous counter: bytes received from the
 *       backend after every client of their row left</td><td>{@code By}</td><td></td></tr>
 *   <tr><td>{@code inflight.connections.ended}</td><td>asynchronous counter</td>
 *       <td>{@code {connection}}</td><td>{@code reason} = {@code completed} | {@code
 *       client_aborted} | {@code errored} | {@code evicted}</td></tr>
 *   <tr><td>{@code inflight.connection.duration}</td><td>histogram, recorded when a row ends</td>
 *       <td>{@code s}</td><td>{@code type}, and {@code model} if enabled</td></tr>
 *   <tr><td>{@code inflight.time.to.first.byte}</td><td>histogram, recorded once per row that
 *       sent a byte to its client</td><td>{@code s}</td><td>{@code model} if enabled</td></tr>
 * </table>
 *
 * <p>With {@link Builder#genAiMetrics(boolean) genAiMetrics(true)} (off by default), ended rows
 * also feed two histograms of the OpenTelemetry generative-AI semantic conventions (v1.41.0, status
 * development), with their recommended bucket boundaries. They carry the builder's attributes and
 * the conventions' ones instead of {@code backend}: {@code gen_ai.operation.name} ({@code chat}
 * unless {@link Builder#genAiOperationName set}), {@code gen_ai.provider.name} (the backend name's
 * part before its first '.', unless {@link Builder#genAiProviderName mapped}), {@code
 * gen_ai.request.model} when the row named a model, and {@code error.type} (the end reason: {@code
 * client_aborted}, {@code errored} or {@code evicted}) on rows that did not complete.
 *
 * <table>
 *   <caption>Generative-AI instruments</caption>
 *   <tr><th>instrument</th><th>kind</th><th>unit</th><th>recorded</th></tr>
 *   <tr><td>{@code gen_ai.server.request.duration}</td><td>histogram</td><td>{@code s}</td>
 *       <td>every ended row: how long it was open</td></tr>
 *   <tr><td>{@code gen_ai.server.time_to_first_token}</td><td>histogram</td><td>{@code s}</td>
 *       <td>streaming rows whose backend sent content: the time to that first content</td></tr>
 * </table>
 *
 * <pre>{@code
 * ActivityTelemetry telemetry = ActivityTelemetry.builder()
 *     .tracker(tracker)
 *     .openTelemetry(openTelemetry)
 *     .build();                                      // instruments registered
 * ...
 * telemetry.close();                                 // callbacks and listener removed
 * }</pre>
 *
 * <p>How the numbers are read:
 *
 * <ol>
 *   <li>The asynchronous instruments share one callback, run on each collection, which reads {@link
 *       ActivityTracker#getTotals()} once for all of them: nothing is added to the byte path and
 *       backends that appear later are reported from their first collection.
 *   <li>The histograms are fed by an {@link EndedConnectionListener} on the tracker, once per row;
 *       their bucket boundaries (advice, in seconds) suit requests of milliseconds to an hour and
 *       can be changed with an SDK view.
 *   <li>Two trackers reporting to one meter provider need an attribute that tells them apart
 *       ({@link Builder#attribute}).
 * </ol>
 *
 * <p>{@link #close()} removes the callback and the listener; the histograms, which the API cannot
 * remove, receive nothing more. Thread-safe.
 */
public final class ActivityTelemetry implements AutoCloseable {

  /** The instrumentation scope name. */
  public static final String SCOPE = "dev.inflight.activity";

  static final AttributeKey<String> BACKEND = AttributeKey.stringKey("backend");
  static final AttributeKey<String> DIRECTION = AttributeKey.stringKey("network.io.direction");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
  static final AttributeKey<String> TYPE = AttributeKey.stringKey("type");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("model");
  static final AttributeKey<String> GEN_AI_OPERATION =
      AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> GEN_AI_PROVIDER =
      AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> GEN_AI_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  /** {@code gen_ai.operation.name} unless the builder sets another. */
  public static final String DEFAULT_GEN_AI_OPERATION = "chat";

  // The generative-AI conventions' advice for gen_ai.server.request.duration ...
  private static final List<Double> GEN_AI_DURATION_BUCKETS =
      List.of(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  // ... and for gen_ai.server.time_to_first_token.
  private static final List<Double> GEN_AI_FIRST_TOKEN_BUCKETS =
      List.of(
          0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
          10.0);

  private static final List<Double> DURATION_BUCKETS =
      List.of(
          0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
          600.0, 1800.0, 3600.0);
  private static final List<Double> FIRST_BYTE_BUCKETS =
      List.of(
          0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 30.0,
          60.0);

  private final ActivityTracker tracker;
  private final Attributes common;
  private final boolean modelAttribute;
  private final ConcurrentHashMap<String, BackendAttributes> attributes = new ConcurrentHashMap<>();
  private final ObservableLongMeasurement connections;
  private final ObservableLongMeasurement requests;
  private final ObservableLongMeasurement stalled;
  private final ObservableLongMeasurement orphaned;
  private final ObservableLongMeasurement bytes;
  private final ObservableLongMeasurement bytesOrphaned;
  private final ObservableLongMeasurement ended;
  private final DoubleHistogram duration;
  private final DoubleHistogram firstByte;
  private final @Nullable DoubleHistogram genAiDuration;
  private final @Nullable DoubleHistogram genAiFirstToken;
  private final String genAiOperation;
  private final Function<String, String> genAiProvider;
  private final ConcurrentHashMap<String, Attributes> genAiAttributes = new ConcurrentHashMap<>();
  private final BatchCallback callback;
  private final EndedConnectionListener listener = this::record;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ActivityTelemetry(Builder b, ActivityTracker tracker, MeterProvider provider) {
    this.tracker = tracker;
    this.common = b.common.build();
    this.modelAttribute = b.modelAttribute;
    this.genAiOperation = b.genAiOperation;
    this.genAiProvider = b.genAiProvider;
    Meter meter = provider.meterBuilder(SCOPE).build();
    connections =
        meter
            .upDownCounterBuilder("inflight.connections.active")
            .setDescription("Connection rows open to the backend")
            .setUnit("{connection}")
            .buildObserver();
    requests =
        meter
            .upDownCounterBuilder("inflight.requests.active")
            .setDescription("Requests open to the backend (joined requests share a row)")
            .setUnit("{request}")
            .buildObserver();
    stalled =
        meter
            .upDownCounterBuilder("inflight.connections.stalled")
            .setDescription("Open connection rows whose backend sent no content for the stall time")
            .setUnit("{connection}")
            .buildObserver();
    orphaned =
        meter
            .upDownCounterBuilder("inflight.connections.orphaned")
            .setDescription(
                "Open connection rows whose every client left while the backend goes on")
            .setUnit("{connection}")
            .buildObserver();
    bytes =
        meter
            .counterBuilder("inflight.bytes")
            .setDescription("Bytes received from the backend or sent to clients")
            .setUnit("By")
            .buildObserver();
    bytesOrphaned =
        meter
            .counterBuilder("inflight.bytes.orphaned")
            .setDescription("Bytes received from the backend after every client of their row left")
            .setUnit("By")
            .buildObserver();
    ended =
        meter
            .counterBuilder("inflight.connections.ended")
            .setDescription("Connection rows that ended, by how they ended")
            .setUnit("{connection}")
            .buildObserver();
    duration =
        meter
            .histogramBuilder("inflight.connection.duration")
            .setDescription("How long connection rows were open, recorded when they end")
            .setUnit("s")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    firstByte =
        meter
            .histogramBuilder("inflight.time.to.first.byte")
            .setDescription("Time from opening a connection row to its first byte to the client")
            .setUnit("s")
            .setExplicitBucketBoundariesAdvice(FIRST_BYTE_BUCKETS)
            .build();
    if (b.genAiMetrics) {
      genAiDuration =
          meter
              .histogramBuilder("gen_ai.server.request.duration")
              .setDescription(
                  "Generative AI server request duration such as time-to-last byte or last output"
                      + " token")
              .setUnit("s")
              .setExplicitBucketBoundariesAdvice(GEN_AI_DURATION_BUCKETS)
              .build();
      genAiFirstToken =
          meter
              .histogramBuilder("gen_ai.server.time_to_first_token")
              .setDescription("Time to generate first token for successful responses")
              .setUnit("s")
              .setExplicitBucketBoundariesAdvice(GEN_AI_FIRST_TOKEN_BUCKETS)
              .build();
    } else {
      genAiDuration = null;
      genAiFirstToken = null;
    }
    callback =
        meter.batchCallback(
            this::observe, connections, requests, stalled, orphaned, bytes, bytesOrphaned, ended);
    tracker.addEndedListener(listener);
  }

  /**
   * A builder: the tracker, then options.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private void observe() {
    for (BackendTotals t : tracker.getTotals()) {
      BackendAttributes a = attributes(t.name());
      connections.record(t.activeConnections(), a.backend);
      requests.record(t.activeRequests(), a.backend);
      bytes.record(t.cumulativeBytesRx(), a.receive);
      bytes.record(t.cumulativeBytesTx(), a.transmit);
      stalled.record(t.stalledConnections(), a.backend);
      orphaned.record(t.orphanedConnections(), a.backend);
      bytesOrphaned.record(t.cumulativeBytesRxOrphaned(), a.backend);
      for (EndReason r : EndReason.values()) {
        ended.record(t.ended().get(r), a.reasons.get(r));
      }
    }
  }

  private void record(EndedConnection e) {
    BackendAttributes a = attributes(e.backend());
    Attributes byType = e.type() == ConnectionType.STREAMING ? a.streaming : a.nonStreaming;
    Attributes plain = a.backend;
    if (modelAttribute) {
      String model = e.model() == null ? "none" : e.model();
      byType = byType.toBuilder().put(MODEL, model).build();
      plain = plain.toBuilder().put(MODEL, model).build();
    }
    duration.record(seconds(e.duration()), byType);
    Duration fb = e.firstByte();
    if (fb != null) {
      firstByte.record(seconds(fb), plain);
    }
    DoubleHistogram genAiDuration = this.genAiDuration;
    DoubleHistogram genAiFirstToken = this.genAiFirstToken;
    if (genAiDuration != null && genAiFirstToken != null) {
      Attributes genAi = genAiAttributes(e.backend());
      String model = e.model();
      if (model != null || e.reason() != EndReason.COMPLETED) {
        AttributesBuilder more = genAi.toBuilder();
        if (model != null) {
          more.put(GEN_AI_MODEL, model);
        }
        if (e.reason() != EndReason.COMPLETED) {
          more.put(ERROR_TYPE, e.reason().wireName());
        }
        genAi = more.build();
      }
      genAiDuration.record(seconds(e.duration()), genAi);
      Duration fc = e.firstContent();
      if (fc != null && e.type() == ConnectionType.STREAMING) {
        genAiFirstToken.record(seconds(fc), genAi);
      }
    }
  }

  /** The builder's attributes, the operation and the backend's provider; built once a backend. */
  private Attributes genAiAttributes(String backend) {
    Attributes a = genAiAttributes.get(backend);
    return a != null
        ? a
        : genAiAttributes.computeIfAbsent(
            backend,
            name ->
                common.toBuilder()
                    .put(GEN_AI_OPERATION, genAiOperation)
                    .put(GEN_AI_PROVIDER, provider(name))
                    .build());
  }

  private String provider(String backend) {
    String p = genAiProvider.apply(backend);
    return p == null || p.isEmpty() ? defaultProvider(backend) : p;
  }

  /**
   * The default {@code gen_ai.provider.name} of a backend: its name's part before the first '.'
   * ({@code openai.1} is {@code openai}), or the whole name when it has none or starts with one.
   */
  static String defaultProvider(String backend) {
    int dot = backend.indexOf('.');
    return dot > 0 ? backend.substring(0, dot) : backend;
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  private BackendAttributes attributes(String backend) {
    BackendAttributes a = attributes.get(backend);
    return a != null ? a : attributes.computeIfAbsent(backend, this::newAttributes);
  }

  private BackendAttributes newAttributes(String backend) {
    return new BackendAttributes(common.toBuilder().put(BACKEND, backend).build());
  }

  /** Removes the callback and stops listening to the tracker. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      tracker.removeEndedListener(listener);
      callback.close();
    }
  }

  @Override
  public String toString() {
    return "ActivityTelemetry{" + common + (closed.get() ? ", closed}" : "}");
  }

  /** One backend's attribute sets, built once. */
  private static final class BackendAttributes {
    final Attributes backend;
    final Attributes receive;
    final Attributes transmit;
    final EnumMap<EndReason, Attributes> reasons = new EnumMap<>(EndReason.class);
    final Attributes streaming;
    final Attributes nonStreaming;

    BackendAttributes(Attributes backend) {
      this.backend = backend;
      this.receive = backend.toBuilder().put(DIRECTION, "receive").build();
      this.transmit = backend.toBuilder().put(DIRECTION, "transmit").build();
      for (EndReason r : EndReason.values()) {
        reasons.put(r, backend.toBuilder().put(REASON, r.wireName()).build());
      }
      this.streaming = backend.toBuilder().put(TYPE, ConnectionType.STREAMING.wireName()).build();
      this.nonStreaming =
          backend.toBuilder().put(TYPE, ConnectionType.NON_STREAMING.wireName()).build();
    }
  }

  /** Builds and registers {@link ActivityTelemetry}. */
  public static final class Builder {
    private @Nullable ActivityTracker tracker;
    private @Nullable MeterProvider meterProvider;
    private final AttributesBuilder common = Attributes.builder();
    private boolean modelAttribute;
    private boolean genAiMetrics;
    private String genAiOperation = DEFAULT_GEN_AI_OPERATION;
    private Function<String, String> genAiProvider = ActivityTelemetry::defaultProvider;

    private Builder() {}

    /**
     * The tracker to read. Without one, the tracker that {@link ActivityTracker#global()} returns
     * when {@link #build()} runs.
     *
     * @param tracker the tracker
     * @return this builder
     */
    public Builder tracker(ActivityTracker tracker) {
      this.tracker = Objects.requireNonNull(tracker, "tracker");
      return this;
    }

    /**
     * Where the instruments go: the meter provider of this OpenTelemetry instance.
     *
     * @param openTelemetry the OpenTelemetry instance
     * @return this builder
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      return meterProvider(openTelemetry.getMeterProvider());
    }

    /**
     * Where the instruments go. Without one, {@link GlobalOpenTelemetry#getMeterProvider()}.
     *
     * @param meterProvider the meter provider
     * @return this builder
     */
    public Builder meterProvider(MeterProvider meterProvider) {
      this.meterProvider = Objects.requireNonNull(meterProvider, "meterProvider");
      return this;
    }

    /**
     * Adds an attribute to every measurement, e.g. to tell two trackers apart.
     *
     * @param key the attribute key; not one the instruments set themselves
     * @param value the value
     * @return this builder
     * @throws IllegalArgumentException if the key is {@code backend}, {@code network.io.direction},
     *     {@code reason}, {@code type}, {@code model}, {@code gen_ai.operation.name}, {@code
     *     gen_ai.provider.name}, {@code gen_ai.request.model} or {@code error.type}
     */
    public Builder attribute(String key, String value) {
      Objects.requireNonNull(value, "value");
      if (List.of(
              BACKEND,
              DIRECTION,
              REASON,
              TYPE,
              MODEL,
              GEN_AI_OPERATION,
              GEN_AI_PROVIDER,
              GEN_AI_MODEL,
              ERROR_TYPE)
          .stream()
          .anyMatch(k -> k.getKey().equals(key))) {
        throw new IllegalArgumentException(
            "attribute '" + key + "' is set by ActivityTelemetry itself");
      }
      common.put(AttributeKey.stringKey(key), value);
      return this;
    }

    /**
     * Adds the {@code model} attribute to the two histograms. Off by default: every model a backend
     * serves becomes its own series.
     *
     * @param enabled whether to add it
     * @return this builder
     */
    public Builder modelAttribute(boolean enabled) {
      this.modelAttribute = enabled;
      return this;
    }

    /**
     * Also records the generative-AI conventions' {@code gen_ai.server.request.duration} and {@code
     * gen_ai.server.time_to_first_token} from ended rows (see the class comment). Off by default.
     * Their {@code gen_ai.request.model} attribute makes every model its own series.
     *
     * @param enabled whether to record them
     * @return this builder
     */
    public Builder genAiMetrics(boolean enabled) {
      this.genAiMetrics = enabled;
      return this;
    }

    /**
     * The {@code gen_ai.operation.name} of the generative-AI histograms. {@code chat} by default,
     * the conventions' name for chat completions; e.g. {@code text_completion} or {@code
     * generate_content} for a proxy that serves those.
     *
     * @param operation the operation name
     * @return this builder
     * @throws IllegalArgumentException if it is empty
     */
    public Builder genAiOperationName(String operation) {
      if (operation.isEmpty()) {
        throw new IllegalArgumentException("the operation name must not be empty");
      }
      this.genAiOperation = operation;
      return this;
    }

    /**
     * How a backend's name becomes the {@code gen_ai.provider.name} of the generative-AI
     * histograms, e.g. {@code name -> name.startsWith("azure") ? "azure.ai.openai" : "openai"}.
     * Called once per backend name. By default the name's part before its first '.' ({@code
     * openai.1} becomes {@code openai}); a null or empty result falls back to that too.
     *
     * @param mapping from backend name to provider name
     * @return this builder
     */
    public Builder genAiProviderName(Function<String, String> mapping) {
      this.genAiProvider = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    /**
     * Registers the instruments and the listener.
     *
     * @return the registered instruments; close them to unregister
     */
    public ActivityTelemetry build() {
      ActivityTracker t = tracker != null ? tracker : ActivityTracker.global();
      MeterProvider p =
          meterProvider != null ? meterProvider : GlobalOpenTelemetry.getMeterProvider();
      return new ActivityTelemetry(this, t, p);
    }
  }
}
