package dev.inflight.activity.jaxrs;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.TrackingBuilder;
import dev.inflight.activity.jaxrs.internal.ActivityProvider;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.WriterInterceptor;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Tracks every request of a Jakarta REST application: counts the bytes sent to the client (TX) into
 * the request's {@link dev.inflight.activity.RequestActivity}, which the resource attaches to a
 * backend row through {@link JaxrsActivity}, and ends the request once its body is really written.
 * Registered in one line:
 *
 * <pre>{@code
 * ActivityTracker tracker = ActivityTracker.create(ActivitySettings.builder().enabled(true).build());
 * resourceConfig.register(ActivityFeature.builder().tracker(tracker).build());  // or .global()
 * }</pre>
 *
 * <p><b>What it registers.</b> With a given tracker that is disabled: nothing, so switched-off
 * tracking costs nothing per request. Otherwise one provider that is a request filter, a response
 * filter and a writer interceptor (priority {@value #PRIORITY}):
 *
 * <ol>
 *   <li>The request filter begins the request ({@code tracker.beginRequest(X-Session-Id)}), stores
 *       it as a request property and binds it to the thread that runs the resource.
 *   <li>The response filter ends a response that has no body (void, 204, an exception mapped to a
 *       bare status, HEAD): nothing remains to be written. For any other response it replaces the
 *       container's body stream with a counting one ({@code
 *       ContainerResponseContext.setEntityStream}). That stream lies under every writer interceptor
 *       (so it counts what is handed to the container, after any compression) and also receives
 *       what is written outside the interceptor chain: SSE events sent from a worker thread,
 *       Jersey's {@code ChunkedOutput} chunks. It never buffers; {@code flush()} passes through.
 *       When the container's stream throws an I/O error, the client left: the request ends as
 *       client-aborted.
 *   <li>The writer interceptor, the outermost one, ends the request when {@code proceed()} returns,
 *       that is when the writer has written the whole body (a plain entity, a {@code
 *       StreamingOutput}, a resumed {@code AsyncResponse}'s entity); if {@code proceed()} throws,
 *       it ends it as errored (client-aborted if the stream failed first). Bodies that are written
 *       after the chain returns (Jersey's SSE sink and {@code ChunkedOutput}) end when the
 *       container closes the counting stream. For any other body that close is not trusted:
 *       RESTEasy closes the stream when the initial dispatch returns, even while an async response
 *       is still being written. RESTEasy's SSE responses have no entity and bypass the
 *       interceptors, so they end when a sink wrapped by {@link JaxrsActivity#tracking} is closed
 *       (or a write fails).
 * </ol>
 *
 * <p>Every path ends the request exactly once: the first end wins. A request whose response is
 * never written (an {@code AsyncResponse} that is never resumed and has no timeout) is left to the
 * tracker's stale sweep; give such responses a timeout ({@code AsyncResponse.setTimeout}), whose
 * 503 ends the request. Likewise an exception that no {@code ExceptionMapper} handles and that the
 * implementation hands to its container (Jersey on a servlet container does, past every filter)
 * leaves its request to the stale sweep: map such exceptions, e.g. with an {@code
 * ExceptionMapper<Throwable>}. The status code does not change how a request ends: a mapped
 * exception that is sent in full is completed. A client that leaves ends its request as
 * client-aborted when a write fails; a container that silently discards writes to a closed
 * connection (Jersey's SSE on Jetty may) lets it end as completed.
 *
 * <p><b>Tracker per request.</b> A feature built without a tracker (or with a supplier) looks up
 * the tracker per request, so one installed later takes effect at once; while it is disabled the
 * filters return at their first check and allocate nothing.
 *
 * <p>Tracking never breaks a request: internal failures are caught and logged.
 */
public final class ActivityFeature implements Feature {

  /** The priority of the filters and the interceptor: early requests, last responses. */
  public static final int PRIORITY = 100;

  private final @Nullable ActivityTracker fixedTracker;
  private final Supplier<ActivityTracker> tracker;
  private final @Nullable String sessionHeader;

  /**
   * Tracks with the given tracker, reading the session id from {@value
   * RequestActivity#DEFAULT_SESSION_HEADER}; {@code builder().tracker(tracker).build()}.
   *
   * @param tracker the tracker; if it is disabled the feature registers nothing
   */
  public ActivityFeature(ActivityTracker tracker) {
    this(tracker, () -> tracker, RequestActivity.DEFAULT_SESSION_HEADER);
  }

  private ActivityFeature(
      @Nullable ActivityTracker fixedTracker,
      Supplier<ActivityTracker> tracker,
      @Nullable String sessionHeader) {
    this.fixedTracker = fixedTracker;
    this.tracker = tracker;
    this.sessionHeader = sessionHeader;
  }

  /**
   * Starts a builder: the tracker ({@link ActivityTracker#global()} per request unless given), then
   * the session header.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Tracks with whatever {@link ActivityTracker#global()} is at each request; {@code
   * builder().build()}.
   *
   * @return a feature bound to the global tracker
   */
  public static ActivityFeature global() {
    return builder().build();
  }

  /**
   * Registers the filters and the interceptor, unless this feature was given a tracker that is
   * disabled.
   *
   * @param context the configuration being built
   * @return true if anything was registered
   */
  @Override
  public boolean configure(FeatureContext context) {
    ActivityTracker fixed = fixedTracker;
    if (fixed != null && !fixed.isEnabled()) {
      return false;
    }
    context.register(
        new ActivityProvider(tracker, sessionHeader),
        Map.of(
            ContainerRequestFilter.class, PRIORITY,
            ContainerResponseFilter.class, PRIORITY,
            WriterInterceptor.class, PRIORITY));
    return true;
  }

  @Override
  public String toString() {
    return "ActivityFeature{" + (fixedTracker == null ? "per request" : fixedTracker) + "}";
  }

  /** Builds an {@link ActivityFeature}; see {@link TrackingBuilder} for the options. */
  public static final class Builder extends TrackingBuilder<Builder, ActivityFeature> {
    private Builder() {}

    /**
     * Builds the feature.
     *
     * @return the feature
     */
    @Override
    public ActivityFeature build() {
      return new ActivityFeature(fixedTracker(), trackerSupplier(), configuredSessionHeader());
    }
  }
}
