package dev.inflight.activity.servlet;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.servlet.internal.TrackedExchange;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Tracks each request from its arrival to the end of its response and counts every byte the
 * application writes to the client ({@code bytes_tx}), through {@code getOutputStream()} and {@code
 * getWriter()}, for plain, chunked, streamed (SSE) and asynchronous responses.
 *
 * <p>The proxy code attaches the request to a backend with {@link ServletActivity#of}; a request
 * that never attaches leaves no row. The request ends exactly once: {@code completed} when the
 * response is done (for asynchronous requests, when the {@code AsyncContext} completes), {@code
 * errored} on an exception, an async error or an async timeout, {@code client_aborted} when writing
 * to the client failed because it went away.
 *
 * <p>Mounting, programmatically:
 *
 * <pre>{@code
 * ActivityTracker tracker = ActivityTracker.create(ActivitySettings.builder().enabled(true).build());
 * FilterHolder holder = new FilterHolder(ActivityFilter.builder().tracker(tracker).build());
 * holder.setAsyncSupported(true);
 * context.addFilter(holder, "/v1/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>or in {@code web.xml}, with the tracker settings as init-params (keys of {@link
 * ActivitySettings#fromValues}); the filter then owns that tracker, closes it in {@link #destroy()}
 * and publishes it as the servlet context attribute {@link #TRACKER_ATTRIBUTE}, where {@link
 * DiagnosticsServlet} finds it. Without a tracker and without settings the filter uses {@link
 * ActivityTracker#global()}, looked up on every request.
 *
 * <p>Behaviour worth knowing:
 *
 * <ol>
 *   <li>When tracking is off the filter calls the chain with the original request and response: no
 *       wrapper, no allocation.
 *   <li>The filter must be {@code async-supported}. Map it to the {@code REQUEST} dispatcher; if it
 *       also sees other dispatches of a request it already tracks (ASYNC, FORWARD, ERROR), it
 *       passes them through, so nothing is counted twice.
 *   <li>{@code flush()} goes straight to the container (SSE events are not delayed), and
 *       non-blocking writes ({@code setWriteListener}/{@code isReady}) work through the wrapper.
 *   <li>{@code startAsync()} on the wrapped request keeps the filter's wrappers in the {@code
 *       AsyncContext}, so bytes written through {@code asyncContext.getResponse()} count too.
 *   <li>Tracking never throws into the application: internal failures are logged and the request
 *       goes on untracked.
 * </ol>
 */
public final class ActivityFilter implements Filter {

  /** The request header read for the session id unless configured otherwise. */
  public static final String DEFAULT_SESSION_ID_HEADER = "X-Session-Id";

  /**
   * Init-param naming the session id header; an empty value reads no header, so every request gets
   * a generated session id when it attaches.
   */
  public static final String PARAM_SESSION_ID_HEADER = "session_id_header";

  /** Servlet context attribute under which the filter publishes its own tracker. */
  public static final String TRACKER_ATTRIBUTE = "dev.inflight.activity.ActivityTracker";

  private static final List<String> SETTINGS_KEYS =
      List.of(
          ActivitySettings.KEY_ENABLED,
          ActivitySettings.KEY_STALE_TIMEOUT,
          ActivitySettings.KEY_SWEEP_INTERVAL,
          ActivitySettings.KEY_MAX_CONNECTIONS,
          ActivitySettings.KEY_RECENT_CONNECTIONS);

  private volatile @Nullable ActivityTracker tracker;
  private volatile @Nullable String sessionIdHeader;
  private @Nullable ActivityTracker owned;
  private @Nullable ServletContext published;

  /**
   * A filter configured by its init-params, or else using {@link ActivityTracker#global()}. This is
   * the constructor containers call for {@code web.xml} mounting.
   */
  public ActivityFilter() {}

  /**
   * A filter counting into the given tracker.
   *
   * @param tracker the tracker; the filter does not close it
   */
  public ActivityFilter(ActivityTracker tracker) {
    this.tracker = Objects.requireNonNull(tracker, "tracker");
  }

  private ActivityFilter(Builder b) {
    this.tracker = b.tracker;
    this.sessionIdHeader = b.sessionIdHeader;
  }

  /**
   * A builder, for programmatic mounting.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the init-params for whatever was not configured programmatically: the session id header,
   * and tracker settings (which make the filter create, own and publish a tracker).
   *
   * @param config the filter configuration
   * @throws ServletException if an init-param has an invalid value
   */
  @Override
  public void init(FilterConfig config) throws ServletException {
    String header = config.getInitParameter(PARAM_SESSION_ID_HEADER);
    if (sessionIdHeader == null && header != null) {
      sessionIdHeader = header.trim();
    }
    ServletContext context = config.getServletContext();
    ActivityTracker given = tracker;
    if (given == null) {
      Map<String, String> params = new HashMap<>();
      for (String name : Collections.list(config.getInitParameterNames())) {
        params.put(name, config.getInitParameter(name));
      }
      if (SETTINGS_KEYS.stream().anyMatch(params::containsKey)) {
        try {
          given = ActivityTracker.create(ActivitySettings.fromValues(params, "filter init-param"));
        } catch (IllegalArgumentException e) {
          throw new ServletException(e.getMessage(), e);
        }
        owned = given;
        tracker = given;
      }
    }
    if (given != null && context != null && context.getAttribute(TRACKER_ATTRIBUTE) == null) {
      context.setAttribute(TRACKER_ATTRIBUTE, given);
      published = context;
    }
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    ActivityTracker t = tracker;
    if (t == null) {
      t = ActivityTracker.global();
    }
    if (!t.isEnabled()
        || !(request instanceof HttpServletRequest)
        || !(response instanceof HttpServletResponse)
        || request.getAttribute(ServletActivity.ATTRIBUTE) != null) {
      chain.doFilter(request, response);
      return;
    }
    String header = sessionIdHeader;
    TrackedExchange.run(
        t,
        header == null ? DEFAULT_SESSION_ID_HEADER : header,
        (HttpServletRequest) request,
        (HttpServletResponse) response,
        chain);
  }

  /** Closes the tracker the filter created from its init-params, if any. */
  @Override
  public void destroy() {
    ServletContext context = published;
    if (context != null && context.getAttribute(TRACKER_ATTRIBUTE) == tracker) {
      context.removeAttribute(TRACKER_ATTRIBUTE);
    }
    published = null;
    ActivityTracker t = owned;
    if (t != null) {
      t.close();
      owned = null;
    }
  }

  @Override
  public String toString() {
    ActivityTracker t = tracker;
    return "ActivityFilter{tracker=" + (t == null ? "global" : t) + "}";
  }

  /** Builds an {@link ActivityFilter}; values set here win over init-params. */
  public static final class Builder {
    private @Nullable ActivityTracker tracker;
    private @Nullable String sessionIdHeader;

    private Builder() {}

    /**
     * The tracker to count into (the filter does not close it). Without one the filter reads
     * tracker settings from its init-params, or else uses {@link ActivityTracker#global()}.
     *
     * @param tracker the tracker
     * @return this builder
     */
    public Builder tracker(ActivityTracker tracker) {
      this.tracker = Objects.requireNonNull(tracker, "tracker");
      return this;
    }

    /**
     * The request header carrying the session id, {@code X-Session-Id} by default; an empty name
     * reads no header.
     *
     * @param name the header name
     * @return this builder
     */
    public Builder sessionIdHeader(String name) {
      this.sessionIdHeader = Objects.requireNonNull(name, "name").trim();
      return this;
    }

    /**
     * Builds the filter.
     *
     * @return a new filter
     */
    public ActivityFilter build() {
      return new ActivityFilter(this);
    }
  }
}
