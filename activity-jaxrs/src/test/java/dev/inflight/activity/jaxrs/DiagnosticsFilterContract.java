package dev.inflight.activity.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.GlobalActivityView;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The diagnostics resources over real HTTP: the same access rule and JSON as the servlet adapter,
 * on every Jakarta REST implementation.
 */
abstract class DiagnosticsFilterContract {

  /** A session id no other text in a response could contain by chance. */
  private static final String SECRET = "sess-7c1f0e9a-peer-must-not-see";

  /** What a remote peer sends to pass for a local client, in every combination that matters. */
  private static final List<String[]> CLAIMS =
      List.of(
          new String[] {
            "X-Forwarded-For: 127.0.0.1", "Forwarded: for=127.0.0.1", "Host: localhost"
          },
          new String[] {"X-Forwarded-For: 127.0.0.1", "Host: localhost"},
          new String[] {"Forwarded: for=127.0.0.1", "Host: localhost"},
          new String[] {"Forwarded: for=127.0.0.1;host=127.0.0.1", "Host: localhost"},
          new String[] {
            "X-Forwarded-For: 127.0.0.1", "X-Forwarded-Host: 127.0.0.1", "Host: localhost"
          },
          new String[] {"Host: localhost"},
          new String[] {});

  private static final List<String> PATHS =
      List.of("/v1/diagnostics", "/v1/diagnostics/activity", "/v1/diagnostics/ui");

  ActivityTracker tracker;
  TestServer server;
  HttpClient http;

  abstract JaxrsRuntime runtime();

  @BeforeEach
  void start() {
    tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    server =
        TestServer.start(
            runtime(), List.of(ServletDiagnosticsFilter.builder().tracker(tracker).build()));
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    tracker.close();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.uri(path));
  }

  static void assertJsonHeaders(HttpResponse<String> r) {
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(
            v ->
                assertThat(v.replace(" ", ""))
                    .isEqualToIgnoringCase("application/json;charset=utf-8"));
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().map().keySet())
        .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
  }

  @Test
  void loopbackGetServesTheSeedDocument() throws Exception {
    try (ActivityHandle h = tracker.open("openai.1", "abc123", ConnectionType.STREAMING, "gpt-4")) {
      h.addRx(512);
      h.addTx(498);
      HttpResponse<String> r = send(request("/v1/diagnostics"));
      assertThat(r.statusCode()).isEqualTo(200);
      assertJsonHeaders(r);
      assertThat(r.body())
          .contains(
              "\"timestamp\"",
              "\"activity_tracking_enabled\"",
              "\"instances\"",
              "\"global_activity\"",
              "\"connector_type\"",
              "\"is_rate_limited\"",
              "\"is_functional\"",
              "\"validation_errors\"",
              "\"models\"",
              "\"active_connections\"",
              "\"connections\"",
              "\"session_id\"",
              "\"connection_type\"",
              "\"started_at\"",
              "\"duration_seconds\"",
              "\"bytes_rx\"",
              "\"bytes_tx\"",
              "\"total_bytes_rx\"",
              "\"total_bytes_tx\"");
      DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(r.body());
      assertThat(doc.activityTrackingEnabled()).isTrue();
      assertThat(doc.globalActivity().totalActiveConnections()).isEqualTo(1);
      assertThat(doc.instances())
          .singleElement()
          .satisfies(
              i -> {
                assertThat(i.name()).isEqualTo("openai.1");
                assertThat(i.activity().connections())
                    .singleElement()
                    .satisfies(
                        c -> {
                          assertThat(c.sessionId()).isEqualTo("abc123");
                          assertThat(c.bytesRx()).isEqualTo(512);
                          assertThat(c.bytesTx()).isEqualTo(498);
                        });
              });
    }
  }

  @Test
  void activityDocumentCarriesEnabled() throws Exception {
    HttpResponse<String> r = send(request("/v1/diagnostics/activity"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertJsonHeaders(r);
    assertThat(r.body()).contains("\"enabled\"");
    GlobalActivityView view = DiagnosticsJson.parseActivity(r.body());
    assertThat(view.enabled()).isTrue();
    assertThat(view.totalActiveConnections()).isZero();
  }

  @Test
  void forwardingHeadersAreRefused() throws Exception {
    for (String header : List.of("Forwarded", "X-Forwarded-For", "X-Real-IP")) {
      HttpResponse<String> r = send(request("/v1/diagnostics").header(header, "203.0.113.9"));
      assertThat(r.statusCode()).as(header).isEqualTo(403);
      assertJsonHeaders(r);
      assertThat(r.body()).startsWith("{").doesNotContain("instances").doesNotContain("Exception");
    }
  }

  @Test
  void theLivePageAndItsFilesAreServedUnderTheSameRuleWithTheirPolicy() throws Exception {
    HttpResponse<String> page = send(request("/v1/diagnostics/ui"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""))
        .isEqualToIgnoringCase("text/html;charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(v -> assertThat(v).contains("script-src 'self'"));
    assertThat(page.body()).contains("ui/app.js?v=");
    HttpResponse<String> script = send(request("/v1/diagnostics/ui/app.js"));
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""))
        .isEqualToIgnoringCase("text/javascript;charset=utf-8");
    assertThat(send(request("/v1/diagnostics/ui/nope.js")).statusCode()).isEqualTo(404);
    HttpResponse<String> forwarded =
        send(request("/v1/diagnostics/ui").header("X-Forwarded-For", "203.0.113.9"));
    assertThat(forwarded.statusCode()).isEqualTo(403);
    assertJsonHeaders(forwarded);
  }

  @Test
  void foreignHostIsRefused() throws Exception {
    RawHttp r = RawHttp.send(server.port(), "GET", "/v1/diagnostics", "Host: attacker.example");
    assertThat(r.status).isEqualTo(403);
    assertThat(r.body).doesNotContain("instances");
    RawHttp local = RawHttp.send(server.port(), "GET", "/v1/diagnostics", "Host: localhost:8000");
    assertThat(local.status).isEqualTo(200);
  }

  @Test
  void foreignOriginIsRefused() throws Exception {
    HttpResponse<String> r =
        send(request("/v1/diagnostics/activity").header("Origin", "https://attacker.example"));
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void otherMethodsGetTheEndpoints405() throws Exception {
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      for (String path : List.of("/v1/diagnostics", "/v1/diagnostics/activity")) {
        HttpResponse<String> r =
            send(request(path).method(method, HttpRequest.BodyPublishers.noBody()));
        assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertJsonHeaders(r);
      }
    }
  }

  @Test
  void headHasHeadersAndNoBody() throws Exception {
    HttpResponse<String> r =
        send(request("/v1/diagnostics").method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValueAsLong("Content-Length").orElse(0)).isPositive();
    assertJsonHeaders(r);
  }

  @Test
  void disabledTrackerReportsTrackingOff() throws Exception {
    ActivityTracker off = ActivityTracker.disabled();
    try (TestServer plain =
        TestServer.start(
            runtime(), List.of(ServletDiagnosticsFilter.builder().tracker(off).build()))) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(plain.uri("/v1/diagnostics")));
      DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(r.body());
      assertThat(doc.activityTrackingEnabled()).isFalse();
      assertThat(doc.globalActivity().enabled()).isFalse();
      HttpResponse<String> a = send(HttpRequest.newBuilder(plain.uri("/v1/diagnostics/activity")));
      assertThat(DiagnosticsJson.parseActivity(a.body()).enabled()).isFalse();
    }
  }

  @Test
  void portableResourceAsksItsAddressSourceAndFailsClosed() throws Exception {
    try (TestServer unknown =
            TestServer.start(
                runtime(),
                List.of(
                    DiagnosticsFilter.builder()
                        .tracker(tracker)
                        .remoteAddress(RemoteAddress.unknown())
                        .build()));
        TestServer local =
            TestServer.start(
                runtime(),
                List.of(
                    DiagnosticsFilter.builder()
                        .tracker(tracker)
                        .remoteAddress(() -> "127.0.0.1")
                        .build()))) {
      HttpResponse<String> refused = send(HttpRequest.newBuilder(unknown.uri("/v1/diagnostics")));
      assertThat(refused.statusCode()).isEqualTo(403);
      HttpResponse<String> served = send(HttpRequest.newBuilder(local.uri("/v1/diagnostics")));
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(DiagnosticsJson.parseDiagnostics(served.body()).activityTrackingEnabled())
          .isTrue();
      HttpResponse<String> forwarded =
          send(
              HttpRequest.newBuilder(local.uri("/v1/diagnostics"))
                  .header("X-Forwarded-For", "10.0.0.1"));
      assertThat(forwarded.statusCode()).isEqualTo(403);
    }
  }

  /**
   * Sends every claim to every path from this machine's non-loopback address and asserts each is
   * refused without the open row's session id.
   */
  private static void assertPeerRefused(TestServer server, String setUp) throws Exception {
    InetAddress address = NonLoopback.address();
    for (String path : PATHS) {
      for (String[] claim : CLAIMS) {
        RawHttp r = RawHttp.send(address, server.port(), "GET", path, claim);
        String what = setUp + " " + path + " " + String.join(", ", claim);
        assertThat(r.status).as(what).isEqualTo(403);
        assertThat(r.body).as(what).doesNotContain(SECRET).doesNotContain("instances");
      }
    }
  }

  private static void assertLoopbackServed(TestServer server) throws Exception {
    RawHttp r = RawHttp.send(server.port(), "GET", "/v1/diagnostics");
    assertThat(r.status).isEqualTo(200);
    assertThat(r.body).contains(SECRET);
  }

  @ParameterizedTest
  @EnumSource(TestServer.Front.class)
  void aNonLoopbackPeerClaimingToBeLocalIsRefused(TestServer.Front front) throws Exception {
    try (TestServer open =
            TestServer.startOnAllInterfaces(
                runtime(),
                List.of(ServletDiagnosticsFilter.builder().tracker(tracker).build()),
                front);
        ActivityHandle h = tracker.open("openai.1", SECRET, ConnectionType.STREAMING, "gpt-4")) {
      h.addRx(64);
      assertPeerRefused(open, front.name());
      assertLoopbackServed(open);
    }
  }

  @Test
  void thePortableFilterRefusesAPeerThatArrivedOnANonLoopbackAddress() throws Exception {
    DiagnosticsFilter filter =
        DiagnosticsFilter.builder()
            .tracker(tracker)
            .remoteAddress(FrontFilter::remoteAddress)
            .localAddress(FrontFilter::localAddress)
            .build();
    try (TestServer open =
            TestServer.startOnAllInterfaces(
                runtime(), List.of(filter), TestServer.Front.REWRITE_AND_STRIP);
        ActivityHandle h = tracker.open("openai.1", SECRET, ConnectionType.STREAMING, "gpt-4")) {
      h.addRx(64);
      assertPeerRefused(open, "portable filter, rewritten");
      assertLoopbackServed(open);
    }
  }

  /**
   * The limit the portable filter's documentation states, pinned so that the servlet filter's and
   * the portable filter's refusals above are known to come from the local address: the front really
   * does make the peer look local and remove the headers.
   */
  @Test
  void withoutALocalAddressSourceThePortableFilterChecksOnlyTheRemoteAddress() throws Exception {
    DiagnosticsFilter filter =
        DiagnosticsFilter.builder()
            .tracker(tracker)
            .remoteAddress(FrontFilter::remoteAddress)
            .build();
    try (TestServer open =
        TestServer.startOnAllInterfaces(
            runtime(), List.of(filter), TestServer.Front.REWRITE_AND_STRIP)) {
      RawHttp r =
          RawHttp.send(
              NonLoopback.address(),
              open.port(),
              "GET",
              "/v1/diagnostics/activity",
              "X-Forwarded-For: 127.0.0.1",
              "Host: localhost");
      assertThat(r.status).isEqualTo(200);
    }
  }
}
