package dev.inflight.activity.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiagnosticsBuilderTest {

  /** The smallest adapter: its product is the endpoint the options make. */
  static final class Builder extends DiagnosticsBuilder<Builder, DiagnosticsEndpoint> {
    @Override
    public DiagnosticsEndpoint build() {
      return endpoint();
    }
  }

  private static String get(DiagnosticsEndpoint endpoint) {
    DiagnosticsResponse r =
        endpoint.handle("GET", DiagnosticsEndpoint.DIAGNOSTICS_PATH, "127.0.0.1", name -> null);
    assertThat(r.status()).isEqualTo(200);
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void theOptionsReachTheEndpoint() {
    try (ActivityTracker tracker =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build())) {
      tracker.open("openai.1", "session-0123456789", ConnectionType.STREAMING, "gpt-4");
      BackendDescription described =
          new BackendDescription("openai.1", "openai", false, true, List.of(), List.of("gpt-4"));
      String body =
          get(
              new Builder()
                  .tracker(tracker)
                  .backends(() -> List.of(described))
                  .sessionIdDisplay(SessionIdDisplay.TRUNCATED)
                  .build());

      assertThat(body).contains("\"connector_type\":\"openai\"").contains("\"session-...\"");
      assertThat(body).doesNotContain("session-0123456789");
    }
  }

  @Test
  void byDefaultItShowsTheGlobalTracker() {
    // the global tracker is disabled unless installed
    assertThat(
            DiagnosticsJson.parseDiagnostics(get(new Builder().build())).activityTrackingEnabled())
        .isFalse();
  }
}
