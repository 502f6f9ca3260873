package dev.inflight.activity.servlet;

import dev.inflight.activity.ActivityScope;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.TrackingBuilder;
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
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Tracks each request from its arrival to the end of its response and counts every byte the
 * application writes to the client ({@code bytes_tx}), through {@code getOutputStream()} and {@code
 * getWriter()}, for plain, chunked, streamed (SSE) and asynchronous responses.
 *
 * <p>The proxy code attaches the request to a backend with {@link ServletActivity#of}; a request
 * that never attaches leaves no row. TX is what the client receives: text is encoded by the
 * filter's own writer into the counted stream, bytes a {@code reset()} discards or that go past the
 * declared {@code Content-Length} are not counted. The request ends exactly once, by core's rule:
 * {@code completed} when the response is done (for asynchronous requests, when the {@code
 * AsyncContext} completes), {@code errored} on an exception, an async error or timeout, or a write
 * past {@code Content-Length}, {@code client_aborted} when writing to the client failed because it
 * went away; the most severe reason recorded wins.
 *
 * <p>Mounting, programmatically:
 *
 * <pre>{@code
 * ActivityTracker tracker = ActivityTracker.create(ActivitySettings.builder().enabled(true).build());
 * FilterHolder holder = new FilterHolder(ActivityFilter.builder()
 *     .tracker(tracker)                 // or a Supplier<ActivityTracker>, e.g. ActivityTracker::global
 *     .sessionHeader("X-Session-Id")    // the default
 *     .build());
 * holder.setAsyncSupported(true);
 * context.addFilter(holder, "/v1/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>or in {@code web.xml}, with the tracker settings as init-params (keys of {@link
 * ActivitySettings#fromValues}); the filter then owns that tracker, closes it in {@link #destroy()}
 * and publishes it as the servlet context attribute {@link #TRACKER_ATTRIBUTE}, where {@link
 * DiagnosticsServlet} finds it (a tracker given to the builder is published too). Without a tracker
 * and without settings the filter uses {@link ActivityTracker#global()}, read on every request.
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

  private volatile @Nullable Supplier<ActivityTracker> tracker;
  private @Nullable ActivityTracker published;
  private volatile @Nullable String sessionHeader;
  private @Nullable ActivityTracker owned;
  private @Nullable ServletContext context;

  /**
   * A filter configured by its init-params, or else using {@link ActivityTracker#global()}. This is
   * the constructor containers call for {@code web.xml} mounting.
   */
  public ActivityFilter() {}

  private ActivityFilter(
      @Nullable Supplier<ActivityTracker> tracker,
      @Nullable ActivityTracker published,
      @Nullable String sessionHeader) {
    this.tracker = tracker;
    this.published = published;
    this.sessionHeader = sessionHeader;
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
    if (sessionHeader == null && header != null) {
      sessionHeader = header.trim();
    }
    Map<String, String> params = new HashMap<>();
    for (String name : Collections.list(config.getInitParameterNames())) {
      params.put(name, config.getInitParameter(name));
    }
    if (tracker == null && SETTINGS_KEYS.stream().anyMatch(params::containsKey)) {
      try {
        ActivityTracker own =
            ActivityTracker.create(ActivitySettings.fromValues(params, "filter init-param"));
        owned = own;
        published = own;
        tracker = () -> own;
      } catch (IllegalArgumentException e) {
        throw new ServletException(e.getMessage(), e);
      }
    }
    ServletContext c = config.getServletContext();
    if (published != null && c != null && c.getAttribute(TRACKER_ATTRIBUTE) == null) {
      c.setAttribute(TRACKER_ATTRIBUTE, published);
      context = c;
    }
  }

  @Override
  @SuppressWarnings("try") // the scope is opened for its effect on the thread
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Supplier<ActivityTracker> s = tracker;
    ActivityTracker t = s == null ? ActivityTracker.global() : s.get();
    if (!t.isEnabled()
        || !(request instanceof HttpServletRequest)
        || !(response instanceof HttpServletResponse)
        || request.getAttribute(ServletActivity.ATTRIBUTE) != null) {
      // a later dispatch of a tracked request (async, forward): its activity is current again
      try (ActivityScope scope = ServletActivity.of(request).makeCurrent()) {
        chain.doFilter(request, response);
      }
      return;
    }
    String header = sessionHeader;
    TrackedExchange.run(
        t,
        header == null ? RequestActivity.DEFAULT_SESSION_HEADER : header,
        (HttpServletRequest) request,
        (HttpServletResponse) response,
        chain);
  }

  /** Closes the tracker the filter created from its init-params, if any. */
  @Override
  public void destroy() {
    ServletContext c = context;
    if (c != null && c.getAttribute(TRACKER_ATTRIBUTE) == published) {
      c.removeAttribute(TRACKER_ATTRIBUTE);
    }
    context = null;
    ActivityTracker t = owned;
    if (t != null) {
      t.close();
      owned = null;
    }
  }

  /**
   * Builds an {@link ActivityFilter}; see {@link TrackingBuilder} for the options. Values set here
   * win over init-params; a tracker given here is published as {@link #TRACKER_ATTRIBUTE} and not
   * closed by the filter. Without one the filter reads tracker settings from its init-params, or
   * else uses {@link ActivityTracker#global()}.
   */
  public static final class Builder extends TrackingBuilder<Builder, ActivityFilter> {
    private Builder() {}

    /**
     * Builds the filter.
     *
     * @return a new filter
     */
    @Override
    public ActivityFilter build() {
      return new ActivityFilter(
          trackerGiven() ? trackerSupplier() : null, fixedTracker(), givenSessionHeader());
    }
  }
}
