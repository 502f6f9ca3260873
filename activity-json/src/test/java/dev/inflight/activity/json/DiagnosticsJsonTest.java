package dev.inflight.activity.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.GlobalSnapshot;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.ManualTracker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DiagnosticsJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Fixtures.ManualClock clock = new Fixtures.ManualClock();
  private final ActivityTracker tracker = Fixtures.tracker(clock);
  private final List<ActivityHandle> handles = new ArrayList<>();

  /** A tracker that counts events, whose rows stall after 10 s on a fake clock (stream health). */
  @RegisterExtension
  final ManualTracker health =
      new ManualTracker(s -> s.stallAfter(Duration.ofSeconds(10)).countEvents(true));

  private static final BackendDirectory HOST =
      BackendDirectory.of(
          List.of(
              BackendDescription.of("openai.1", "openai", List.of("gpt-4", "gpt-4o")),
              new BackendDescription(
                  "vllm.local", "vllm", true, false, List.of("missing api_base"), List.of())));

  @AfterEach
  void closeTracker() {
    handles.forEach(ActivityHandle::close);
    tracker.close();
  }

  private void seedTraffic() {
    ActivityHandle a = tracker.open("openai.1", "abc123", ConnectionType.STREAMING, "gpt-4");
    a.addRx(15360);
    clock.advance(Duration.ofMillis(1500));
    a.addTx(14820);
    ActivityHandle b =
        tracker.open("anthropic", "xyz789", ConnectionType.NON_STREAMING, "claude-3-sonnet");
    b.addRx(100);
    clock.advance(Duration.ofMillis(8167));
    handles.add(a);
    handles.add(b);
    ActivityHandle done = tracker.open("openai.1", "finished", ConnectionType.NON_STREAMING, null);
    done.addRx(7);
    done.addTx(5);
    done.close();
  }

  @Test
  void enabledDocumentMatchesGolden() throws IOException {
    seedTraffic();
    byte[] body =
        DiagnosticsJson.create(HOST, SessionIdDisplay.FULL)
            .diagnostics(tracker.getGlobalSnapshot());
    assertThat(MAPPER.readTree(body)).isEqualTo(golden("enabled.json"));
  }

  @Test
  void disabledDocumentMatchesGolden() throws IOException {
    GlobalSnapshot disabled = GlobalSnapshot.disabled(Instant.ofEpochMilli(1_701_792_000_123L));
    byte[] body = DiagnosticsJson.create(HOST, SessionIdDisplay.FULL).diagnostics(disabled);
    assertThat(MAPPER.readTree(body)).isEqualTo(golden("disabled.json"));
    byte[] activity = DiagnosticsJson.create().activity(disabled);
    assertThat(MAPPER.readTree(activity)).isEqualTo(golden("activity-disabled.json"));
  }

  @Test
  void emptyEnabledTrackerStillListsDescribedBackends() throws IOException {
    byte[] body =
        DiagnosticsJson.create(HOST, SessionIdDisplay.FULL)
            .diagnostics(tracker.getGlobalSnapshot());
    assertThat(MAPPER.readTree(body)).isEqualTo(golden("empty.json"));
  }

  @Test
  void timestampsAreWrittenAsPlainEpochSeconds() {
    String text =
        new String(
            DiagnosticsJson.create()
                .diagnostics(GlobalSnapshot.empty(Instant.ofEpochMilli(1_701_792_000_123L))),
            StandardCharsets.UTF_8);
    assertThat(text).startsWith("{\"timestamp\":1701792000.123,");
  }

  @Test
  void everySeedKeyIsPresentWithTheSeedsJsonType() throws IOException {
    seedTraffic();
    JsonNode doc =
        MAPPER.readTree(
            DiagnosticsJson.create(HOST, SessionIdDisplay.FULL)
                .diagnostics(tracker.getGlobalSnapshot()));
    assertTypes(
        doc,
        Map.of(
            "timestamp",
            "number",
            "instances",
            "array",
            "global_activity",
            "object",
            "activity_tracking_enabled",
            "boolean"));
    for (JsonNode instance : doc.get("instances")) {
      assertTypes(
          instance,
          Map.of(
              "name",
              "string",
              "connector_type",
              "string",
              "is_rate_limited",
              "boolean",
              "is_functional",
              "boolean",
              "validation_errors",
              "array",
              "models",
              "array",
              "activity",
              "object"));
      JsonNode activity = instance.get("activity");
      assertTypes(
          activity,
          Map.of(
              "active_connections",
              "integer",
              "connections",
              "array",
              "total_bytes_rx",
              "integer",
              "total_bytes_tx",
              "integer"));
      for (JsonNode c : activity.get("connections")) {
        assertTypes(
            c,
            Map.of(
                "session_id",
                "string",
                "connection_type",
                "string",
                "started_at",
                "number",
                "duration_seconds",
                "number",
                "model",
                "string",
                "bytes_rx",
                "integer",
                "bytes_tx",
                "integer"));
      }
    }
    assertTypes(
        doc.get("global_activity"),
        Map.of(
            "total_active_connections",
            "integer",
            "total_bytes_rx",
            "integer",
            "total_bytes_tx",
            "integer",
            "enabled",
            "boolean"));
    JsonNode light =
        MAPPER.readTree(DiagnosticsJson.create().activity(tracker.getGlobalSnapshot()));
    assertTypes(
        light,
        Map.of(
            "total_active_connections",
            "integer",
            "total_bytes_rx",
            "integer",
            "total_bytes_tx",
            "integer",
            "enabled",
            "boolean"));
  }

  private static void assertTypes(JsonNode node, Map<String, String> expected) {
    expected.forEach(
        (key, type) -> {
          assertThat(node.has(key)).as("key %s in %s", key, node).isTrue();
          JsonNode v = node.get(key);
          boolean ok;
          switch (type) {
            case "number":
              ok = v.isNumber();
              break;
            case "integer":
              ok = v.isIntegralNumber();
              break;
            case "string":
              ok = v.isTextual();
              break;
            case "boolean":
              ok = v.isBoolean();
              break;
            case "array":
              ok = v.isArray();
              break;
            case "object":
              ok = v.isObject();
              break;
            default:
              throw new AssertionError(type);
          }
          assertThat(ok).as("%s should be %s but is %s", key, type, v.getNodeType()).isTrue();
        });
  }

  @Test
  void renderedDocumentParsesBackToTheSameValues() {
    seedTraffic();
    GlobalSnapshot snapshot = tracker.getGlobalSnapshot();
    DiagnosticsDocument doc =
        DiagnosticsJson.parseDiagnostics(
            new String(
                DiagnosticsJson.create(HOST, SessionIdDisplay.FULL).diagnostics(snapshot),
                StandardCharsets.UTF_8));

    assertThat(doc.activityTrackingEnabled()).isTrue();
    assertThat(doc.timestamp()).isEqualTo(snapshot.takenAt().toEpochMilli() / 1000.0);
    assertThat(doc.instances())
        .extracting(InstanceView::name)
        .containsExactly("openai.1", "vllm.local", "anthropic");
    InstanceView openai = doc.instances().get(0);
    assertThat(openai.connectorType()).isEqualTo("openai");
    assertThat(openai.models()).containsExactly("gpt-4", "gpt-4o");
    assertThat(openai.activity()).isNotNull();
    assertThat(openai.activity().connections())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.sessionId()).isEqualTo("abc123");
              assertThat(c.connectionType()).isEqualTo("streaming");
              assertThat(c.model()).isEqualTo("gpt-4");
              assertThat(c.bytesRx()).isEqualTo(15360);
              assertThat(c.bytesTx()).isEqualTo(14820);
              assertThat(c.durationSeconds()).isEqualTo(9.667);
              assertThat(c.firstByteSeconds()).isEqualTo(1.5);
              assertThat(c.firstContentSeconds()).as("RX at opening").isEqualTo(0.0);
              assertThat(c.eventsRx()).as("counts only, no chunks").isZero();
              assertThat(c.eventsTx()).isZero();
              assertThat(c.maxEventGapSeconds()).isNull();
              assertThat(c.requests()).isEqualTo(1);
            });
    assertThat(openai.activity().cumulativeBytesRx()).isEqualTo(15360 + 7);
    assertThat(openai.activity().completedConnections()).isEqualTo(1);
    InstanceView vllm = doc.instances().get(1);
    assertThat(vllm.rateLimited()).isTrue();
    assertThat(vllm.functional()).isFalse();
    assertThat(vllm.validationErrors()).containsExactly("missing api_base");
    assertThat(vllm.activity().activeConnections()).isZero();
    InstanceView anthropic = doc.instances().get(2);
    assertThat(anthropic.connectorType()).isEqualTo("unknown");
    assertThat(anthropic.models()).containsExactly("claude-3-sonnet");
    assertThat(doc.globalActivity())
        .isEqualTo(new GlobalActivityView(true, 2, 15460, 14820, 15467, 14825, 1));
  }

  @Test
  void quotesControlCharactersAndNonAsciiSurviveTheRoundTrip() {
    String nasty = "q\"uote\\back\nline\ttab\u0001ctl \u00e9\u4e2d\ud83d\ude00 </script>";
    BackendDirectory dir =
        BackendDirectory.of(
            List.of(
                new BackendDescription(
                    "b\"1", "open\"ai", false, true, List.of(nasty), List.of(nasty))));
    ActivityHandle h =
        tracker.open("b\"1", "s\u00e9ssion\"\u4e2d", ConnectionType.STREAMING, "m\u00fcdel");
    handles.add(h);
    byte[] body =
        DiagnosticsJson.create(dir, SessionIdDisplay.FULL).diagnostics(tracker.getGlobalSnapshot());
    String text = new String(body, StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\n").doesNotContain("\u0001");

    DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(text);
    InstanceView instance = doc.instances().get(0);
    assertThat(instance.name()).isEqualTo("b\"1");
    assertThat(instance.connectorType()).isEqualTo("open\"ai");
    assertThat(instance.validationErrors()).containsExactly(nasty);
    assertThat(instance.models()).containsExactly(nasty);
    assertThat(instance.activity().connections().get(0).sessionId())
        .isEqualTo("s\u00e9ssion\"\u4e2d");
    assertThat(instance.activity().connections().get(0).model()).isEqualTo("m\u00fcdel");
  }

  @Test
  void sessionIdsCanBeTruncatedOrHashed() {
    handles.add(tracker.open("openai.1", "abc123def4567890", ConnectionType.STREAMING, null));
    handles.add(tracker.open("openai.1", "short", ConnectionType.STREAMING, null));
    GlobalSnapshot s = tracker.getGlobalSnapshot();

    assertThat(
            sessions(
                DiagnosticsJson.create(BackendDirectory.none(), SessionIdDisplay.TRUNCATED), s))
        .containsExactlyInAnyOrder("abc123de...", "short");
    List<String> hashed =
        sessions(DiagnosticsJson.create(BackendDirectory.none(), SessionIdDisplay.HASHED), s);
    assertThat(hashed).allSatisfy(id -> assertThat(id).matches("sha256:[0-9a-f]{16}"));
    assertThat(hashed).doesNotHaveDuplicates();
    assertThat(
            sessions(DiagnosticsJson.create(BackendDirectory.none(), SessionIdDisplay.HASHED), s))
        .as("stable across renders")
        .isEqualTo(hashed);
  }

  private static List<String> sessions(DiagnosticsJson json, GlobalSnapshot s) {
    DiagnosticsDocument doc =
        DiagnosticsJson.parseDiagnostics(new String(json.diagnostics(s), StandardCharsets.UTF_8));
    List<String> ids = new ArrayList<>();
    doc.instances().forEach(i -> i.activity().connections().forEach(c -> ids.add(c.sessionId())));
    return ids;
  }

  @Test
  void manyBackendsAreAllListedAndSummed() {
    for (int i = 0; i < 50; i++) {
      ActivityHandle h = tracker.open("backend-" + i, "s", ConnectionType.STREAMING, null);
      h.addRx(i);
      h.addTx(2L * i);
      handles.add(h);
    }
    DiagnosticsDocument doc =
        DiagnosticsJson.parseDiagnostics(
            new String(
                DiagnosticsJson.create().diagnostics(tracker.getGlobalSnapshot()),
                StandardCharsets.UTF_8));
    assertThat(doc.instances()).hasSize(50);
    assertThat(doc.globalActivity().totalActiveConnections()).isEqualTo(50);
    assertThat(doc.globalActivity().totalBytesRx()).isEqualTo(49 * 50 / 2);
    assertThat(doc.globalActivity().totalBytesTx()).isEqualTo(49 * 50);
    long perInstance = doc.instances().stream().mapToLong(i -> i.activity().totalBytesRx()).sum();
    assertThat(perInstance).isEqualTo(doc.globalActivity().totalBytesRx());
  }

  @Test
  void parsesTheSeedsOwnActivitySample() {
    GlobalActivityView v =
        DiagnosticsJson.parseActivity(
            "{\"total_active_connections\": 2, \"total_bytes_rx\": 32000, \"total_bytes_tx\": 31500}");
    assertThat(v).isEqualTo(new GlobalActivityView(true, 2, 32000, 31500, 0, 0, 0));
  }

  @Test
  void parsesASeedStyleDocumentWithoutExtrasAndWithModelObjects() {
    String seed =
        "{\"timestamp\": 1701792000.123, \"activity_tracking_enabled\": true, \"instances\": ["
            + "{\"name\": \"openai.1\", \"connector_type\": \"openai\", \"is_rate_limited\": false,"
            + " \"is_functional\": true, \"validation_errors\": [], \"models\": [{\"id\": \"gpt-4\"}],"
            + " \"activity\": {\"active_connections\": 1, \"connections\": [{\"session_id\": \"abc123\","
            + " \"connection_type\": \"streaming\", \"started_at\": 1701791990.456, \"duration_seconds\": 9.667,"
            + " \"model\": \"gpt-4\", \"bytes_rx\": 15360, \"bytes_tx\": 14820}],"
            + " \"total_bytes_rx\": 15360, \"total_bytes_tx\": 14820}}],"
            + " \"global_activity\": {\"total_active_connections\": 1, \"total_bytes_rx\": 15360, \"total_bytes_tx\": 14820}}";
    DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(seed);
    assertThat(doc.instances().get(0).models()).containsExactly("gpt-4");
    ConnectionView c = doc.instances().get(0).activity().connections().get(0);
    assertThat(c.requests()).isEqualTo(1);
    assertThat(c.firstByteSeconds()).isNull();
    assertThat(c.startedAt()).isEqualTo(1701791990.456);
  }

  @Test
  void badDocumentsNameTheProblem() {
    assertThatThrownBy(() -> DiagnosticsJson.parseDiagnostics("<html>nope</html>"))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessageStartingWith("not a JSON document");
    assertThatThrownBy(() -> DiagnosticsJson.parseDiagnostics("[1,2]"))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessage("not a JSON object");
    assertThatThrownBy(
            () ->
                DiagnosticsJson.parseDiagnostics(
                    "{\"timestamp\": 1, \"activity_tracking_enabled\": true, \"global_activity\": {}}"))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessage("missing field 'instances'");
    assertThatThrownBy(
            () ->
                DiagnosticsJson.parseDiagnostics(
                    "{\"timestamp\": \"now\", \"activity_tracking_enabled\": true, \"instances\": [], \"global_activity\": {}}"))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessageContaining("'timestamp' must be a number");
    assertThatThrownBy(
            () ->
                DiagnosticsJson.parseActivity(
                    "{\"total_active_connections\": -1, \"total_bytes_rx\": 0, \"total_bytes_tx\": 0}"))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessageContaining("'total_active_connections' must be a non-negative whole number");
  }

  @Test
  void goldenFilesHaveNoUnexpectedKeys() throws IOException {
    // Guards the golden files themselves: each one must be a full render, not a hand-edited subset.
    JsonNode enabled = golden("enabled.json");
    List<String> keys = new ArrayList<>();
    Iterator<String> it = enabled.fieldNames();
    it.forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactly(
            "timestamp", "activity_tracking_enabled", "instances", "global_activity", "recent");
  }

  private static JsonNode golden(String name) throws IOException {
    try (InputStream in = DiagnosticsJsonTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden file %s", name).isNotNull();
      return MAPPER.readTree(in);
    }
  }

  @Test
  void recentlyEndedRowsParseBackNewestFirstWithTheirReason() {
    ActivityHandle a = tracker.open("openai.1", "first", ConnectionType.STREAMING, "gpt-4");
    a.addRx(10);
    clock.advance(Duration.ofMillis(250));
    a.addTx(20);
    clock.advance(Duration.ofMillis(750));
    a.end(EndReason.CLIENT_ABORTED);
    tracker.open("vllm.local", "second", ConnectionType.NON_STREAMING, null).close();

    DiagnosticsDocument doc =
        DiagnosticsJson.parseDiagnostics(
            new String(
                DiagnosticsJson.create(HOST, SessionIdDisplay.TRUNCATED)
                    .diagnostics(tracker.getGlobalSnapshot()),
                StandardCharsets.UTF_8));
    assertThat(doc.recent())
        .extracting(EndedConnectionView::sessionId)
        .containsExactly("second", "first");
    EndedConnectionView first = doc.recent().get(1);
    assertThat(first)
        .isEqualTo(
            new EndedConnectionView(
                "openai.1",
                "first",
                "streaming",
                Fixtures.START_MILLIS / 1000.0,
                1.0,
                "gpt-4",
                10,
                20,
                1,
                0.25,
                (Fixtures.START_MILLIS + 1000) / 1000.0,
                "client_aborted",
                0,
                0.0));
    assertThat(doc.recent().get(0).firstByteSeconds()).isNull();
    assertThat(doc.recent().get(0).model()).isNull();
  }

  @Test
  void recentSessionIdsAreShownLikeTheRowsOnes() {
    tracker.open("b", "abc123def4567890", ConnectionType.STREAMING, null).close();
    DiagnosticsDocument doc =
        DiagnosticsJson.parseDiagnostics(
            new String(
                DiagnosticsJson.create(BackendDirectory.none(), SessionIdDisplay.TRUNCATED)
                    .diagnostics(tracker.getGlobalSnapshot()),
                StandardCharsets.UTF_8));
    assertThat(doc.recent())
        .singleElement()
        .extracting(EndedConnectionView::sessionId)
        .isEqualTo("abc123de...");
  }

  @Test
  void aDocumentWithoutRecentParsesWithAnEmptyList() {
    DiagnosticsDocument doc =
        DiagnosticsJson.parseDiagnostics(
            "{\"timestamp\": 1, \"activity_tracking_enabled\": false, \"instances\": [],"
                + " \"global_activity\": {\"total_active_connections\": 0, \"total_bytes_rx\": 0,"
                + " \"total_bytes_tx\": 0}}");
    assertThat(doc.recent()).isEmpty();
    assertThatThrownBy(
            () ->
                DiagnosticsJson.parseDiagnostics(
                    "{\"timestamp\": 1, \"activity_tracking_enabled\": true, \"instances\": [],"
                        + " \"global_activity\": {\"total_active_connections\": 0,"
                        + " \"total_bytes_rx\": 0, \"total_bytes_tx\": 0},"
                        + " \"recent\": [{\"backend\": \"b\"}]}"))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessage("missing field 'recent[0].session_id'");
  }

  /**
   * On {@link #health}'s tracker, four open rows of openai.1 and anthropic, one of each kind:
   * {@code quiet} stalled, {@code gone} orphaned, {@code both} stalled and orphaned, {@code fresh}
   * neither; and {@code left}, an orphaned row of vllm.local that ended.
   */
  private GlobalSnapshot healthTraffic() {
    ActivityTracker t = health.tracker();
    ActivityHandle quiet = t.open("openai.1", "quiet", ConnectionType.STREAMING, "gpt-4");
    quiet.addRx(300);
    quiet.addTx(200);
    RequestActivity gone = t.beginRequest("gone");
    gone.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    gone.addRx(50);
    gone.addTx(50);
    gone.fail(EndReason.CLIENT_ABORTED);
    gone.addRx(70);
    RequestActivity both = t.beginRequest("both");
    both.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    both.addRx(40);
    both.addTx(40);
    both.fail(EndReason.CLIENT_ABORTED);
    both.addRx(2);
    RequestActivity left = t.beginRequest("left");
    left.attach("vllm.local", null, ConnectionType.STREAMING);
    left.addRx(10);
    left.fail(EndReason.CLIENT_ABORTED);
    left.addRx(25);
    t.getGlobalSnapshot(); // sees the content of every row now
    health.clock().advance(Duration.ofSeconds(12));
    gone.addRx(5); // seen by the next snapshot: gone is not stalled
    ActivityHandle fresh = t.open("anthropic", "fresh", ConnectionType.NON_STREAMING, null);
    fresh.addRx(10);
    fresh.addTx(30); // more out than in: a negative backlog
    left.end(EndReason.COMPLETED);
    handles.add(quiet);
    handles.add(fresh);
    return t.getGlobalSnapshot();
  }

  /** The end of a row whose chunks the tracker did not read: no events, no gap. */
  private static final String NO_EVENTS =
      ",\"events_rx\":0,\"events_tx\":0,\"max_event_gap_seconds\":null}";

  @Test
  void rowsCarryBackendIdleStalledOrphanedOrphanedRxAndBacklog() {
    String text =
        new String(
            DiagnosticsJson.create(HOST, SessionIdDisplay.FULL).diagnostics(healthTraffic()),
            StandardCharsets.UTF_8);

    assertThat(text)
        .contains(
            "\"session_id\":\"quiet\",",
            "\"idle_seconds\":12.000,\"backend_idle_seconds\":12.000,\"stalled\":true,"
                + "\"orphaned\":false,\"orphaned_rx_bytes\":0,\"backlog_bytes\":100"
                + NO_EVENTS)
        .contains(
            "\"idle_seconds\":0.000,\"backend_idle_seconds\":0.000,\"stalled\":false,"
                + "\"orphaned\":true,\"orphaned_rx_bytes\":75,\"backlog_bytes\":75"
                + NO_EVENTS)
        .contains(
            "\"idle_seconds\":12.000,\"backend_idle_seconds\":12.000,\"stalled\":true,"
                + "\"orphaned\":true,\"orphaned_rx_bytes\":2,\"backlog_bytes\":2"
                + NO_EVENTS)
        .contains(
            "\"idle_seconds\":0.000,\"backend_idle_seconds\":0.000,\"stalled\":false,"
                + "\"orphaned\":false,\"orphaned_rx_bytes\":0,\"backlog_bytes\":-20"
                + NO_EVENTS);

    DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(text);
    ActivityView openai = doc.instances().get(0).activity();
    assertThat(openai.connections())
        .extracting(
            ConnectionView::sessionId,
            ConnectionView::backendIdleSeconds,
            ConnectionView::stalled,
            ConnectionView::orphaned,
            ConnectionView::orphanedRxBytes,
            ConnectionView::backlogBytes)
        .containsExactlyInAnyOrder(
            tuple("quiet", 12.0, true, false, 0L, 100L),
            tuple("gone", 0.0, false, true, 75L, 75L),
            tuple("both", 12.0, true, true, 2L, 2L));
    assertThat(openai.stalledConnections()).isEqualTo(2);
    assertThat(openai.orphanedConnections()).isEqualTo(2);
    ActivityView anthropic = doc.instances().get(2).activity();
    assertThat(anthropic.connections())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.sessionId()).isEqualTo("fresh");
              assertThat(c.backlogBytes()).isEqualTo(-20);
              assertThat(c.stalled()).isFalse();
              assertThat(c.orphaned()).isFalse();
            });
    assertThat(anthropic.stalledConnections()).isZero();
    assertThat(anthropic.orphanedConnections()).isZero();
    assertThat(doc.globalActivity().stalledConnections()).isEqualTo(2);
    assertThat(doc.globalActivity().orphanedConnections()).isEqualTo(2);
  }

  @Test
  void anEndedRowCarriesWhatItReceivedAfterItsClientLeft() {
    DiagnosticsDocument doc =
        DiagnosticsJson.parseDiagnostics(
            new String(
                DiagnosticsJson.create(HOST, SessionIdDisplay.FULL).diagnostics(healthTraffic()),
                StandardCharsets.UTF_8));

    assertThat(doc.recent())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.sessionId()).isEqualTo("left");
              assertThat(e.reason()).isEqualTo("client_aborted");
              assertThat(e.bytesRx()).isEqualTo(35);
              assertThat(e.orphanedRxBytes()).isEqualTo(25);
            });
  }

  @Test
  void theActivityDocumentCountsStalledAndOrphanedRows() throws IOException {
    byte[] body = DiagnosticsJson.create().activity(healthTraffic());

    JsonNode tree = MAPPER.readTree(body);
    assertThat(tree.get("stalled_connections").isInt()).isTrue();
    assertThat(tree.get("orphaned_connections").isInt()).isTrue();
    assertThat(DiagnosticsJson.parseActivity(new String(body, StandardCharsets.UTF_8)))
        .isEqualTo(
            new GlobalActivityView(
                true,
                4,
                300 + 125 + 42 + 10,
                200 + 50 + 40 + 30,
                300 + 125 + 42 + 10 + 35,
                320,
                1,
                2,
                2));
  }

  @Test
  void aDocumentWithoutStreamHealthParsesWithDefaults() {
    String seed =
        "{\"timestamp\": 1701792000.123, \"activity_tracking_enabled\": true, \"instances\": ["
            + "{\"name\": \"openai.1\", \"connector_type\": \"openai\", \"is_rate_limited\": false,"
            + " \"is_functional\": true, \"validation_errors\": [], \"models\": [],"
            + " \"activity\": {\"active_connections\": 1, \"connections\": [{\"session_id\": \"abc123\","
            + " \"connection_type\": \"streaming\", \"started_at\": 1701791990.456,"
            + " \"duration_seconds\": 9.667, \"model\": \"gpt-4\", \"bytes_rx\": 15360,"
            + " \"bytes_tx\": 14820, \"idle_seconds\": 2.5}],"
            + " \"total_bytes_rx\": 15360, \"total_bytes_tx\": 14820}}],"
            + " \"global_activity\": {\"total_active_connections\": 1, \"total_bytes_rx\": 15360,"
            + " \"total_bytes_tx\": 14820},"
            + " \"recent\": [{\"backend\": \"openai.1\", \"session_id\": \"s\","
            + " \"connection_type\": \"streaming\", \"started_at\": 1, \"duration_seconds\": 1,"
            + " \"model\": null, \"bytes_rx\": 1, \"bytes_tx\": 1, \"first_byte_seconds\": null,"
            + " \"ended_at\": 2, \"reason\": \"completed\"}]}";

    DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(seed);

    ActivityView a = doc.instances().get(0).activity();
    ConnectionView c = a.connections().get(0);
    assertThat(c.backendIdleSeconds()).as("the row's idle time").isEqualTo(2.5);
    assertThat(c.stalled()).isFalse();
    assertThat(c.orphaned()).isFalse();
    assertThat(c.orphanedRxBytes()).isZero();
    assertThat(c.backlogBytes()).as("RX minus TX").isEqualTo(540);
    assertThat(a.stalledConnections()).isZero();
    assertThat(a.orphanedConnections()).isZero();
    assertThat(doc.globalActivity().stalledConnections()).isZero();
    assertThat(doc.globalActivity().orphanedConnections()).isZero();
    assertThat(doc.recent().get(0).orphanedRxBytes()).isZero();
    assertThat(c.firstContentSeconds()).isNull();
    assertThat(doc.recent().get(0).firstContentSeconds()).isNull();
    assertThat(c.eventsRx()).isZero();
    assertThat(c.eventsTx()).isZero();
    assertThat(c.maxEventGapSeconds()).isNull();
  }

  @Test
  void wrongTypesInTheStreamHealthFieldsNameTheField() {
    String row =
        "{\"session_id\": \"s\", \"connection_type\": \"streaming\", \"started_at\": 1,"
            + " \"duration_seconds\": 1, \"model\": null, \"bytes_rx\": 1, \"bytes_tx\": 2, ";
    String before =
        "{\"timestamp\": 1, \"activity_tracking_enabled\": true, \"instances\": [{\"name\": \"b\","
            + " \"connector_type\": \"x\", \"is_rate_limited\": false, \"is_functional\": true,"
            + " \"validation_errors\": [], \"models\": [], \"activity\": {\"active_connections\": 1,"
            + " \"total_bytes_rx\": 1, \"total_bytes_tx\": 2, \"connections\": [";
    String after =
        "]}}], \"global_activity\": {\"total_active_connections\": 1, \"total_bytes_rx\": 1,"
            + " \"total_bytes_tx\": 2}}";

    assertThat(
            DiagnosticsJson.parseDiagnostics(before + row + "\"backlog_bytes\": -1}" + after)
                .instances()
                .get(0)
                .activity()
                .connections()
                .get(0)
                .backlogBytes())
        .isEqualTo(-1);
    assertThatThrownBy(
            () -> DiagnosticsJson.parseDiagnostics(before + row + "\"stalled\": \"yes\"}" + after))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessage(
            "field 'instances[0].activity.connections[0].stalled' must be true or false, got string");
    assertThatThrownBy(
            () ->
                DiagnosticsJson.parseDiagnostics(before + row + "\"backlog_bytes\": 1.5}" + after))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessage(
            "field 'instances[0].activity.connections[0].backlog_bytes' must be a whole number,"
                + " got number");
    assertThatThrownBy(
            () ->
                DiagnosticsJson.parseDiagnostics(
                    before + row + "\"orphaned_rx_bytes\": -3}" + after))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessageContaining("'instances[0].activity.connections[0].orphaned_rx_bytes' must be a");
  }

  @Test
  void eventCountsAndTheLargestEventGapParseAndWrongTypesNameTheField() {
    String row =
        "{\"session_id\": \"s\", \"connection_type\": \"streaming\", \"started_at\": 1,"
            + " \"duration_seconds\": 1, \"model\": null, \"bytes_rx\": 1, \"bytes_tx\": 2, ";
    String before =
        "{\"timestamp\": 1, \"activity_tracking_enabled\": true, \"instances\": [{\"name\": \"b\","
            + " \"connector_type\": \"x\", \"is_rate_limited\": false, \"is_functional\": true,"
            + " \"validation_errors\": [], \"models\": [], \"activity\": {\"active_connections\": 1,"
            + " \"total_bytes_rx\": 1, \"total_bytes_tx\": 2, \"connections\": [";
    String after =
        "]}}], \"global_activity\": {\"total_active_connections\": 1, \"total_bytes_rx\": 1,"
            + " \"total_bytes_tx\": 2}}";

    ConnectionView c =
        DiagnosticsJson.parseDiagnostics(
                before
                    + row
                    + "\"events_rx\": 12, \"events_tx\": 9, \"max_event_gap_seconds\": 2.5}"
                    + after)
            .instances()
            .get(0)
            .activity()
            .connections()
            .get(0);
    assertThat(c.eventsRx()).isEqualTo(12);
    assertThat(c.eventsTx()).isEqualTo(9);
    assertThat(c.maxEventGapSeconds()).isEqualTo(2.5);
    assertThat(
            DiagnosticsJson.parseDiagnostics(
                    before + row + "\"events_rx\": 1, \"max_event_gap_seconds\": null}" + after)
                .instances()
                .get(0)
                .activity()
                .connections()
                .get(0))
        .extracting(
            ConnectionView::eventsRx, ConnectionView::eventsTx, ConnectionView::maxEventGapSeconds)
        .containsExactly(1L, 0L, null);
    assertThatThrownBy(
            () -> DiagnosticsJson.parseDiagnostics(before + row + "\"events_rx\": -1}" + after))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessage(
            "field 'instances[0].activity.connections[0].events_rx' must be a non-negative whole"
                + " number, got number");
    assertThatThrownBy(
            () -> DiagnosticsJson.parseDiagnostics(before + row + "\"events_rx\": 1.5}" + after))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessageContaining("'instances[0].activity.connections[0].events_rx' must be a");
    assertThatThrownBy(
            () -> DiagnosticsJson.parseDiagnostics(before + row + "\"events_tx\": \"3\"}" + after))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessage(
            "field 'instances[0].activity.connections[0].events_tx' must be a non-negative whole"
                + " number, got string");
    assertThatThrownBy(
            () ->
                DiagnosticsJson.parseDiagnostics(
                    before + row + "\"max_event_gap_seconds\": \"2s\"}" + after))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessage(
            "field 'instances[0].activity.connections[0].max_event_gap_seconds' must be a number,"
                + " got string");
  }

  private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVENT = "data: {\"x\":1}\n\n".getBytes(StandardCharsets.UTF_8);

  @Test
  void rowsAndEndedRowsCarryTheTimeToTheBackendsFirstContent() {
    ActivityTracker t = health.tracker();
    RequestActivity pinged = t.beginRequest("pinged");
    pinged.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    RequestActivity waiting = t.beginRequest("waiting");
    waiting.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    health.clock().advance(Duration.ofMillis(200));
    pinged.addRx(PING, 0, PING.length); // a keep-alive comment is not content
    waiting.addRx(PING, 0, PING.length);
    health.clock().advance(Duration.ofMillis(300));
    pinged.addRx(EVENT, 0, EVENT.length);
    health.clock().advance(Duration.ofMillis(250));
    pinged.addTx(EVENT.length);
    health.clock().advance(Duration.ofSeconds(1));

    String live =
        new String(
            DiagnosticsJson.create(HOST, SessionIdDisplay.FULL).diagnostics(t.getGlobalSnapshot()),
            StandardCharsets.UTF_8);
    assertThat(live)
        .contains("\"first_byte_seconds\":0.750,\"first_content_seconds\":0.500,\"idle_seconds\"")
        .contains("\"first_byte_seconds\":null,\"first_content_seconds\":null,\"idle_seconds\"");
    assertThat(DiagnosticsJson.parseDiagnostics(live).instances().get(0).activity().connections())
        .extracting(ConnectionView::sessionId, ConnectionView::firstContentSeconds)
        .containsExactlyInAnyOrder(tuple("pinged", 0.5), tuple("waiting", null));

    pinged.end(EndReason.COMPLETED);
    waiting.end(EndReason.ERRORED);
    String ended =
        new String(
            DiagnosticsJson.create(HOST, SessionIdDisplay.FULL).diagnostics(t.getGlobalSnapshot()),
            StandardCharsets.UTF_8);
    assertThat(ended)
        .contains("\"first_byte_seconds\":0.750,\"first_content_seconds\":0.500,\"ended_at\"")
        .contains("\"first_byte_seconds\":null,\"first_content_seconds\":null,\"ended_at\"");
    assertThat(DiagnosticsJson.parseDiagnostics(ended).recent())
        .extracting(
            EndedConnectionView::sessionId,
            EndedConnectionView::firstContentSeconds,
            EndedConnectionView::durationSeconds)
        .containsExactly(tuple("waiting", null, 1.75), tuple("pinged", 0.5, 1.75));
  }

  @Test
  void aFirstContentThatIsNotANumberNamesTheField() {
    String doc =
        "{\"timestamp\": 1, \"activity_tracking_enabled\": true, \"instances\": [],"
            + " \"global_activity\": {\"total_active_connections\": 0, \"total_bytes_rx\": 0,"
            + " \"total_bytes_tx\": 0}, \"recent\": [{\"backend\": \"b\", \"session_id\": \"s\","
            + " \"connection_type\": \"streaming\", \"started_at\": 1, \"duration_seconds\": 1,"
            + " \"model\": null, \"bytes_rx\": 1, \"bytes_tx\": 1, \"ended_at\": 2,"
            + " \"reason\": \"completed\", \"first_content_seconds\": ";

    assertThat(
            DiagnosticsJson.parseDiagnostics(doc + "0.25}]}").recent().get(0).firstContentSeconds())
        .isEqualTo(0.25);
    assertThatThrownBy(() -> DiagnosticsJson.parseDiagnostics(doc + "\"soon\"}]}"))
        .isInstanceOf(DiagnosticsFormatException.class)
        .hasMessageContaining("'recent[0].first_content_seconds' must be a number");
  }

  @Test
  void rowsCarryTheirServerSentEventsAndTheLargestGapBetweenThem() {
    ActivityTracker t = health.tracker();
    RequestActivity chatty = t.beginRequest("chatty");
    chatty.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    RequestActivity single = t.beginRequest("single");
    single.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    ActivityHandle counted = t.open("anthropic", "counted", ConnectionType.NON_STREAMING, null);
    counted.addRx(100); // a count, no bytes to read: no events
    chatty.addRx(EVENT, 0, EVENT.length);
    single.addRx(EVENT, 0, EVENT.length);
    chatty.addTx(EVENT, 0, EVENT.length);
    health.clock().advance(Duration.ofMillis(400));
    chatty.addRx(PING, 0, PING.length); // a keep-alive comment is not an event
    health.clock().advance(Duration.ofMillis(850));
    byte[] two =
        (new String(EVENT, StandardCharsets.UTF_8).repeat(2)).getBytes(StandardCharsets.UTF_8);
    chatty.addRx(two, 0, two.length); // 1.250 s after the first event
    chatty.addTx(EVENT, 0, 6); // half an event is not one yet
    health.clock().advance(Duration.ofMillis(300));
    chatty.addRx(EVENT, 0, EVENT.length);
    chatty.addTx(EVENT, 6, EVENT.length - 6);
    health.clock().advance(Duration.ofMillis(100));

    String text =
        new String(
            DiagnosticsJson.create(HOST, SessionIdDisplay.FULL).diagnostics(t.getGlobalSnapshot()),
            StandardCharsets.UTF_8);
    long chattyBacklog = 4L * EVENT.length + PING.length - 2L * EVENT.length;
    assertThat(text)
        .contains(
            "\"backlog_bytes\":"
                + chattyBacklog
                + ",\"events_rx\":4,\"events_tx\":2,\"max_event_gap_seconds\":1.250}")
        .contains(
            "\"backlog_bytes\":"
                + EVENT.length
                + ",\"events_rx\":1,\"events_tx\":0,\"max_event_gap_seconds\":null}")
        .contains("\"backlog_bytes\":100" + NO_EVENTS);

    DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(text);
    assertThat(doc.instances().get(0).activity().connections())
        .extracting(
            ConnectionView::sessionId,
            ConnectionView::eventsRx,
            ConnectionView::eventsTx,
            ConnectionView::maxEventGapSeconds)
        .containsExactlyInAnyOrder(tuple("chatty", 4L, 2L, 1.25), tuple("single", 1L, 0L, null));
    assertThat(doc.instances().get(2).activity().connections())
        .extracting(
            ConnectionView::sessionId,
            ConnectionView::eventsRx,
            ConnectionView::eventsTx,
            ConnectionView::maxEventGapSeconds)
        .containsExactly(tuple("counted", 0L, 0L, null));

    chatty.end(EndReason.COMPLETED);
    single.end(EndReason.COMPLETED);
    counted.close();
    String ended =
        new String(
            DiagnosticsJson.create(HOST, SessionIdDisplay.FULL).diagnostics(t.getGlobalSnapshot()),
            StandardCharsets.UTF_8);
    assertThat(ended)
        .as("ended rows keep their event counts")
        .contains(
            "\"orphaned_rx_bytes\":0,\"events_rx\":4,\"events_tx\":2,"
                + "\"max_event_gap_seconds\":1.250}");
    assertThat(DiagnosticsJson.parseDiagnostics(ended).recent())
        .extracting(
            EndedConnectionView::sessionId,
            EndedConnectionView::eventsRx,
            EndedConnectionView::eventsTx,
            EndedConnectionView::maxEventGapSeconds)
        .containsExactlyInAnyOrder(
            tuple("chatty", 4L, 2L, 1.25),
            tuple("single", 1L, 0L, null),
            tuple("counted", 0L, 0L, null));
  }
}
