package dev.inflight.activity.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.json.DiagnosticsPolicy;
import dev.inflight.activity.json.SessionIdDisplay;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.webflux.testing.NonLoopbackPeer;
import dev.inflight.activity.webflux.testing.ReactorNettyServer;
import dev.inflight.activity.webflux.testing.ReactorNettyServer.Forwarding;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Sinks;

/**
 * The diagnostics endpoints on Reactor Netty, mounted as a {@code WebFilter} and as functional
 * routes: the seed's documents with an open row, the live page, core's access rule judged on the
 * exchange's remote address and headers, GET and HEAD only, other paths passed on.
 */
class DiagnosticsWebFilterTest {

  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** How the endpoints are mounted. */
  enum Mount {
    FILTER,
    ROUTES
  }

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  ReactorNettyServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
  }

  void serve(Mount mount, ActivityTracker tracker, RouterFunction<ServerResponse> app) {
    DiagnosticsWebFilter diagnostics = DiagnosticsWebFilter.builder().tracker(tracker).build();
    List<WebFilter> filters = new ArrayList<>();
    filters.add(ActivityWebFilter.builder().tracker(tracker).build());
    RouterFunction<ServerResponse> routes = app;
    if (mount == Mount.FILTER) {
      filters.add(diagnostics);
    } else {
      routes = diagnostics.routes().and(app);
    }
    server = ReactorNettyServer.start(routes, filters);
  }

  static RouterFunction<ServerResponse> app(Sinks.Empty<Void> release) {
    return RouterFunctions.route()
        .GET(
            "/held",
            request -> {
              ActivityWebFilter.activity(request.exchange())
                  .attach("backend-a", "model-x", ConnectionType.STREAMING);
              return ServerResponse.ok()
                  .bodyValue("x".repeat(321))
                  .delayUntil(r -> release.asMono());
            })
        .GET("/v1/diagnosticsish", request -> ServerResponse.ok().bodyValue("app"))
        .build();
  }

  HttpResponse<String> send(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), BodyHandlers.ofString());
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void theDocumentsShowTheOpenRowWithTheSeedsKeys(Mount mount) throws Exception {
    ActivityTracker tracker = fixture.tracker();
    Sinks.Empty<Void> release = Sinks.empty();
    serve(mount, tracker, app(release));
    var held =
        CLIENT.sendAsync(
            HttpRequest.newBuilder(server.uri("/held"))
                .header(RequestActivity.DEFAULT_SESSION_HEADER, "s-held")
                .build(),
            BodyHandlers.ofString());
    try {
      Await.until("the row is open", () -> tracker.activeConnections() == 1);

      HttpResponse<String> r = send("/v1/diagnostics");
      assertThat(r.statusCode()).isEqualTo(200);
      assertJsonHeaders(r);
      JsonNode doc = MAPPER.readTree(r.body());
      assertThat(doc.get("activity_tracking_enabled").asBoolean()).isTrue();
      JsonNode instance = doc.get("instances").get(0);
      assertThat(instance.get("name").asText()).isEqualTo("backend-a");
      JsonNode row = instance.get("activity").get("connections").get(0);
      assertThat(row.get("session_id").asText()).isEqualTo("s-held");
      assertThat(row.get("connection_type").asText()).isEqualTo("streaming");
      assertThat(row.get("model").asText()).isEqualTo("model-x");
      assertThat(doc.get("global_activity").get("total_active_connections").asInt()).isEqualTo(1);

      HttpResponse<String> light = send("/v1/diagnostics/activity");
      assertThat(light.statusCode()).isEqualTo(200);
      assertJsonHeaders(light);
      JsonNode summary = MAPPER.readTree(light.body());
      assertThat(summary.get("total_active_connections").asInt()).isEqualTo(1);
      assertThat(summary.get("enabled").asBoolean()).isTrue();
    } finally {
      release.tryEmitEmpty();
    }
    assertThat(held.get().body()).hasSize(321);
    // the diagnostics requests themselves never attach: no row of their own
    Await.until("no rows left", () -> tracker.activeConnections() == 0);
    assertThat(tracker.getGlobalSnapshot().backends()).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void proxiedAndForeignRequestsAreRefused(Mount mount) throws Exception {
    serve(mount, fixture.tracker(), app(Sinks.empty()));
    String[][] refused = {
      {"X-Forwarded-For", "127.0.0.1"},
      {"Forwarded", "for=127.0.0.1"},
      {"X-Real-IP", "127.0.0.1"},
      {"Host", "evil.example.com"},
      {"Origin", "http://evil.example.com"}
    };
    for (String[] h : refused) {
      for (String path : List.of("/v1/diagnostics", "/v1/diagnostics/activity")) {
        HttpResponse<String> r = send(path, h[0], h[1]);
        assertThat(r.statusCode()).as(h[0] + " " + path).isEqualTo(403);
        assertJsonHeaders(r);
        assertThat(MAPPER.readTree(r.body()).has("error")).isTrue();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void onlyGetAndHeadAreAnswered(Mount mount) throws Exception {
    serve(mount, fixture.tracker(), app(Sinks.empty()));
    for (String method : List.of("POST", "PUT", "DELETE")) {
      HttpResponse<String> r =
          CLIENT.send(
              HttpRequest.newBuilder(server.uri("/v1/diagnostics"))
                  .method(method, HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              BodyHandlers.ofString());
      assertThat(r.statusCode()).as(method).isEqualTo(405);
      assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
    }
    HttpResponse<String> head =
        CLIENT.send(
            HttpRequest.newBuilder(server.uri("/v1/diagnostics/activity"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertJsonHeaders(head);
    assertThat(head.headers().firstValueAsLong("content-length").orElse(0)).isPositive();
    assertThat(head.body()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void theLivePageIsServedWithItsPolicyAndOtherPathsPassOn(Mount mount) throws Exception {
    serve(mount, fixture.tracker(), app(Sinks.empty()));

    HttpResponse<String> page = send("/v1/diagnostics/ui");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
    assertThat(page.headers().firstValue("content-security-policy")).isPresent();
    assertThat(page.body()).contains("<html");

    HttpResponse<String> unknown = send("/v1/diagnostics/nothing");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertJsonHeaders(unknown);

    HttpResponse<String> app = send("/v1/diagnosticsish");
    assertThat(app.statusCode()).isEqualTo(200);
    assertThat(app.body()).isEqualTo("app");
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void withTrackingOffTheDocumentsSaySo(Mount mount) throws Exception {
    serve(mount, ActivityTracker.disabled(), app(Sinks.empty()));

    JsonNode doc = MAPPER.readTree(send("/v1/diagnostics").body());
    assertThat(doc.get("activity_tracking_enabled").asBoolean(true)).isFalse();
    assertThat(doc.get("global_activity").get("enabled").asBoolean(true)).isFalse();
    JsonNode summary = MAPPER.readTree(send("/v1/diagnostics/activity").body());
    assertThat(summary.get("enabled").asBoolean(true)).isFalse();
    assertThat(summary.get("total_active_connections").asInt()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void aConfiguredPathServesTheDocumentsAndThePageThereOnly(Mount mount) throws Exception {
    DiagnosticsWebFilter diagnostics =
        DiagnosticsWebFilter.builder()
            .tracker(fixture.tracker())
            .path("/admin/v1/diagnostics")
            .order(7)
            .build();
    assertThat(diagnostics.getOrder()).isEqualTo(7);
    RouterFunction<ServerResponse> app = app(Sinks.empty());
    server =
        mount == Mount.FILTER
            ? ReactorNettyServer.start(app, List.of(diagnostics))
            : ReactorNettyServer.start(diagnostics.routes().and(app), List.of());

    HttpResponse<String> full = send("/admin/v1/diagnostics");
    assertThat(full.statusCode()).isEqualTo(200);
    assertThat(MAPPER.readTree(full.body()).has("instances")).isTrue();
    HttpResponse<String> light = send("/admin/v1/diagnostics/activity");
    assertThat(MAPPER.readTree(light.body()).has("total_active_connections")).isTrue();
    assertThat(send("/admin/v1/diagnostics/ui").body()).contains("<html");
    assertThat(send("/v1/diagnostics").statusCode()).isEqualTo(404);
  }

  @Test
  void aPathThatIsNotAbsoluteIsRefusedClearly() {
    for (String bad : List.of("", "/", "v1/diagnostics", "/v1/diagnostics/")) {
      assertThatThrownBy(() -> DiagnosticsWebFilter.builder().path(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("diagnostics path");
    }
    assertThat(DiagnosticsWebFilter.builder().build().getOrder()).isEqualTo(Integer.MIN_VALUE + 1);
  }

  /** A session id no other text in a response could contain by chance. */
  static final String SECRET = "sess-5d2b9e41-peer-must-not-see";

  /** What a remote peer sends to pass for a local client. */
  static final List<String[]> CLAIMS =
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

  static Stream<Arguments> mountsAndForwarding() {
    return Stream.of(Mount.values())
        .flatMap(m -> Stream.of(Forwarding.values()).map(f -> Arguments.of(m, f)));
  }

  @ParameterizedTest
  @MethodSource("mountsAndForwarding")
  void aNonLoopbackPeerClaimingToBeLocalIsRefused(Mount mount, Forwarding forwarding)
      throws Exception {
    ActivityTracker tracker = fixture.tracker();
    DiagnosticsWebFilter diagnostics = DiagnosticsWebFilter.builder().tracker(tracker).build();
    RouterFunction<ServerResponse> app = app(Sinks.empty());
    server =
        mount == Mount.FILTER
            ? ReactorNettyServer.startOnAllInterfaces(app, List.of(diagnostics), forwarding)
            : ReactorNettyServer.startOnAllInterfaces(
                diagnostics.routes().and(app), List.of(), forwarding);
    try (ActivityHandle row =
        tracker.open("backend-a", SECRET, ConnectionType.STREAMING, "model-x")) {
      row.addRx(64);
      for (String path :
          List.of("/v1/diagnostics", "/v1/diagnostics/activity", "/v1/diagnostics/ui")) {
        for (String[] claim : CLAIMS) {
          NonLoopbackPeer.Response r = NonLoopbackPeer.get(server.port(), path, claim);
          String what = mount + " " + forwarding + " " + path + " " + String.join(", ", claim);
          assertThat(r.status()).as(what).isEqualTo(403);
          assertThat(r.raw()).as(what).doesNotContain(SECRET).doesNotContain("instances");
        }
      }
      HttpResponse<String> local = send("/v1/diagnostics");
      assertThat(local.statusCode()).isEqualTo(200);
      assertThat(local.body()).contains(SECRET);
    }
  }

  /**
   * A loopback peer on a connection that arrived on a non-loopback address, with forwarding headers
   * that Reactor Netty applies (the {@code host=} one rewriting the local address to loopback) and
   * a transformer then removes: the address the connection really arrived on is judged.
   */
  @ParameterizedTest
  @EnumSource(Mount.class)
  void theAddressTheConnectionArrivedOnIsJudgedNotTheOneTheHeadersClaim(Mount mount)
      throws Exception {
    ActivityTracker tracker = fixture.tracker();
    DiagnosticsWebFilter diagnostics = DiagnosticsWebFilter.builder().tracker(tracker).build();
    RouterFunction<ServerResponse> app = app(Sinks.empty());
    Forwarding forwarding = Forwarding.REACTOR_NETTY_THEN_REMOVED;
    server =
        mount == Mount.FILTER
            ? ReactorNettyServer.startOnAllInterfaces(app, List.of(diagnostics), forwarding)
            : ReactorNettyServer.startOnAllInterfaces(
                diagnostics.routes().and(app), List.of(), forwarding);
    try (ActivityHandle row =
        tracker.open("backend-a", SECRET, ConnectionType.STREAMING, "model-x")) {
      row.addRx(64);
      for (String[] claim :
          List.of(
              new String[] {"Forwarded: for=127.0.0.1;host=127.0.0.1", "Host: localhost"},
              new String[] {"X-Forwarded-Host: 127.0.0.1", "Host: localhost"},
              new String[] {"Host: localhost"})) {
        NonLoopbackPeer.Response r =
            NonLoopbackPeer.getFromLoopbackToNonLoopback(server.port(), "/v1/diagnostics", claim);
        assertThat(r.status()).as(String.join(", ", claim)).isEqualTo(403);
        assertThat(r.raw()).doesNotContain(SECRET);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void hiddenSessionIdsFromThePolicyNeverReachTheDocuments(Mount mount) throws Exception {
    ActivityTracker tracker = fixture.tracker();
    DiagnosticsWebFilter diagnostics =
        DiagnosticsWebFilter.builder()
            .tracker(tracker)
            .policy(DiagnosticsPolicy.loopbackOnly().withSessionIds(SessionIdDisplay.HIDDEN))
            .build();
    RouterFunction<ServerResponse> app = app(Sinks.empty());
    server =
        mount == Mount.FILTER
            ? ReactorNettyServer.start(app, List.of(diagnostics))
            : ReactorNettyServer.start(diagnostics.routes().and(app), List.of());
    try (ActivityHandle row =
        tracker.open("backend-a", SECRET, ConnectionType.STREAMING, "model-x")) {
      row.addRx(64);
      HttpResponse<String> full = send("/v1/diagnostics");
      assertThat(full.statusCode()).isEqualTo(200);
      assertThat(full.body()).doesNotContain(SECRET).doesNotContain("sess-");
      JsonNode shown =
          MAPPER.readTree(full.body()).get("instances").get(0).get("activity").get("connections");
      assertThat(shown).hasSize(1);
      assertThat(shown.get(0).get("session_id").asText()).isEqualTo("******");
      HttpResponse<String> light = send("/v1/diagnostics/activity");
      assertThat(light.statusCode()).isEqualTo(200);
      assertThat(light.body()).doesNotContain(SECRET);
    }
  }

  static void assertJsonHeaders(HttpResponse<?> r) {
    assertThat(
            r.headers()
                .firstValue("content-type")
                .orElseThrow()
                .replace(" ", "")
                .toLowerCase(Locale.ROOT))
        .isEqualTo("application/json;charset=utf-8");
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(r.headers().map().keySet())
        .noneMatch(k -> k.toLowerCase(Locale.ROOT).startsWith("access-control-"));
  }
}
