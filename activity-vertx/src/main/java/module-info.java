/**
 * inflight for Vert.x 5: a route handler that tracks each request and counts the bytes sent to the
 * client, a read stream that counts the bytes received from a backend through the Vert.x {@code
 * HttpClient} or vertx-http-proxy, and the diagnostics route.
 */
module dev.inflight.activity.vertx {
  requires static org.jspecify;
  requires transitive dev.inflight.activity;
  requires transitive dev.inflight.activity.json;
  requires transitive io.vertx.core;
  requires transitive io.vertx.web;
  // only ActivityProxyInterceptor needs it; an application proxying with it brings it
  requires static transitive io.vertx.httpproxy;
  // the buffers Vert.x delivers are Netty's: RX reads them in place, without a copy
  requires io.netty.buffer;

  exports dev.inflight.activity.vertx;
}
