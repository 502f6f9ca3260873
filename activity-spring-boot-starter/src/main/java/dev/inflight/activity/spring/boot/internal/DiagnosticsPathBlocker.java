package dev.inflight.activity.spring.boot.internal;

import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * In a reactive application whose diagnostics have a listener of their own: answers 404 for the
 * diagnostics paths on the application's port, so that no route of the application (a gateway's
 * catch-all) sees them either.
 */
public final class DiagnosticsPathBlocker implements WebFilter, Ordered {

  private static final byte[] BODY =
      "{\"error\":\"not_found\",\"detail\":\"no such resource\"}".getBytes(StandardCharsets.UTF_8);

  private final String path;
  private final int order;

  /**
   * Creates the filter.
   *
   * @param path the diagnostics path
   * @param order its order
   */
  public DiagnosticsPathBlocker(String path, int order) {
    this.path = path;
    this.order = order;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String requested = exchange.getRequest().getPath().pathWithinApplication().value();
    if (!requested.equals(path) && !requested.startsWith(path + "/")) {
      return chain.filter(exchange);
    }
    ServerHttpResponse response = exchange.getResponse();
    response.setStatusCode(HttpStatus.NOT_FOUND);
    response.getHeaders().set("Content-Type", "application/json; charset=utf-8");
    response.getHeaders().set("Cache-Control", "no-store");
    response.getHeaders().setContentLength(BODY.length);
    return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(BODY)));
  }

  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public String toString() {
    return "DiagnosticsPathBlocker[" + path + "]";
  }
}
