/**
 * OpenTelemetry instruments over the inflight tracker: {@link
 * dev.inflight.activity.opentelemetry.ActivityTelemetry}.
 */
@NullMarked
package dev.inflight.activity.opentelemetry;

import org.jspecify.annotations.NullMarked;
