package dev.inflight.activity.jaxrs;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.ext.MessageBodyReader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.net.URI;

/** A proxy resource that calls a local "backend" resource through a JAX-RS client. */
@Path("/p")
public final class ProxyResource {
  static final String BACKEND = TrackedResource.BACKEND;

  final Client client;
  volatile URI backend = URI.create("http://127.0.0.1:1/");

  ProxyResource(Client client) {
    this.client = client;
  }

  private Response upstream(RequestActivity activity, int size) {
    return client
        .target(backend)
        .path("b/data")
        .queryParam("size", size)
        .request(MediaType.APPLICATION_OCTET_STREAM)
        .property(ActivityClientFeature.HANDLE_PROPERTY, activity)
        .get();
  }

  private static RequestActivity attach() {
    RequestActivity activity = JaxrsActivity.current();
    activity.attach(BACKEND, "proxied-model", ConnectionType.STREAMING);
    return activity;
  }

  /** Streams the whole backend answer to the client. */
  @GET
  @Path("full")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public StreamingOutput full(@QueryParam("size") int size) {
    Response response = upstream(attach(), size);
    InputStream in = response.readEntity(InputStream.class);
    return out -> {
      try (response;
          in) {
        in.transferTo(out);
      }
    };
  }

  /** Reads only the first bytes of the backend answer, then closes it early. */
  @GET
  @Path("early")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public byte[] early(@QueryParam("size") int size, @QueryParam("keep") int keep)
      throws IOException {
    try (Response response = upstream(attach(), size);
        InputStream in = response.readEntity(InputStream.class)) {
      return in.readNBytes(keep);
    }
  }

  /** Reads the backend answer with a reader that fails part way. */
  @GET
  @Path("throwing")
  public Response throwing(@QueryParam("size") int size) {
    try (Response response = upstream(attach(), size)) {
      response.readEntity(Exploding.class);
      return Response.ok("unexpected").build();
    } catch (ProcessingException | WebApplicationException e) {
      return Response.status(502).build();
    }
  }

  /** The backend: answers {@code size} bytes; it does not attach, so it leaves no row. */
  @Path("/b")
  public static final class Backend {
    @GET
    @Path("data")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public byte[] data(@QueryParam("size") int size) {
      return TrackedResource.bytes(size);
    }
  }

  /** The type the failing reader produces. */
  public static final class Exploding {}

  /** Reads {@link #CONSUMED} bytes, then fails like a parser meeting garbage. */
  public static final class ExplodingReader implements MessageBodyReader<Exploding> {
    static final int CONSUMED = 100;

    @Override
    public boolean isReadable(
        Class<?> type, Type generic, Annotation[] annotations, MediaType mediaType) {
      return type == Exploding.class;
    }

    @Override
    public Exploding readFrom(
        Class<Exploding> type,
        Type generic,
        Annotation[] annotations,
        MediaType mediaType,
        jakarta.ws.rs.core.MultivaluedMap<String, String> headers,
        InputStream in)
        throws IOException {
      byte[] consumed = in.readNBytes(CONSUMED);
      throw new IOException("malformed backend answer after " + consumed.length + " bytes");
    }
  }
}
