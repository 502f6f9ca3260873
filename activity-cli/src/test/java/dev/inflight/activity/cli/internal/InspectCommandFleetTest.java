package dev.inflight.activity.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.json.DiagnosticsJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The command with several URLs, in-process, against real HTTP servers on 127.0.0.1: three live
 * proxies, one that is down, one answering 403 and one answering HTML.
 */
class InspectCommandFleetTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
  private final DiagnosticsJson json = DiagnosticsJson.create();
  private final List<ActivityTracker> trackers = new ArrayList<>();
  private final List<StubServer> live = new ArrayList<>();
  private final List<ActivityHandle> handles = new ArrayList<>();
  private StubServer forbidden;
  private StubServer html;
  private String down;

  @BeforeEach
  void startTheFleet() throws IOException {
    for (int i = 0; i < 3; i++) {
      ActivityTracker tracker =
          ActivityTracker.create(
              ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
      trackers.add(tracker);
      StubServer server = new StubServer();
      server.answer(exchange -> StubServer.ok(document(tracker)).respond(exchange));
      live.add(server);
    }
    open(0, "openai.1", "session-a", 1_024, 2_048);
    open(0, "anthropic", "session-b", 100, 0);
    open(1, "openai.1", "session-c", 2_048, 1_024);
    // the third live proxy has no open rows
    forbidden = new StubServer();
    forbidden.answer(StubServer.status(403, "application/json", "{\"error\":\"forbidden\"}"));
    html = new StubServer();
    html.answer(StubServer.status(200, "text/html", "<html><body>a login page</body></html>"));
    try (ServerSocket s = new ServerSocket(0)) {
      down = "http://127.0.0.1:" + s.getLocalPort();
    }
  }

  @AfterEach
  void stopTheFleet() {
    handles.forEach(ActivityHandle::close);
    live.forEach(StubServer::close);
    forbidden.close();
    html.close();
    trackers.forEach(ActivityTracker::close);
  }

  private void open(int proxy, String backend, String session, long rx, long tx) {
    ActivityHandle h =
        trackers.get(proxy).open(backend, session, ConnectionType.STREAMING, "some-model");
    h.addRx(rx);
    h.addTx(tx);
    handles.add(h);
  }

  private String document(ActivityTracker tracker) {
    return new String(json.diagnostics(tracker.getGlobalSnapshot()), StandardCharsets.UTF_8);
  }

  private String label(StubServer s) {
    return "127.0.0.1:" + s.port();
  }

  private String[] everyProxy(String... options) {
    List<String> args = new ArrayList<>(List.of(options));
    live.forEach(s -> args.add(s.url()));
    args.add(down);
    args.add(forbidden.url());
    args.add(html.url());
    return args.toArray(new String[0]);
  }

  private CliEnvironment env(boolean ansi, long frames, WatchLoop.Pacer pacer) {
    return new CliEnvironment(
        out,
        err,
        ansi,
        FrameRenderer.Box.UNICODE,
        ZoneOffset.UTC,
        () -> 1701792005.0,
        pacer,
        frames,
        stop -> {});
  }

  private int run(String... args) {
    return Cli.run(args, env(false, 1, d -> false));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void oneShotShowsEachProxyTheFleetTotalAndOneTableWithAProxyColumn() {
    assertThat(run(everyProxy())).isZero();

    assertThat(err()).isEmpty();
    assertThat(out())
        .contains(
            "│ Proxies: 3 of 6 up  |  Active Connections: 3  |  Total RX: 3.1 KB  |  Total TX:"
                + " 3.0 KB  |  Updated: 16:00:05 │")
        .containsPattern(
            "│ " + Pattern.quote(label(live.get(0))) + " +│ up +│ +2 │ +1\\.1 KB │ +2\\.0 KB │")
        .containsPattern(
            "│ " + Pattern.quote(label(live.get(1))) + " +│ up +│ +1 │ +2\\.0 KB │ +1\\.0 KB │")
        .containsPattern("│ " + Pattern.quote(label(live.get(2))) + " +│ up +│ +0 │ +0 B │ +0 B │")
        .containsPattern(
            "│ " + Pattern.quote(label(forbidden)) + " +│ unreachable │ +- │ +- │ +- │ - +│")
        .contains(
            "  "
                + down.substring("http://".length())
                + " unreachable: connection refused (is the proxy running?)\n")
        .contains(
            "  "
                + label(forbidden)
                + " unreachable: answered 403 Forbidden: diagnostics are served only to the"
                + " proxy's own host")
        .contains("  " + label(html) + " unreachable: not a diagnostics JSON document (")
        .containsPattern("│ Proxy +│ Backend +│ Session +│ Type +│ Model +│ Duration │ +RX │ +TX │")
        .containsPattern(
            "│ "
                + Pattern.quote(label(live.get(0)))
                + " +│ anthropic │ session-b │ streaming │ some-model │ +\\d+\\.\\ds │ +100 B │"
                + " +0 B │")
        .containsPattern(
            "│ "
                + Pattern.quote(label(live.get(1)))
                + " +│ openai\\.1 +│ session-c │ streaming │ some-model │ +\\d+\\.\\ds │ +2\\.0 KB"
                + " │ +1\\.0 KB │")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    // rows follow the order the proxies were given in
    assertThat(out().indexOf("│ " + label(live.get(0)) + " │ openai.1"))
        .isPositive()
        .isLessThan(out().indexOf("│ " + label(live.get(1)) + " │ openai.1"));
  }

  @Test
  void rawPrintsOneJsonObjectKeyedByUrl() throws IOException {
    assertThat(run(everyProxy("--raw"))).isZero();

    JsonNode all = MAPPER.readTree(out());
    List<String> keys = new ArrayList<>();
    all.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactly(
            live.get(0).url(),
            live.get(1).url(),
            live.get(2).url(),
            down,
            forbidden.url(),
            html.url());
    for (int i = 0; i < 3; i++) {
      JsonNode doc = all.get(live.get(i).url());
      assertThat(DiagnosticsJson.parseDiagnostics(doc.toString()).globalActivity().totalBytesRx())
          .isEqualTo(trackers.get(i).getGlobalSnapshot().totalBytesRx());
    }
    assertThat(errorOf(all, down))
        .isEqualTo(
            "cannot connect to "
                + down
                + "/v1/diagnostics: connection refused (is the proxy running?)");
    assertThat(errorOf(all, forbidden.url()))
        .startsWith(forbidden.url() + "/v1/diagnostics answered 403 Forbidden");
    assertThat(errorOf(all, html.url()))
        .startsWith(html.url() + "/v1/diagnostics did not return a diagnostics JSON document");
    assertThat(err()).isEmpty();
  }

  @Test
  void rawNeverEmbedsADocumentWithMoreAfterIt() throws IOException {
    StubServer trailing = new StubServer();
    try {
      trailing.answer(StubServer.ok(document(trackers.get(2)) + " {\"more\": true}"));

      assertThat(run("--raw", live.get(2).url(), trailing.url())).isZero();

      JsonNode all = MAPPER.readTree(out());
      assertThat(all.get(live.get(2).url()).has("global_activity")).isTrue();
      assertThat(errorOf(all, trailing.url()))
          .startsWith(
              trailing.url() + "/v1/diagnostics did not return a diagnostics JSON document");
    } finally {
      trailing.close();
    }
  }

  private static String errorOf(JsonNode all, String url) {
    JsonNode value = all.get(url);
    List<String> fields = new ArrayList<>();
    value.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("error");
    return value.get("error").asText();
  }

  @Test
  void watchRedrawsTheWholeFleetInPlaceWhileProxiesComeAndGo() {
    List<Duration> pauses = new ArrayList<>();
    WatchLoop.Pacer pacer =
        interval -> {
          pauses.add(interval);
          if (pauses.size() == 1) {
            live.get(1).close(); // one proxy goes away
          } else {
            open(2, "vllm", "session-d", 5, 7); // another gets a connection
          }
          return false;
        };

    int code = Cli.run(everyProxy("--watch", "-i", "2"), env(true, 3, pacer));

    assertThat(code).isZero();
    assertThat(pauses).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
    String all = out();
    String[] frames = all.split(Pattern.quote(WatchLoop.HOME));
    assertThat(frames).hasSize(4);
    for (int i = 1; i < 4; i++) {
      assertThat(frames[i])
          .containsOnlyOnce("Fleet Activity")
          .contains("Refreshing every 2.0s... (Ctrl+C to stop)")
          .contains(label(forbidden) + " unreachable: answered 403 Forbidden");
    }
    assertThat(frames[1]).contains("Proxies: 3 of 6 up").doesNotContain("vllm");
    assertThat(frames[2])
        .contains("Proxies: 2 of 6 up")
        .contains(label(live.get(1)) + " unreachable: connection refused")
        .containsPattern("│ " + Pattern.quote(label(live.get(0))) + " +│ up +│ +2 │");
    assertThat(frames[3])
        .contains("Proxies: 2 of 6 up  |  Active Connections: 3")
        .containsPattern("│ " + Pattern.quote(label(live.get(2))) + " +│ vllm +│ session-d │");
    // the screen is cleared once, at the start; later frames are drawn over the previous one
    assertThat(all.indexOf(WatchLoop.CLEAR_SCREEN, all.indexOf(WatchLoop.CLEAR_SCREEN) + 1))
        .isEqualTo(-1);
    assertThat(err()).isEmpty();
  }

  @Test
  void rawWatchPrintsTheFleetObjectInEveryFrame() throws IOException {
    assertThat(Cli.run(everyProxy("--watch", "--raw"), env(false, 2, d -> false))).isZero();

    String footer = "\n\nRefreshing every 1.0s... (Ctrl+C to stop)\n";
    String[] frames = out().split(Pattern.quote(footer));
    assertThat(frames).hasSize(2);
    for (String frame : frames) {
      JsonNode all = MAPPER.readTree(frame);
      assertThat(all.size()).isEqualTo(6);
      assertThat(
              all.get(live.get(0).url())
                  .get("global_activity")
                  .get("total_active_connections")
                  .asInt())
          .isEqualTo(2);
      assertThat(all.get(down).get("error").asText()).contains("connection refused");
    }
  }

  @Test
  void whenEveryProxyFailsEachSaysWhyInOneLineAndTheExitCodeIsOne() {
    assertThat(run(down, forbidden.url(), html.url())).isEqualTo(1);

    assertThat(out()).isEmpty();
    Iterator<String> lines = err().lines().iterator();
    assertThat(lines.next())
        .isEqualTo(
            "inspect-activity: cannot connect to "
                + down
                + "/v1/diagnostics: connection refused (is the proxy running?)");
    assertThat(lines.next())
        .startsWith("inspect-activity: " + forbidden.url() + "/v1/diagnostics answered 403");
    assertThat(lines.next())
        .startsWith(
            "inspect-activity: "
                + html.url()
                + "/v1/diagnostics did not return a diagnostics JSON document");
    assertThat(lines.hasNext()).isFalse();
    assertThat(err()).doesNotContain("Exception").doesNotContain("\tat ");

    errBytes.reset();
    assertThat(run("--raw", down, forbidden.url(), html.url())).isEqualTo(1);
    assertThat(out()).isEmpty();
    assertThat(err().lines()).hasSize(3);
  }

  @Test
  void oneProxyThatAnswersIsEnoughToSucceed() {
    assertThat(run(down, forbidden.url(), live.get(2).url())).isZero();
    assertThat(out()).contains("Proxies: 1 of 3 up").contains("No active connections.");
    assertThat(err()).isEmpty();
  }

  @Test
  void aProxyWithTrackingOffIsUpAndSaysHowToTurnItOn() throws IOException {
    StubServer off = new StubServer();
    try {
      off.answer(StubServer.ok(document(ActivityTracker.disabled())));

      assertThat(run(off.url(), down)).isZero();

      assertThat(out())
          .contains("Proxies: 1 of 2 up  |  Active Connections: 0")
          .containsPattern("│ " + Pattern.quote(label(off)) + " +│ disabled +│")
          .contains(label(off) + " disabled: activity tracking is off there (enable it with");
    } finally {
      off.close();
    }
  }

  @Test
  void aProxyThatHangsIsCutOffAtTheTimeoutWhileTheOthersShow() throws IOException {
    StubServer hung = new StubServer();
    try {
      hung.answer(hung.hang());

      assertThat(run("--timeout", "0.3", live.get(0).url(), hung.url())).isZero();

      assertThat(out())
          .contains("Proxies: 1 of 2 up  |  Active Connections: 2")
          .contains(label(hung) + " unreachable: no answer within 0.3s");
    } finally {
      hung.close();
    }
  }

  @Test
  void proxiesOnOneHostAndPortAreToldApartByTheirPath() {
    StubServer server = live.get(2);
    assertThat(run(server.url() + "/a", server.url() + "/b/v1/diagnostics")).isZero();
    assertThat(out()).contains("│ " + label(server) + "/a ").contains("│ " + label(server) + "/b ");
  }

  @Test
  void theSameProxyTwiceIsABadArgument() {
    String url = live.get(0).url();
    assertThat(run(url, url + "/v1/diagnostics")).isEqualTo(2);
    assertThat(err())
        .startsWith("inspect-activity: the same proxy is given twice: " + url + "/v1/diagnostics");
    assertThat(out()).isEmpty();
  }
}
