package dev.inflight.activity.jaxrs;

import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.jaxrs.internal.CurrentActivity;
import dev.inflight.activity.jaxrs.internal.Exchange;
import dev.inflight.activity.jaxrs.internal.TrackedEventSink;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Objects;

/**
 * How a resource finds the {@link RequestActivity} that {@link ActivityFeature} began for its
 * request, to attach it once the backend is chosen.
 *
 * <pre>{@code
 * @POST @Path("/v1/chat/completions")
 * public Response chat(String body) {
 *   RequestActivity activity = JaxrsActivity.current();       // first thing, on the request thread
 *   activity.attach("openai.1", "gpt-4", ConnectionType.NON_STREAMING);
 *   InputStream upstream = ActivityStreams.countRx(callBackend(body), activity); // RX
 *   return Response.ok(upstream).build();                     // TX is counted by the feature
 * }
 * }</pre>
 *
 * <p>Jakarta REST offers no portable way to inject a request property into a resource method, so
 * there are two ways in:
 *
 * <ol>
 *   <li>{@link #current()}: the activity bound to the thread that runs the resource method. Call it
 *       in the resource method itself (not in a worker it hands off to) and pass the result along;
 *       it works the same on every implementation, with or without {@code @Suspended}.
 *   <li>{@link #of(ContainerRequestContext)}: from the request context, in filters, and in
 *       resources on implementations that inject {@code @Context ContainerRequestContext} (Jersey
 *       does; RESTEasy does not).
 * </ol>
 *
 * <p>Both return {@link RequestActivity#disabled()} when tracking is off, so calling {@code attach}
 * is always safe and free when disabled.
 */
public final class JaxrsActivity {

  private JaxrsActivity() {}

  /**
   * The activity of a request, as stored by the feature's request filter.
   *
   * @param request the request context
   * @return its activity, or {@link RequestActivity#disabled()} if it is not tracked
   */
  public static RequestActivity of(ContainerRequestContext request) {
    Object property = request.getProperty(Exchange.PROPERTY);
    return property instanceof Exchange
        ? ((Exchange) property).activity()
        : RequestActivity.disabled();
  }

  /**
   * The activity of the request whose resource method runs on this thread.
   *
   * @return its activity, or {@link RequestActivity#disabled()} if none is tracked here
   */
  public static RequestActivity current() {
    return CurrentActivity.get();
  }

  /**
   * Wraps an SSE sink so that closing it ends the request. Use it for every {@code SseEventSink}
   * you write to: bytes sent through the sink are counted by the feature either way, but not every
   * implementation lets filters see the end of an SSE response (RESTEasy completes it without
   * closing the body stream). On Jersey the row would end on its own; the wrapper is harmless
   * there, since a request ends only once.
   *
   * <pre>{@code
   * @GET @Produces(MediaType.SERVER_SENT_EVENTS)
   * public void stream(@Context SseEventSink sink, @Context Sse sse) {
   *   RequestActivity activity = JaxrsActivity.current();
   *   activity.attach("vllm.1", "llama-3", ConnectionType.STREAMING);
   *   SseEventSink events = JaxrsActivity.tracking(sink, activity);
   *   executor.execute(() -> {
   *     try (events) {
   *       events.send(sse.newEvent("chunk"));
   *     }
   *   });
   * }
   * }</pre>
   *
   * <p>Call it in the resource method, like {@link #current()}: a sink wrapped there can also tell
   * a container that closed the stream because the client left from a normal close.
   *
   * @param sink the sink the container injected
   * @param activity the request's activity
   * @return a sink that ends the activity when closed, or {@code sink} itself when the activity is
   *     not tracked
   */
  public static SseEventSink tracking(SseEventSink sink, RequestActivity activity) {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(activity, "activity");
    return activity.isTracking()
        ? new TrackedEventSink(sink, activity, CurrentActivity.exchangeOf(activity))
        : sink;
  }
}
