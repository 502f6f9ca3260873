package dev.inflight.activity.jaxrs;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.Http2Contract;
import dev.inflight.activity.testing.Http2Contract.Stream;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The one resource of the HTTP/2 tests: {@code /fixed} and {@code /gated} as the test kit's {@link
 * Http2Contract} describes them, attached the way an application attaches (first thing, on the
 * request thread) and written as a {@link StreamingOutput} that writes and flushes each chunk.
 */
@Path("/")
public final class Http2Resource {

  private final BiFunction<Function<String, @Nullable String>, @Nullable String, Stream> streams;

  /**
   * @param streams the contract's {@code stream(query, sessionHeader)}
   */
  Http2Resource(BiFunction<Function<String, @Nullable String>, @Nullable String, Stream> streams) {
    this.streams = streams;
  }

  @GET
  @Path("fixed")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public StreamingOutput fixed(
      @Context UriInfo uri,
      @HeaderParam(RequestActivity.DEFAULT_SESSION_HEADER) @Nullable String session) {
    return serve(uri, session);
  }

  @GET
  @Path("gated")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public StreamingOutput gated(
      @Context UriInfo uri,
      @HeaderParam(RequestActivity.DEFAULT_SESSION_HEADER) @Nullable String session) {
    return serve(uri, session);
  }

  private StreamingOutput serve(UriInfo uri, @Nullable String session) {
    MultivaluedMap<String, String> query = uri.getQueryParameters();
    Stream stream = streams.apply(query::getFirst, session);
    JaxrsActivity.current().attach(stream.backend(), Http2Contract.MODEL, ConnectionType.STREAMING);
    return out -> stream.writeAll(out::write, out::flush);
  }
}
