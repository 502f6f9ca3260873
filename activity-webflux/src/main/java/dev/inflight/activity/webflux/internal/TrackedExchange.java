package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.Failures;
import dev.inflight.activity.RequestActivity;
import java.lang.System.Logger.Level;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * One tracked exchange: begins its {@link RequestActivity}, puts it where the application and the
 * client hooks find it (the exchange attribute and the Reactor context, never a thread), counts TX
 * through a {@link CountingResponse}, and ends it exactly once from the signal that ends the filter
 * chain: completion, cancellation (the client left) or an error, classified by core's {@link
 * Failures}.
 */
public final class TrackedExchange {

  private static final System.Logger LOG = System.getLogger(TrackedExchange.class.getName());

  private TrackedExchange() {}

  /**
   * Runs the rest of the chain for an exchange that is not tracked yet, with a tracker that is
   * enabled.
   *
   * @param tracker the tracker
   * @param sessionHeader the header carrying the session id, or null for none
   * @param attribute the exchange attribute to store the activity under
   * @param contextKey the Reactor context key to store the activity under
   * @param exchange the exchange
   * @param chain the rest of the chain
   * @return the chain's completion
   */
  public static Mono<Void> filter(
      ActivityTracker tracker,
      @Nullable String sessionHeader,
      String attribute,
      Object contextKey,
      ServerWebExchange exchange,
      WebFilterChain chain) {
    RequestActivity activity;
    ServerWebExchange tracked;
    try {
      String sessionId =
          sessionHeader == null ? null : exchange.getRequest().getHeaders().getFirst(sessionHeader);
      activity = tracker.beginRequest(sessionId);
      if (!activity.isTracking()) {
        return chain.filter(exchange); // the tracker was closed meanwhile
      }
      exchange.getAttributes().put(attribute, activity);
      // a HEAD response's body is dropped by the server, so it is not counted
      tracked =
          HttpMethod.HEAD.equals(exchange.getRequest().getMethod())
              ? exchange
              : exchange
                  .mutate()
                  .response(new CountingResponse(exchange.getResponse(), activity, false))
                  .build();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "activity tracking failed to start; request continues untracked", e);
      return chain.filter(exchange);
    }
    RequestActivity a = activity;
    return chain
        .filter(tracked)
        .doOnSuccess(done -> end(a, EndReason.COMPLETED))
        .doOnError(e -> end(a, a.isClientGone() ? EndReason.CLIENT_ABORTED : Failures.reasonFor(e)))
        .doOnCancel(() -> end(a, EndReason.CLIENT_ABORTED))
        .contextWrite(context -> context.put(contextKey, a));
  }

  private static void end(RequestActivity activity, EndReason reason) {
    try {
      activity.end(reason);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not end tracked request", e);
    }
  }
}
