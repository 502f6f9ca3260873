/**
 * Jakarta REST glue for inflight: {@link dev.inflight.activity.jaxrs.ActivityFeature} (server side,
 * TX to the client), {@link dev.inflight.activity.jaxrs.ActivityClientFeature} (client side, RX
 * from a backend), {@link dev.inflight.activity.jaxrs.JaxrsActivity} (how a resource finds its
 * request's activity) and the diagnostics resources.
 */
@NullMarked
package dev.inflight.activity.jaxrs;

import org.jspecify.annotations.NullMarked;
