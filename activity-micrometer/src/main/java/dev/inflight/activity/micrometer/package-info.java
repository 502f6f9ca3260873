/**
 * A Micrometer {@code MeterBinder} over the inflight tracker: {@link
 * dev.inflight.activity.micrometer.ActivityMetrics}.
 */
@NullMarked
package dev.inflight.activity.micrometer;

import org.jspecify.annotations.NullMarked;
