package dev.inflight.activity.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.json.BackendDescription;
import dev.inflight.activity.json.BackendDirectory;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.SessionIdDisplay;
import dev.inflight.activity.testing.ManualTracker;
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
import org.junit.jupiter.api.extension.RegisterExtension;

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

  /** Rows stall after 30 s of a fake clock that only the test moves. */
  @RegisterExtension
  final ManualTracker health = new ManualTracker(s -> s.stallAfter(Duration.ofSeconds(30)));

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

  /**
   * Watch mode over a proxy whose rows get into trouble between two frames: the first frame is the
   * seed's table; in the second, 31 s later, the stalled and orphaned rows are marked in a State
   * column and counted in the summary.
   */
  @Test
  void watchMarksRowsThatStallOrLoseTheirClientAndCountsThem() {
    ActivityTracker t = health.tracker();
    ActivityHandle steady = t.open("openai.1", "steady", ConnectionType.STREAMING, "gpt-4");
    steady.addRx(2048);
    steady.addTx(1024);
    RequestActivity leaver = t.beginRequest("leaver");
    leaver.attach("anthropic", "claude-3-sonnet", ConnectionType.STREAMING);
    leaver.addRx(100);
    leaver.addTx(100);
    RequestActivity both = t.beginRequest("both");
    both.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    both.addRx(10);
    String first = new String(json.diagnostics(t.getGlobalSnapshot()), StandardCharsets.UTF_8);
    server.answer(StubServer.ok(first));
    WatchLoop.Pacer pacer =
        interval -> {
          health.clock().advance(Duration.ofSeconds(31)); // steady and both stall
          leaver.fail(EndReason.CLIENT_ABORTED); // the clients of leaver and both leave
          both.fail(EndReason.CLIENT_ABORTED);
          leaver.addRx(400); // leaver's backend goes on sending: orphaned, not stalled
          server.answer(
              StubServer.ok(
                  new String(json.diagnostics(t.getGlobalSnapshot()), StandardCharsets.UTF_8)));
          return false;
        };
    try {
      assertThat(Cli.run(new String[] {"--watch", server.url()}, env(true, 2, pacer))).isZero();
    } finally {
      steady.close();
      leaver.end(EndReason.COMPLETED);
      both.end(EndReason.COMPLETED);
    }

    // each line of a redrawn frame ends by clearing the rest of the terminal's line
    String[] frames =
        out().replace("\u001b[K", "").split(java.util.regex.Pattern.quote(WatchLoop.HOME));
    assertThat(frames).hasSize(3);
    assertThat(frames[1])
        .contains(
            "│ Active Connections: 3  |  Total RX: 2.1 KB  |  Total TX: 1.1 KB  |  Updated: 15:59:50 │")
        .doesNotContain("State")
        .doesNotContain("Stalled")
        .doesNotContain("orphaned")
        .contains(
            "│ openai.1  │ steady  │ streaming │ gpt-4           │     0.0s │ 2.0 KB │ 1.0 KB │");
    assertThat(frames[2])
        .contains(
            "│ Active Connections: 3  |  Stalled: 2  |  Orphaned: 2  |  Total RX: 2.5 KB  |"
                + "  Total TX: 1.1 KB  |  Updated: 16:00:21 │")
        .contains(
            String.join(
                "\n",
                "│ Backend   │ Session │ Type      │ Model           │ Duration │     RX │     TX │ State             │",
                "├───────────┼─────────┼───────────┼─────────────────┼──────────┼────────┼────────┼───────────────────┤",
                "│ anthropic │ leaver  │ streaming │ claude-3-sonnet │    31.0s │  500 B │  100 B │ orphaned          │",
                "│ openai.1  │ both    │ streaming │ gpt-4           │    31.0s │   10 B │    0 B │ stalled, orphaned │",
                "│ openai.1  │ steady  │ streaming │ gpt-4           │    31.0s │ 2.0 KB │ 1.0 KB │ stalled           │"));
    assertThat(err()).isEmpty();
  }

  @Test
  void oneShotMarksAStalledRow() {
    ActivityHandle quiet =
        health.tracker().open("openai.1", "quiet", ConnectionType.STREAMING, "gpt-4");
    quiet.addRx(300);
    health.tracker().getGlobalSnapshot(); // the backend's last content, seen now
    health.clock().advance(Duration.ofSeconds(45));
    server.answer(
        StubServer.ok(
            new String(
                json.diagnostics(health.tracker().getGlobalSnapshot()), StandardCharsets.UTF_8)));

    assertThat(run(server.url())).isZero();
    quiet.close();

    assertThat(out())
        .contains("Active Connections: 1  |  Stalled: 1  |  Orphaned: 0  |  Total RX: 300 B")
        .contains("│ openai.1 │ quiet   │ streaming │ gpt-4 │    45.0s │ 300 B │ 0 B │ stalled │");
  }
}
