package dev.inflight.activity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable tracker settings, built with {@link #builder()} or read from string values with {@link
 * #fromValues(Map, String)}.
 *
 * <table>
 *   <caption>Settings, their keys in {@link #fromValues} and their defaults</caption>
 *   <tr><th>setting</th><th>key</th><th>default</th></tr>
 *   <tr><td>enabled</td><td>{@code enable_activity_tracking}</td><td>false</td></tr>
 *   <tr><td>stale timeout</td><td>{@code activity_stale_timeout_seconds}</td><td>300</td></tr>
 *   <tr><td>sweep interval</td><td>{@code activity_sweep_interval_seconds}</td><td>30</td></tr>
 *   <tr><td>max connections</td><td>{@code activity_max_connections}</td><td>10000</td></tr>
 *   <tr><td>recently ended rows kept</td><td>{@code activity_recent_connections}</td><td>100</td></tr>
 *   <tr><td>stall mark after</td><td>{@code activity_stall_after_seconds}</td><td>30</td></tr>
 *   <tr><td>count server-sent events</td><td>{@code activity_count_events}</td><td>false</td></tr>
 * </table>
 *
 * <p>Ended-connection listeners ({@link Builder#endedListener}) can only be set programmatically.
 *
 * <p>A sweep interval of zero starts no sweeper thread; call {@link ActivityTracker#sweep()}
 * yourself (tests do, with a fake {@link ActivityClock}).
 */
public final class ActivitySettings {

  /** Key of the enable flag in {@link #fromValues} (also the config file key). */
  public static final String KEY_ENABLED = Enablement.CONFIG_KEY;

  /** Key of the stale timeout, in seconds. */
  public static final String KEY_STALE_TIMEOUT = "activity_stale_timeout_seconds";

  /** Key of the sweep interval, in seconds (0 = no sweeper thread). */
  public static final String KEY_SWEEP_INTERVAL = "activity_sweep_interval_seconds";

  /** Key of the time without backend content after which an open row is marked stalled. */
  public static final String KEY_STALL_AFTER = "activity_stall_after_seconds";

  /** Key of the switch that counts server-sent events and the gaps between them. */
  public static final String KEY_COUNT_EVENTS = "activity_count_events";

  /** Key of the row cap. */
  public static final String KEY_MAX_CONNECTIONS = "activity_max_connections";

  /** Key of the number of recently ended rows kept (0 = none). */
  public static final String KEY_RECENT_CONNECTIONS = "activity_recent_connections";

  /** The default stale timeout: five minutes without byte progress. */
  public static final Duration DEFAULT_STALE_TIMEOUT = Duration.ofMinutes(5);

  /**
   * The default time without content from the backend after which an open row is marked stalled: 30
   * seconds.
   */
  public static final Duration DEFAULT_STALL_AFTER = Duration.ofSeconds(30);

  /** The default interval between stale sweeps. */
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(30);

  /** The default cap on active rows. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  /** The default number of recently ended rows kept for diagnostics. */
  public static final int DEFAULT_RECENT_CONNECTIONS = 100;

  /** The most recently ended rows that can be kept. */
  public static final int MAX_RECENT_CONNECTIONS = 100_000;

  private static final ActivitySettings DEFAULTS = builder().build();

  private final boolean enabled;
  private final Duration staleTimeout;
  private final Duration sweepInterval;
  private final Duration stallAfter;
  private final boolean countEvents;
  private final int maxConnections;
  private final ActivityClock clock;
  private final int recentConnections;
  private final List<EndedConnectionListener> endedListeners;

  private ActivitySettings(Builder b) {
    this.enabled = b.enabled;
    this.staleTimeout = b.staleTimeout;
    this.sweepInterval = b.sweepInterval;
    this.stallAfter = b.stallAfter;
    this.countEvents = b.countEvents;
    this.maxConnections = b.maxConnections;
    this.clock = b.clock;
    this.recentConnections = b.recentConnections;
    this.endedListeners = List.copyOf(b.endedListeners);
  }

  /**
   * The defaults: disabled, 5 minute stale timeout, 30 s sweeps, stalled after 30 s, events not
   * counted, 10,000 rows, the last 100 ended rows kept, no listener, system clock.
   *
   * @return the default settings
   */
  public static ActivitySettings defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads settings from string values, such as servlet init-params or a flattened config file.
   * Absent keys keep their defaults; unknown keys are ignored.
   *
   * @param values key/value pairs, keys as in the class documentation
   * @param source a name for where the values came from, used in error messages
   * @return the settings
   * @throws IllegalArgumentException naming the source, key and value when a value is invalid
   */
  public static ActivitySettings fromValues(Map<String, String> values, String source) {
    Builder b = builder();
    String enabled = values.get(KEY_ENABLED);
    if (enabled != null) {
      b.enabled(Enablement.parseBoolean(enabled, source + " " + KEY_ENABLED));
    }
    String stale = values.get(KEY_STALE_TIMEOUT);
    if (stale != null) {
      Duration d = parseSeconds(stale, source, KEY_STALE_TIMEOUT);
      try {
        b.staleTimeout(d);
      } catch (IllegalArgumentException e) {
        throw invalid(source, KEY_STALE_TIMEOUT, stale, "a positive number of seconds", e);
      }
    }
    String sweep = values.get(KEY_SWEEP_INTERVAL);
    if (sweep != null) {
      b.sweepInterval(parseSeconds(sweep, source, KEY_SWEEP_INTERVAL));
    }
    String stall = values.get(KEY_STALL_AFTER);
    if (stall != null) {
      Duration d = parseSeconds(stall, source, KEY_STALL_AFTER);
      try {
        b.stallAfter(d);
      } catch (IllegalArgumentException e) {
        throw invalid(source, KEY_STALL_AFTER, stall, "a positive number of seconds", e);
      }
    }
    String events = values.get(KEY_COUNT_EVENTS);
    if (events != null) {
      b.countEvents(Enablement.parseBoolean(events, source + " " + KEY_COUNT_EVENTS));
    }
    String max = values.get(KEY_MAX_CONNECTIONS);
    if (max != null) {
      try {
        b.maxConnections(Integer.parseInt(max.trim()));
      } catch (IllegalArgumentException e) {
        throw invalid(source, KEY_MAX_CONNECTIONS, max, "a positive whole number", e);
      }
    }
    String recent = values.get(KEY_RECENT_CONNECTIONS);
    if (recent != null) {
      try {
        b.recentConnections(Integer.parseInt(recent.trim()));
      } catch (IllegalArgumentException e) {
        throw invalid(
            source,
            KEY_RECENT_CONNECTIONS,
            recent,
            "a whole number from 0 to " + MAX_RECENT_CONNECTIONS,
            e);
      }
    }
    return b.build();
  }

  private static Duration parseSeconds(String value, String source, String key) {
    try {
      double seconds = Double.parseDouble(value.trim());
      if (!(seconds >= 0) || Double.isInfinite(seconds)) {
        throw new IllegalArgumentException("not a finite, non-negative number");
      }
      return Duration.ofNanos(Math.round(seconds * 1e9));
    } catch (IllegalArgumentException e) {
      throw invalid(source, key, value, "a non-negative number of seconds", e);
    }
  }

  private static IllegalArgumentException invalid(
      String source, String key, String value, String expected, Exception cause) {
    return new IllegalArgumentException(
        source + ": " + key + "='" + value + "' is invalid, expected " + expected, cause);
  }

  /**
   * Whether tracking is on. When off, the tracker does no work at all.
   *
   * @return the enable flag
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * How long a row may go without byte progress before the sweeper evicts it.
   *
   * @return the stale timeout, positive
   */
  public Duration staleTimeout() {
    return staleTimeout;
  }

  /**
   * How long an open row may go without content from the backend before it is marked stalled (live
   * only: a stalled row stays open). Server-sent-event comments such as keep-alive pings are
   * counted as RX but are not content. The mark is as exact as the interval between looks at the
   * row: each snapshot, metrics read and sweep notices content that arrived since the last look,
   * without a clock read on the byte path.
   *
   * @return the stall time, positive
   */
  public Duration stallAfter() {
    return stallAfter;
  }

  /**
   * Whether the tracker counts the server-sent events of streaming rows, both ways, and the largest
   * gap between the backend's events ({@link ConnectionSnapshot#eventsRx()}, {@link
   * ConnectionSnapshot#eventsTx()}, {@link ConnectionSnapshot#maxEventGap()}). Off by default, for
   * its cost: every byte of every chunk is read (eight at a time) instead of a few, and a chunk
   * that completes an event reads the clock; measured on a Jetty SSE server, it nearly doubles what
   * tracking costs (see the benchmarks' README). When off, those values stay 0 and null; the stall
   * and orphan marks, the stream's last event and the first content (past control events such as
   * {@code response.created}) are kept either way.
   *
   * @return whether events are counted
   */
  public boolean countEvents() {
    return countEvents;
  }

  /**
   * How often the sweeper runs; zero means no sweeper thread.
   *
   * @return the sweep interval, zero or positive
   */
  public Duration sweepInterval() {
    return sweepInterval;
  }

  /**
   * The most active rows kept. Opening a new row at the cap evicts an idle one first, in constant
   * time whatever the cap: a clock hand visits the rows in the order they were opened, gives every
   * row that moved bytes (or was joined) since its last visit a second chance at the back, and
   * evicts the first that did not. A row moving bytes is evicted only when no idle row is left.
   * Rows evicted this way end as {@code evicted}; a warning is logged once per burst.
   *
   * @return the row cap, at least 1
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * The time source.
   *
   * @return the clock
   */
  public ActivityClock clock() {
    return clock;
  }

  /**
   * How many recently ended rows the tracker keeps for diagnostics ({@link
   * ActivityTracker#recentlyEnded()}); zero keeps none.
   *
   * @return the ring size, from 0 to {@link #MAX_RECENT_CONNECTIONS}
   */
  public int recentConnections() {
    return recentConnections;
  }

  /**
   * The listeners told about every row that ends.
   *
   * @return an immutable list, in registration order
   */
  public List<EndedConnectionListener> endedListeners() {
    return endedListeners;
  }

  /**
   * A builder holding these settings, to change some of them.
   *
   * @return a new builder with these values
   */
  public Builder toBuilder() {
    Builder b =
        new Builder()
            .enabled(enabled)
            .staleTimeout(staleTimeout)
            .sweepInterval(sweepInterval)
            .stallAfter(stallAfter)
            .countEvents(countEvents)
            .maxConnections(maxConnections)
            .clock(clock)
            .recentConnections(recentConnections);
    b.endedListeners.addAll(endedListeners);
    return b;
  }

  @Override
  public String toString() {
    return "ActivitySettings{enabled="
        + enabled
        + ", staleTimeout="
        + staleTimeout
        + ", sweepInterval="
        + sweepInterval
        + ", stallAfter="
        + stallAfter
        + ", countEvents="
        + countEvents
        + ", maxConnections="
        + maxConnections
        + ", recentConnections="
        + recentConnections
        + ", endedListeners="
        + endedListeners.size()
        + '}';
  }

  /** Builds {@link ActivitySettings}; each setter validates its value at once. */
  public static final class Builder {
    private boolean enabled;
    private Duration staleTimeout = DEFAULT_STALE_TIMEOUT;
    private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
    private Duration stallAfter = DEFAULT_STALL_AFTER;
    private boolean countEvents;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private ActivityClock clock = ActivityClock.system();
    private int recentConnections = DEFAULT_RECENT_CONNECTIONS;
    private final List<EndedConnectionListener> endedListeners = new ArrayList<>();

    private Builder() {}

    /**
     * Turns tracking on or off.
     *
     * @param enabled the flag
     * @return this builder
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Sets the stale timeout.
     *
     * @param staleTimeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder staleTimeout(Duration staleTimeout) {
      Objects.requireNonNull(staleTimeout, "staleTimeout");
      if (staleTimeout.isNegative() || staleTimeout.isZero()) {
        throw new IllegalArgumentException("staleTimeout must be positive, got " + staleTimeout);
      }
      this.staleTimeout = staleTimeout;
      return this;
    }

    /**
     * Sets the sweep interval.
     *
     * @param sweepInterval zero (no sweeper thread) or a positive duration
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder sweepInterval(Duration sweepInterval) {
      Objects.requireNonNull(sweepInterval, "sweepInterval");
      if (sweepInterval.isNegative()) {
        throw new IllegalArgumentException(
            "sweepInterval must not be negative, got " + sweepInterval);
      }
      this.sweepInterval = sweepInterval;
      return this;
    }

    /**
     * Sets the time without backend content after which an open row is marked stalled.
     *
     * @param stallAfter a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder stallAfter(Duration stallAfter) {
      Objects.requireNonNull(stallAfter, "stallAfter");
      if (stallAfter.isNegative() || stallAfter.isZero()) {
        throw new IllegalArgumentException("stallAfter must be positive, got " + stallAfter);
      }
      this.stallAfter = stallAfter;
      return this;
    }

    /**
     * Turns the counting of server-sent events on or off (see {@link
     * ActivitySettings#countEvents()}).
     *
     * @param countEvents the switch
     * @return this builder
     */
    public Builder countEvents(boolean countEvents) {
      this.countEvents = countEvents;
      return this;
    }

    /**
     * Sets the row cap.
     *
     * @param maxConnections at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException(
            "maxConnections must be at least 1, got " + maxConnections);
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Sets the time source.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(ActivityClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how many recently ended rows are kept for diagnostics.
     *
     * @param recentConnections from 0 (keep none) to {@link
     *     ActivitySettings#MAX_RECENT_CONNECTIONS}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder recentConnections(int recentConnections) {
      if (recentConnections < 0 || recentConnections > MAX_RECENT_CONNECTIONS) {
        throw new IllegalArgumentException(
            "recentConnections must be from 0 to "
                + MAX_RECENT_CONNECTIONS
                + ", got "
                + recentConnections);
      }
      this.recentConnections = recentConnections;
      return this;
    }

    /**
     * Adds a listener told about every row that ends (see {@link EndedConnectionListener} for when
     * and where it runs). May be called several times; listeners are called in this order.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder endedListener(EndedConnectionListener listener) {
      endedListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return immutable settings
     */
    public ActivitySettings build() {
      return new ActivitySettings(this);
    }
  }
}
