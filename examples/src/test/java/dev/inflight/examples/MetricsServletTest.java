package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.RequestActivity;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's {@code /metrics}: Prometheus text from the Micrometer binder. */
class MetricsServletTest {
  @TempDir Path dir;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private DemoProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void theDemoServesPrometheusTextAtMetricsAndSaysSo() throws Exception {
    proxy = DemoProxyTest.startDemo(dir, 0, 0, "--enable-activity-tracking");
    String model = firstModel();
    HttpResponse<String> chat =
        client.send(
            HttpRequest.newBuilder(proxy.localUri().resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .header(RequestActivity.DEFAULT_SESSION_HEADER, "metrics-test")
                .POST(HttpRequest.BodyPublishers.ofString(DemoProxyTest.chat(model, false, 3)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(chat.statusCode()).isEqualTo(200);

    HttpResponse<String> metrics =
        client.send(
            HttpRequest.newBuilder(proxy.localUri().resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(metrics.body())
        .containsPattern(
            "inflight_connections_ended_total\\{backend=\"[^\"]+\",reason=\"completed\"} 1.0")
        .containsPattern(
            "inflight_connection_duration_seconds_count\\{backend=\"[^\"]+\",type=\"non_streaming\"} 1")
        .contains("# TYPE inflight_bytes_total counter")
        .doesNotContain("metrics-test");
    assertThat(proxy.banner()).contains("/metrics");
  }

  private String firstModel() throws Exception {
    HttpResponse<String> models =
        client.send(
            HttpRequest.newBuilder(proxy.localUri().resolve("/v1/models")).build(),
            HttpResponse.BodyHandlers.ofString());
    String body = models.body();
    int id = body.indexOf("\"id\":\"") + 6;
    return body.substring(id, body.indexOf('"', id));
  }
}
