package dev.inflight.activity.spring.boot;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.json.SessionIdDisplay;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.Ordered;

/**
 * The properties under {@value #PREFIX}, bound from any of Boot's sources with Boot's precedence
 * (command line &gt; environment &gt; {@code application.yml}).
 *
 * <p>Tracking is off unless {@code inflight.activity.enabled} says otherwise; when that property is
 * not set anywhere, the environment variable {@code ENABLE_ACTIVITY_TRACKING} ({@code
 * 1/true/yes/on}, {@code 0/false/no/off}) decides. Each setter checks its value, so a bad one stops
 * the application at startup with an error naming the property and the value.
 */
@ConfigurationProperties(prefix = ActivityProperties.PREFIX)
public class ActivityProperties {

  /** The prefix of every property. */
  public static final String PREFIX = "inflight.activity";

  /**
   * Whether connection activity is tracked. Unset: the environment variable
   * ENABLE_ACTIVITY_TRACKING decides, else off.
   */
  private @Nullable Boolean enabled;

  /** How long a connection may go without byte progress before the sweeper evicts it. */
  private Duration staleTimeout = ActivitySettings.DEFAULT_STALE_TIMEOUT;

  /**
   * How long an open connection may go without content from its backend (server-sent-event comment
   * pings do not count) before it is marked stalled; it stays open.
   */
  private Duration stallAfter = ActivitySettings.DEFAULT_STALL_AFTER;

  /**
   * Whether server-sent events of streaming connections are counted both ways, with the largest gap
   * between the backend's events; off by default, as it reads every byte of every chunk.
   */
  private boolean countEvents;

  /** How often the stale sweeper runs; 0 starts no sweeper thread. */
  private Duration sweepInterval = ActivitySettings.DEFAULT_SWEEP_INTERVAL;

  /** The most active connections kept; past it the oldest idle one is evicted. */
  private int maxConnections = ActivitySettings.DEFAULT_MAX_CONNECTIONS;

  /** How many recently ended connections are kept for the diagnostics documents. */
  private int recentConnections = ActivitySettings.DEFAULT_RECENT_CONNECTIONS;

  /**
   * The request header that carries the session id; empty reads none (each request gets a generated
   * id).
   */
  private String sessionHeader = "X-Session-Id";

  /**
   * How session ids are shown in the diagnostics documents and the live page (and in the Actuator
   * endpoint, when it shows them): full, truncated, hashed or hidden.
   */
  private SessionIdDisplay sessionIdDisplay = SessionIdDisplay.FULL;

  /**
   * Whether the tracker is also installed as ActivityTracker.global(), for code that looks it up
   * there.
   */
  private boolean installGlobal;

  /** The order of the servlet filter; the default puts it around every other filter. */
  private int filterOrder = Ordered.HIGHEST_PRECEDENCE;

  /** The diagnostics endpoints. */
  private final Diagnostics diagnostics = new Diagnostics();

  /** The Micrometer binder. */
  private final Metrics metrics = new Metrics();

  /** Creates the properties with their defaults. */
  public ActivityProperties() {}

  /**
   * Whether tracking was switched on or off by this property.
   *
   * @return the value, or null when the property is not set
   */
  public @Nullable Boolean getEnabled() {
    return enabled;
  }

  /**
   * Switches tracking on or off.
   *
   * @param enabled the flag, or null for unset
   */
  public void setEnabled(@Nullable Boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * The stale timeout.
   *
   * @return a positive duration
   */
  public Duration getStaleTimeout() {
    return staleTimeout;
  }

  /**
   * Sets the stale timeout.
   *
   * @param staleTimeout a positive duration
   * @throws IllegalArgumentException if it is not positive
   */
  public void setStaleTimeout(Duration staleTimeout) {
    Objects.requireNonNull(staleTimeout, "staleTimeout");
    if (staleTimeout.isNegative() || staleTimeout.isZero()) {
      throw new IllegalArgumentException(
          PREFIX + ".stale-timeout must be positive, got " + staleTimeout);
    }
    this.staleTimeout = staleTimeout;
  }

  /**
   * The time without backend content after which an open connection is marked stalled.
   *
   * @return a positive duration
   */
  public Duration getStallAfter() {
    return stallAfter;
  }

  /**
   * Sets the time without backend content after which an open connection is marked stalled.
   *
   * @param stallAfter a positive duration
   * @throws IllegalArgumentException if it is not positive
   */
  public void setStallAfter(Duration stallAfter) {
    Objects.requireNonNull(stallAfter, "stallAfter");
    if (stallAfter.isNegative() || stallAfter.isZero()) {
      throw new IllegalArgumentException(
          PREFIX + ".stall-after must be positive, got " + stallAfter);
    }
    this.stallAfter = stallAfter;
  }

  /**
   * Whether server-sent events are counted (see {@link ActivitySettings#countEvents()}).
   *
   * @return the switch, false by default
   */
  public boolean isCountEvents() {
    return countEvents;
  }

  /**
   * Turns the counting of server-sent events on or off.
   *
   * @param countEvents the switch
   */
  public void setCountEvents(boolean countEvents) {
    this.countEvents = countEvents;
  }

  /**
   * The interval between stale sweeps.
   *
   * @return zero (no sweeper) or a positive duration
   */
  public Duration getSweepInterval() {
    return sweepInterval;
  }

  /**
   * Sets the interval between stale sweeps.
   *
   * @param sweepInterval zero (no sweeper thread) or a positive duration
   * @throws IllegalArgumentException if it is negative
   */
  public void setSweepInterval(Duration sweepInterval) {
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    if (sweepInterval.isNegative()) {
      throw new IllegalArgumentException(
          PREFIX + ".sweep-interval must not be negative, got " + sweepInterval);
    }
    this.sweepInterval = sweepInterval;
  }

  /**
   * The cap on active connections.
   *
   * @return at least 1
   */
  public int getMaxConnections() {
    return maxConnections;
  }

  /**
   * Sets the cap on active connections.
   *
   * @param maxConnections at least 1
   * @throws IllegalArgumentException if less than 1
   */
  public void setMaxConnections(int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          PREFIX + ".max-connections must be at least 1, got " + maxConnections);
    }
    this.maxConnections = maxConnections;
  }

  /**
   * How many recently ended connections are kept.
   *
   * @return from 0 to {@link ActivitySettings#MAX_RECENT_CONNECTIONS}
   */
  public int getRecentConnections() {
    return recentConnections;
  }

  /**
   * Sets how many recently ended connections are kept.
   *
   * @param recentConnections from 0 to {@link ActivitySettings#MAX_RECENT_CONNECTIONS}
   * @throws IllegalArgumentException if out of range
   */
  public void setRecentConnections(int recentConnections) {
    if (recentConnections < 0 || recentConnections > ActivitySettings.MAX_RECENT_CONNECTIONS) {
      throw new IllegalArgumentException(
          PREFIX
              + ".recent-connections must be from 0 to "
              + ActivitySettings.MAX_RECENT_CONNECTIONS
              + ", got "
              + recentConnections);
    }
    this.recentConnections = recentConnections;
  }

  /**
   * The session id header.
   *
   * @return the header name, empty to read none
   */
  public String getSessionHeader() {
    return sessionHeader;
  }

  /**
   * Sets the session id header.
   *
   * @param sessionHeader the header name, empty to read none
   */
  public void setSessionHeader(String sessionHeader) {
    this.sessionHeader = Objects.requireNonNull(sessionHeader, "sessionHeader").trim();
  }

  /**
   * How session ids are shown.
   *
   * @return the display
   */
  public SessionIdDisplay getSessionIdDisplay() {
    return sessionIdDisplay;
  }

  /**
   * Sets how session ids are shown.
   *
   * @param sessionIdDisplay full, truncated, hashed or hidden
   */
  public void setSessionIdDisplay(SessionIdDisplay sessionIdDisplay) {
    this.sessionIdDisplay = Objects.requireNonNull(sessionIdDisplay, "sessionIdDisplay");
  }

  /**
   * Whether the tracker is installed as the global one.
   *
   * @return the flag
   */
  public boolean isInstallGlobal() {
    return installGlobal;
  }

  /**
   * Sets whether the tracker is installed as {@code ActivityTracker.global()} (and the previous one
   * put back when the application context closes).
   *
   * @param installGlobal the flag
   */
  public void setInstallGlobal(boolean installGlobal) {
    this.installGlobal = installGlobal;
  }

  /**
   * The servlet filter's order.
   *
   * @return the order
   */
  public int getFilterOrder() {
    return filterOrder;
  }

  /**
   * Sets the servlet filter's order.
   *
   * @param filterOrder the order; lower runs first (further out)
   */
  public void setFilterOrder(int filterOrder) {
    this.filterOrder = filterOrder;
  }

  /**
   * The diagnostics endpoint properties.
   *
   * @return them
   */
  public Diagnostics getDiagnostics() {
    return diagnostics;
  }

  /**
   * The Micrometer binder properties.
   *
   * @return them
   */
  public Metrics getMetrics() {
    return metrics;
  }

  /**
   * The tracker settings these properties describe.
   *
   * @param enabled whether tracking is on, as resolved from the property and the environment
   * @return the settings
   */
  public ActivitySettings toSettings(boolean enabled) {
    return ActivitySettings.builder()
        .enabled(enabled)
        .staleTimeout(staleTimeout)
        .stallAfter(stallAfter)
        .countEvents(countEvents)
        .sweepInterval(sweepInterval)
        .maxConnections(maxConnections)
        .recentConnections(recentConnections)
        .build();
  }

  /** Properties under {@code inflight.activity.diagnostics}. */
  public static class Diagnostics {

    /**
     * Whether the diagnostics documents are served (to loopback clients only); they report
     * "disabled" while tracking is off.
     */
    private boolean enabled = true;

    /**
     * Where the diagnostics documents are served: this path, its /activity and the live page at
     * /ui.
     */
    private String path = "/v1/diagnostics";

    /**
     * A listener of their own for the diagnostics documents and the live page, bound to 127.0.0.1
     * on this port (0: a free one); the application's port then answers 404 for them. Unset: they
     * are served on the application's port. Served by Tomcat, Jetty and Reactor Netty.
     */
    private @Nullable Integer port;

    /** Creates the properties with their defaults. */
    public Diagnostics() {}

    /**
     * The port of the diagnostics listener.
     *
     * @return the port (0 for a free one), or null to serve on the application's port
     */
    public @Nullable Integer getPort() {
      return port;
    }

    /**
     * Sets the port of the diagnostics listener.
     *
     * @param port from 0 (a free one) to 65535, or null to serve on the application's port
     * @throws IllegalArgumentException if out of range
     */
    public void setPort(@Nullable Integer port) {
      if (port != null && (port < 0 || port > 65535)) {
        throw new IllegalArgumentException(
            PREFIX + ".diagnostics.port must be from 0 to 65535, got " + port);
      }
      this.port = port;
    }

    /**
     * Whether the diagnostics endpoints are served.
     *
     * @return the flag
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the diagnostics endpoints are served.
     *
     * @param enabled the flag
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * The path of the full document.
     *
     * @return a path starting with {@code /}, without a trailing slash
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets the path of the full document; the lightweight one is at {@code path + "/activity"}.
     *
     * @param path a path starting with {@code /}; a trailing slash is dropped
     * @throws IllegalArgumentException if it does not start with {@code /}, is only {@code /}, or
     *     holds wildcards, a query or whitespace
     */
    public void setPath(String path) {
      String p = Objects.requireNonNull(path, "path").trim();
      while (p.length() > 1 && p.endsWith("/")) {
        p = p.substring(0, p.length() - 1);
      }
      if (!p.startsWith("/") || p.length() < 2 || !p.matches("[A-Za-z0-9/._~%!$&'()+,;=:@-]+")) {
        throw new IllegalArgumentException(
            PREFIX
                + ".diagnostics.path must be a path such as /v1/diagnostics"
                + " (no wildcards, query or blanks), got '"
                + path
                + "'");
      }
      this.path = p;
    }
  }

  /** Properties under {@code inflight.activity.metrics}. */
  public static class Metrics {

    /** Whether the Micrometer binder is registered (when Micrometer is present). */
    private boolean enabled = true;

    /** Whether the meters carry a model tag (more series: one per model). */
    private boolean modelTag;

    /** Creates the properties with their defaults. */
    public Metrics() {}

    /**
     * Whether the binder is registered.
     *
     * @return the flag
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the binder is registered.
     *
     * @param enabled the flag
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Whether the meters carry a model tag.
     *
     * @return the flag
     */
    public boolean isModelTag() {
      return modelTag;
    }

    /**
     * Sets whether the meters carry a model tag.
     *
     * @param modelTag the flag
     */
    public void setModelTag(boolean modelTag) {
      this.modelTag = modelTag;
    }
  }
}
