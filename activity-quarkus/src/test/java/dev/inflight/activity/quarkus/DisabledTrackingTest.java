package dev.inflight.activity.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.RequestActivity;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same application with {@code quarkus.inflight.activity.enabled=false}, and {@code
 * ENABLE_ACTIVITY_TRACKING=true} beside it (the property wins): nothing is tracked, the requests
 * are answered as before, and the diagnostics document says tracking is off.
 */
@QuarkusTest
@TestProfile(DisabledTrackingTest.Off.class)
class DisabledTrackingTest {

  /** Tracking switched off by the property, on by the variable. */
  public static final class Off implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(ActivityTrackerProducer.PROPERTY, "false", "ENABLE_ACTIVITY_TRACKING", "true");
    }
  }

  @Inject ActivityTracker tracker;

  @TestHTTPResource("/")
  URI root;

  @Test
  void nothingIsTrackedAndTheApplicationAnswersAsBefore() throws Exception {
    assertThat(tracker.isEnabled()).isFalse();
    HttpClient client = HttpClient.newHttpClient();
    var r =
        client.send(
            HttpRequest.newBuilder(root.resolve("/v1/json"))
                .header(RequestActivity.DEFAULT_SESSION_HEADER, "off-1")
                .timeout(Duration.ofSeconds(10))
                .build(),
            BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo(ChatResource.JSON);
    assertThat(tracker.getBackendSnapshot(ChatResource.BACKEND)).isEmpty();
    assertThat(tracker.activeConnections()).isZero();
    assertThat(ChatResource.LAST_ACTIVITY.get()).isSameAs(RequestActivity.disabled());

    var diagnostics =
        client.send(
            HttpRequest.newBuilder(root.resolve("/v1/diagnostics")).build(),
            BodyHandlers.ofString());
    assertThat(diagnostics.body()).contains("\"activity_tracking_enabled\":false");
  }
}
