package dev.inflight.activity.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.FakeClock;
import dev.inflight.activity.testing.ManualTracker;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ActivityTelemetryTest {
  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider provider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  private ActivityTracker tracker() {
    return fixture.tracker();
  }

  private FakeClock clock() {
    return fixture.clock();
  }

  /** The same scenario as the Micrometer binder's test: see there for what each row does. */
  private void script() {
    ActivityHandle s1 = tracker().open("openai.1", "s1", ConnectionType.STREAMING, "gpt-4");
    ActivityHandle s1b = tracker().open("openai.1", "s1", ConnectionType.STREAMING, "gpt-4");
    s1.addRx(1000);
    clock().advance(Duration.ofMillis(250));
    s1.addTx(100);
    clock().advance(Duration.ofMillis(1750));
    s1.close();
    s1b.close();

    ActivityHandle s2 = tracker().open("openai.1", "s2", ConnectionType.NON_STREAMING, "gpt-4o");
    s2.addRx(10);
    clock().advance(Duration.ofSeconds(1));
    s2.end(EndReason.CLIENT_ABORTED);

    ActivityHandle s3 = tracker().open("openai.1", "s3", ConnectionType.STREAMING, null);
    s3.addRx(5);
    s3.addTx(5);
    clock().advance(Duration.ofMillis(500));
    s3.end(EndReason.ERRORED);

    ActivityHandle s4 = tracker().open("openai.1", "s4", ConnectionType.STREAMING, "gpt-4");
    tracker().open("openai.1", "s4", ConnectionType.STREAMING, "gpt-4");
    s4.addRx(7);
    tracker().open("vllm", "s5", ConnectionType.NON_STREAMING, null);
    clock().advance(Duration.ofMinutes(6));
    s4.addRx(1);
    assertThat(tracker().sweep()).isEqualTo(1);
  }

  private Map<String, MetricData> collect() {
    Map<String, MetricData> byName = new HashMap<>();
    for (MetricData m : reader.collectAllMetrics()) {
      byName.put(m.getName(), m);
    }
    return byName;
  }

  /** A sum's points as "attr=value,... -> value", sorted. */
  private static Map<String, Long> longs(MetricData m) {
    Map<String, Long> out = new TreeMap<>();
    for (LongPointData p : m.getLongSumData().getPoints()) {
      out.put(render(p.getAttributes()), p.getValue());
    }
    return out;
  }

  /** A histogram's points as "attrs -> count/sum". */
  private static Map<String, String> histogram(MetricData m) {
    Map<String, String> out = new TreeMap<>();
    for (HistogramPointData p : m.getHistogramData().getPoints()) {
      out.put(render(p.getAttributes()), p.getCount() + "/" + p.getSum());
    }
    return out;
  }

  private static String render(Attributes a) {
    Map<String, String> sorted = new TreeMap<>();
    a.forEach((k, v) -> sorted.put(k.getKey(), String.valueOf(v)));
    return sorted.toString();
  }

  /**
   * Rows with a distinctive session id in every state (open, joined, each end reason, evicted),
   * with the model attribute on: the id is in no metric name, description or unit, no attribute key
   * or value of any point, no exemplar and no resource or scope attribute of the exported data. The
   * metrics need no {@code DiagnosticsPolicy}: they carry no session id at all.
   */
  @Test
  void noExportedMetricCarriesASessionId() {
    String secret = "sess-3e8d51aa-metrics-must-not-see";
    try (ActivityTelemetry telemetry =
        ActivityTelemetry.builder()
            .tracker(tracker())
            .meterProvider(provider)
            .modelAttribute(true)
            .genAiMetrics(true)
            .build()) {
      assertThat(telemetry.toString()).doesNotContain("closed");
      ActivityHandle open = tracker().open("openai.1", secret, ConnectionType.STREAMING, "gpt-4");
      ActivityHandle joined = tracker().open("openai.1", secret, ConnectionType.STREAMING, "gpt-4");
      open.addRx(10);
      clock().advance(Duration.ofMillis(100));
      open.addTx(10);
      for (EndReason reason : EndReason.values()) {
        ActivityHandle h =
            tracker().open("vllm", secret + "-" + reason, ConnectionType.NON_STREAMING, "llama");
        h.addRx(1);
        h.addTx(1);
        clock().advance(Duration.ofMillis(10));
        h.end(reason);
      }
      tracker().open("idle", secret + "-idle", ConnectionType.STREAMING, null);
      RequestActivity orphan = tracker().beginRequest(secret + "-orphan");
      orphan.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
      orphan.clientWriteFailed(new IOException("Broken pipe"));
      clock().advance(Duration.ofMinutes(6));
      open.addRx(1);
      orphan.addRx(3);
      assertThat(tracker().sweep()).isEqualTo(1);
      clock().advance(ActivitySettings.DEFAULT_STALL_AFTER); // both open rows stall

      Collection<MetricData> exported = reader.collectAllMetrics();
      assertThat(exported).isNotEmpty();
      for (MetricData m : exported) {
        assertThat(m.getName()).doesNotContain("sess-");
        assertThat(m.getDescription()).doesNotContain("sess-");
        assertThat(m.getUnit()).doesNotContain("sess-");
        assertThat(render(m.getResource().getAttributes())).doesNotContain("sess-");
        assertThat(m.getInstrumentationScopeInfo().toString()).doesNotContain("sess-");
        assertThat(m.getData().getPoints()).isNotEmpty();
        for (PointData p : m.getData().getPoints()) {
          assertThat(render(p.getAttributes())).as(m.getName()).doesNotContain("sess-");
          assertThat(p.getExemplars().toString()).as(m.getName()).doesNotContain("sess-");
        }
      }
      assertThat(exported.toString()).doesNotContain(secret).doesNotContain("sess-");
      Map<String, MetricData> byName = new HashMap<>();
      exported.forEach(m -> byName.put(m.getName(), m));
      assertThat(longs(byName.get("inflight.connections.stalled")))
          .containsEntry("{backend=openai.1}", 2L);
      assertThat(longs(byName.get("inflight.connections.orphaned")))
          .containsEntry("{backend=openai.1}", 1L);
      assertThat(longs(byName.get("inflight.bytes.orphaned")))
          .containsEntry("{backend=openai.1}", 3L);
      joined.close();
      open.close();
      orphan.end(EndReason.COMPLETED);
      assertThat(reader.collectAllMetrics().toString()).doesNotContain("sess-");
    }
  }

  @Test
  void aScriptedScenarioIsReportedExactly() {
    try (ActivityTelemetry telemetry =
        ActivityTelemetry.builder().tracker(tracker()).meterProvider(provider).build()) {
      assertThat(telemetry.toString()).doesNotContain("closed");
      script();
      Map<String, MetricData> m = collect();

      MetricData active = m.get("inflight.connections.active");
      assertThat(active.getUnit()).isEqualTo("{connection}");
      assertThat(active.getLongSumData().isMonotonic()).isFalse();
      assertThat(longs(active))
          .containsExactly(Map.entry("{backend=openai.1}", 1L), Map.entry("{backend=vllm}", 0L));
      MetricData requests = m.get("inflight.requests.active");
      assertThat(requests.getUnit()).isEqualTo("{request}");
      assertThat(longs(requests))
          .containsExactly(Map.entry("{backend=openai.1}", 2L), Map.entry("{backend=vllm}", 0L));
      MetricData bytes = m.get("inflight.bytes");
      assertThat(bytes.getUnit()).isEqualTo("By");
      assertThat(bytes.getLongSumData().isMonotonic()).isTrue();
      assertThat(longs(bytes))
          .containsExactly(
              Map.entry("{backend=openai.1, network.io.direction=receive}", 1023L),
              Map.entry("{backend=openai.1, network.io.direction=transmit}", 105L),
              Map.entry("{backend=vllm, network.io.direction=receive}", 0L),
              Map.entry("{backend=vllm, network.io.direction=transmit}", 0L));
      for (String name : List.of("inflight.connections.stalled", "inflight.connections.orphaned")) {
        MetricData health = m.get(name);
        assertThat(health.getUnit()).as(name).isEqualTo("{connection}");
        assertThat(health.getLongSumData().isMonotonic()).as(name).isFalse();
        assertThat(longs(health))
            .as(name)
            .containsExactly(Map.entry("{backend=openai.1}", 0L), Map.entry("{backend=vllm}", 0L));
      }
      MetricData orphanedBytes = m.get("inflight.bytes.orphaned");
      assertThat(orphanedBytes.getUnit()).isEqualTo("By");
      assertThat(orphanedBytes.getLongSumData().isMonotonic()).isTrue();
      assertThat(longs(orphanedBytes))
          .containsExactly(Map.entry("{backend=openai.1}", 0L), Map.entry("{backend=vllm}", 0L));
      MetricData ended = m.get("inflight.connections.ended");
      assertThat(ended.getUnit()).isEqualTo("{connection}");
      assertThat(longs(ended))
          .containsExactly(
              Map.entry("{backend=openai.1, reason=client_aborted}", 1L),
              Map.entry("{backend=openai.1, reason=completed}", 1L),
              Map.entry("{backend=openai.1, reason=errored}", 1L),
              Map.entry("{backend=openai.1, reason=evicted}", 0L),
              Map.entry("{backend=vllm, reason=client_aborted}", 0L),
              Map.entry("{backend=vllm, reason=completed}", 0L),
              Map.entry("{backend=vllm, reason=errored}", 0L),
              Map.entry("{backend=vllm, reason=evicted}", 1L));
      MetricData duration = m.get("inflight.connection.duration");
      assertThat(duration.getUnit()).isEqualTo("s");
      assertThat(histogram(duration))
          .containsExactly(
              Map.entry("{backend=openai.1, type=non_streaming}", "1/1.0"),
              Map.entry("{backend=openai.1, type=streaming}", "2/2.5"),
              Map.entry("{backend=vllm, type=non_streaming}", "1/360.0"));
      assertThat(duration.getHistogramData().getPoints().iterator().next().getBoundaries())
          .startsWith(0.005, 0.01)
          .endsWith(3600.0);
      MetricData firstByte = m.get("inflight.time.to.first.byte");
      assertThat(firstByte.getUnit()).isEqualTo("s");
      assertThat(histogram(firstByte)).containsExactly(Map.entry("{backend=openai.1}", "2/0.25"));
      assertThat(m.values())
          .allSatisfy(
              d ->
                  assertThat(d.getInstrumentationScopeInfo().getName())
                      .isEqualTo(ActivityTelemetry.SCOPE));
      assertThat(m.values().toString()).doesNotContain("s1").doesNotContain("session");
    }
  }

  private RequestActivity attached(String backend, String session) {
    RequestActivity r = tracker().beginRequest(session);
    r.attach(backend, null, ConnectionType.STREAMING);
    return r;
  }

  /** The same scenario as the Micrometer binder's test of stalled and orphaned rows. */
  @Test
  void stalledAndOrphanedRowsAndOrphanedBytesAreReadOnEachCollection() throws IOException {
    try (ActivityTelemetry telemetry =
        ActivityTelemetry.builder().tracker(tracker()).meterProvider(provider).build()) {
      assertThat(telemetry.toString()).doesNotContain("closed");
      RequestActivity quiet = attached("openai.1", "s1");
      quiet.addRx(10);
      RequestActivity moving = attached("openai.1", "s2");
      moving.addRx(10);
      RequestActivity left = attached("vllm", "s3");
      left.addRx(4);
      left.addTx(4);
      left.clientWriteFailed(new IOException("Broken pipe"));
      left.addRx(100);

      Map<String, MetricData> m = collect(); // sees every row's content
      assertThat(longs(m.get("inflight.connections.stalled")))
          .containsExactly(Map.entry("{backend=openai.1}", 0L), Map.entry("{backend=vllm}", 0L));
      assertThat(longs(m.get("inflight.connections.orphaned")))
          .containsExactly(Map.entry("{backend=openai.1}", 0L), Map.entry("{backend=vllm}", 1L));
      assertThat(longs(m.get("inflight.bytes.orphaned")))
          .containsExactly(Map.entry("{backend=openai.1}", 0L), Map.entry("{backend=vllm}", 100L));

      clock().advance(ActivitySettings.DEFAULT_STALL_AFTER.minusSeconds(1));
      assertThat(longs(collect().get("inflight.connections.stalled")))
          .containsEntry("{backend=openai.1}", 0L);

      clock().advance(Duration.ofSeconds(1));
      moving.addRx(5);
      left.addRx(50);
      m = collect();
      assertThat(longs(m.get("inflight.connections.stalled")))
          .containsExactly(Map.entry("{backend=openai.1}", 1L), Map.entry("{backend=vllm}", 0L));
      assertThat(longs(m.get("inflight.bytes.orphaned"))).containsEntry("{backend=vllm}", 150L);

      quiet.addRx(1); // content again: no longer stalled
      left.end(EndReason.COMPLETED);
      m = collect();
      assertThat(longs(m.get("inflight.connections.stalled")))
          .containsExactly(Map.entry("{backend=openai.1}", 0L), Map.entry("{backend=vllm}", 0L));
      assertThat(longs(m.get("inflight.connections.orphaned")))
          .containsExactly(Map.entry("{backend=openai.1}", 0L), Map.entry("{backend=vllm}", 0L));
      assertThat(longs(m.get("inflight.bytes.orphaned")))
          .as("the counter keeps the ended row's orphaned bytes")
          .containsExactly(Map.entry("{backend=openai.1}", 0L), Map.entry("{backend=vllm}", 150L));
      assertThat(longs(m.get("inflight.connections.ended")))
          .containsEntry("{backend=vllm, reason=client_aborted}", 1L);
      quiet.end(EndReason.COMPLETED);
      moving.end(EndReason.COMPLETED);
    }
  }

  @Test
  void backendsThatAppearLaterAreReportedAtTheNextCollection() {
    try (ActivityTelemetry telemetry =
        ActivityTelemetry.builder().tracker(tracker()).meterProvider(provider).build()) {
      assertThat(collect())
          .as(telemetry.toString())
          .doesNotContainKey("inflight.connections.active");
      ActivityHandle h = tracker().open("late", "s", ConnectionType.STREAMING, null);
      h.addRx(3);
      assertThat(longs(collect().get("inflight.bytes")))
          .containsEntry("{backend=late, network.io.direction=receive}", 3L);
      h.close();
    }
  }

  @Test
  void closingStopsTheCallbackAndTheHistograms() {
    ActivityTelemetry telemetry =
        ActivityTelemetry.builder().tracker(tracker()).meterProvider(provider).build();
    tracker().open("b", "s", ConnectionType.STREAMING, null).close();
    assertThat(collect())
        .containsKeys("inflight.connections.ended", "inflight.connection.duration");

    telemetry.close();
    telemetry.close(); // idempotent
    tracker().open("b", "s2", ConnectionType.STREAMING, null).close();
    Map<String, MetricData> after = collect();
    assertThat(after).doesNotContainKey("inflight.connections.ended");
    assertThat(after).doesNotContainKey("inflight.connections.active");
    // cumulative: the row from before the close is still there, the one after it is not
    assertThat(histogram(after.get("inflight.connection.duration")))
        .containsExactly(Map.entry("{backend=b, type=streaming}", "1/0.0"));
    assertThat(telemetry.toString()).contains("closed");
  }

  @Test
  void twoTrackersAreToldApartByAnAttribute() {
    try (ActivityTracker other =
            ActivityTracker.create(
                ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
        ActivityTelemetry a =
            ActivityTelemetry.builder()
                .tracker(tracker())
                .meterProvider(provider)
                .attribute("tracker", "public")
                .build();
        ActivityTelemetry b =
            ActivityTelemetry.builder()
                .tracker(other)
                .openTelemetry(OpenTelemetrySdk.builder().setMeterProvider(provider).build())
                .attribute("tracker", "internal")
                .build()) {
      assertThat(a.toString()).contains("public");
      assertThat(b.toString()).contains("internal");
      ActivityHandle h = tracker().open("openai.1", "s", ConnectionType.STREAMING, null);
      h.addRx(5);
      other.open("openai.1", "s", ConnectionType.STREAMING, null).addRx(7);
      assertThat(longs(collect().get("inflight.bytes")))
          .containsEntry("{backend=openai.1, network.io.direction=receive, tracker=public}", 5L)
          .containsEntry("{backend=openai.1, network.io.direction=receive, tracker=internal}", 7L);
      h.close();
    }
  }

  @Test
  void theModelAttributeIsThereOnlyWhenAskedFor() {
    try (ActivityTelemetry telemetry =
        ActivityTelemetry.builder()
            .tracker(tracker())
            .meterProvider(provider)
            .modelAttribute(true)
            .build()) {
      assertThat(telemetry.toString()).doesNotContain("closed");
      script();
      Map<String, MetricData> m = collect();
      assertThat(histogram(m.get("inflight.connection.duration")).keySet())
          .containsExactly(
              "{backend=openai.1, model=gpt-4, type=streaming}",
              "{backend=openai.1, model=gpt-4o, type=non_streaming}",
              "{backend=openai.1, model=none, type=streaming}",
              "{backend=vllm, model=none, type=non_streaming}");
      assertThat(longs(m.get("inflight.connections.active")).keySet())
          .allMatch(k -> !k.contains("model"));
    }
  }

  @Test
  void theBuilderRejectsAttributesItSets() {
    for (String key : List.of("backend", "network.io.direction", "reason", "type", "model")) {
      assertThatThrownBy(() -> ActivityTelemetry.builder().attribute(key, "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(key);
    }
    assertThat(ActivityTelemetry.builder().attribute("tracker", "a")).isNotNull();
    assertThat(AttributeKey.stringKey("backend")).isEqualTo(ActivityTelemetry.BACKEND);
  }

  private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVENT = "data: {\"x\":1}\n\n".getBytes(StandardCharsets.UTF_8);

  private RequestActivity request(
      String backend, String session, String model, ConnectionType type) {
    RequestActivity r = tracker().beginRequest(session);
    r.attach(backend, model, type);
    return r;
  }

  /**
   * Ended rows on the fake clock, for the generative-AI histograms (first content, duration):
   *
   * <ul>
   *   <li>g1, openai.1, gpt-4, streaming: a ping at 0.2 s, content at 0.5 s, completes at 2 s.
   *   <li>g2, openai.2, gpt-4, streaming: content at 1.5 s, completes at 4 s.
   *   <li>g3, anthropic.eu, claude-3, streaming: content at 0.1 s, the client aborts at 1 s.
   *   <li>g4, openai.1, no model, not streaming: content at 0.05 s, completes at 0.25 s.
   *   <li>g5, openai.1, gpt-4, streaming: only pings, errors at 3 s.
   * </ul>
   */
  private void genAiScript() {
    RequestActivity g1 = request("openai.1", "g1", "gpt-4", ConnectionType.STREAMING);
    clock().advance(Duration.ofMillis(200));
    g1.addRx(PING, 0, PING.length);
    clock().advance(Duration.ofMillis(300));
    g1.addRx(EVENT, 0, EVENT.length);
    clock().advance(Duration.ofMillis(1500));
    g1.end(EndReason.COMPLETED);

    RequestActivity g2 = request("openai.2", "g2", "gpt-4", ConnectionType.STREAMING);
    clock().advance(Duration.ofMillis(1500));
    g2.addRx(EVENT, 0, EVENT.length);
    clock().advance(Duration.ofMillis(2500));
    g2.end(EndReason.COMPLETED);

    RequestActivity g3 = request("anthropic.eu", "g3", "claude-3", ConnectionType.STREAMING);
    clock().advance(Duration.ofMillis(100));
    g3.addRx(EVENT, 0, EVENT.length);
    clock().advance(Duration.ofMillis(900));
    g3.end(EndReason.CLIENT_ABORTED);

    RequestActivity g4 = tracker().beginRequest("g4");
    g4.attach("openai.1", null, ConnectionType.NON_STREAMING);
    clock().advance(Duration.ofMillis(50));
    g4.addRx(EVENT, 0, EVENT.length);
    clock().advance(Duration.ofMillis(200));
    g4.end(EndReason.COMPLETED);

    RequestActivity g5 = request("openai.1", "g5", "gpt-4", ConnectionType.STREAMING);
    g5.addRx(PING, 0, PING.length);
    clock().advance(Duration.ofSeconds(3));
    g5.end(EndReason.ERRORED);
  }

  private static final String CHAT = "gen_ai.operation.name=chat";

  @Test
  void genAiHistogramsRecordDurationAndTimeToFirstContentWithTheConventionsAttributes() {
    try (ActivityTelemetry telemetry =
        ActivityTelemetry.builder()
            .tracker(tracker())
            .meterProvider(provider)
            .genAiMetrics(true)
            .build()) {
      assertThat(telemetry.toString()).doesNotContain("closed");
      genAiScript();
      Map<String, MetricData> m = collect();

      MetricData duration = m.get("gen_ai.server.request.duration");
      assertThat(duration.getUnit()).isEqualTo("s");
      assertThat(histogram(duration))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "{" + CHAT + ", gen_ai.provider.name=openai, gen_ai.request.model=gpt-4}",
                  "2/6.0",
                  "{" + CHAT + ", gen_ai.provider.name=openai}",
                  "1/0.25",
                  "{error.type=client_aborted, "
                      + CHAT
                      + ", gen_ai.provider.name=anthropic, gen_ai.request.model=claude-3}",
                  "1/1.0",
                  "{error.type=errored, "
                      + CHAT
                      + ", gen_ai.provider.name=openai, gen_ai.request.model=gpt-4}",
                  "1/3.0"));
      MetricData firstToken = m.get("gen_ai.server.time_to_first_token");
      assertThat(firstToken.getUnit()).isEqualTo("s");
      assertThat(histogram(firstToken))
          .as("streaming rows that had content: not g4 (not streaming) nor g5 (only pings)")
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "{" + CHAT + ", gen_ai.provider.name=openai, gen_ai.request.model=gpt-4}",
                  "2/2.0",
                  "{error.type=client_aborted, "
                      + CHAT
                      + ", gen_ai.provider.name=anthropic, gen_ai.request.model=claude-3}",
                  "1/0.1"));

      HistogramPointData completed = point(firstToken, "gen_ai.request.model=gpt-4}");
      assertThat(completed.getBoundaries())
          .containsExactly(
              0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
              10.0);
      // 0.5 s in (0.25, 0.5], 1.5 s in (1.0, 2.5]
      assertThat(completed.getCounts())
          .containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L, 0L, 0L, 1L, 0L, 0L, 0L, 0L);
      HistogramPointData long2 = point(duration, "gen_ai.request.model=gpt-4}");
      assertThat(long2.getBoundaries())
          .containsExactly(
              0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96,
              81.92);
      // 2 s in (1.28, 2.56], 4 s in (2.56, 5.12]
      assertThat(long2.getCounts())
          .containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L, 1L, 0L, 0L, 0L, 0L, 0L);

      assertThat(m.values().toString()).doesNotContain("g1").doesNotContain("session");
      for (String name :
          List.of("gen_ai.server.request.duration", "gen_ai.server.time_to_first_token")) {
        assertThat(histogram(m.get(name)).keySet())
            .allSatisfy(
                k -> assertThat(k).doesNotContain("backend").doesNotContainPattern("=g[1-5]\\b"));
      }
    }
  }

  private static HistogramPointData point(MetricData m, String attributesEndingWith) {
    return m.getHistogramData().getPoints().stream()
        .filter(p -> render(p.getAttributes()).endsWith(attributesEndingWith))
        .filter(p -> p.getAttributes().get(ActivityTelemetry.ERROR_TYPE) == null)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void withoutTheSwitchThereAreNoGenAiInstruments() {
    try (ActivityTelemetry telemetry =
        ActivityTelemetry.builder().tracker(tracker()).meterProvider(provider).build()) {
      assertThat(telemetry.toString()).doesNotContain("closed");
      genAiScript();
      Map<String, MetricData> m = collect();
      assertThat(m.keySet()).noneMatch(n -> n.startsWith("gen_ai"));
      assertThat(histogram(m.get("inflight.connection.duration"))).isNotEmpty();
      assertThat(m.values().toString()).doesNotContain("gen_ai").doesNotContain("error.type");
    }
  }

  @Test
  void theOperationAndTheProviderMappingCanBeSet() {
    try (ActivityTelemetry telemetry =
        ActivityTelemetry.builder()
            .tracker(tracker())
            .meterProvider(provider)
            .attribute("tracker", "edge")
            .genAiMetrics(true)
            .genAiOperationName("text_completion")
            .genAiProviderName(b -> b.startsWith("anthropic") ? "anthropic" : "azure.ai.openai")
            .build()) {
      assertThat(telemetry.toString()).doesNotContain("closed");
      genAiScript();
      assertThat(histogram(collect().get("gen_ai.server.request.duration")).keySet())
          .containsExactlyInAnyOrder(
              "{gen_ai.operation.name=text_completion, gen_ai.provider.name=azure.ai.openai,"
                  + " gen_ai.request.model=gpt-4, tracker=edge}",
              "{gen_ai.operation.name=text_completion, gen_ai.provider.name=azure.ai.openai,"
                  + " tracker=edge}",
              "{error.type=client_aborted, gen_ai.operation.name=text_completion,"
                  + " gen_ai.provider.name=anthropic, gen_ai.request.model=claude-3, tracker=edge}",
              "{error.type=errored, gen_ai.operation.name=text_completion,"
                  + " gen_ai.provider.name=azure.ai.openai, gen_ai.request.model=gpt-4,"
                  + " tracker=edge}");
    }
    assertThatThrownBy(() -> ActivityTelemetry.builder().genAiOperationName(""))
        .isInstanceOf(IllegalArgumentException.class);
    for (String key :
        List.of(
            "gen_ai.operation.name",
            "gen_ai.provider.name",
            "gen_ai.request.model",
            "error.type")) {
      assertThatThrownBy(() -> ActivityTelemetry.builder().attribute(key, "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(key);
    }
  }

  @Test
  void theDefaultProviderIsTheBackendNamesPartBeforeItsFirstDot() {
    assertThat(ActivityTelemetry.defaultProvider("openai.1")).isEqualTo("openai");
    assertThat(ActivityTelemetry.defaultProvider("aws.bedrock.us")).isEqualTo("aws");
    assertThat(ActivityTelemetry.defaultProvider("vllm")).isEqualTo("vllm");
    assertThat(ActivityTelemetry.defaultProvider(".hidden")).isEqualTo(".hidden");
  }
}
