package dev.inflight.activity.webflux;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.webflux.internal.CountingResponse;
import dev.inflight.activity.webflux.internal.Glue;
import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * For reactive gateways that copy their upstream's response body straight into the exchange's
 * response (Spring Cloud Gateway's {@code NettyWriteResponseFilter}, and the like): attaches the
 * request to its backend and returns an exchange whose response counts each buffer written into it
 * as RX, as it arrives, on its way to {@link ActivityWebFilter}'s response, which counts it as TX.
 *
 * <p>In Spring Cloud Gateway, a global filter placed right before {@code NettyWriteResponseFilter}
 * names the row after the route:
 *
 * <pre>{@code
 * @Component
 * class ActivityRoutes implements GlobalFilter, Ordered {
 *   public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
 *     Route route = exchange.getRequiredAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
 *     return chain.filter(UpstreamActivity.attach(exchange, route.getId()));
 *   }
 *   public int getOrder() { return NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1; }
 * }
 * }</pre>
 *
 * <p>Without {@link ActivityWebFilter} mounted, or with tracking off, the exchange is returned
 * unchanged. A request the application attached already keeps its backend. Placed before a filter
 * that rewrites the response body, the rewritten bytes are what is counted.
 */
public final class UpstreamActivity {

  private UpstreamActivity() {}

  /**
   * Attaches the exchange's request to {@code backend}, without a model, streaming when the client
   * accepts {@code text/event-stream}, and counts what is written into the response as RX.
   *
   * @param exchange the exchange, under {@link ActivityWebFilter}
   * @param backend the backend's name, e.g. the route id; not blank
   * @return the exchange to pass on, or {@code exchange} itself when it is not tracked
   */
  public static ServerWebExchange attach(ServerWebExchange exchange, String backend) {
    return attach(exchange, backend, null, Glue.typeFromAccept(exchange.getRequest().getHeaders()));
  }

  /**
   * Attaches the exchange's request to {@code backend} and counts what is written into the response
   * as RX.
   *
   * @param exchange the exchange, under {@link ActivityWebFilter}
   * @param backend the backend's name, e.g. the route id; not blank
   * @param model the model, or null
   * @param type streaming or not
   * @return the exchange to pass on, or {@code exchange} itself when it is not tracked
   */
  public static ServerWebExchange attach(
      ServerWebExchange exchange, String backend, @Nullable String model, ConnectionType type) {
    RequestActivity activity = ActivityWebFilter.activity(exchange);
    if (!activity.isOpen()) {
      return exchange;
    }
    Glue.attach(activity, backend, model, type);
    return countRx(exchange, activity);
  }

  /**
   * Counts what is written into the response as RX of the exchange's activity, without attaching
   * (the application attaches itself).
   *
   * @param exchange the exchange, under {@link ActivityWebFilter}
   * @return the exchange to pass on, or {@code exchange} itself when it is not tracked
   */
  public static ServerWebExchange countRx(ServerWebExchange exchange) {
    RequestActivity activity = ActivityWebFilter.activity(exchange);
    return activity.isOpen() ? countRx(exchange, activity) : exchange;
  }

  private static ServerWebExchange countRx(ServerWebExchange exchange, RequestActivity activity) {
    try {
      return exchange
          .mutate()
          .response(new CountingResponse(exchange.getResponse(), activity, true))
          .build();
    } catch (RuntimeException e) {
      Glue.failed("Counting a gateway's upstream failed", e);
      return exchange;
    }
  }
}
