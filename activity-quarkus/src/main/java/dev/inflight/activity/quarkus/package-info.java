/**
 * Quarkus 3 integration: CDI beans that make the application's {@link
 * dev.inflight.activity.ActivityTracker} and mount activity-vertx's route handler and diagnostics
 * routes on its Vert.x router. Adding the jar and {@code quarkus.inflight.activity.enabled=true} is
 * all an application does.
 */
@NullMarked
package dev.inflight.activity.quarkus;

import org.jspecify.annotations.NullMarked;
