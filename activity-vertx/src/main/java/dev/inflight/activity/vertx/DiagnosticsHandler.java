package dev.inflight.activity.vertx;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsBuilder;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsResponse;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import org.jspecify.annotations.Nullable;

/**
 * A vertx-web route handler that answers {@code GET /v1/diagnostics}, {@code GET
 * /v1/diagnostics/activity} and the live page {@code GET /v1/diagnostics/ui} (with its files under
 * {@code /v1/diagnostics/ui/}) through the shared {@link DiagnosticsEndpoint}, and passes every
 * other request on ({@code ctx.next()}): loopback clients only, judged by the builder's {@link
 * dev.inflight.activity.json.DiagnosticsPolicy} (by default core's rule: no forwarding headers, a
 * loopback {@code Host} and {@code Origin}, arrived on a loopback address), GET and HEAD only,
 * {@code Cache-Control: no-store}.
 *
 * <pre>{@code
 * router.route().handler(DiagnosticsHandler.builder().tracker(tracker).build());
 * }</pre>
 *
 * <p>The addresses judged are the connection's own ({@link HttpConnection#remoteAddress()}, {@link
 * HttpConnection#localAddress()}), not the request's: vertx-web's {@code allowForward} rewrites the
 * request's addresses from the forwarding headers, and would otherwise let a remote peer that
 * claims {@code for=127.0.0.1} pass as local. The path judged is vertx-web's normalized path, so
 * {@code /v1/x/../diagnostics} is the document too.
 *
 * <p>Thread-safety: one instance serves every request; the document is rendered on the calling
 * context (10,000 rows take a few milliseconds).
 */
public final class DiagnosticsHandler implements Handler<RoutingContext> {

  private final DiagnosticsEndpoint endpoint;
  private final String path;

  private DiagnosticsHandler(DiagnosticsEndpoint endpoint, String path) {
    this.endpoint = endpoint;
    this.path = path;
  }

  /**
   * A builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String requested = ctx.normalizedPath();
    if (!requested.equals(path) && !requested.startsWith(path + "/")) {
      ctx.next();
      return;
    }
    HttpServerRequest request = ctx.request();
    HttpConnection connection = request.connection();
    // the endpoint knows its paths under /v1/diagnostics; a configured path stands in for that
    DiagnosticsResponse r =
        endpoint.handle(
            request.method().name(),
            DiagnosticsEndpoint.DIAGNOSTICS_PATH + requested.substring(path.length()),
            host(connection == null ? request.remoteAddress() : connection.remoteAddress()),
            host(connection == null ? request.localAddress() : connection.localAddress()),
            name -> request.getHeader(name)); // not a method reference: see below
    HttpServerResponse response = ctx.response().setStatusCode(r.status());
    r.headers().forEach(response::putHeader);
    response.putHeader("Content-Length", String.valueOf(r.body().length));
    if (HttpMethod.HEAD.equals(request.method()) || r.body().length == 0) {
      response.end();
    } else {
      response.end(Buffer.buffer(r.body()));
    }
  }

  // A method reference to request::getHeader would name the interface that declares the method,
  // which Vert.x 5 moved to HttpRequestHead, a type Vert.x 4.5 lacks; the lambda calls it through
  // HttpServerRequest, which both versions have.

  private static @Nullable String host(@Nullable SocketAddress address) {
    return address == null ? null : address.hostAddress();
  }

  @Override
  public String toString() {
    return "DiagnosticsHandler{" + path + "}";
  }

  /**
   * Builds a {@link DiagnosticsHandler}; see {@link DiagnosticsBuilder} for the options (tracker,
   * default {@link ActivityTracker#global()} read per request; backend descriptions; session id
   * display; access policy), plus the path.
   */
  public static final class Builder extends DiagnosticsBuilder<Builder, DiagnosticsHandler> {

    private String path = DiagnosticsEndpoint.DIAGNOSTICS_PATH;

    private Builder() {}

    /**
     * Where the full document is served; the activity document is {@code path + "/activity"} and
     * the live page {@code path + "/ui"}. The default is {@value
     * DiagnosticsEndpoint#DIAGNOSTICS_PATH}. The live page finds its document as its sibling named
     * {@code diagnostics}, so a path that ends otherwise serves the documents but not a working
     * page.
     *
     * @param path an absolute path, without a trailing slash
     * @return this builder
     * @throws IllegalArgumentException if the path is empty, relative or ends with a slash
     */
    public Builder path(String path) {
      if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/")) {
        throw new IllegalArgumentException(
            "diagnostics path must start with / and not end with /, got '" + path + "'");
      }
      this.path = path;
      return this;
    }

    /**
     * Builds the handler.
     *
     * @return a new handler
     */
    @Override
    public DiagnosticsHandler build() {
      return new DiagnosticsHandler(endpoint(), path);
    }
  }
}
