package dev.inflight.activity.quarkus;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.vertx.VertxActivity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Quarkus REST resource as an LLM proxy writes one: a JSON answer, and an SSE stream returned as
 * a {@code Multi} whose items the test emits one at a time.
 */
@Path("/v1")
public class ChatResource {

  static final String BACKEND = "openai.1";
  static final String JSON = "{\"id\":\"cmpl-1\",\"choices\":[{\"text\":\"hello\"}]}";

  /** The emitters of the open streams, by session id, for the test to drive. */
  static final Map<String, BlockingQueue<MultiEmitter<? super String>>> STREAMS =
      new ConcurrentHashMap<>();

  /** The activity the last JSON request found, for the test with tracking off. */
  static final AtomicReference<RequestActivity> LAST_ACTIVITY = new AtomicReference<>();

  @GET
  @Path("json")
  @Produces(MediaType.APPLICATION_JSON)
  public String json(@Context RoutingContext ctx) {
    RequestActivity activity = VertxActivity.of(ctx);
    LAST_ACTIVITY.set(activity);
    activity.attach(BACKEND, "gpt-4o", ConnectionType.NON_STREAMING);
    return JSON;
  }

  /**
   * An SSE stream whose items the test emits; a failed stream (the backend broke) is recorded as
   * errored, as a proxy does when its backend fails.
   */
  @GET
  @Path("stream")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public Multi<String> stream(@Context RoutingContext ctx) {
    RequestActivity activity = VertxActivity.of(ctx);
    activity.attach(BACKEND, "gpt-4o", ConnectionType.STREAMING);
    String session = ctx.request().getHeader(RequestActivity.DEFAULT_SESSION_HEADER);
    return Multi.createFrom()
        .<String>emitter(
            e -> STREAMS.computeIfAbsent(session, s -> new LinkedBlockingQueue<>()).add(e))
        .onFailure()
        .invoke(failure -> activity.fail(EndReason.ERRORED));
  }

  /** Four events at once, then the end: the load test's stream. */
  @GET
  @Path("burst")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public Multi<String> burst(@Context RoutingContext ctx) {
    VertxActivity.of(ctx).attach(BACKEND, "gpt-4o", ConnectionType.STREAMING);
    return Multi.createFrom()
        .items("q".repeat(500) + 0, "q".repeat(500) + 1, "q".repeat(500) + 2, "q".repeat(500) + 3);
  }
}
