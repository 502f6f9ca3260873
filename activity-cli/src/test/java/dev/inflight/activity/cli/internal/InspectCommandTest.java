package dev.inflight.activity.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.json.BackendDescription;
import dev.inflight.activity.json.BackendDirectory;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.SessionIdDisplay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command end to end, in-process, against a real HTTP server on 127.0.0.1. */
class InspectCommandTest {

  private static final String SECRET = "sess-41c7d2e0-cli-must-not-add";

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
  private StubServer server;
  private ActivityTracker tracker;
  private DiagnosticsJson json;

  @BeforeEach
  void start() throws IOException {
    server = new StubServer();
    tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    json =
        DiagnosticsJson.create(
            BackendDirectory.of(
                List.of(
                    BackendDescription.of("openai.1", "openai", List.of("gpt-4")),
                    BackendDescription.of("anthropic", "anthropic", List.of("claude-3-sonnet")))),
            SessionIdDisplay.FULL);
  }

  @AfterEach
  void stop() {
    server.close();
    tracker.close();
  }

  private String liveDocument() {
    return new String(json.diagnostics(tracker.getGlobalSnapshot()), StandardCharsets.UTF_8);
  }

  private int run(String... args) {
    return Cli.run(args, env(false, 1, d -> false));
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

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void oneShotShowsSummaryAndRows() {
    try (ActivityHandle a =
            tracker.open("openai.1", "abc123def456ghi", ConnectionType.STREAMING, "gpt-4");
        ActivityHandle b =
            tracker.open("anthropic", "xyz789", ConnectionType.NON_STREAMING, "claude-3-sonnet")) {
      a.addRx(15_360);
      a.addTx(14_848);
      b.addRx(100);
      server.answer(StubServer.ok(liveDocument()));

      assertThat(run(server.url())).isZero();
    }

    assertThat(server.lastPath).isEqualTo("/v1/diagnostics");
    assertThat(err()).isEmpty();
    assertThat(out())
        .contains("Active Connections: 2  |  Total RX: 15.1 KB  |  Total TX: 14.5 KB")
        .containsPattern(
            "│ anthropic │ xyz789 +│ non_streaming │ claude-3-sonnet │ +\\d+\\.\\ds │ +100 B │ +0 B │")
        .containsPattern(
            "│ openai\\.1 +│ abc123def4\\.\\.\\. │ streaming +│ gpt-4 +│ +\\d+\\.\\ds │ 15\\.0 KB │ 14\\.5 KB │");
  }

  @Test
  void rawPrintsTheEndpointsJsonUnchanged() {
    try (ActivityHandle a = tracker.open("openai.1", "s1", ConnectionType.STREAMING, "gpt-4")) {
      a.addRx(42);
      String doc = liveDocument();
      server.answer(StubServer.ok(doc));

      assertThat(run("--raw", server.url())).isZero();

      assertThat(out()).isEqualTo(doc.endsWith("\n") ? doc : doc + "\n");
      assertThat(DiagnosticsJson.parseDiagnostics(out()).globalActivity().totalBytesRx())
          .isEqualTo(42);
    }
  }

  @Test
  void disabledTrackingPrintsTheHintAndSucceeds() {
    ActivityTracker off = ActivityTracker.disabled();
    server.answer(
        StubServer.ok(
            new String(json.diagnostics(off.getGlobalSnapshot()), StandardCharsets.UTF_8)));

    assertThat(run(server.url())).isZero();

    assertThat(out())
        .contains("Activity tracking is DISABLED")
        .contains("--enable-activity-tracking");
  }

  @Test
  void connectionRefusedIsOneLineAndExitOne() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(run("http://127.0.0.1:" + port)).isEqualTo(1);
    assertOneErrorLine(
        "cannot connect to http://127.0.0.1:" + port + "/v1/diagnostics: connection refused");
  }

  @Test
  void forbiddenExplainsTheLocalhostRule() {
    server.answer(StubServer.status(403, "application/json", "{\"error\":\"forbidden\"}"));
    assertThat(run(server.url())).isEqualTo(1);
    assertOneErrorLine(
        "answered 403 Forbidden: diagnostics are served only to the proxy's own host");
  }

  @Test
  void notFoundSaysThereIsNoEndpoint() {
    server.answer(StubServer.status(404, "text/plain", "nope"));
    assertThat(run(server.url() + "/")).isEqualTo(1);
    assertOneErrorLine(server.url() + "/v1/diagnostics answered 404 Not Found");
  }

  @Test
  void nonJsonIsRejected() {
    server.answer(StubServer.status(200, "text/html", "<html><body>hello</body></html>"));
    assertThat(run(server.url())).isEqualTo(1);
    assertOneErrorLine("did not return a diagnostics JSON document");
    assertThat(err()).contains("(not JSON: it looks like HTML or XML)");
  }

  @Test
  void jsonThatIsNotADiagnosticsDocumentIsRejected() {
    server.answer(StubServer.ok("{\"hello\": [1, 2]}"));
    assertThat(run("--raw", server.url())).isEqualTo(1);
    assertOneErrorLine("did not return a diagnostics JSON document");
  }

  @Test
  void timeoutIsOneLine() {
    server.answer(server.hang());
    assertThat(run("--timeout", "0.3", server.url())).isEqualTo(1);
    assertOneErrorLine("did not answer within 0.3s");
  }

  @Test
  void badArgumentsExitTwo() {
    assertThat(run("--interval", "0", "--watch")).isEqualTo(2);
    assertThat(err()).startsWith("inspect-activity: --interval must be between");
    errBytes.reset();
    assertThat(run("ftp://example.com")).isEqualTo(2);
    assertThat(err()).contains("not an http(s) URL");
    errBytes.reset();
    assertThat(run("--bogus")).isEqualTo(2);
    assertThat(err()).contains("Unknown option: '--bogus'");
    assertThat(out()).isEmpty();
  }

  @Test
  void helpAndVersion() {
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("Usage: inspect-activity").contains("--watch").contains("--raw");
    outBytes.reset();
    assertThat(run("--version")).isZero();
    assertThat(out()).matches("inspect-activity \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\s*");
  }

  @Test
  void urlWithoutSchemeOrWithTheFullPathWorks() {
    server.answer(StubServer.ok(liveDocument()));
    assertThat(run("127.0.0.1:" + server.port())).isZero();
    assertThat(run(server.url() + "/v1/diagnostics")).isZero();
    assertThat(server.lastPath).isEqualTo("/v1/diagnostics");
  }

  @Test
  void watchSurvivesTheProxyGoingAwayAndComingBack() throws IOException {
    server.answer(StubServer.ok(liveDocument()));
    int port = server.port();
    List<Duration> pauses = new ArrayList<>();
    StubServer[] revived = new StubServer[1];
    WatchLoop.Pacer pacer =
        interval -> {
          pauses.add(interval);
          try {
            if (pauses.size() == 1) {
              server.close(); // the proxy goes away
            } else if (pauses.size() == 2) {
              revived[0] = new StubServer(port); // and comes back on the same port
              revived[0].answer(StubServer.ok(liveDocument()));
            }
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
          return false;
        };
    try {
      int code = Cli.run(new String[] {"--watch", "-i", "2", server.url()}, env(true, 3, pacer));

      assertThat(code).isZero();
    } finally {
      if (revived[0] != null) {
        revived[0].close();
      }
    }
    assertThat(pauses).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
    String[] frames = out().split(java.util.regex.Pattern.quote(WatchLoop.HOME));
    assertThat(frames).hasSize(4);
    assertThat(frames[1]).contains("Active Connections: 0").contains("Refreshing every 2.0s");
    assertThat(frames[2])
        .contains("Error: cannot connect")
        .contains("connection refused")
        .contains("still polling")
        .contains("Refreshing every 2.0s");
    assertThat(frames[3]).contains("Active Connections: 0").doesNotContain("Error");
    assertThat(err()).isEmpty();
  }

  @Test
  void rawWatchPrintsTheDocumentInEachFrame() {
    String doc = liveDocument();
    server.answer(StubServer.ok(doc));

    assertThat(Cli.run(new String[] {"-w", "--raw", server.url()}, env(false, 2, d -> false)))
        .isZero();

    String expectedFrame = doc.strip() + "\n\nRefreshing every 1.0s... (Ctrl+C to stop)\n";
    assertThat(out()).isEqualTo(expectedFrame + "\n" + expectedFrame);
  }

  /**
   * A server whose policy hides session ids: the table prints every row with the id as the server
   * sent it ({@code ******}), none merged or dropped although all ids are equal, and {@code --raw}
   * prints the document byte for byte.
   */
  @Test
  void hiddenSessionIdsArePrintedAsTheServerSentThemAndEveryRowStays() {
    json =
        DiagnosticsJson.create(
            BackendDirectory.of(
                List.of(BackendDescription.of("openai.1", "openai", List.of("gpt-4")))),
            SessionIdDisplay.HIDDEN);
    try (ActivityHandle a = tracker.open("openai.1", SECRET + "-a", ConnectionType.STREAMING, "m");
        ActivityHandle b = tracker.open("openai.1", SECRET + "-b", ConnectionType.STREAMING, "m");
        ActivityHandle c =
            tracker.open("anthropic", SECRET + "-c", ConnectionType.NON_STREAMING, "m")) {
      a.addRx(1_024);
      b.addRx(2_048);
      c.addTx(10);
      String doc = liveDocument();
      assertThat(doc).doesNotContain(SECRET);
      server.answer(StubServer.ok(doc));

      assertThat(run(server.url())).isZero();
      String table = out();
      assertThat(err()).isEmpty();
      assertThat(table).contains("Active Connections: 3").doesNotContain(SECRET);
      assertThat(table.lines().filter(l -> l.contains("│ ******")).count()).isEqualTo(3);
      assertThat(table)
          .containsPattern("│ openai\\.1 +│ \\*{6} +│ streaming +│ m +│ +\\d+\\.\\ds │ +1\\.0 KB │")
          .containsPattern("│ openai\\.1 +│ \\*{6} +│ streaming +│ m +│ +\\d+\\.\\ds │ +2\\.0 KB │")
          .containsPattern("│ anthropic +│ \\*{6} +│ non_streaming │ m +│");

      outBytes.reset();
      assertThat(run("--raw", server.url())).isZero();
      assertThat(out()).isEqualTo(doc.endsWith("\n") ? doc : doc + "\n");
    }
  }

  /**
   * The request carries nothing that could identify a session or pass for a forwarded one: only
   * what the JDK client sends and {@code Accept}.
   */
  @Test
  void theRequestCarriesOnlyAcceptBesideTheClientsOwnHeaders() {
    server.answer(StubServer.ok(liveDocument()));
    assertThat(run(server.url())).isZero();
    assertThat(server.lastHeaders.keySet())
        .map(h -> h.toLowerCase(java.util.Locale.ROOT))
        .contains("accept")
        .isSubsetOf(
            "accept",
            "host",
            "user-agent",
            "connection",
            "content-length",
            "upgrade",
            "http2-settings");
  }

  /**
   * Error lines name the endpoint and what went wrong, never what the body held: a refusal, a
   * server error, a document with a field of the wrong type and a body that is not JSON, each with
   * a session id in it (the JSON parser's own message would quote the token it stopped at).
   */
  @Test
  void errorLinesNeverQuoteTheBody() {
    String withId = "{\"error\":\"forbidden\",\"session_id\":\"" + SECRET + "\"}";
    String wrongType;
    try (ActivityHandle a = tracker.open("openai.1", SECRET, ConnectionType.STREAMING, "gpt-4")) {
      a.addTx(1);
      wrongType =
          liveDocument().replaceFirst("\"bytes_rx\":\\s*0", "\"bytes_rx\":\"" + SECRET + "\"");
    }
    assertThat(wrongType).contains("\"bytes_rx\":\"" + SECRET);
    for (StubServer.Answer answer :
        List.of(
            StubServer.status(403, "application/json", withId),
            StubServer.status(500, "text/plain", SECRET),
            StubServer.ok(wrongType),
            StubServer.ok("{\"instances\": " + SECRET.replace("-", "") + "}"),
            StubServer.ok(SECRET.replace("-", "")))) {
      server.answer(answer);
      outBytes.reset();
      errBytes.reset();
      assertThat(run(server.url())).isEqualTo(1);
      assertThat(run("--raw", server.url())).isEqualTo(1);
      assertThat(out()).isEmpty();
      assertThat(err()).startsWith("inspect-activity: ").doesNotContain("41c7d2e0");
    }
  }

  private void assertOneErrorLine(String expected) {
    assertThat(out()).isEmpty();
    assertThat(err()).startsWith("inspect-activity: ").contains(expected).endsWith("\n");
    assertThat(err().strip())
        .doesNotContain("\n")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }
}
