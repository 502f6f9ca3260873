package dev.inflight.activity.spring.boot;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The properties of the Actuator endpoint {@code activity}, under {@value #PREFIX}; bound only when
 * Actuator is on the class path. They follow Boot's convention for endpoints that show sensitive
 * values ({@code management.endpoint.env.show-values} and {@code roles}): session ids are hidden
 * unless {@code show-session-ids} says otherwise.
 */
@ConfigurationProperties(prefix = ActivityEndpointProperties.PREFIX)
public class ActivityEndpointProperties {

  /** The prefix of these properties. */
  public static final String PREFIX = ActivityProperties.PREFIX + ".actuator";

  /**
   * When the Actuator endpoint shows session ids: never (each is shown as ******), when-authorized
   * (to an authenticated caller with one of the roles), or always. When shown, they appear as
   * inflight.activity.session-id-display (or the application's DiagnosticsPolicy) says.
   */
  private Show showSessionIds = Show.NEVER;

  /**
   * Roles a caller needs for when-authorized to show session ids; empty: any authenticated caller.
   */
  private Set<String> roles = new LinkedHashSet<>();

  /** Creates the properties with their defaults. */
  public ActivityEndpointProperties() {}

  /**
   * When session ids are shown.
   *
   * @return never, when-authorized or always
   */
  public Show getShowSessionIds() {
    return showSessionIds;
  }

  /**
   * Sets when session ids are shown.
   *
   * @param showSessionIds never, when-authorized or always
   */
  public void setShowSessionIds(Show showSessionIds) {
    this.showSessionIds = Objects.requireNonNull(showSessionIds, "showSessionIds");
  }

  /**
   * The roles that see session ids under when-authorized.
   *
   * @return the roles; empty for any authenticated caller
   */
  public Set<String> getRoles() {
    return roles;
  }

  /**
   * Sets the roles that see session ids under when-authorized.
   *
   * @param roles the roles; empty for any authenticated caller
   */
  public void setRoles(Set<String> roles) {
    this.roles = new LinkedHashSet<>(Objects.requireNonNull(roles, "roles"));
  }
}
