package dev.inflight.activity.micrometer;

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
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ActivityMetricsTest {
  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(
          PrometheusConfig.DEFAULT, new PrometheusRegistry(), new MockClock());

  private ActivityTracker tracker() {
    return fixture.tracker();
  }

  private FakeClock clock() {
    return fixture.clock();
  }

  /** The scrape's sample lines (no comments) whose metric name starts with {@code prefix}. */
  private List<String> samples(String prefix) {
    return Arrays.stream(registry.scrape().split("\n"))
        .filter(l -> l.startsWith(prefix))
        .sorted()
        .collect(Collectors.toList());
  }

  /**
   * Opens, joins, bytes, each end reason and an eviction, on two backends:
   *
   * <ul>
   *   <li>openai.1/s1: streaming, joined by a second request, 1000 B rx and 100 B tx, first byte
   *       after 0.25 s, both requests complete at 2 s.
   *   <li>openai.1/s2: 10 B rx, the client aborts after 1 s, no byte to the client.
   *   <li>openai.1/s3: 5 B each way at once, errors after 0.5 s.
   *   <li>openai.1/s4: still open with two requests, 8 B rx.
   *   <li>vllm/s5: opened, never moves a byte, evicted after 6 minutes.
   * </ul>
   */
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
    s4.addRx(1); // progress: s4 is not stale
    assertThat(tracker().sweep()).isEqualTo(1);
  }

  /**
   * Rows with a distinctive session id in every state (open, joined, each end reason, evicted),
   * every option of the binder turned on: the id is in no meter name, tag key or value, description
   * or unit, and nowhere in a Prometheus scrape in either format. The metrics need no {@code
   * DiagnosticsPolicy}: they carry no session id at all.
   */
  @Test
  void noMeterAndNoScrapeCarriesASessionId() {
    String secret = "sess-3e8d51aa-metrics-must-not-see";
    try (ActivityMetrics metrics =
        ActivityMetrics.builder()
            .tracker(tracker())
            .modelTag(true)
            .percentileHistogram(true)
            .percentiles(0.5, 0.99)
            .genAiMetrics(true)
            .build()) {
      metrics.bindTo(registry);
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
      registry.scrape();
      assertThat(samples("inflight_connections_stalled{backend=\"openai.1\"}"))
          .containsExactly("inflight_connections_stalled{backend=\"openai.1\"} 2.0");
      assertThat(samples("inflight_connections_orphaned{backend=\"openai.1\"}"))
          .containsExactly("inflight_connections_orphaned{backend=\"openai.1\"} 1.0");
      assertThat(samples("inflight_bytes_orphaned_total{backend=\"openai.1\"}"))
          .containsExactly("inflight_bytes_orphaned_total{backend=\"openai.1\"} 3.0");

      assertThat(registry.getMeters()).isNotEmpty();
      for (Meter meter : registry.getMeters()) {
        Meter.Id id = meter.getId();
        assertThat(id.getName()).doesNotContain("sess-");
        assertThat(String.valueOf(id.getDescription())).doesNotContain("sess-");
        assertThat(String.valueOf(id.getBaseUnit())).doesNotContain("sess-");
        for (Tag tag : id.getTags()) {
          assertThat(tag.getKey()).as(id.getName()).doesNotContain("sess-");
          assertThat(tag.getValue()).as(id.getName()).doesNotContain("sess-");
        }
        for (Measurement m : meter.measure()) {
          assertThat(m.getStatistic().name()).doesNotContain("sess-");
        }
      }
      String text = registry.scrape();
      String openMetrics = registry.scrape("application/openmetrics-text; version=1.0.0");
      assertThat(text).contains("inflight_bytes_total").doesNotContain(secret, "sess-");
      assertThat(openMetrics).contains("inflight_bytes").doesNotContain(secret, "sess-");
      joined.close();
      open.close();
      orphan.end(EndReason.COMPLETED);
      assertThat(registry.scrape()).doesNotContain("sess-");
    }
  }

  @Test
  void aScriptedScenarioScrapesExactly() {
    try (ActivityMetrics metrics = ActivityMetrics.builder().tracker(tracker()).build()) {
      metrics.bindTo(registry);
      script();

      assertThat(samples("inflight_connections_active"))
          .containsExactly(
              "inflight_connections_active{backend=\"openai.1\"} 1.0",
              "inflight_connections_active{backend=\"vllm\"} 0.0");
      assertThat(samples("inflight_requests_active"))
          .containsExactly(
              "inflight_requests_active{backend=\"openai.1\"} 2.0",
              "inflight_requests_active{backend=\"vllm\"} 0.0");
      assertThat(samples("inflight_bytes_total"))
          .containsExactly(
              "inflight_bytes_total{backend=\"openai.1\",direction=\"rx\"} 1023.0",
              "inflight_bytes_total{backend=\"openai.1\",direction=\"tx\"} 105.0",
              "inflight_bytes_total{backend=\"vllm\",direction=\"rx\"} 0.0",
              "inflight_bytes_total{backend=\"vllm\",direction=\"tx\"} 0.0");
      assertThat(samples("inflight_connections_ended_total"))
          .containsExactly(
              "inflight_connections_ended_total{backend=\"openai.1\",reason=\"client_aborted\"} 1.0",
              "inflight_connections_ended_total{backend=\"openai.1\",reason=\"completed\"} 1.0",
              "inflight_connections_ended_total{backend=\"openai.1\",reason=\"errored\"} 1.0",
              "inflight_connections_ended_total{backend=\"openai.1\",reason=\"evicted\"} 0.0",
              "inflight_connections_ended_total{backend=\"vllm\",reason=\"client_aborted\"} 0.0",
              "inflight_connections_ended_total{backend=\"vllm\",reason=\"completed\"} 0.0",
              "inflight_connections_ended_total{backend=\"vllm\",reason=\"errored\"} 0.0",
              "inflight_connections_ended_total{backend=\"vllm\",reason=\"evicted\"} 1.0");
      assertThat(samples("inflight_connection_duration_seconds"))
          .containsExactly(
              "inflight_connection_duration_seconds_count{backend=\"openai.1\",type=\"non_streaming\"} 1",
              "inflight_connection_duration_seconds_count{backend=\"openai.1\",type=\"streaming\"} 2",
              "inflight_connection_duration_seconds_count{backend=\"vllm\",type=\"non_streaming\"} 1",
              "inflight_connection_duration_seconds_max{backend=\"openai.1\",type=\"non_streaming\"} 1.0",
              "inflight_connection_duration_seconds_max{backend=\"openai.1\",type=\"streaming\"} 2.0",
              "inflight_connection_duration_seconds_max{backend=\"vllm\",type=\"non_streaming\"} 360.0",
              "inflight_connection_duration_seconds_sum{backend=\"openai.1\",type=\"non_streaming\"} 1.0",
              "inflight_connection_duration_seconds_sum{backend=\"openai.1\",type=\"streaming\"} 2.5",
              "inflight_connection_duration_seconds_sum{backend=\"vllm\",type=\"non_streaming\"} 360.0");
      assertThat(samples("inflight_time_to_first_byte_seconds"))
          .containsExactly(
              "inflight_time_to_first_byte_seconds_count{backend=\"openai.1\"} 2",
              "inflight_time_to_first_byte_seconds_max{backend=\"openai.1\"} 0.25",
              "inflight_time_to_first_byte_seconds_sum{backend=\"openai.1\"} 0.25");
      assertThat(samples("inflight_connections_stalled"))
          .containsExactly(
              "inflight_connections_stalled{backend=\"openai.1\"} 0.0",
              "inflight_connections_stalled{backend=\"vllm\"} 0.0");
      assertThat(samples("inflight_connections_orphaned"))
          .containsExactly(
              "inflight_connections_orphaned{backend=\"openai.1\"} 0.0",
              "inflight_connections_orphaned{backend=\"vllm\"} 0.0");
      assertThat(samples("inflight_bytes_orphaned_total"))
          .containsExactly(
              "inflight_bytes_orphaned_total{backend=\"openai.1\"} 0.0",
              "inflight_bytes_orphaned_total{backend=\"vllm\"} 0.0");
      assertThat(samples("inflight_backends")).containsExactly("inflight_backends 2.0");
      String text = registry.scrape();
      assertThat(text).doesNotContain("s1").doesNotContain("session").doesNotContain("model=");
      assertThat(text).doesNotContain("_bucket");
    }
  }

  @Test
  void aBackendThatAppearsLaterGetsItsMetersByTheNextScrape() {
    try (ActivityMetrics metrics = ActivityMetrics.builder().tracker(tracker()).build()) {
      metrics.bindTo(registry);
      assertThat(samples("inflight_connections_active")).isEmpty();
      ActivityHandle h = tracker().open("late", "s", ConnectionType.STREAMING, null);
      h.addRx(3);
      registry.scrape(); // sees the new backend
      assertThat(samples("inflight_connections_active"))
          .containsExactly("inflight_connections_active{backend=\"late\"} 1.0");
      assertThat(samples("inflight_bytes_total"))
          .contains("inflight_bytes_total{backend=\"late\",direction=\"rx\"} 3.0");
      // a backend whose first row ended is registered by the listener at once
      tracker().open("quick", "s", ConnectionType.STREAMING, null).close();
      assertThat(samples("inflight_connections_ended_total"))
          .contains("inflight_connections_ended_total{backend=\"quick\",reason=\"completed\"} 1.0");
      h.close();
    }
  }

  private RequestActivity attached(String backend, String session) {
    RequestActivity r = tracker().beginRequest(session);
    r.attach(backend, null, ConnectionType.STREAMING);
    return r;
  }

  /**
   * A row stalls when its backend sends no content for the stall time and moves again with the next
   * content; a row whose client left is orphaned while open, and the bytes its backend sends from
   * then on stay counted after it ended.
   */
  @Test
  void stalledAndOrphanedRowsAndOrphanedBytesAreReadOnEachScrape() throws IOException {
    try (ActivityMetrics metrics = ActivityMetrics.builder().tracker(tracker()).build()) {
      metrics.bindTo(registry);
      RequestActivity quiet = attached("openai.1", "s1");
      quiet.addRx(10);
      RequestActivity moving = attached("openai.1", "s2");
      moving.addRx(10);
      RequestActivity left = attached("vllm", "s3");
      left.addRx(4);
      left.addTx(4);
      left.clientWriteFailed(new IOException("Broken pipe"));
      left.addRx(100);
      registry.scrape(); // registers both backends and sees every row's content

      assertThat(samples("inflight_connections_stalled"))
          .containsExactly(
              "inflight_connections_stalled{backend=\"openai.1\"} 0.0",
              "inflight_connections_stalled{backend=\"vllm\"} 0.0");
      assertThat(samples("inflight_connections_orphaned"))
          .containsExactly(
              "inflight_connections_orphaned{backend=\"openai.1\"} 0.0",
              "inflight_connections_orphaned{backend=\"vllm\"} 1.0");
      assertThat(samples("inflight_bytes_orphaned_total"))
          .containsExactly(
              "inflight_bytes_orphaned_total{backend=\"openai.1\"} 0.0",
              "inflight_bytes_orphaned_total{backend=\"vllm\"} 100.0");

      clock().advance(ActivitySettings.DEFAULT_STALL_AFTER.minusSeconds(1));
      assertThat(samples("inflight_connections_stalled{backend=\"openai.1\"}"))
          .containsExactly("inflight_connections_stalled{backend=\"openai.1\"} 0.0");

      clock().advance(Duration.ofSeconds(1));
      moving.addRx(5);
      left.addRx(50);
      assertThat(samples("inflight_connections_stalled"))
          .containsExactly(
              "inflight_connections_stalled{backend=\"openai.1\"} 1.0",
              "inflight_connections_stalled{backend=\"vllm\"} 0.0");
      assertThat(samples("inflight_bytes_orphaned_total{backend=\"vllm\"}"))
          .containsExactly("inflight_bytes_orphaned_total{backend=\"vllm\"} 150.0");

      quiet.addRx(1); // content again: no longer stalled
      left.end(EndReason.COMPLETED);
      assertThat(samples("inflight_connections_stalled"))
          .containsExactly(
              "inflight_connections_stalled{backend=\"openai.1\"} 0.0",
              "inflight_connections_stalled{backend=\"vllm\"} 0.0");
      assertThat(samples("inflight_connections_orphaned"))
          .containsExactly(
              "inflight_connections_orphaned{backend=\"openai.1\"} 0.0",
              "inflight_connections_orphaned{backend=\"vllm\"} 0.0");
      assertThat(samples("inflight_bytes_orphaned_total"))
          .as("the counter keeps the ended row's orphaned bytes")
          .containsExactly(
              "inflight_bytes_orphaned_total{backend=\"openai.1\"} 0.0",
              "inflight_bytes_orphaned_total{backend=\"vllm\"} 150.0");
      assertThat(samples("inflight_bytes_total{backend=\"vllm\",direction=\"rx\"}"))
          .containsExactly("inflight_bytes_total{backend=\"vllm\",direction=\"rx\"} 154.0");
      assertThat(samples("inflight_connections_ended_total{backend=\"vllm\",reason=\"client"))
          .containsExactly(
              "inflight_connections_ended_total{backend=\"vllm\",reason=\"client_aborted\"} 1.0");
      quiet.end(EndReason.COMPLETED);
      moving.end(EndReason.COMPLETED);
    }
  }

  @Test
  void closingRemovesEveryMeterAndBindingAgainStartsAfresh() {
    ActivityMetrics metrics = ActivityMetrics.builder().tracker(tracker()).modelTag(true).build();
    metrics.bindTo(registry);
    script();
    registry.scrape();
    assertThat(registry.getMeters()).isNotEmpty();

    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
    assertThat(registry.scrape()).doesNotContain("inflight_");
    tracker().open("openai.1", "after", ConnectionType.STREAMING, null).close();
    assertThat(registry.getMeters()).as("a closed binder no longer listens").isEmpty();

    metrics.bindTo(registry);
    assertThat(samples("inflight_connections_ended_total"))
        .contains(
            "inflight_connections_ended_total{backend=\"openai.1\",reason=\"completed\"} 2.0");
    metrics.close();
    metrics.close(); // idempotent
    assertThat(registry.getMeters()).isEmpty();

    ActivityMetrics another = ActivityMetrics.builder().tracker(tracker()).build();
    another.bindTo(registry);
    assertThat(samples("inflight_connections_active")).hasSize(2);
    another.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void twoTrackersCanBeBoundSideBySideWithATagThatTellsThemApart() {
    try (ActivityTracker other =
            ActivityTracker.create(
                dev.inflight.activity.ActivitySettings.builder()
                    .enabled(true)
                    .sweepInterval(Duration.ZERO)
                    .build());
        ActivityMetrics a =
            ActivityMetrics.builder().tracker(tracker()).tag("tracker", "public").build()) {
      ActivityMetrics b =
          ActivityMetrics.builder().tracker(other).tag("tracker", "internal").build();
      a.bindTo(registry);
      b.bindTo(registry);
      ActivityHandle h = tracker().open("openai.1", "s", ConnectionType.STREAMING, null);
      h.addRx(5);
      ActivityHandle o = other.open("openai.1", "s", ConnectionType.STREAMING, null);
      o.addRx(7);
      o.addTx(1);
      o.close();
      registry.scrape();
      assertThat(samples("inflight_bytes_total{backend=\"openai.1\",direction=\"rx\""))
          .containsExactly(
              "inflight_bytes_total{backend=\"openai.1\",direction=\"rx\",tracker=\"internal\"} 7.0",
              "inflight_bytes_total{backend=\"openai.1\",direction=\"rx\",tracker=\"public\"} 5.0");
      assertThat(samples("inflight_connection_duration_seconds_count"))
          .containsExactly(
              "inflight_connection_duration_seconds_count{backend=\"openai.1\",tracker=\"internal\",type=\"streaming\"} 1");
      assertThat(samples("inflight_backends"))
          .containsExactly(
              "inflight_backends{tracker=\"internal\"} 1.0",
              "inflight_backends{tracker=\"public\"} 1.0");
      b.close(); // closing one binder leaves the other's meters
      assertThat(registry.scrape()).doesNotContain("internal").contains("public");
      h.close();
    }
  }

  @Test
  void theModelTagIsThereOnlyWhenAskedFor() {
    try (ActivityMetrics metrics =
        ActivityMetrics.builder().tracker(tracker()).modelTag(true).build()) {
      metrics.bindTo(registry);
      script();
      assertThat(samples("inflight_connection_duration_seconds_count"))
          .containsExactly(
              "inflight_connection_duration_seconds_count{backend=\"openai.1\",model=\"gpt-4\",type=\"streaming\"} 1",
              "inflight_connection_duration_seconds_count{backend=\"openai.1\",model=\"gpt-4o\",type=\"non_streaming\"} 1",
              "inflight_connection_duration_seconds_count{backend=\"openai.1\",model=\"none\",type=\"streaming\"} 1",
              "inflight_connection_duration_seconds_count{backend=\"vllm\",model=\"none\",type=\"non_streaming\"} 1");
      assertThat(samples("inflight_connections_active{")).allMatch(l -> !l.contains("model"));
    }
  }

  @Test
  void percentileHistogramsAreOffByDefaultAndCanBeTurnedOn() {
    ActivityMetrics metrics =
        ActivityMetrics.builder()
            .tracker(tracker())
            .percentileHistogram(true)
            .percentiles(0.5, 0.95)
            .build();
    {
      SimpleMeterRegistry simple = new SimpleMeterRegistry();
      metrics.bindTo(registry);
      metrics.bindTo(simple);
      script();
      assertThat(samples("inflight_connection_duration_seconds_bucket")).isNotEmpty();
      assertThat(samples("inflight_time_to_first_byte_seconds_bucket")).isNotEmpty();
      assertThat(simple.get("inflight.time.to.first.byte").timer().count()).isEqualTo(2);
      assertThat(
              simple
                  .get("inflight.connection.duration")
                  .tag("type", "streaming")
                  .timer()
                  .takeSnapshot()
                  .percentileValues())
          .hasSize(2);
      metrics.close();
      assertThat(simple.getMeters()).isEmpty();
    }
  }

  @Test
  void theBuilderRejectsTagsItSetsAndBadPercentiles() {
    assertThatThrownBy(() -> ActivityMetrics.builder().tag("backend", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backend");
    assertThatThrownBy(() -> ActivityMetrics.builder().percentiles(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.5");
  }

  @Test
  void withoutATrackerItReadsTheGlobalOne() {
    ActivityTracker previous = ActivityTracker.setGlobal(tracker());
    try (ActivityMetrics metrics = ActivityMetrics.builder().build()) {
      metrics.bindTo(registry);
      tracker().open("global", "s", ConnectionType.STREAMING, null).close();
      assertThat(
              samples("inflight_connections_ended_total{backend=\"global\",reason=\"completed\"}"))
          .hasSize(1);
      assertThat(metrics.toString()).contains("bound=1");
    } finally {
      ActivityTracker.setGlobal(previous);
    }
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
   * The OpenTelemetry binder's scenario for the generative-AI histograms:
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

  @Test
  void genAiTimersRecordDurationAndTimeToFirstContentWithTheConventionsTags() {
    try (ActivityMetrics metrics =
        ActivityMetrics.builder().tracker(tracker()).genAiMetrics(true).build()) {
      metrics.bindTo(registry);
      genAiScript();

      String ok = "error_type=\"\",gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\"";
      String gpt4 = ok + ",gen_ai_request_model=\"gpt-4\"";
      String aborted =
          "error_type=\"client_aborted\",gen_ai_operation_name=\"chat\","
              + "gen_ai_provider_name=\"anthropic\",gen_ai_request_model=\"claude-3\"";
      String errored =
          "error_type=\"errored\",gen_ai_operation_name=\"chat\","
              + "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4\"";
      assertThat(samples("gen_ai_server_request_duration_seconds_count"))
          .containsExactlyInAnyOrder(
              "gen_ai_server_request_duration_seconds_count{" + gpt4 + "} 2",
              "gen_ai_server_request_duration_seconds_count{"
                  + ok
                  + ",gen_ai_request_model=\"\"} 1",
              "gen_ai_server_request_duration_seconds_count{" + aborted + "} 1",
              "gen_ai_server_request_duration_seconds_count{" + errored + "} 1");
      assertThat(samples("gen_ai_server_request_duration_seconds_sum"))
          .containsExactlyInAnyOrder(
              "gen_ai_server_request_duration_seconds_sum{" + gpt4 + "} 6.0",
              "gen_ai_server_request_duration_seconds_sum{"
                  + ok
                  + ",gen_ai_request_model=\"\"} 0.25",
              "gen_ai_server_request_duration_seconds_sum{" + aborted + "} 1.0",
              "gen_ai_server_request_duration_seconds_sum{" + errored + "} 3.0");
      assertThat(samples("gen_ai_server_time_to_first_token_seconds_count"))
          .as("streaming rows that had content: not g4 (not streaming) nor g5 (only pings)")
          .containsExactlyInAnyOrder(
              "gen_ai_server_time_to_first_token_seconds_count{" + gpt4 + "} 2",
              "gen_ai_server_time_to_first_token_seconds_count{" + aborted + "} 1");
      assertThat(samples("gen_ai_server_time_to_first_token_seconds_sum"))
          .containsExactlyInAnyOrder(
              "gen_ai_server_time_to_first_token_seconds_sum{" + gpt4 + "} 2.0",
              "gen_ai_server_time_to_first_token_seconds_sum{" + aborted + "} 0.1");

      // the conventions' buckets: 0.5 s and 1.5 s of first content, 2 s and 4 s of duration
      List<String> firstToken = samples("gen_ai_server_time_to_first_token_seconds_bucket{" + gpt4);
      assertThat(firstToken)
          .extracting(l -> l.substring(l.indexOf("le=")))
          .containsExactlyInAnyOrder(
              "le=\"0.001\"} 0",
              "le=\"0.005\"} 0",
              "le=\"0.01\"} 0",
              "le=\"0.02\"} 0",
              "le=\"0.04\"} 0",
              "le=\"0.06\"} 0",
              "le=\"0.08\"} 0",
              "le=\"0.1\"} 0",
              "le=\"0.25\"} 0",
              "le=\"0.5\"} 1",
              "le=\"0.75\"} 1",
              "le=\"1.0\"} 1",
              "le=\"2.5\"} 2",
              "le=\"5.0\"} 2",
              "le=\"7.5\"} 2",
              "le=\"10.0\"} 2",
              "le=\"+Inf\"} 2");
      assertThat(samples("gen_ai_server_request_duration_seconds_bucket{" + gpt4))
          .extracting(l -> l.substring(l.indexOf("le=")))
          .containsExactlyInAnyOrder(
              "le=\"0.01\"} 0",
              "le=\"0.02\"} 0",
              "le=\"0.04\"} 0",
              "le=\"0.08\"} 0",
              "le=\"0.16\"} 0",
              "le=\"0.32\"} 0",
              "le=\"0.64\"} 0",
              "le=\"1.28\"} 0",
              "le=\"2.56\"} 1",
              "le=\"5.12\"} 2",
              "le=\"10.24\"} 2",
              "le=\"20.48\"} 2",
              "le=\"40.96\"} 2",
              "le=\"81.92\"} 2",
              "le=\"+Inf\"} 2");

      for (Meter m : registry.getMeters()) {
        if (m.getId().getName().startsWith("gen_ai")) {
          assertThat(m.getId().getTag("backend")).isNull();
          assertThat(m.getId().getTags().toString()).doesNotContainPattern("=g[1-5]\\b");
        }
      }
      assertThat(registry.scrape()).doesNotContainPattern("\"g[1-5]\"");
    }
  }

  @Test
  void withoutTheSwitchThereAreNoGenAiMeters() {
    try (ActivityMetrics metrics = ActivityMetrics.builder().tracker(tracker()).build()) {
      metrics.bindTo(registry);
      genAiScript();
      assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith("gen_ai"));
      assertThat(samples("inflight_connection_duration_seconds_count")).isNotEmpty();
      assertThat(registry.scrape()).doesNotContain("gen_ai").doesNotContain("error_type");
    }
  }

  @Test
  void theGenAiOperationAndProviderMappingCanBeSet() {
    try (ActivityMetrics metrics =
        ActivityMetrics.builder()
            .tracker(tracker())
            .tag("tracker", "edge")
            .genAiMetrics(true)
            .genAiOperationName("text_completion")
            .genAiProviderName(b -> b.startsWith("anthropic") ? "anthropic" : "azure.ai.openai")
            .build()) {
      metrics.bindTo(registry);
      genAiScript();
      assertThat(samples("gen_ai_server_request_duration_seconds_count"))
          .allSatisfy(
              l ->
                  assertThat(l)
                      .contains("gen_ai_operation_name=\"text_completion\"")
                      .contains("tracker=\"edge\""))
          .extracting(l -> l.replaceAll(".*gen_ai_provider_name=\"([^\"]*)\".*", "$1"))
          .containsExactlyInAnyOrder(
              "azure.ai.openai", "azure.ai.openai", "anthropic", "azure.ai.openai");
    }
    assertThatThrownBy(() -> ActivityMetrics.builder().genAiOperationName(""))
        .isInstanceOf(IllegalArgumentException.class);
    for (String key :
        List.of(
            "gen_ai.operation.name",
            "gen_ai.provider.name",
            "gen_ai.request.model",
            "error.type")) {
      assertThatThrownBy(() -> ActivityMetrics.builder().tag(key, "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(key);
    }
    assertThat(GenAiOptions.defaultProvider("openai.1")).isEqualTo("openai");
    assertThat(GenAiOptions.defaultProvider("vllm")).isEqualTo("vllm");
  }
}
