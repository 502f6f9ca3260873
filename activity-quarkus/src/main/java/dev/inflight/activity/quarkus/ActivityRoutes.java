package dev.inflight.activity.quarkus;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.vertx.ActivityHandler;
import dev.inflight.activity.vertx.DiagnosticsHandler;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Mounts activity-vertx's {@link ActivityHandler} and {@link DiagnosticsHandler} on the
 * application's Vert.x router when it starts, ahead of every route Quarkus and the application add
 * (Quarkus REST endpoints, {@code @Route} methods, routes added to the router), so that each
 * request is tracked and {@code /v1/diagnostics}, {@code /v1/diagnostics/activity} and the live
 * page {@code /v1/diagnostics/ui} are served under the shared loopback-only access policy.
 *
 * <p>The tracking handler is mounted whether tracking is on or off: when off it only passes the
 * request on (nothing stored, wrapped or scheduled), and a tracker switched on later tracks the
 * next request. The application attaches a request to its backend where it knows the backend:
 *
 * <pre>{@code
 * @GET @Path("/v1/chat") @Produces(MediaType.SERVER_SENT_EVENTS)
 * public Multi<String> chat(RoutingContext ctx) {
 *   VertxActivity.of(ctx).attach("openai.1", "gpt-4o", ConnectionType.STREAMING);
 *   return backend.stream(...);
 * }
 * }</pre>
 *
 * <p>The {@code ActivityTracker} comes from CDI: {@link ActivityTrackerProducer}'s, or the
 * application's own.
 */
@Singleton
public class ActivityRoutes {

  /**
   * The order of the tracking route: before Quarkus's own early routes (body handler, CORS, ...),
   * so that it sees every request; the diagnostics route follows it.
   */
  public static final int ORDER = Integer.MIN_VALUE + 10;

  /** For CDI. */
  public ActivityRoutes() {}

  void mount(@Observes Router router, ActivityTracker tracker) {
    router.route().order(ORDER).handler(ActivityHandler.create(tracker));
    router.route().order(ORDER + 1).handler(DiagnosticsHandler.builder().tracker(tracker).build());
  }
}
