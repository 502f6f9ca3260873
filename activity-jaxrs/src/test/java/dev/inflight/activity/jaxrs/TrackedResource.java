package dev.inflight.activity.jaxrs;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Every way a resource can answer, each attaching its request to {@link #BACKEND}. */
@Path("/t")
public final class TrackedResource {
  static final String BACKEND = "backend.1";
  static final String MODEL = "model-x";

  final ExecutorService workers;

  /** Permits for the SSE worker: one per event after the first, and one to close. */
  final Semaphore ssePermits = new Semaphore(0);

  /** Released by the test to resume the async request. */
  final CountDownLatch asyncGate = new CountDownLatch(1);

  /** Counted down when a suspended request is parked. */
  final CountDownLatch parked = new CountDownLatch(1);

  /** Counted down when the SSE worker has closed its sink. */
  final CountDownLatch sseClosed = new CountDownLatch(1);

  TrackedResource(ExecutorService workers) {
    this.workers = workers;
  }

  static byte[] bytes(int size) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) 'x');
    return b;
  }

  private static RequestActivity attach(ConnectionType type) {
    RequestActivity activity = JaxrsActivity.current();
    activity.attach(BACKEND, MODEL, type);
    return activity;
  }

  @GET
  @Path("plain")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public byte[] plain(@QueryParam("size") int size) {
    attach(ConnectionType.NON_STREAMING);
    return bytes(size);
  }

  /** The backend call failed: the resource says so and answers 502 itself. */
  @GET
  @Path("backend-failed")
  @Produces(MediaType.TEXT_PLAIN)
  public Response backendFailed() {
    attach(ConnectionType.NON_STREAMING).fail(EndReason.ERRORED);
    return Response.status(502).entity("upstream failed").build();
  }

  /** Echoes the session id the request was tracked with. */
  @GET
  @Path("session")
  @Produces(MediaType.TEXT_PLAIN)
  public String session() {
    return String.valueOf(attach(ConnectionType.NON_STREAMING).sessionId());
  }

  @GET
  @Path("text")
  @Produces(MediaType.TEXT_PLAIN)
  public Response text(@QueryParam("size") int size) {
    attach(ConnectionType.NON_STREAMING);
    return Response.ok(new String(bytes(size), java.nio.charset.StandardCharsets.US_ASCII)).build();
  }

  @GET
  @Path("streaming")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public StreamingOutput streaming(@QueryParam("size") int size, @QueryParam("chunk") int chunk) {
    attach(ConnectionType.STREAMING);
    int step = chunk > 0 ? chunk : 1024;
    return out -> {
      byte[] block = bytes(step);
      for (int left = size; left > 0; left -= step) {
        out.write(block, 0, Math.min(step, left));
        out.flush();
      }
    };
  }

  @GET
  @Path("streaming-throws")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public StreamingOutput streamingThrows(@QueryParam("size") int size) {
    attach(ConnectionType.STREAMING);
    return out -> {
      out.write(bytes(size));
      out.flush();
      throw new IOException("the backend stream broke");
    };
  }

  @GET
  @Path("void")
  public void nothing() {
    attach(ConnectionType.NON_STREAMING);
  }

  @GET
  @Path("mapped-empty")
  public String mappedEmpty() {
    attach(ConnectionType.NON_STREAMING);
    throw new Refused(false);
  }

  @GET
  @Path("mapped-body")
  public String mappedBody() {
    attach(ConnectionType.NON_STREAMING);
    throw new Refused(true);
  }

  @GET
  @Path("unmapped")
  public String unmapped() {
    attach(ConnectionType.NON_STREAMING);
    throw new IllegalStateException("a bug in the resource");
  }

  @GET
  @Path("async")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public void async(@Suspended AsyncResponse response, @QueryParam("size") int size) {
    attach(ConnectionType.NON_STREAMING);
    workers.execute(
        () -> {
          try {
            if (asyncGate.await(10, TimeUnit.SECONDS)) {
              response.resume(bytes(size));
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  @GET
  @Path("async-now")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public void asyncNow(@Suspended AsyncResponse response, @QueryParam("size") int size) {
    attach(ConnectionType.NON_STREAMING);
    // resumes while the dispatching thread may still be returning: races the container's own
    // end-of-dispatch handling
    workers.execute(() -> response.resume(bytes(size)));
  }

  @GET
  @Path("async-never")
  public void asyncNever(@Suspended AsyncResponse response) {
    attach(ConnectionType.NON_STREAMING);
    response.setTimeout(300, TimeUnit.MILLISECONDS);
    parked.countDown();
  }

  @GET
  @Path("sse")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void sse(
      @Context SseEventSink sink,
      @Context Sse sse,
      @QueryParam("events") int events,
      @QueryParam("size") int size) {
    RequestActivity activity = attach(ConnectionType.STREAMING);
    SseEventSink tracked = JaxrsActivity.tracking(sink, activity);
    String payload = new String(bytes(size), java.nio.charset.StandardCharsets.US_ASCII);
    workers.execute(
        () -> {
          try (tracked) {
            for (int i = 0; i < events; i++) {
              if (i > 0 && !ssePermits.tryAcquire(10, TimeUnit.SECONDS)) {
                return;
              }
              tracked.send(sse.newEvent("event-" + i, payload)).toCompletableFuture().join();
            }
            ssePermits.tryAcquire(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            // the client left; the sink is closed below
          } finally {
            sseClosed.countDown();
          }
        });
  }

  /** An application exception, mapped with or without a body. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean withBody;

    Refused(boolean withBody) {
      super("refused", null, false, false);
      this.withBody = withBody;
    }
  }

  /** Maps {@link Refused} to 409, with a small text body or none. */
  public static final class RefusedMapper implements ExceptionMapper<Refused> {
    static final String BODY = "conflict: the request was refused";

    @Override
    public Response toResponse(Refused e) {
      return e.withBody
          ? Response.status(409).type(MediaType.TEXT_PLAIN).entity(BODY).build()
          : Response.status(409).build();
    }
  }
}
