package dev.inflight.activity.quarkus;

import dev.inflight.activity.ActivityTracker;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jspecify.annotations.Nullable;

/**
 * Binds activity-micrometer's meters ({@code inflight_connections_active}, bytes, ended rows, ...)
 * to the application's Micrometer registry at startup, when the application has one
 * (quarkus-micrometer, with any registry); does nothing otherwise. Micrometer's types are named
 * only in a class that is loaded when Micrometer is on the class path, so the jar works without it.
 * The meters are removed when the application stops.
 */
@Singleton
public class ActivityMeters {

  private static final boolean MICROMETER = present("io.micrometer.core.instrument.MeterRegistry");

  private volatile @Nullable AutoCloseable binding;

  /** For CDI. */
  public ActivityMeters() {}

  void bind(@Observes StartupEvent event, ActivityTracker tracker) {
    if (MICROMETER) {
      binding = MicrometerBinding.bind(tracker);
    }
  }

  void unbind(@Observes ShutdownEvent event) throws Exception {
    AutoCloseable b = binding;
    binding = null;
    if (b != null) {
      b.close();
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, ActivityMeters.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
