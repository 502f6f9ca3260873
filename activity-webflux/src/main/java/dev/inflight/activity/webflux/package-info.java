/**
 * Spring WebFlux adapter: mount {@link dev.inflight.activity.webflux.ActivityWebFilter} to count
 * the bytes sent to clients, add {@link dev.inflight.activity.webflux.ActivityExchangeFilter} to a
 * {@code WebClient} to attach the request to its backend and count the bytes received from it, and
 * mount {@link dev.inflight.activity.webflux.DiagnosticsWebFilter} to serve {@code
 * /v1/diagnostics}.
 */
@NullMarked
package dev.inflight.activity.webflux;

import org.jspecify.annotations.NullMarked;
