package dev.inflight.activity.vertx;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.TrackingBuilder;
import dev.inflight.activity.vertx.internal.TrackedResponse;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A vertx-web route handler that tracks each request from its arrival to the end of its response,
 * counts the body bytes the response writes to the client ({@code bytes_tx}), and ends the request
 * exactly once.
 *
 * <pre>{@code
 * Router router = Router.router(vertx);
 * router.route().handler(ActivityHandler.create(tracker));   // first: sees every request
 * router.post("/v1/chat/completions").handler(ctx -> {
 *   RequestActivity activity = VertxActivity.of(ctx);
 *   activity.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
 *   ...                                                       // relay the backend's answer
 * });
 * }</pre>
 *
 * <p><b>The activity</b> is stored in the routing context under {@link #ATTRIBUTE} ({@link
 * VertxActivity#of(RoutingContext)} reads it); the session id comes from the {@value
 * RequestActivity#DEFAULT_SESSION_HEADER} header unless the builder names another. The proxy code
 * attaches it to a backend; a request that never attaches leaves no row.
 *
 * <p><b>How TX is counted.</b> The handler reads {@link
 * io.vertx.core.http.HttpServerResponse#bytesWritten()}, Vert.x's own count of the body bytes the
 * response handed to its connection (no headers, no chunk framing, before any compression), on a
 * periodic timer of the request's context while the response is open (every {@link
 * #DEFAULT_POLL_INTERVAL} unless the builder sets another), and once more when the request ends.
 * The response object is not wrapped: whatever writes the body ({@code write}, {@code end}, {@code
 * send(ReadStream)}, a pipe, {@code sendFile}, vertx-web's {@code json}) is counted the same, there
 * is no work per write, and the total is exact. The cost is one timer per response still open when
 * the handlers after this one return (none for a response they ended, such as a plain JSON answer);
 * the price is that a row's TX lags what was written by at most one interval while it is open.
 *
 * <p><b>How the request ends</b>, from the routing context's end handlers ({@link
 * RoutingContext#addEndHandler}, which any number of handlers may add; the response's own
 * single-slot end, close and exception handlers are left to the application):
 *
 * <ol>
 *   <li>the response ended: {@code completed}; on HTTP/2 once the stream closed, when every byte
 *       the response was given has been handed to the connection, so that TX is exact;
 *   <li>the connection closed, or the HTTP/2 stream was reset, before the response ended: {@code
 *       client_aborted};
 *   <li>the routing context failed ({@code ctx.fail(throwable)}, a handler that threw, {@code
 *       ctx.fail(5xx)}): {@code errored}, whatever the response did; a more severe reason recorded
 *       with {@link RequestActivity#fail} wins too.
 * </ol>
 *
 * <p>If the application replaces the response's handlers that vertx-web's end handlers listen
 * through ({@code response().closeHandler(...)}, {@code endHandler}, {@code exceptionHandler}), the
 * timer still finds the end, by {@code ended()} and {@code closed()}, within one interval.
 *
 * <p>Behaviour worth knowing:
 *
 * <ol>
 *   <li>When tracking is off the handler only calls {@code ctx.next()}: nothing is stored, wrapped,
 *       scheduled or allocated.
 *   <li>A request already tracked (a second instance of the handler, a sub-router, a reroute) is
 *       tracked once.
 *   <li>The body of a {@code HEAD} response, which the server drops, is not counted.
 *   <li>Tracking never fails the request: internal failures are logged once and the request goes on
 *       untracked.
 * </ol>
 *
 * <p>Thread-safety: one instance serves every request, on any event loop or worker context.
 */
public final class ActivityHandler implements Handler<RoutingContext> {

  /** The routing context key holding the request's {@link RequestActivity}. */
  public static final String ATTRIBUTE = "dev.inflight.activity.RequestActivity";

  /** How often an open response's written bytes are read unless the builder sets another. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(250);

  private final Supplier<ActivityTracker> tracker;
  private final @Nullable String sessionHeader;
  private final long pollMillis;

  private ActivityHandler(
      Supplier<ActivityTracker> tracker, @Nullable String sessionHeader, long pollMillis) {
    this.tracker = tracker;
    this.sessionHeader = sessionHeader;
    this.pollMillis = pollMillis;
  }

  /**
   * A handler tracking with {@code tracker}, reading the default session header.
   *
   * @param tracker the tracker; a disabled one makes the handler do nothing
   * @return the handler
   */
  public static ActivityHandler create(ActivityTracker tracker) {
    return builder().tracker(tracker).build();
  }

  /**
   * A builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void handle(RoutingContext ctx) {
    ActivityTracker t = tracker.get();
    // isEnabled first: the routing context makes its data map on the first get
    if (!t.isEnabled() || ctx.get(ATTRIBUTE) != null) {
      ctx.next(); // off, or already tracked by another instance of the handler
      return;
    }
    TrackedResponse tracked = TrackedResponse.begin(t, sessionHeader, ATTRIBUTE, ctx);
    try {
      ctx.next();
    } finally {
      if (tracked != null) {
        tracked.startPolling(pollMillis); // not for a response the handlers already ended
      }
    }
  }

  @Override
  public String toString() {
    return "ActivityHandler{poll=" + pollMillis + "ms}";
  }

  /**
   * Builds an {@link ActivityHandler}; see {@link TrackingBuilder} for the options (tracker,
   * default {@link ActivityTracker#global()} read per request; session header, default {@value
   * RequestActivity#DEFAULT_SESSION_HEADER}), plus how often an open response is read.
   */
  public static final class Builder extends TrackingBuilder<Builder, ActivityHandler> {

    private Duration pollInterval = DEFAULT_POLL_INTERVAL;

    private Builder() {}

    /**
     * How often the written bytes of an open response are read (and its end looked for, should the
     * application have replaced the response's handlers); the default is {@link
     * #DEFAULT_POLL_INTERVAL}. Shorter shows TX sooner, at one timer task per open response per
     * interval.
     *
     * @param interval at least one millisecond
     * @return this builder
     * @throws IllegalArgumentException if the interval is shorter than a millisecond
     */
    public Builder pollInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.toMillis() < 1) {
        throw new IllegalArgumentException("poll interval must be at least 1 ms, got " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * Builds the handler.
     *
     * @return a new handler
     */
    @Override
    public ActivityHandler build() {
      return new ActivityHandler(
          trackerSupplier(), configuredSessionHeader(), pollInterval.toMillis());
    }
  }
}
