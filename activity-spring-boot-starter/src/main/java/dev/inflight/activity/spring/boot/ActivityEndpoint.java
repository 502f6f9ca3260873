package dev.inflight.activity.spring.boot;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The Actuator endpoint {@code activity}: read-only, it answers the same document as {@code GET
 * /v1/diagnostics} (field names, order and number formats), so tools that read one read the other.
 * Like every Actuator endpoint it is reachable over HTTP only when the exposure settings include
 * it, e.g. {@code management.endpoints.web.exposure.include=activity}; Actuator's own security
 * rules apply, not the diagnostics endpoints' loopback rule.
 */
@Endpoint(id = "activity")
public class ActivityEndpoint {

  // numbers with a fraction stay BigDecimal, so they are written back exactly as rendered
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final ActivityTracker tracker;
  private final DiagnosticsJson json;

  /**
   * Creates the endpoint.
   *
   * @param tracker the tracker to report on
   * @param json the renderer, with the application's backend descriptions
   */
  public ActivityEndpoint(ActivityTracker tracker, DiagnosticsJson json) {
    this.tracker = Objects.requireNonNull(tracker, "tracker");
    this.json = Objects.requireNonNull(json, "json");
  }

  /**
   * The diagnostics document.
   *
   * @return the document's fields, in the order they are rendered
   */
  @ReadOperation
  public Map<String, Object> activity() {
    byte[] document = json.diagnostics(tracker.getGlobalSnapshot());
    try {
      @SuppressWarnings("unchecked") // the document is a JSON object
      Map<String, Object> fields = MAPPER.readValue(document, LinkedHashMap.class);
      return fields;
    } catch (IOException e) {
      throw new UncheckedIOException("the diagnostics document did not parse", e);
    }
  }
}
