package dev.inflight.activity.jaxrs.internal;

import dev.inflight.activity.DiagnosticsAccess;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Turns a request into a call of the shared endpoint, and its answer into a JAX-RS response. */
public final class DiagnosticsResponses {

  private DiagnosticsResponses() {}

  /**
   * Serves one diagnostics request.
   *
   * @param endpoint the shared endpoint
   * @param method the HTTP method
   * @param path the endpoint path
   * @param remoteAddress the peer address, or null if unknown
   * @param localAddress the address the connection arrived on, or null if unknown (then only the
   *     remote address is checked)
   * @param headers looks up the request headers
   * @return the response; for HEAD the body is left to the runtime, which sends none
   */
  public static Response respond(
      DiagnosticsEndpoint endpoint,
      String method,
      String path,
      @Nullable String remoteAddress,
      @Nullable String localAddress,
      DiagnosticsAccess.Headers headers) {
    DiagnosticsResponse answer =
        endpoint.handle(method, path, remoteAddress, localAddress, headers);
    Response.ResponseBuilder builder = Response.status(answer.status());
    for (Map.Entry<String, String> header : answer.headers().entrySet()) {
      builder.header(header.getKey(), header.getValue());
    }
    byte[] body = answer.body();
    builder.header(HttpHeaders.CONTENT_LENGTH, body.length);
    if (!"HEAD".equals(method)) {
      builder.entity(body);
    }
    return builder.build();
  }

  /**
   * Answers a request for one of the two diagnostics paths or for the live page and its files,
   * before resource matching; leaves any other request alone.
   *
   * @param endpoint the shared endpoint
   * @param request the request
   * @param remoteAddress supplies the peer address, or null if unknown; asked only for the
   *     diagnostics paths
   * @param localAddress supplies the address the connection arrived on, or null if unknown; asked
   *     only for the diagnostics paths
   */
  public static void filter(
      DiagnosticsEndpoint endpoint,
      ContainerRequestContext request,
      Supplier<@Nullable String> remoteAddress,
      Supplier<@Nullable String> localAddress) {
    String path = request.getUriInfo().getPath();
    String absolute = path.startsWith("/") ? path : "/" + path;
    String trimmed =
        absolute.length() > 1 && absolute.endsWith("/")
            ? absolute.substring(0, absolute.length() - 1)
            : absolute;
    if (trimmed.equals(DiagnosticsEndpoint.DIAGNOSTICS_PATH)
        || trimmed.equals(DiagnosticsEndpoint.ACTIVITY_PATH)
        || trimmed.equals(DiagnosticsEndpoint.UI_PATH)
        || trimmed.startsWith(DiagnosticsEndpoint.UI_PATH + "/")) {
      request.abortWith(
          respond(
              endpoint,
              request.getMethod(),
              absolute,
              remoteAddress.get(),
              localAddress.get(),
              request::getHeaderString));
    }
  }
}
