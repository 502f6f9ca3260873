package dev.inflight.activity.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.DiagnosticsAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DiagnosticsEndpointTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ActivityTracker tracker = Fixtures.tracker(new Fixtures.ManualClock());
  private final DiagnosticsEndpoint endpoint =
      DiagnosticsEndpoint.create(() -> tracker, DiagnosticsJson.create());

  @AfterEach
  void close() {
    tracker.close();
  }

  private static DiagnosticsAccess.Headers headers(String... pairs) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i].toLowerCase(Locale.ROOT), pairs[i + 1]);
    }
    return name -> map.get(name.toLowerCase(Locale.ROOT));
  }

  @Test
  void servesBothDocumentsToLoopbackClients() throws IOException {
    DiagnosticsResponse full =
        endpoint.handle("GET", "/v1/diagnostics", "127.0.0.1", headers("Host", "localhost:8000"));
    assertThat(full.status()).isEqualTo(200);
    assertThat(MAPPER.readTree(full.body()).get("activity_tracking_enabled").booleanValue())
        .isTrue();

    DiagnosticsResponse light =
        endpoint.handle("GET", "/v1/diagnostics/activity/", "::1", headers());
    assertThat(light.status()).isEqualTo(200);
    assertThat(MAPPER.readTree(light.body()).has("total_active_connections")).isTrue();
  }

  @Test
  void everyResponseCarriesTheSafetyHeadersAndNoCors() {
    for (DiagnosticsResponse r :
        new DiagnosticsResponse[] {
          endpoint.handle("GET", "/v1/diagnostics", "127.0.0.1", headers()),
          endpoint.handle("GET", "/v1/diagnostics", "10.0.0.7", headers()),
          endpoint.handle("POST", "/v1/diagnostics", "127.0.0.1", headers()),
          endpoint.handle("GET", "/v1/other", "127.0.0.1", headers())
        }) {
      assertThat(r.headers())
          .containsEntry("Content-Type", "application/json; charset=utf-8")
          .containsEntry("Cache-Control", "no-store")
          .containsEntry("X-Content-Type-Options", "nosniff");
      assertThat(r.headers().keySet()).noneMatch(k -> k.startsWith("Access-Control"));
    }
  }

  @Test
  void refusesRemoteForwardedAndRebindingRequestsWithAGenericBody() throws IOException {
    DiagnosticsResponse[] refused = {
      endpoint.handle("GET", "/v1/diagnostics", "192.168.1.20", headers()),
      endpoint.handle("GET", "/v1/diagnostics", null, headers()),
      endpoint.handle("GET", "/v1/diagnostics", "127.0.0.1", headers("X-Forwarded-For", "8.8.8.8")),
      endpoint.handle("GET", "/v1/diagnostics", "127.0.0.1", headers("Forwarded", "for=1.2.3.4")),
      endpoint.handle("GET", "/v1/diagnostics", "127.0.0.1", headers("X-Real-IP", "1.2.3.4")),
      endpoint.handle("GET", "/v1/diagnostics", "127.0.0.1", headers("Host", "evil.example:8000")),
      endpoint.handle(
          "GET", "/v1/diagnostics", "127.0.0.1", headers("Origin", "https://evil.example")),
    };
    for (DiagnosticsResponse r : refused) {
      assertThat(r.status()).isEqualTo(403);
      JsonNode body = MAPPER.readTree(r.body());
      assertThat(body.get("error").textValue()).isEqualTo("forbidden");
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("total_bytes");
    }
  }

  @Test
  void onlyGetAndHeadAreServed() {
    assertThat(endpoint.handle("HEAD", "/v1/diagnostics", "127.0.0.1", headers()).status())
        .isEqualTo(200);
    for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
      DiagnosticsResponse r = endpoint.handle(method, "/v1/diagnostics", "127.0.0.1", headers());
      assertThat(r.status()).isEqualTo(405);
      assertThat(r.headers()).containsEntry("Allow", "GET, HEAD");
    }
  }

  @Test
  void unknownPathsAreNotFound() {
    assertThat(endpoint.handle("GET", "/v1/diagnostics/other", "127.0.0.1", headers()).status())
        .isEqualTo(404);
    assertThat(endpoint.handle("GET", "/", "127.0.0.1", headers()).status()).isEqualTo(404);
  }

  @Test
  void aFailingTrackerGivesA500WithoutAStackTrace() {
    DiagnosticsEndpoint broken =
        DiagnosticsEndpoint.create(
            () -> {
              throw new IllegalStateException("secret internals at Foo.java:42");
            },
            DiagnosticsJson.create());
    DiagnosticsResponse r = broken.handle("GET", "/v1/diagnostics", "127.0.0.1", headers());
    assertThat(r.status()).isEqualTo(500);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .doesNotContain("secret")
        .doesNotContain("Foo.java")
        .contains("internal_error");
  }

  @Test
  void aDisabledTrackerIsReportedAsDisabled() throws IOException {
    DiagnosticsEndpoint off =
        DiagnosticsEndpoint.create(ActivityTracker::disabled, DiagnosticsJson.create());
    JsonNode doc =
        MAPPER.readTree(off.handle("GET", "/v1/diagnostics", "127.0.0.1", headers()).body());
    assertThat(doc.get("activity_tracking_enabled").booleanValue()).isFalse();
    assertThat(doc.get("global_activity").get("enabled").booleanValue()).isFalse();
    JsonNode light =
        MAPPER.readTree(
            off.handle("GET", "/v1/diagnostics/activity", "127.0.0.1", headers()).body());
    assertThat(light.get("enabled").booleanValue()).isFalse();
    assertThat(light.get("total_active_connections").intValue()).isZero();
  }
}
