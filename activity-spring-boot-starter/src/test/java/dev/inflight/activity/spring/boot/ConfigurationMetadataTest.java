package dev.inflight.activity.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metadata IDEs complete the properties from, as the build writes it into the jar. */
class ConfigurationMetadataTest {

  @Test
  void everyPropertyIsDescribedWithItsDefault() throws Exception {
    JsonNode metadata;
    try (InputStream in =
        ActivityProperties.class
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    Map<String, JsonNode> properties = new HashMap<>();
    metadata.get("properties").forEach(p -> properties.put(p.get("name").asText(), p));
    Map<String, String> defaults =
        Map.ofEntries(
            Map.entry("inflight.activity.enabled", "false"),
            Map.entry("inflight.activity.stale-timeout", "5m"),
            Map.entry("inflight.activity.stall-after", "30s"),
            Map.entry("inflight.activity.sweep-interval", "30s"),
            Map.entry("inflight.activity.max-connections", "10000"),
            Map.entry("inflight.activity.recent-connections", "100"),
            Map.entry("inflight.activity.session-header", "X-Session-Id"),
            Map.entry("inflight.activity.session-id-display", "full"),
            Map.entry("inflight.activity.install-global", "false"),
            Map.entry("inflight.activity.diagnostics.enabled", "true"),
            Map.entry("inflight.activity.diagnostics.path", "/v1/diagnostics"),
            Map.entry("inflight.activity.metrics.enabled", "true"),
            Map.entry("inflight.activity.metrics.model-tag", "false"),
            Map.entry("inflight.activity.actuator.show-session-ids", "never"));
    defaults.forEach(
        (name, value) -> {
          assertThat(properties).as(name).containsKey(name);
          JsonNode p = properties.get(name);
          assertThat(p.get("description").asText()).as(name).isNotBlank();
          assertThat(p.get("defaultValue").asText()).as(name).isEqualTo(value);
        });
    assertThat(properties).containsKey("inflight.activity.filter-order");
    assertThat(properties.get("inflight.activity.diagnostics.port").get("description").asText())
        .contains("127.0.0.1");
    assertThat(properties.get("inflight.activity.actuator.roles").get("description").asText())
        .isNotBlank();
    assertThat(metadata.get("hints").toString())
        .contains("truncated", "hashed", "hidden", "when-authorized");
  }
}
