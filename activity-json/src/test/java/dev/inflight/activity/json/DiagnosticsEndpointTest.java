package dev.inflight.activity.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.DiagnosticsAccess;
import java.io.IOException;
import java.net.URI;
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

  private DiagnosticsResponse get(String path, String... headers) {
    return endpoint.handle("GET", path, "127.0.0.1", headers(headers));
  }

  private static String text(DiagnosticsResponse r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  /** The value of the first {@code attribute="..."} after {@code marker} in the page. */
  private static String attribute(String html, String marker, String attribute) {
    int at = html.indexOf(marker);
    assertThat(at).as("%s in the page", marker).isNotNegative();
    int start = html.indexOf(attribute + "=\"", at) + attribute.length() + 2;
    return html.substring(start, html.indexOf('"', start));
  }

  @Test
  void servesTheLivePageWithAStrictContentSecurityPolicy() {
    DiagnosticsResponse page = get("/v1/diagnostics/ui", "Host", "127.0.0.1:8000");

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers())
        .containsEntry("Content-Type", "text/html; charset=utf-8")
        .containsEntry("Cache-Control", "no-store")
        .containsEntry("X-Content-Type-Options", "nosniff")
        .containsEntry("X-Frame-Options", "DENY");
    assertThat(page.headers().keySet()).noneMatch(k -> k.startsWith("Access-Control"));
    String csp = page.headers().get("Content-Security-Policy");
    assertThat(csp)
        .contains("default-src 'none'")
        .contains("script-src 'self'")
        .contains("style-src 'self'")
        .contains("connect-src 'self'")
        .contains("frame-ancestors 'none'")
        .doesNotContain("unsafe")
        .doesNotContain("http");
    String html = text(page);
    assertThat(html).contains("<script src=\"ui/app.js?v=").doesNotContain("<script>");
    assertThat(html).doesNotContain("style=").doesNotContain("<style").doesNotContain("://");
  }

  @Test
  void servesTheFilesThePageNamesWithTheirTypesAndLongCaching() {
    String html = text(get("/v1/diagnostics/ui"));
    Map<String, String> expected =
        Map.of(
            attribute(html, "<script", "src"), "text/javascript; charset=utf-8",
            attribute(html, "<link rel=\"stylesheet\"", "href"), "text/css; charset=utf-8",
            attribute(html, "<link rel=\"icon\"", "href"), "image/svg+xml");
    for (Map.Entry<String, String> file : expected.entrySet()) {
      // the page is /v1/diagnostics/ui: its relative links resolve under /v1/diagnostics/
      String path = "/v1/diagnostics/" + file.getKey().substring(0, file.getKey().indexOf('?'));
      DiagnosticsResponse r = get(path);
      assertThat(r.status()).as(path).isEqualTo(200);
      assertThat(r.headers())
          .containsEntry("Content-Type", file.getValue())
          .containsEntry("Cache-Control", "private, max-age=31536000, immutable")
          .containsEntry("X-Content-Type-Options", "nosniff")
          .containsKey("Content-Security-Policy");
      assertThat(r.body()).isNotEmpty();
    }
    assertThat(text(get("/v1/diagnostics/ui/app.js"))).contains("'use strict'");
  }

  @Test
  void refusesThePageAndItsFilesToForwardedAndRemoteRequests() throws IOException {
    DiagnosticsResponse[] refused = {
      get("/v1/diagnostics/ui", "X-Forwarded-For", "203.0.113.9"),
      get("/v1/diagnostics/ui/app.js", "X-Forwarded-For", "203.0.113.9"),
      get("/v1/diagnostics/ui", "Host", "evil.example"),
      endpoint.handle("GET", "/v1/diagnostics/ui", "192.168.1.20", headers()),
    };
    for (DiagnosticsResponse r : refused) {
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.headers()).containsEntry("Content-Type", "application/json; charset=utf-8");
      assertThat(MAPPER.readTree(r.body()).get("error").textValue()).isEqualTo("forbidden");
    }
  }

  @Test
  void unknownFilesUnderThePageAreNotFound() {
    for (String path :
        new String[] {
          "/v1/diagnostics/ui/nope.js",
          "/v1/diagnostics/ui/index.html",
          "/v1/diagnostics/ui/../../../etc/passwd",
          "/v1/diagnostics/ui/app.js/x",
          "/v1/diagnostics/uix"
        }) {
      DiagnosticsResponse r = get(path);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(text(r)).contains("not_found");
    }
  }

  @Test
  void onlyGetAndHeadServeThePageAndItsFiles() {
    assertThat(endpoint.handle("HEAD", "/v1/diagnostics/ui", "127.0.0.1", headers()).status())
        .isEqualTo(200);
    for (String path : new String[] {"/v1/diagnostics/ui", "/v1/diagnostics/ui/app.css"}) {
      DiagnosticsResponse r = endpoint.handle("POST", path, "127.0.0.1", headers());
      assertThat(r.status()).isEqualTo(405);
      assertThat(r.headers()).containsEntry("Allow", "GET, HEAD");
    }
  }

  @Test
  void aSlashAfterThePageRedirectsToThePageSoItsRelativeLinksResolve() {
    DiagnosticsResponse r = get("/v1/diagnostics/ui/");
    assertThat(r.status()).isEqualTo(308);
    assertThat(r.headers()).containsEntry("Location", "../ui");
    assertThat(URI.create("http://127.0.0.1/admin/v1/diagnostics/ui/").resolve("../ui"))
        .hasPath("/admin/v1/diagnostics/ui");
  }
}
