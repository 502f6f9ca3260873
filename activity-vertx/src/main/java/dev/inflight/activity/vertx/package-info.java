/**
 * Vert.x 5 adapter: mount {@link dev.inflight.activity.vertx.ActivityHandler} on a vertx-web {@code
 * Router} to track each request and count the bytes sent to clients, find the request's activity
 * with {@link dev.inflight.activity.vertx.VertxActivity#of}, and count a backend's response body
 * with {@link dev.inflight.activity.vertx.VertxActivity#countRx}, or let {@link
 * dev.inflight.activity.vertx.ActivityProxyInterceptor} do both in a vertx-http-proxy; mount {@link
 * dev.inflight.activity.vertx.DiagnosticsHandler} to serve {@code /v1/diagnostics}.
 */
@NullMarked
package dev.inflight.activity.vertx;

import org.jspecify.annotations.NullMarked;
