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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
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
   *
   * <p>The worker writes once Jersey gave the output its context ({@code setContext}, which calls
   * {@code flushQueue} for the first time). Chunks written before that are queued, and the
   * container thread flushes them in {@code setContext} while the worker goes on writing; Jersey
   * 3.1's {@code ChunkedOutput.close()} from the worker then closes the response in its {@code
   * finally} whenever no chunk is being written at that instant, even while the container thread
   * still has queued chunks to write: the body is cut short and the connection closed mid-chunk.
   * That race is Jersey's, with or without tracking; this test is about counting every chunk.
   */
  @GET
  @Path("chunked")
  @Produces(MediaType.TEXT_PLAIN)
  public Object chunked(@QueryParam("chunks") int chunks, @QueryParam("size") int size) {
    JaxrsActivity.current().attach(TrackedResource.BACKEND, null, ConnectionType.STREAMING);
    CountDownLatch contextSet = new CountDownLatch(1);
    ChunkedOutput<String> output =
        new ChunkedOutput<>(String.class) {
          @Override
          protected void flushQueue() throws IOException {
            super.flushQueue();
            contextSet.countDown(); // the first call is setContext's: the worker waits for it
          }
        };
    String chunk = new String(TrackedResource.bytes(size), StandardCharsets.US_ASCII);
    workers.execute(
        () -> {
          try (output) {
            if (!contextSet.await(10, TimeUnit.SECONDS)) {
              return; // the client times out and the test fails
            }
            for (int i = 0; i < chunks; i++) {
              output.write(chunk);
            }
          } catch (IOException e) {
            // the client left
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
