/**
 * inflight for Spring WebFlux: a {@code WebFilter} that counts the bytes sent to clients, a {@code
 * WebClient} filter that counts the bytes received from backends, the diagnostics endpoints, and
 * the glue a gateway (Spring Cloud Gateway, ...) needs to count what its upstream sends.
 */
module dev.inflight.activity.webflux {
  requires static org.jspecify;
  requires transitive dev.inflight.activity;
  requires transitive dev.inflight.activity.json;
  requires transitive spring.web;
  requires transitive spring.webflux;
  requires transitive spring.core;
  requires transitive reactor.core;
  requires transitive org.reactivestreams;
  // optional: the connection's own addresses, for the diagnostics access rule on Reactor Netty
  requires static reactor.netty.http;
  // optional: on Reactor Netty, TX is counted as each body buffer is written to the connection
  requires static reactor.netty.core;
  requires static io.netty.transport;
  requires static io.netty.buffer;
  requires static io.netty.common;

  exports dev.inflight.activity.webflux;
}
