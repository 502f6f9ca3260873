package dev.inflight.activity.vertx;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.json.SessionIdDisplay;
import dev.inflight.activity.servlet.testing.RawHttp;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.vertx.testing.VertxServer;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link DiagnosticsHandler} on a real Vert.x 5 server: the two documents and the live page for a
 * loopback client, the shared access rule (forwarding headers and a foreign {@code Origin} refused,
 * GET and HEAD only), the session id display, and every other path passed on.
 */
class DiagnosticsHandlerTest {

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  ActivityTracker tracker;
  VertxServer server;
  ActivityHandle open;

  @BeforeEach
  void setUp() {
    tracker = fixture.tracker();
    open = tracker.open("openai.1", "session-abc", ConnectionType.STREAMING, "gpt-4");
    open.addRx(512);
    open.addTx(498);
  }

  @AfterEach
  void tearDown() {
    open.close();
    if (server != null) {
      server.close();
    }
  }

  void serve(DiagnosticsHandler handler) {
    serve(handler, router -> {});
  }

  void serve(DiagnosticsHandler handler, Consumer<io.vertx.ext.web.Router> more) {
    server =
        VertxServer.start(
            router -> {
              router.route().handler(handler);
              more.accept(router);
              router.get("/other").handler(ctx -> ctx.end("other"));
            });
  }

  RawHttp.Response get(String path, Map<String, String> headers) throws Exception {
    return RawHttp.send(server.port(), "GET", path, headers);
  }

  @Test
  void aLoopbackClientReadsBothDocumentsWithTheRow() throws Exception {
    serve(DiagnosticsHandler.builder().tracker(tracker).build());

    RawHttp.Response full = get("/v1/diagnostics", Map.of());
    RawHttp.Response activity = get("/v1/diagnostics/activity", Map.of());

    assertThat(full.status()).isEqualTo(200);
    assertThat(full.header("content-type")).contains("application/json; charset=utf-8");
    assertThat(full.header("cache-control")).contains("no-store");
    assertThat(full.header("x-content-type-options")).contains("nosniff");
    assertThat(full.header("access-control-allow-origin")).isEmpty();
    String body = new String(full.body(), UTF_8);
    assertThat(body)
        .contains("\"activity_tracking_enabled\":true")
        .contains("\"session_id\":\"session-abc\"")
        .contains("\"bytes_rx\":512")
        .contains("\"bytes_tx\":498");
    assertThat(activity.status()).isEqualTo(200);
    assertThat(new String(activity.body(), UTF_8)).contains("\"enabled\":true");
  }

  @Test
  void theLivePageIsServedUnderTheSameRule() throws Exception {
    serve(DiagnosticsHandler.builder().tracker(tracker).build());

    RawHttp.Response page = get("/v1/diagnostics/ui", Map.of());

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("content-security-policy")).isPresent();
    assertThat(new String(page.body(), UTF_8)).containsIgnoringCase("<html");
  }

  @Test
  void forwardedRequestsAndForeignOriginsAreRefused() throws Exception {
    serve(DiagnosticsHandler.builder().tracker(tracker).build());

    RawHttp.Response forwarded = get("/v1/diagnostics", Map.of("X-Forwarded-For", "127.0.0.1"));
    RawHttp.Response foreign = get("/v1/diagnostics", Map.of("Origin", "https://evil.example"));

    assertThat(forwarded.status()).isEqualTo(403);
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(new String(forwarded.body(), UTF_8)).doesNotContain("session-abc");
  }

  @Test
  void onlyGetAndHeadAreServed() throws Exception {
    serve(DiagnosticsHandler.builder().tracker(tracker).build());

    RawHttp.Response post = RawHttp.send(server.port(), "POST", "/v1/diagnostics", Map.of());
    RawHttp.Response head = RawHttp.send(server.port(), "HEAD", "/v1/diagnostics", Map.of());

    assertThat(post.status()).isEqualTo(405);
    assertThat(post.header("allow")).contains("GET, HEAD");
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.header("content-length").map(Integer::parseInt).orElse(0)).isPositive();
  }

  @Test
  void sessionIdsAreShownAsThePolicySays() throws Exception {
    serve(
        DiagnosticsHandler.builder()
            .tracker(tracker)
            .sessionIdDisplay(SessionIdDisplay.HIDDEN)
            .build());

    String body = new String(get("/v1/diagnostics", Map.of()).body(), UTF_8);

    assertThat(body).doesNotContain("session-abc").contains("\"bytes_tx\":498");
  }

  @Test
  void otherPathsArePassedOnAndAConfiguredPathIsServed() throws Exception {
    serve(DiagnosticsHandler.builder().tracker(tracker).path("/admin/diagnostics").build());

    assertThat(new String(get("/other", Map.of()).body(), UTF_8)).isEqualTo("other");
    assertThat(get("/admin/diagnostics", Map.of()).status()).isEqualTo(200);
    assertThat(get("/admin/diagnostics/activity", Map.of()).status()).isEqualTo(200);
    assertThat(get("/v1/diagnostics", Map.of()).status()).isEqualTo(404);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> DiagnosticsHandler.builder().path("relative"));
  }
}
