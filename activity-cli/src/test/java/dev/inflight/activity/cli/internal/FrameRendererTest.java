package dev.inflight.activity.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.json.ActivityView;
import dev.inflight.activity.json.ConnectionView;
import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.GlobalActivityView;
import dev.inflight.activity.json.InstanceView;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameRendererTest {

  /** 2023-12-05 16:00:05 UTC. */
  private static final double NOW = 1701792005.0;

  static DiagnosticsDocument seedDocument() {
    ConnectionView openai =
        new ConnectionView(
            "abc123def456789", "streaming", NOW - 12.3, 12.3, "gpt-4", 15_360, 14_848, 1, 0.4, 0.1);
    ConnectionView anthropic =
        new ConnectionView(
            "xyz789abc123456",
            "streaming",
            NOW - 5.7,
            5.7,
            "claude-3-sonnet",
            8_397,
            8_192,
            1,
            null,
            0);
    InstanceView i1 =
        new InstanceView(
            "openai.1",
            "openai",
            false,
            true,
            List.of(),
            List.of("gpt-4"),
            new ActivityView(1, List.of(openai), 15_360, 14_848, 20_000, 19_000, 3));
    InstanceView i2 =
        new InstanceView(
            "anthropic",
            "anthropic",
            false,
            true,
            List.of(),
            List.of("claude-3-sonnet"),
            new ActivityView(1, List.of(anthropic), 8_397, 8_192, 8_397, 8_192, 0));
    return new DiagnosticsDocument(
        NOW,
        true,
        List.of(i1, i2),
        new GlobalActivityView(true, 2, 23_757, 23_040, 28_397, 27_192, 3));
  }

  @Test
  void rendersTheSeedsSummaryAndTable() {
    List<String> lines =
        new FrameRenderer(FrameRenderer.Box.UNICODE, ZoneOffset.UTC).render(seedDocument());

    assertThat(String.join("\n", lines))
        .isEqualTo(
            String.join(
                "\n",
                "┌────────────────────────────────── Connection Activity ──────────────────────────────────┐",
                "│ Active Connections: 2  |  Total RX: 23.2 KB  |  Total TX: 22.5 KB  |  Updated: 16:00:05 │",
                "└─────────────────────────────────────────────────────────────────────────────────────────┘",
                "",
                "                                    Active Connections",
                "┌───────────┬───────────────┬───────────┬─────────────────┬──────────┬─────────┬─────────┐",
                "│ Backend   │ Session       │ Type      │ Model           │ Duration │      RX │      TX │",
                "├───────────┼───────────────┼───────────┼─────────────────┼──────────┼─────────┼─────────┤",
                "│ anthropic │ xyz789abc1... │ streaming │ claude-3-sonnet │     5.7s │  8.2 KB │  8.0 KB │",
                "│ openai.1  │ abc123def4... │ streaming │ gpt-4           │    12.3s │ 15.0 KB │ 14.5 KB │",
                "└───────────┴───────────────┴───────────┴─────────────────┴──────────┴─────────┴─────────┘"));
  }

  @Test
  void everyLineOfABoxHasTheSameWidth() {
    List<String> lines =
        new FrameRenderer(FrameRenderer.Box.ASCII, ZoneOffset.UTC).render(seedDocument());
    assertThat(lines.subList(0, 3)).extracting(String::length).containsOnly(lines.get(0).length());
    assertThat(lines.subList(5, lines.size()))
        .extracting(String::length)
        .containsOnly(lines.get(5).length());
    assertThat(String.join("", lines)).matches("\\p{ASCII}*");
  }

  @Test
  void noConnectionsSaysSo() {
    DiagnosticsDocument doc =
        new DiagnosticsDocument(
            NOW,
            true,
            List.of(
                new InstanceView(
                    "openai.1",
                    "openai",
                    false,
                    true,
                    List.of(),
                    List.of(),
                    new ActivityView(0, List.of(), 0, 0, 100, 90, 1))),
            new GlobalActivityView(true, 0, 0, 0, 100, 90, 1));
    List<String> lines = new FrameRenderer(FrameRenderer.Box.UNICODE, ZoneOffset.UTC).render(doc);
    assertThat(lines).anyMatch(l -> l.contains("Active Connections: 0  |  Total RX: 0 B"));
    assertThat(lines).contains(FrameRenderer.NO_CONNECTIONS);
    assertThat(lines).noneMatch(l -> l.contains("Backend"));
  }

  @Test
  void disabledTrackingShowsHowToEnableIt() {
    DiagnosticsDocument doc =
        new DiagnosticsDocument(
            NOW,
            false,
            List.of(
                new InstanceView("openai.1", "openai", false, true, List.of(), List.of(), null)),
            new GlobalActivityView(false, 0, 0, 0, 0, 0, 0));
    String text =
        String.join("\n", new FrameRenderer(FrameRenderer.Box.UNICODE, ZoneOffset.UTC).render(doc));
    assertThat(text)
        .contains("Activity tracking is DISABLED")
        .contains("--enable-activity-tracking")
        .contains("ENABLE_ACTIVITY_TRACKING=1")
        .contains("enable_activity_tracking: true")
        .doesNotContain("Backend");
  }

  @Test
  void missingModelShowsADash() {
    ConnectionView c = new ConnectionView("s1", "non_streaming", NOW, 0.5, null, 10, 0, 1, null, 0);
    DiagnosticsDocument doc =
        new DiagnosticsDocument(
            NOW,
            true,
            List.of(
                new InstanceView(
                    "b",
                    "openai",
                    false,
                    true,
                    List.of(),
                    List.of(),
                    new ActivityView(1, List.of(c), 10, 0, 10, 0, 0))),
            new GlobalActivityView(true, 1, 10, 0, 10, 0, 0));
    List<String> lines = new FrameRenderer(FrameRenderer.Box.ASCII, ZoneOffset.UTC).render(doc);
    assertThat(lines).anyMatch(l -> l.matches("\\| b +\\| s1 +\\| non_streaming \\| - +\\|.*"));
  }

  @Test
  void errorFrameNamesTheProblemAndKeepsTheTitle() {
    List<String> lines =
        new FrameRenderer(FrameRenderer.Box.UNICODE, ZoneOffset.UTC)
            .renderError("cannot connect to http://x/v1/diagnostics: connection refused", NOW);
    assertThat(lines.get(0)).contains("Connection Activity");
    assertThat(lines.get(1)).contains("Error: cannot connect");
    assertThat(lines.get(2)).contains("16:00:05").contains("still polling");
  }

  private static Fleet.Proxy proxy(String label) {
    return new Fleet.Proxy(
        "http://" + label,
        label,
        new DiagnosticsClient(DiagnosticsClient.endpoint(label), java.time.Duration.ofSeconds(1)));
  }

  @Test
  void aFleetShowsItsTotalEachProxyAndOneTableWithAProxyColumn() {
    DiagnosticsDocument off =
        new DiagnosticsDocument(
            NOW - 1, false, List.of(), new GlobalActivityView(false, 0, 0, 0, 0, 0, 0));
    List<Fleet.Reading> readings =
        List.of(
            Fleet.Reading.of(proxy("10.0.0.1:8000"), "{}", seedDocument()),
            Fleet.Reading.of(proxy("10.0.0.2:8000"), "{}", seedDocument()),
            Fleet.Reading.of(proxy("10.0.0.3:8000"), "{}", off),
            Fleet.Reading.failed(
                proxy("10.0.0.4:8000"),
                new FetchException(
                    "connection refused (is the proxy running?)",
                    "cannot connect to http://10.0.0.4:8000/v1/diagnostics: connection refused")));

    List<String> lines =
        new FrameRenderer(FrameRenderer.Box.UNICODE, ZoneOffset.UTC).renderFleet(readings, NOW);

    assertThat(String.join("\n", lines))
        .isEqualTo(
            String.join(
                "\n",
                "┌──────────────────────────────────────────────── Fleet Activity ────────────────────────────────────────────────┐",
                "│ Proxies: 3 of 4 up  |  Active Connections: 4  |  Total RX: 46.4 KB  |  Total TX: 45.0 KB  |  Updated: 16:00:05 │",
                "└────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘",
                "",
                "                                 Proxies",
                "┌───────────────┬─────────────┬────────┬──────────┬──────────┬──────────┐",
                "│ Proxy         │ Status      │ Active │ Total RX │ Total TX │ Updated  │",
                "├───────────────┼─────────────┼────────┼──────────┼──────────┼──────────┤",
                "│ 10.0.0.1:8000 │ up          │      2 │  23.2 KB │  22.5 KB │ 16:00:05 │",
                "│ 10.0.0.2:8000 │ up          │      2 │  23.2 KB │  22.5 KB │ 16:00:05 │",
                "│ 10.0.0.3:8000 │ disabled    │      - │        - │        - │ 16:00:04 │",
                "│ 10.0.0.4:8000 │ unreachable │      - │        - │        - │ -        │",
                "└───────────────┴─────────────┴────────┴──────────┴──────────┴──────────┘",
                "  10.0.0.3:8000 disabled: activity tracking is off there (enable it with"
                    + " --enable-activity-tracking, ENABLE_ACTIVITY_TRACKING=1 or"
                    + " enable_activity_tracking: true)",
                "  10.0.0.4:8000 unreachable: connection refused (is the proxy running?)",
                "",
                "                                            Active Connections",
                "┌───────────────┬───────────┬───────────────┬───────────┬─────────────────┬──────────┬─────────┬─────────┐",
                "│ Proxy         │ Backend   │ Session       │ Type      │ Model           │ Duration │      RX │      TX │",
                "├───────────────┼───────────┼───────────────┼───────────┼─────────────────┼──────────┼─────────┼─────────┤",
                "│ 10.0.0.1:8000 │ anthropic │ xyz789abc1... │ streaming │ claude-3-sonnet │     5.7s │  8.2 KB │  8.0 KB │",
                "│ 10.0.0.1:8000 │ openai.1  │ abc123def4... │ streaming │ gpt-4           │    12.3s │ 15.0 KB │ 14.5 KB │",
                "│ 10.0.0.2:8000 │ anthropic │ xyz789abc1... │ streaming │ claude-3-sonnet │     5.7s │  8.2 KB │  8.0 KB │",
                "│ 10.0.0.2:8000 │ openai.1  │ abc123def4... │ streaming │ gpt-4           │    12.3s │ 15.0 KB │ 14.5 KB │",
                "└───────────────┴───────────┴───────────────┴───────────┴─────────────────┴──────────┴─────────┴─────────┘"));
  }

  @Test
  void aFleetWithoutOpenRowsSaysSo() {
    List<Fleet.Reading> readings =
        List.of(
            Fleet.Reading.failed(
                proxy("10.0.0.1:8000"), new FetchException("answered HTTP 500", "x")),
            Fleet.Reading.failed(
                proxy("10.0.0.2:8000"), new FetchException("no answer within 5s", "y")));

    List<String> lines =
        new FrameRenderer(FrameRenderer.Box.ASCII, ZoneOffset.UTC).renderFleet(readings, NOW);

    assertThat(lines.get(1)).startsWith("| Proxies: 0 of 2 up  |  Active Connections: 0  |");
    assertThat(lines)
        .contains(
            "  10.0.0.1:8000 unreachable: answered HTTP 500",
            "  10.0.0.2:8000 unreachable: no answer within 5s")
        .endsWith(FrameRenderer.NO_CONNECTIONS)
        .noneMatch(l -> l.contains("Backend"));
    assertThat(String.join("", lines)).matches("\\p{ASCII}*");
  }

  /** One backend with one row, stalled or orphaned as told, and counts to match. */
  private static DiagnosticsDocument oneRow(String session, boolean stalled, boolean orphaned) {
    ConnectionView c =
        new ConnectionView(
            session,
            "streaming",
            NOW - 40,
            40,
            "gpt-4",
            2048,
            1024,
            1,
            0.5,
            35,
            35,
            stalled,
            orphaned,
            orphaned ? 512 : 0,
            1024);
    int s = stalled ? 1 : 0;
    int o = orphaned ? 1 : 0;
    return new DiagnosticsDocument(
        NOW,
        true,
        List.of(
            new InstanceView(
                "openai.1",
                "openai",
                false,
                true,
                List.of(),
                List.of("gpt-4"),
                new ActivityView(1, List.of(c), 2048, 1024, 2048, 1024, 0, s, o))),
        new GlobalActivityView(true, 1, 2048, 1024, 2048, 1024, 0, s, o));
  }

  @Test
  void theStateCellNamesWhatIsWrongWithTheStream() {
    assertThat(FrameRenderer.state(rowOf(oneRow("a", false, false)))).isEmpty();
    assertThat(FrameRenderer.state(rowOf(oneRow("a", true, false)))).isEqualTo("stalled");
    assertThat(FrameRenderer.state(rowOf(oneRow("a", false, true)))).isEqualTo("orphaned");
    assertThat(FrameRenderer.state(rowOf(oneRow("a", true, true)))).isEqualTo("stalled, orphaned");
  }

  private static ConnectionView rowOf(DiagnosticsDocument doc) {
    return doc.instances().get(0).activity().connections().get(0);
  }

  @Test
  void aFleetMarksTroubledRowsAndSumsTheirCounts() {
    List<Fleet.Reading> readings =
        List.of(
            Fleet.Reading.of(proxy("10.0.0.1:8000"), "{}", oneRow("s-fine", false, false)),
            Fleet.Reading.of(proxy("10.0.0.2:8000"), "{}", oneRow("s-stuck", true, true)),
            Fleet.Reading.of(proxy("10.0.0.3:8000"), "{}", oneRow("s-left", false, true)));

    List<String> lines =
        new FrameRenderer(FrameRenderer.Box.ASCII, ZoneOffset.UTC).renderFleet(readings, NOW);

    assertThat(lines.get(1))
        .startsWith(
            "| Proxies: 3 of 3 up  |  Active Connections: 3  |  Stalled: 1  |  Orphaned: 2  |");
    assertThat(lines)
        .contains(
            "| Proxy         | Backend  | Session | Type      | Model | Duration |     RX |     TX"
                + " | State             |",
            "| 10.0.0.1:8000 | openai.1 | s-fine  | streaming | gpt-4 |    40.0s | 2.0 KB | 1.0 KB"
                + " |                   |",
            "| 10.0.0.2:8000 | openai.1 | s-stuck | streaming | gpt-4 |    40.0s | 2.0 KB | 1.0 KB"
                + " | stalled, orphaned |",
            "| 10.0.0.3:8000 | openai.1 | s-left  | streaming | gpt-4 |    40.0s | 2.0 KB | 1.0 KB"
                + " | orphaned          |");
  }

  @Test
  void withoutTroubleTheFleetTableHasNoStateColumnAndTheSummaryNoCounts() {
    List<String> lines =
        new FrameRenderer(FrameRenderer.Box.ASCII, ZoneOffset.UTC)
            .renderFleet(
                List.of(
                    Fleet.Reading.of(proxy("10.0.0.1:8000"), "{}", oneRow("s-fine", false, false))),
                NOW);
    assertThat(String.join("\n", lines)).doesNotContain("State").doesNotContain("Stalled");
  }
}
