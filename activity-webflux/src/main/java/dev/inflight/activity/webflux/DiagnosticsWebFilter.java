package dev.inflight.activity.webflux;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsBuilder;
import dev.inflight.activity.json.DiagnosticsEndpoint;
import dev.inflight.activity.json.DiagnosticsResponse;
import dev.inflight.activity.webflux.internal.RequestAddresses;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Answers {@code GET /v1/diagnostics}, {@code GET /v1/diagnostics/activity} and the live page
 * {@code GET /v1/diagnostics/ui} (with its files under {@code /v1/diagnostics/ui/}) through the
 * shared {@link DiagnosticsEndpoint}, and passes every other request on: loopback clients only,
 * judged on the exchange's remote and local addresses and headers by the builder's {@link
 * dev.inflight.activity.json.DiagnosticsPolicy} (by default core's rule: no forwarding headers, a
 * loopback {@code Host} and {@code Origin}, arrived on a loopback address), GET and HEAD only,
 * {@code Cache-Control: no-store}.
 *
 * <p>On Reactor Netty the connection's own addresses are judged too, beside the ones the request
 * reports: Reactor Netty's {@code forwarded(true)} rewrites both the remote and the local address
 * from the forwarding headers, and a {@code ForwardedHeaderTransformer} that then removes the
 * headers would otherwise let a remote peer that claims {@code for=127.0.0.1;host=127.0.0.1} pass
 * as local. Whichever of the two is not loopback is the one judged.
 *
 * <pre>{@code
 * @Bean
 * DiagnosticsWebFilter diagnosticsWebFilter(ActivityTracker tracker) {
 *   return DiagnosticsWebFilter.builder().tracker(tracker).build();
 * }
 * }</pre>
 *
 * <p>Applications built on functional endpoints can mount {@link #routes()} instead. Both answer
 * the paths within the application (after any context path), under {@link Builder#path} if set
 * (e.g. {@code /admin/v1/diagnostics}). The filter is ordered just after {@link ActivityWebFilter}
 * by default, so that a gateway's routes never see these paths.
 */
public final class DiagnosticsWebFilter implements WebFilter, Ordered {

  private final DiagnosticsEndpoint endpoint;
  private final String path;
  private final int order;

  /** Built once: Spring Framework 7's filter chain asks for it on every request (a checkpoint). */
  private final String description;

  private DiagnosticsWebFilter(DiagnosticsEndpoint endpoint, String path, int order) {
    this.endpoint = endpoint;
    this.path = path;
    this.order = order;
    this.description = "DiagnosticsWebFilter{order=" + order + "}";
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
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    String requested = request.getPath().pathWithinApplication().value();
    if (!isDiagnosticsPath(requested)) {
      return chain.filter(exchange);
    }
    DiagnosticsResponse r = handle(request, requested);
    ServerHttpResponse response = exchange.getResponse();
    response.setStatusCode(HttpStatusCode.valueOf(r.status()));
    HttpHeaders headers = response.getHeaders();
    r.headers().forEach(headers::set);
    headers.setContentLength(r.body().length);
    if (HttpMethod.HEAD.equals(request.getMethod()) || r.body().length == 0) {
      return response.setComplete();
    }
    return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(r.body())));
  }

  /**
   * The same endpoints as functional routes, for applications that mount {@code RouterFunction}
   * beans rather than filters.
   *
   * @return routes answering {@code /v1/diagnostics} and everything under it
   */
  public RouterFunction<ServerResponse> routes() {
    return RouterFunctions.route(
        RequestPredicates.path(path).or(RequestPredicates.path(path + "/**")),
        request -> {
          ServerHttpRequest server = request.exchange().getRequest();
          DiagnosticsResponse r =
              handle(server, request.requestPath().pathWithinApplication().value());
          ServerResponse.BodyBuilder builder = ServerResponse.status(r.status());
          r.headers().forEach(builder::header);
          builder.contentLength(r.body().length);
          return HttpMethod.HEAD.equals(request.method()) || r.body().length == 0
              ? builder.build()
              : builder.bodyValue(r.body());
        });
  }

  private DiagnosticsResponse handle(ServerHttpRequest request, String requested) {
    HttpHeaders headers = request.getHeaders();
    // the endpoint knows its paths under /v1/diagnostics; a configured path stands in for that
    String p = DiagnosticsEndpoint.DIAGNOSTICS_PATH + requested.substring(path.length());
    return endpoint.handle(
        request.getMethod().name(),
        p,
        RequestAddresses.remote(request),
        RequestAddresses.local(request),
        headers::getFirst);
  }

  private boolean isDiagnosticsPath(String requested) {
    return requested.equals(path) || requested.startsWith(path + "/");
  }

  /**
   * Where the filter sits in the chain.
   *
   * @return {@link Ordered#HIGHEST_PRECEDENCE} plus one unless the builder set another order
   */
  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public String toString() {
    return description;
  }

  /**
   * Builds a {@link DiagnosticsWebFilter}; see {@link DiagnosticsBuilder} for the options (tracker,
   * default {@link ActivityTracker#global()} read per request; backend descriptions; session id
   * display), plus the filter's order.
   */
  public static final class Builder extends DiagnosticsBuilder<Builder, DiagnosticsWebFilter> {

    private int order = Ordered.HIGHEST_PRECEDENCE + 1;
    private String path = DiagnosticsEndpoint.DIAGNOSTICS_PATH;

    private Builder() {}

    /**
     * Where the full document is served; the activity document is {@code path + "/activity"} and
     * the live page {@code path + "/ui"}. The default is {@value
     * DiagnosticsEndpoint#DIAGNOSTICS_PATH}. The live page finds its document as its sibling named
     * {@code diagnostics}, so a path that ends otherwise serves the documents but not a working
     * page.
     *
     * @param path an absolute path within the application, without a trailing slash
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
     * Where the filter sits among the other {@code WebFilter}s; the default is right after {@link
     * ActivityWebFilter}.
     *
     * @param order the order, as {@link Ordered} defines it
     * @return this builder
     */
    public Builder order(int order) {
      this.order = order;
      return this;
    }

    /**
     * Builds the filter.
     *
     * @return a new filter
     */
    @Override
    public DiagnosticsWebFilter build() {
      return new DiagnosticsWebFilter(endpoint(), path, order);
    }
  }
}
