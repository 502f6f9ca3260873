package dev.inflight.activity.micrometer;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.EndedConnectionListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Binds the tracker's numbers to a Micrometer {@link MeterRegistry}, under the names below
 * (Prometheus names in brackets). Every meter carries the {@code backend} tag and the tags given to
 * the builder; no meter ever carries a session id.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>kind</th><th>further tags</th></tr>
 *   <tr><td>{@code inflight.connections.active} ({@code inflight_connections_active})</td>
 *       <td>gauge</td><td></td></tr>
 *   <tr><td>{@code inflight.requests.active} ({@code inflight_requests_active})</td>
 *       <td>gauge</td><td></td></tr>
 *   <tr><td>{@code inflight.connections.stalled} ({@code inflight_connections_stalled})</td>
 *       <td>gauge: open rows whose backend sent no content for the stall time</td><td></td></tr>
 *   <tr><td>{@code inflight.connections.orphaned} ({@code inflight_connections_orphaned})</td>
 *       <td>gauge: open rows whose every client left while the backend goes on</td><td></td></tr>
 *   <tr><td>{@code inflight.bytes}, base unit bytes ({@code inflight_bytes_total})</td>
 *       <td>function counter</td><td>{@code direction} = {@code rx} | {@code tx}</td></tr>
 *   <tr><td>{@code inflight.bytes.orphaned}, in bytes ({@code inflight_bytes_orphaned_total})</td>
 *       <td>function counter: bytes received from the backend after every client of their row
 *       left; no base unit is set, which Prometheus would append to the name</td><td></td></tr>
 *   <tr><td>{@code inflight.connections.ended} ({@code inflight_connections_ended_total})</td>
 *       <td>function counter</td><td>{@code reason} = {@code completed} | {@code client_aborted}
 *       | {@code errored} | {@code evicted}</td></tr>
 *   <tr><td>{@code inflight.connection.duration} ({@code inflight_connection_duration_seconds})</td>
 *       <td>timer, recorded when a row ends</td><td>{@code type}, and {@code model} if
 *       enabled</td></tr>
 *   <tr><td>{@code inflight.time.to.first.byte} ({@code inflight_time_to_first_byte_seconds})</td>
 *       <td>timer, recorded once per row that sent a byte to its client</td><td>{@code model} if
 *       enabled</td></tr>
 *   <tr><td>{@code inflight.backends} ({@code inflight_backends})</td><td>gauge, without the
 *       {@code backend} tag</td><td></td></tr>
 * </table>
 *
 * <p>With {@link Builder#genAiMetrics(boolean) genAiMetrics(true)} (off by default), ended rows
 * also feed two timers named as the OpenTelemetry generative-AI semantic conventions (v1.41.0,
 * status development) name their histograms, with the conventions' recommended buckets as service
 * level objectives: {@code gen_ai.server.request.duration} ({@code
 * gen_ai_server_request_duration_seconds}), every ended row's duration, and {@code
 * gen_ai.server.time_to_first_token} ({@code gen_ai_server_time_to_first_token_seconds}), the time
 * to the first content of streaming rows that had some. Instead of {@code backend} they carry the
 * builder's tags and {@code gen_ai.operation.name} ({@code chat} unless {@link
 * Builder#genAiOperationName set}), {@code gen_ai.provider.name} (the backend name's part before
 * its first '.', unless {@link Builder#genAiProviderName mapped}), {@code gen_ai.request.model}
 * (the row's model) and {@code error.type} (the end reason on rows that did not complete: {@code
 * client_aborted}, {@code errored} or {@code evicted}). Every series of one name has the same tag
 * keys, as Prometheus requires, so the last two are empty when the row named no model or completed;
 * Prometheus reads an empty label as no label.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * ActivityMetrics metrics = ActivityMetrics.builder().tracker(tracker).build();
 * metrics.bindTo(registry);
 * ...
 * metrics.close();                                   // removes its meters again
 * }</pre>
 *
 * <p>How the numbers are read:
 *
 * <ol>
 *   <li>Gauges and counters are functions over {@link ActivityTracker#getBackendTotals}, read when
 *       the registry is scraped or published: nothing is added to the byte path and no meter is
 *       looked up per request.
 *   <li>A backend gets its meters when the binder first sees it: when one of its rows ends, or on
 *       the next scrape after it appeared (the {@code inflight.backends} gauge checks on every
 *       read), so a backend that appears between scrapes shows from the scrape after next at the
 *       latest.
 *   <li>Timers are fed by an {@link EndedConnectionListener} on the tracker, once per row.
 *       Percentile histograms and client-side percentiles are off unless the builder turns them on.
 *   <li>The {@code model} tag is off by default, since models multiply the number of series.
 *   <li>Two trackers bound to one registry need a tag that tells them apart ({@link Builder#tag});
 *       with identical tags the second binder's meters would be the first one's.
 * </ol>
 *
 * <p>{@link #close()} removes every meter this binder registered, from every registry it was bound
 * to, and stops listening to the tracker; binding again afterwards starts afresh. Thread-safe.
 */
public final class ActivityMetrics implements MeterBinder, AutoCloseable {

  /** {@code gen_ai.operation.name} unless the builder sets another. */
  public static final String DEFAULT_GEN_AI_OPERATION = "chat";

  private final @Nullable ActivityTracker configuredTracker;
  private final Tags tags;
  private final TimerOptions timers;
  private final GenAiOptions genAi;
  private final EndedConnectionListener listener = this::ended;
  private final List<Binding> bindings = new ArrayList<>();
  private volatile List<Binding> active = List.of();
  private @Nullable ActivityTracker listenedTo;

  private ActivityMetrics(Builder b) {
    this.configuredTracker = b.tracker;
    this.tags = b.tags;
    this.timers = new TimerOptions(b.modelTag, b.percentileHistogram, b.percentiles);
    this.genAi = new GenAiOptions(b.genAiMetrics, b.genAiOperation, b.genAiProvider);
  }

  /**
   * A builder: the tracker, then options.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers the meters of every backend the tracker knows and starts listening for ended rows.
   * May be called for several registries.
   *
   * @param registry the registry
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    ActivityTracker tracker;
    Binding binding;
    synchronized (bindings) {
      tracker = listenedTo;
      if (tracker == null) {
        tracker = configuredTracker != null ? configuredTracker : ActivityTracker.global();
        tracker.addEndedListener(listener);
        listenedTo = tracker;
      }
      binding = new Binding(registry, tracker, tags, timers, genAi);
      bindings.add(binding);
      active = List.copyOf(bindings);
    }
    binding.start();
  }

  private void ended(EndedConnection ended) {
    for (Binding b : active) {
      b.record(ended);
    }
  }

  /** Removes every meter this binder registered and stops listening to the tracker. */
  @Override
  public void close() {
    List<Binding> closing;
    synchronized (bindings) {
      closing = List.copyOf(bindings);
      bindings.clear();
      active = List.of();
      ActivityTracker tracker = listenedTo;
      if (tracker != null) {
        tracker.removeEndedListener(listener);
        listenedTo = null;
      }
    }
    for (Binding b : closing) {
      b.close();
    }
  }

  @Override
  public String toString() {
    return "ActivityMetrics{tags=" + tags + ", bound=" + active.size() + '}';
  }

  /** Builds {@link ActivityMetrics}. */
  public static final class Builder {
    private @Nullable ActivityTracker tracker;
    private Tags tags = Tags.empty();
    private boolean modelTag;
    private boolean percentileHistogram;
    private double[] percentiles = new double[0];
    private boolean genAiMetrics;
    private String genAiOperation = DEFAULT_GEN_AI_OPERATION;
    private Function<String, String> genAiProvider = GenAiOptions::defaultProvider;

    private Builder() {}

    /**
     * The tracker to read. Without one, the binder reads the tracker that {@link
     * ActivityTracker#global()} returns when {@link #bindTo} is first called.
     *
     * @param tracker the tracker
     * @return this builder
     */
    public Builder tracker(ActivityTracker tracker) {
      this.tracker = Objects.requireNonNull(tracker, "tracker");
      return this;
    }

    /**
     * Adds a tag to every meter, e.g. to tell two trackers in one registry apart.
     *
     * @param key the tag key; not {@code backend}, {@code direction}, {@code reason}, {@code type},
     *     {@code model}, {@code gen_ai.operation.name}, {@code gen_ai.provider.name}, {@code
     *     gen_ai.request.model} or {@code error.type}, which the binder sets
     * @param value the tag value
     * @return this builder
     * @throws IllegalArgumentException if the key is one the binder sets
     */
    public Builder tag(String key, String value) {
      return tags(Tags.of(key, value));
    }

    /**
     * Adds tags to every meter.
     *
     * @param tags the tags; keys as for {@link #tag}
     * @return this builder
     * @throws IllegalArgumentException if a key is one the binder sets
     */
    public Builder tags(Iterable<Tag> tags) {
      for (Tag t : tags) {
        if (Binding.OWN_TAGS.contains(t.getKey())) {
          throw new IllegalArgumentException(
              "tag key '" + t.getKey() + "' is set by ActivityMetrics itself");
        }
      }
      this.tags = this.tags.and(tags);
      return this;
    }

    /**
     * Adds the {@code model} tag to the two timers. Off by default: every model a backend serves
     * becomes its own series.
     *
     * @param enabled whether to tag by model
     * @return this builder
     */
    public Builder modelTag(boolean enabled) {
      this.modelTag = enabled;
      return this;
    }

    /**
     * Publishes histogram buckets for the two timers, for percentiles aggregated on the server
     * (Prometheus {@code histogram_quantile}). Off by default.
     *
     * @param enabled whether to publish buckets
     * @return this builder
     */
    public Builder percentileHistogram(boolean enabled) {
      this.percentileHistogram = enabled;
      return this;
    }

    /**
     * Publishes client-side percentiles for the two timers, e.g. {@code 0.5, 0.95}. None by
     * default.
     *
     * @param percentiles values from 0 to 1
     * @return this builder
     * @throws IllegalArgumentException if a value is outside 0 to 1
     */
    public Builder percentiles(double... percentiles) {
      for (double p : percentiles) {
        if (!(p >= 0 && p <= 1)) {
          throw new IllegalArgumentException("percentiles must be from 0 to 1, got " + p);
        }
      }
      this.percentiles = percentiles.clone();
      return this;
    }

    /**
     * Also records the generative-AI conventions' {@code gen_ai.server.request.duration} and {@code
     * gen_ai.server.time_to_first_token} timers from ended rows (see the class comment). Off by
     * default. Their {@code gen_ai.request.model} tag makes every model its own series.
     *
     * @param enabled whether to record them
     * @return this builder
     */
    public Builder genAiMetrics(boolean enabled) {
      this.genAiMetrics = enabled;
      return this;
    }

    /**
     * The {@code gen_ai.operation.name} of the generative-AI timers. {@code chat} by default, the
     * conventions' name for chat completions; e.g. {@code text_completion} or {@code
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
     * How a backend's name becomes the {@code gen_ai.provider.name} of the generative-AI timers,
     * e.g. {@code name -> name.startsWith("azure") ? "azure.ai.openai" : "openai"}. Called once per
     * backend name and registry. By default the name's part before its first '.' ({@code openai.1}
     * becomes {@code openai}); a null or empty result falls back to that too.
     *
     * @param mapping from backend name to provider name
     * @return this builder
     */
    public Builder genAiProviderName(Function<String, String> mapping) {
      this.genAiProvider = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    /**
     * Builds the binder; nothing is registered until {@link ActivityMetrics#bindTo}.
     *
     * @return a new binder
     */
    public ActivityMetrics build() {
      return new ActivityMetrics(this);
    }
  }
}
