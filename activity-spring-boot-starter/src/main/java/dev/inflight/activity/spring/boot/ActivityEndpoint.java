package dev.inflight.activity.spring.boot;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.DiagnosticsPolicy;
import dev.inflight.activity.json.SessionIdDisplay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The Actuator endpoint {@code activity}: read-only, it answers the same document as {@code GET
 * /v1/diagnostics} (field names, order and number formats), so tools that read one read the other.
 * Like every Actuator endpoint it is reachable over HTTP only when the exposure settings include
 * it, e.g. {@code management.endpoints.web.exposure.include=activity}; Actuator's own security
 * rules apply, not the diagnostics endpoints' loopback rule.
 *
 * <p>Session ids follow Boot's convention for sensitive values ({@code
 * management.endpoint.env.show-values}): by default each is shown as {@value
 * SessionIdDisplay#HIDDEN_VALUE}, and the document gains a last field {@value #SESSION_IDS_FIELD}
 * saying how to show them. With {@link Show#WHEN_AUTHORIZED} an authenticated caller (with one of
 * the roles, if any are given) sees them, with {@link Show#ALWAYS} every caller does; shown ids
 * appear as the {@link DiagnosticsPolicy} of the diagnostics endpoints shows them.
 */
@Endpoint(id = "activity")
public class ActivityEndpoint {

  /** The field added, last, to a document whose session ids are hidden. */
  public static final String SESSION_IDS_FIELD = "session_ids";

  /** Its value: why the ids are hidden and how to show them. */
  public static final String SESSION_IDS_HIDDEN =
      "hidden: set "
          + ActivityEndpointProperties.PREFIX
          + ".show-session-ids to always or when-authorized to show them";

  // numbers with a fraction stay BigDecimal, so they are written back exactly as rendered
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final ActivityTracker tracker;
  private final DiagnosticsJson shown;
  private final DiagnosticsJson hidden;
  private final Show show;
  private final List<String> roles;

  /**
   * Creates the endpoint that never shows session ids.
   *
   * @param tracker the tracker to report on
   * @param json the renderer, with the application's backend descriptions
   */
  public ActivityEndpoint(ActivityTracker tracker, DiagnosticsJson json) {
    this(tracker, json, DiagnosticsPolicy.loopbackOnly(), Show.NEVER, Set.of());
  }

  /**
   * Creates the endpoint.
   *
   * @param tracker the tracker to report on
   * @param json the renderer, with the application's backend descriptions
   * @param policy the diagnostics policy, whose session id display applies when ids are shown
   * @param show when session ids are shown
   * @param roles the roles that see them under {@link Show#WHEN_AUTHORIZED}; empty for any
   *     authenticated caller
   */
  public ActivityEndpoint(
      ActivityTracker tracker,
      DiagnosticsJson json,
      DiagnosticsPolicy policy,
      Show show,
      Set<String> roles) {
    this.tracker = Objects.requireNonNull(tracker, "tracker");
    Objects.requireNonNull(json, "json");
    this.shown = json.withSessionIdDisplay(policy.sessionIds());
    this.hidden = json.withSessionIdDisplay(SessionIdDisplay.HIDDEN);
    this.show = Objects.requireNonNull(show, "show");
    this.roles = List.copyOf(roles);
  }

  /**
   * The diagnostics document, with session ids shown or hidden for this caller.
   *
   * @param securityContext the caller, as Actuator passes it
   * @return the document's fields, in the order they are rendered
   */
  @ReadOperation
  public Map<String, Object> activity(SecurityContext securityContext) {
    boolean showIds = show.isShown(securityContext, roles);
    Map<String, Object> fields =
        parse((showIds ? shown : hidden).diagnostics(tracker.getGlobalSnapshot()));
    if (!showIds) {
      fields.put(SESSION_IDS_FIELD, SESSION_IDS_HIDDEN);
    }
    return fields;
  }

  /**
   * The document as an anonymous caller sees it (no principal, no roles).
   *
   * @return the document's fields
   */
  public Map<String, Object> activity() {
    return activity(SecurityContext.NONE);
  }

  private static Map<String, Object> parse(byte[] document) {
    try {
      @SuppressWarnings("unchecked") // the document is a JSON object
      Map<String, Object> fields = MAPPER.readValue(document, LinkedHashMap.class);
      return fields;
    } catch (IOException e) {
      throw new UncheckedIOException("the diagnostics document did not parse", e);
    }
  }
}
