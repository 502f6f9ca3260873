package dev.inflight.activity.quarkus;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.micrometer.ActivityMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import org.jspecify.annotations.Nullable;

/** The part of {@link ActivityMeters} that names Micrometer: loaded only when it is present. */
final class MicrometerBinding {

  private MicrometerBinding() {}

  /**
   * Binds the tracker's meters to the application's registry bean, if there is one.
   *
   * @param tracker the tracker
   * @return what removes the meters, or null when the application has no registry
   */
  static @Nullable AutoCloseable bind(ActivityTracker tracker) {
    InstanceHandle<MeterRegistry> registry = Arc.container().instance(MeterRegistry.class);
    if (!registry.isAvailable()) {
      return null;
    }
    ActivityMetrics metrics = ActivityMetrics.builder().tracker(tracker).build();
    metrics.bindTo(registry.get());
    return metrics;
  }
}
