package dev.inflight.activity.spring.boot.internal;

import dev.inflight.activity.Enablement;
import org.springframework.core.env.PropertyResolver;

/**
 * Whether tracking is on: {@code inflight.activity.enabled} from any of Boot's sources wins;
 * without it, the environment variable {@code ENABLE_ACTIVITY_TRACKING} (read through the Spring
 * environment, so a system property or {@code --ENABLE_ACTIVITY_TRACKING=...} works too), parsed by
 * core's rules; else off.
 */
public final class TrackingEnablement {

  /** The property that switches tracking. */
  public static final String PROPERTY = "inflight.activity.enabled";

  private TrackingEnablement() {}

  /**
   * Resolves the flag.
   *
   * @param environment the application's environment
   * @return whether tracking is on
   * @throws IllegalArgumentException naming the property or variable and its value when it is not a
   *     boolean
   */
  public static boolean resolve(PropertyResolver environment) {
    String property = environment.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return Enablement.parseBoolean(property, "property " + PROPERTY);
    }
    String variable = environment.getProperty(Enablement.ENV_VAR);
    if (variable != null && !variable.isBlank()) {
      return Enablement.parseBoolean(variable, "environment variable " + Enablement.ENV_VAR);
    }
    return false;
  }
}
