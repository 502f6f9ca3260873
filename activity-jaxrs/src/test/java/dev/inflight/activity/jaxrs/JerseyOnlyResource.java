package dev.inflight.activity.jaxrs;

import dev.inflight.activity.ConnectionType;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import org.glassfish.jersey.server.ChunkedOutput;

/** Answer styles only Jersey has, or that only Jersey ends without help. */
@Path("/j")
public final class JerseyOnlyResource {
  private final ExecutorService workers;

  JerseyOnlyResource(ExecutorService workers) {
    this.workers = workers;
  }

  /**
   * Jersey's ChunkedOutput, written from a worker after the resource method returned (declared as
   * Object: Jersey goes by the returned instance).
   */
  @GET
  @Path("chunked")
  @Produces(MediaType.TEXT_PLAIN)
  public Object chunked(@QueryParam("chunks") int chunks, @QueryParam("size") int size) {
    JaxrsActivity.current().attach(TrackedResource.BACKEND, null, ConnectionType.STREAMING);
    ChunkedOutput<String> output = new ChunkedOutput<>(String.class);
    String chunk = new String(TrackedResource.bytes(size), StandardCharsets.US_ASCII);
    workers.execute(
        () -> {
          try (output) {
            for (int i = 0; i < chunks; i++) {
              output.write(chunk);
            }
          } catch (IOException e) {
            // the client left
          }
        });
    return output;
  }

  /** An SSE sink used as injected, not wrapped: Jersey closes the body stream on close. */
  @GET
  @Path("sse-raw")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void sseRaw(
      @Context SseEventSink sink, @Context Sse sse, @QueryParam("events") int events) {
    JaxrsActivity.current().attach(TrackedResource.BACKEND, null, ConnectionType.STREAMING);
    workers.execute(
        () -> {
          try (sink) {
            for (int i = 0; i < events; i++) {
              sink.send(sse.newEvent("event-" + i, "payload-" + i)).toCompletableFuture().join();
            }
          }
        });
  }

  /** Jersey injects the request context into resources, so {@code of(context)} works too. */
  @GET
  @Path("context")
  @Produces(MediaType.TEXT_PLAIN)
  public String context(@Context ContainerRequestContext request) {
    JaxrsActivity.of(request).attach(TrackedResource.BACKEND, null, ConnectionType.NON_STREAMING);
    return "attached through the request context";
  }
}
