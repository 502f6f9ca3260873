package dev.inflight.activity.quarkus;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.Enablement;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jspecify.annotations.Nullable;

/**
 * The application's {@link ActivityTracker}, unless it produces one of its own (this one is a
 * {@link DefaultBean}): on when {@value #PROPERTY} says so; without that property, when the
 * environment variable {@code ENABLE_ACTIVITY_TRACKING} does (read through the application's
 * config, so a system property of that name works too); else off. Both take {@code
 * true/false/1/0/yes/no/on/off}; anything else stops the application at startup with an error that
 * names the property or variable and its value. The tracker is closed when the application stops.
 *
 * <p>The other settings are core's defaults. An application that wants others produces its own
 * tracker:
 *
 * <pre>{@code
 * @Produces @Singleton
 * ActivityTracker tracker() {
 *   return ActivityTracker.create(ActivitySettings.builder().enabled(true).countEvents(true).build());
 * }
 * }</pre>
 */
@Singleton
public class ActivityTrackerProducer {

  /** The property that switches tracking on or off. */
  public static final String PROPERTY = "quarkus.inflight.activity.enabled";

  /** For CDI. */
  public ActivityTrackerProducer() {}

  /**
   * The tracker, enabled as the configuration says.
   *
   * @param enabled the value of {@value #PROPERTY}
   * @param enabledByEnvironment the value of {@code ENABLE_ACTIVITY_TRACKING}
   * @return a new tracker
   * @throws IllegalArgumentException naming the property or variable when its value is not a
   *     boolean
   */
  @Produces
  @Singleton
  @DefaultBean
  ActivityTracker activityTracker(
      @ConfigProperty(name = PROPERTY) Optional<String> enabled,
      @ConfigProperty(name = Enablement.ENV_VAR) Optional<String> enabledByEnvironment) {
    boolean on = enabled(enabled.orElse(null), enabledByEnvironment.orElse(null));
    return ActivityTracker.create(ActivitySettings.builder().enabled(on).build());
  }

  void close(@Disposes ActivityTracker tracker) {
    tracker.close();
  }

  /**
   * Whether tracking is on: the property wins, then the environment variable, else off.
   *
   * @param property the value of {@value #PROPERTY}, or null
   * @param variable the value of {@code ENABLE_ACTIVITY_TRACKING}, or null
   * @return whether tracking is on
   * @throws IllegalArgumentException naming the source and the value when it is not a boolean
   */
  static boolean enabled(@Nullable String property, @Nullable String variable) {
    if (property != null && !property.isBlank()) {
      return Enablement.parseBoolean(property, "property " + PROPERTY);
    }
    if (variable != null && !variable.isBlank()) {
      return Enablement.parseBoolean(variable, "environment variable " + Enablement.ENV_VAR);
    }
    return false;
  }
}
