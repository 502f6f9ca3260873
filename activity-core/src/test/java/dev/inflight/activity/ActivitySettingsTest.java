package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.testing.FakeClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ActivitySettingsTest {

  private static final String SOURCE = "servlet init-param";

  @Test
  void theDefaultsAreDisabledFiveMinutesThirtySecondsAndTenThousandRows() {
    ActivitySettings d = ActivitySettings.defaults();
    assertThat(d.enabled()).isFalse();
    assertThat(d.staleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.sweepInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.maxConnections()).isEqualTo(10_000);
    assertThat(d.clock()).isSameAs(ActivityClock.system());
    assertThat(ActivitySettings.builder().build().toString()).isEqualTo(d.toString());
  }

  @Test
  void theBuilderKeepsWhatItIsGivenAndToBuilderCopiesIt() {
    FakeClock clock = new FakeClock();
    ActivitySettings s =
        ActivitySettings.builder()
            .enabled(true)
            .staleTimeout(Duration.ofSeconds(90))
            .sweepInterval(Duration.ZERO)
            .maxConnections(7)
            .clock(clock)
            .build();
    ActivitySettings copy = s.toBuilder().build();

    for (ActivitySettings x : new ActivitySettings[] {s, copy}) {
      assertThat(x.enabled()).isTrue();
      assertThat(x.staleTimeout()).isEqualTo(Duration.ofSeconds(90));
      assertThat(x.sweepInterval()).isZero();
      assertThat(x.maxConnections()).isEqualTo(7);
      assertThat(x.clock()).isSameAs(clock);
    }
    assertThat(s.toString()).contains("enabled=true", "PT1M30S", "maxConnections=7");
  }

  @Test
  void theBuilderRejectsBadValuesAtOnce() {
    ActivitySettings.Builder b = ActivitySettings.builder();
    assertThatThrownBy(() -> b.staleTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("staleTimeout");
    assertThatThrownBy(() -> b.staleTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.sweepInterval(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sweepInterval");
    assertThatThrownBy(() -> b.maxConnections(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections");
    assertThatThrownBy(() -> b.clock(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.staleTimeout(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void fromValuesReadsEveryKeyAndTrimsBlanks() {
    ActivitySettings s =
        ActivitySettings.fromValues(
            Map.of(
                ActivitySettings.KEY_ENABLED,
                "yes",
                ActivitySettings.KEY_STALE_TIMEOUT,
                "90.5",
                ActivitySettings.KEY_SWEEP_INTERVAL,
                " 0 ",
                ActivitySettings.KEY_MAX_CONNECTIONS,
                " 42 ",
                "something_else",
                "ignored"),
            SOURCE);

    assertThat(s.enabled()).isTrue();
    assertThat(s.staleTimeout()).isEqualTo(Duration.ofMillis(90_500));
    assertThat(s.sweepInterval()).isZero();
    assertThat(s.maxConnections()).isEqualTo(42);
  }

  @Test
  void fromValuesKeepsTheDefaultsForAbsentKeys() {
    ActivitySettings s = ActivitySettings.fromValues(Map.of(), SOURCE);
    assertThat(s.toString()).isEqualTo(ActivitySettings.defaults().toString());
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "activity_stale_timeout_seconds, abc",
    "activity_stale_timeout_seconds, -1",
    "activity_stale_timeout_seconds, NaN",
    "activity_stale_timeout_seconds, Infinity",
    "activity_stale_timeout_seconds, 0",
    "activity_stale_timeout_seconds, 0.0000000001",
    "activity_stall_after_seconds, 0",
    "activity_stall_after_seconds, -2",
    "activity_stall_after_seconds, later",
    "activity_sweep_interval_seconds, -5",
    "activity_sweep_interval_seconds, soon",
    "activity_max_connections, 0",
    "activity_max_connections, -3",
    "activity_max_connections, many",
    "activity_max_connections, 1.5",
    "activity_max_connections, 99999999999",
    "enable_activity_tracking, maybe",
    "activity_recent_connections, -1",
    "activity_recent_connections, 100001",
    "activity_recent_connections, lots",
    "activity_count_events, sometimes",
  })
  void aBadValueNamesTheSourceTheKeyAndTheValue(String key, String value) {
    assertThatThrownBy(() -> ActivitySettings.fromValues(Map.of(key, value), SOURCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(SOURCE)
        .hasMessageContaining(key)
        .hasMessageContaining(value);
  }

  @Test
  void eventCountingIsOffByDefaultAndReadFromValues() {
    assertThat(ActivitySettings.defaults().countEvents()).isFalse();
    ActivitySettings s =
        ActivitySettings.fromValues(Map.of(ActivitySettings.KEY_COUNT_EVENTS, " true "), SOURCE);
    assertThat(s.countEvents()).isTrue();
    assertThat(s.toBuilder().build().countEvents()).isTrue();
    assertThat(s.toString()).contains("countEvents=true");
    assertThat(
            ActivitySettings.fromValues(Map.of(ActivitySettings.KEY_COUNT_EVENTS, "0"), SOURCE)
                .countEvents())
        .isFalse();
  }

  @Test
  void theStallTimeDefaultsToThirtySecondsIsReadFromValuesAndSurvivesToBuilder() {
    assertThat(ActivitySettings.defaults().stallAfter()).isEqualTo(Duration.ofSeconds(30));
    ActivitySettings s =
        ActivitySettings.fromValues(Map.of(ActivitySettings.KEY_STALL_AFTER, " 12.5 "), SOURCE);
    assertThat(s.stallAfter()).isEqualTo(Duration.ofMillis(12_500));
    assertThat(s.toBuilder().build().stallAfter()).isEqualTo(Duration.ofMillis(12_500));
    assertThat(s.toString()).contains("stallAfter=PT12.5S");
    assertThatThrownBy(() -> ActivitySettings.builder().stallAfter(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stallAfter");
  }

  @Test
  void recentlyEndedRowsDefaultToAHundredAndAreReadFromValues() {
    assertThat(ActivitySettings.defaults().recentConnections()).isEqualTo(100);
    assertThat(
            ActivitySettings.fromValues(Map.of("activity_recent_connections", " 0 "), SOURCE)
                .recentConnections())
        .isZero();
    assertThat(ActivitySettings.builder().recentConnections(7).build().toBuilder().build())
        .extracting(ActivitySettings::recentConnections)
        .isEqualTo(7);
  }

  @Test
  void endedListenersAreKeptInOrderAndCopiedByToBuilder() {
    EndedConnectionListener first = ended -> {};
    EndedConnectionListener second = ended -> {};
    ActivitySettings s =
        ActivitySettings.builder().endedListener(first).endedListener(second).build();
    assertThat(s.endedListeners()).containsExactly(first, second);
    assertThat(s.toBuilder().build().endedListeners()).containsExactly(first, second);
    assertThat(ActivitySettings.defaults().endedListeners()).isEmpty();
    assertThatThrownBy(() -> s.endedListeners().add(first))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
