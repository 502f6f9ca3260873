package dev.inflight.activity.vertx;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.vertx.internal.CountingReadStream;
import dev.inflight.activity.vertx.internal.Glue;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.WebServerRequest;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A vertx-http-proxy interceptor that attaches each proxied request's activity to the origin that
 * answers it and counts the origin's response body as RX, buffer by buffer as it arrives; TX is
 * counted by {@link ActivityHandler}, mounted before the proxy on the same router.
 *
 * <pre>{@code
 * HttpProxy proxy = HttpProxy.reverseProxy(vertx.createHttpClient())
 *     .origin(8000, "vllm-1")
 *     .addInterceptor(ActivityProxyInterceptor.create());
 * router.route().handler(ActivityHandler.create(tracker));
 * router.route("/v1/*").handler(ctx -> proxy.handle(ctx.request()));
 * }</pre>
 *
 * <p>What it does, per request:
 *
 * <ol>
 *   <li>finds the request's {@link RequestActivity}: by default the one {@link ActivityHandler}
 *       stored in the routing context, reached through vertx-web's {@link WebServerRequest} (the
 *       request a route handler hands to {@code HttpProxy.handle}); a request that did not come
 *       through a router, or with tracking off, is proxied untouched;
 *   <li>once the origin answered with its head, attaches the activity to it: the backend is named
 *       after the origin request's {@code host:port}, no model, streaming when the client accepts
 *       {@code text/event-stream} (each chosen by the builder's functions); the row appears then,
 *       not while the origin is still being chosen or connected;
 *   <li>replaces the response body with a stream that counts each buffer as RX on its way to the
 *       client (the body's length and media type unchanged, nothing buffered);
 *   <li>a request the origin could not answer, and a body that fails mid-way (the origin's
 *       connection reset or closed), record the request as {@code errored}. A client that leaves
 *       ends it {@code client_aborted} through {@link ActivityHandler}, and the origin request is
 *       reset. That reset is vertx-http-proxy's, from the exception handler it sets on the client's
 *       response; the interceptor replaces that handler with one that does the same reset after
 *       noting that the client failed, so that the origin's body failing then is not taken for the
 *       origin's failure (on HTTP/2 a reset stream reports the reset before it counts as closed).
 * </ol>
 *
 * <p>WebSocket upgrades are not intercepted (the interceptor is added without WebSocket support:
 * {@code addInterceptor(interceptor)}).
 *
 * <p>Thread-safety: immutable; one instance serves every request. Tracking never fails a request: a
 * failure of the tracking code is logged once and the request is proxied on.
 */
public final class ActivityProxyInterceptor implements ProxyInterceptor {

  /** The proxy context key holding the request's activity between request and response. */
  private static final String ATTRIBUTE = ActivityHandler.ATTRIBUTE;

  private static final ActivityProxyInterceptor DEFAULTS = new ActivityProxyInterceptor(builder());

  private final Function<HttpServerRequest, RequestActivity> activity;
  private final BiFunction<HttpServerRequest, HostAndPort, String> backend;
  private final Function<HttpServerRequest, @Nullable String> model;
  private final Function<HttpServerRequest, ConnectionType> type;

  private ActivityProxyInterceptor(Builder b) {
    this.activity = b.activity;
    this.backend = b.backend;
    this.model = b.model;
    this.type = b.type;
  }

  /**
   * An interceptor with the defaults: the activity from the routing context, the backend named
   * after the origin's {@code host:port}, no model, the type from the {@code Accept} header.
   *
   * @return the interceptor
   * @throws IllegalStateException on Vert.x 4 (see {@link Builder#build()})
   */
  public static ActivityProxyInterceptor create() {
    Glue.requireVertx5("ActivityProxyInterceptor");
    return DEFAULTS;
  }

  /**
   * A builder.
   *
   * @return a new builder, with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    HttpServerRequest request = context.request().proxiedRequest();
    RequestActivity a = find(request);
    if (!a.isTracking()) {
      return context.sendRequest();
    }
    context.set(ATTRIBUTE, a);
    return context
        .sendRequest()
        .andThen(
            ar -> {
              if (ar.failed()) {
                fail(a); // vertx-http-proxy answers 502 (or the failure's code)
              } else {
                attach(a, request, ar.result().proxiedResponse());
              }
            });
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    RequestActivity a = context.get(ATTRIBUTE, RequestActivity.class);
    if (a != null && a.isAttached()) {
      try {
        countRx(a, context.response());
      } catch (RuntimeException e) {
        Glue.failed("Counting a proxied response's body failed; it is proxied uncounted", e);
      }
    }
    return context.sendResponse();
  }

  private static void countRx(RequestActivity a, ProxyResponse response) {
    Body body = response.getBody();
    HttpClientResponse origin = response.proxiedResponse();
    if (body != null && origin != null) {
      HttpServerResponse client = response.request().proxiedRequest().response();
      AtomicBoolean clientFailed = new AtomicBoolean();
      // vertx-http-proxy resets the origin request when the client's response fails (the
      // connection lost, an HTTP/2 reset): the origin's body then fails too, and that failure is
      // the client's (client_aborted, from ActivityHandler), not the origin's. On HTTP/2 the
      // response reports the reset before it counts as closed, so the handler vertx-http-proxy set
      // is replaced by one doing the same reset after noting the client's failure.
      HttpClientRequest originRequest = origin.request();
      client.exceptionHandler(
          failure -> {
            clientFailed.set(true);
            originRequest.reset(0L, failure);
          });
      response.setBody(
          Body.body(
              new CountingReadStream(body.stream(), a, () -> clientFailed.get() || client.closed()),
              body.length(),
              body.mediaType()));
    }
  }

  private RequestActivity find(HttpServerRequest request) {
    try {
      RequestActivity a = activity.apply(request);
      return a == null ? RequestActivity.disabled() : a;
    } catch (RuntimeException e) {
      Glue.failed("Finding a proxied request's activity failed; it is proxied untracked", e);
      return RequestActivity.disabled();
    }
  }

  private void attach(
      RequestActivity a, HttpServerRequest request, @Nullable HttpClientResponse origin) {
    if (origin == null) {
      return; // an answer vertx-http-proxy made itself
    }
    try {
      a.attach(
          backend.apply(request, authority(origin.request())),
          model.apply(request),
          type.apply(request));
    } catch (RuntimeException e) {
      Glue.failed("Attaching a proxied request to its origin failed", e);
    }
  }

  private static void fail(RequestActivity a) {
    try {
      a.fail(EndReason.ERRORED);
    } catch (RuntimeException e) {
      Glue.failed("Recording a failed origin request failed", e);
    }
  }

  /** The origin request's host and port, the scheme's default port when it names none. */
  private static HostAndPort authority(HttpClientRequest origin) {
    URI uri = URI.create(origin.absoluteURI());
    int port = uri.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
    return HostAndPort.create(Objects.requireNonNull(uri.getHost(), "origin host"), port);
  }

  /**
   * The activity {@link ActivityHandler} stored in the request's routing context.
   *
   * @param request the client's request, as a route handler handed it to the proxy
   * @return the activity, or {@link RequestActivity#disabled()} for a request that did not come
   *     through a vertx-web router or that is not tracked
   */
  private static RequestActivity fromRoutingContext(HttpServerRequest request) {
    return request instanceof WebServerRequest
        ? VertxActivity.of(((WebServerRequest) request).routingContext())
        : RequestActivity.disabled();
  }

  /** Streaming when the client accepts server-sent events. */
  private static ConnectionType typeFromAccept(HttpServerRequest request) {
    for (String accept : request.headers().getAll("Accept")) {
      if (accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
        return ConnectionType.STREAMING;
      }
    }
    return ConnectionType.NON_STREAMING;
  }

  @Override
  public String toString() {
    return "ActivityProxyInterceptor";
  }

  /**
   * Options of an {@link ActivityProxyInterceptor}; every function runs on the request's context.
   */
  public static final class Builder {

    private Function<HttpServerRequest, RequestActivity> activity =
        ActivityProxyInterceptor::fromRoutingContext;
    private BiFunction<HttpServerRequest, HostAndPort, String> backend =
        (request, origin) -> origin.host() + ":" + origin.port();
    private Function<HttpServerRequest, @Nullable String> model = request -> null;
    private Function<HttpServerRequest, ConnectionType> type =
        ActivityProxyInterceptor::typeFromAccept;

    private Builder() {}

    /**
     * How to find a request's activity; the default reads the one {@link ActivityHandler} stored in
     * the routing context of a request handed over by a route handler.
     *
     * @param activity from the client's request to its activity, {@link RequestActivity#disabled()}
     *     for none
     * @return this builder
     */
    public Builder activity(Function<HttpServerRequest, RequestActivity> activity) {
      this.activity = Objects.requireNonNull(activity, "activity");
      return this;
    }

    /**
     * How to name the backend; the default is the origin's {@code host:port}.
     *
     * @param backend from the client's request and the origin's host and port to a non-blank name
     * @return this builder
     */
    public Builder backend(BiFunction<HttpServerRequest, HostAndPort, String> backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * How to find the model; the default is none.
     *
     * @param model from the client's request to the model, or null for none
     * @return this builder
     */
    public Builder model(Function<HttpServerRequest, @Nullable String> model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * How to tell a streaming request; the default is streaming when the client accepts {@code
     * text/event-stream}.
     *
     * @param type from the client's request to its connection type
     * @return this builder
     */
    public Builder type(Function<HttpServerRequest, ConnectionType> type) {
      this.type = Objects.requireNonNull(type, "type");
      return this;
    }

    /**
     * Builds the interceptor.
     *
     * @return a new interceptor
     * @throws IllegalStateException on Vert.x 4: the interceptor is written for vertx-http-proxy 5,
     *     whose proxy context, body and response handling differ from 4.5's (on 4.5 it would break
     *     the proxied requests); the rest of this module works on Vert.x 4.5 too
     */
    public ActivityProxyInterceptor build() {
      Glue.requireVertx5("ActivityProxyInterceptor");
      return new ActivityProxyInterceptor(this);
    }
  }
}
