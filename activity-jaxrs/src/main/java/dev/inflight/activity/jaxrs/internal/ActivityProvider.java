package dev.inflight.activity.jaxrs.internal;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The request filter, response filter and writer interceptor that track each request; one instance
 * per feature, shared by all requests (it holds no per-request state).
 *
 * <ol>
 *   <li>Request filter: begins the request's activity, stores it as a request property and binds it
 *       to the dispatching thread.
 *   <li>Response filter: a response without a body (void, 204, an exception mapped to a bare
 *       status, a HEAD) ends here, as nothing remains to be written. Otherwise the container's body
 *       stream is replaced by a counting one ({@code ContainerResponseContext .setEntityStream}),
 *       which sits under every writer interceptor, so it counts the bytes really handed to the
 *       container, and it also sees bytes written outside the interceptor chain (SSE events,
 *       chunks). Its close ends the request only for bodies written after the interceptor chain
 *       (see below): RESTEasy closes it when the initial dispatch returns, even while an async
 *       response is still being written.
 *   <li>Writer interceptor (outermost): when {@code proceed()} returns, the writer has written the
 *       whole body, so the request ends as completed; if it throws, as errored (or client-aborted
 *       when the container's stream failed). Bodies written after the chain returns (Jersey's SSE
 *       sink and {@code ChunkedOutput}) are not ended here but when the container closes their
 *       stream. RESTEasy's SSE responses have no entity and bypass the interceptors: they end when
 *       the sink wrapped by {@code JaxrsActivity.tracking} closes, or when a write fails.
 * </ol>
 */
public final class ActivityProvider
    implements ContainerRequestFilter, ContainerResponseFilter, WriterInterceptor {

  private static final System.Logger LOG = System.getLogger("dev.inflight.activity.jaxrs");
  private static final String CHUNKED_OUTPUT = "org.glassfish.jersey.server.ChunkedOutput";

  private final Supplier<ActivityTracker> tracker;
  private final @Nullable String sessionIdHeader;

  /**
   * Creates the provider.
   *
   * @param tracker supplies the tracker per request
   * @param sessionIdHeader the header carrying the session id, or null for none
   */
  public ActivityProvider(Supplier<ActivityTracker> tracker, @Nullable String sessionIdHeader) {
    this.tracker = tracker;
    this.sessionIdHeader = sessionIdHeader;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    ActivityTracker t = tracker.get();
    if (!t.isEnabled()) {
      CurrentActivity.clear();
      return;
    }
    try {
      String header = sessionIdHeader;
      RequestActivity activity =
          t.beginRequest(header == null ? null : request.getHeaderString(header));
      if (!activity.isTracking()) {
        CurrentActivity.clear();
        return;
      }
      Exchange exchange = new Exchange(activity);
      request.setProperty(Exchange.PROPERTY, exchange);
      CurrentActivity.bind(exchange);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "Activity tracking failed to begin a request", e);
    }
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    Exchange exchange = exchange(request.getProperty(Exchange.PROPERTY));
    if (exchange == null) {
      return;
    }
    try {
      CurrentActivity.unbind(exchange);
      boolean eventStream = isEventStream(response.getMediaType());
      if ((!response.hasEntity() && !eventStream) || "HEAD".equals(request.getMethod())) {
        exchange.end(EndReason.COMPLETED);
        return;
      }
      response.setEntityStream(exchange.wrap(response.getEntityStream()));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "Activity tracking failed to wrap a response", e);
    }
  }

  @Override
  public void aroundWriteTo(WriterInterceptorContext context) throws IOException {
    Exchange exchange = exchange(context.getProperty(Exchange.PROPERTY));
    if (exchange == null) {
      context.proceed();
      return;
    }
    boolean deferred = false;
    try {
      Object entity = context.getEntity();
      deferred = entity instanceof SseEventSink || isChunkedOutput(entity.getClass());
      if (deferred) {
        exchange.endsWhenStreamCloses();
      }
      if (!exchange.streamInstalled()) {
        // the response filter did not run (or failed): count here instead
        context.setOutputStream(exchange.wrap(context.getOutputStream()));
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "Activity tracking failed to inspect a response", e);
    }
    try {
      context.proceed();
    } catch (IOException | RuntimeException e) {
      if (!exchange.hasStreamFailed()) {
        exchange.end(EndReason.ERRORED);
      }
      throw e;
    }
    if (!deferred) {
      exchange.end(EndReason.COMPLETED);
    }
  }

  private static @Nullable Exchange exchange(@Nullable Object property) {
    return property instanceof Exchange ? (Exchange) property : null;
  }

  private static boolean isEventStream(@Nullable MediaType type) {
    return type != null
        && "text".equalsIgnoreCase(type.getType())
        && "event-stream".equalsIgnoreCase(type.getSubtype());
  }

  /** Jersey writes a ChunkedOutput's chunks after the interceptor chain returned. */
  private static boolean isChunkedOutput(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (c.getName().equals(CHUNKED_OUTPUT)) {
        return true;
      }
    }
    return false;
  }
}
