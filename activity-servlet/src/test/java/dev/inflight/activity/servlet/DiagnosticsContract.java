package dev.inflight.activity.servlet;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.testing.Await;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The diagnostics servlet on a real container: the seed's document, access rules, methods, paths.
 */
abstract class DiagnosticsContract extends ContainerContract {

  @Test
  void diagnosticsFromLoopbackShowTheOpenRowWithTheSeedsKeys() throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.getOutputStream().write(bytes(321, 1));
              res.flushBuffer();
              attached.countDown();
              Await.await(release);
            }));
    CompletableFuture<HttpResponse<byte[]>> held =
        CLIENT.sendAsync(get("/held", "s-held"), BodyHandlers.ofByteArray());
    try {
      Await.await(attached);
      Await.until("bytes counted", () -> rowTx("s-held") == 321);

      HttpResponse<String> r =
          CLIENT.send(get("/v1/diagnostics", "poller"), BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertJsonHeaders(r);
      JsonNode doc = MAPPER.readTree(r.body());
      assertThat(fields(doc))
          .contains("timestamp", "activity_tracking_enabled", "instances", "global_activity");
      assertThat(doc.get("timestamp").isNumber()).isTrue();
      assertThat(doc.get("activity_tracking_enabled").asBoolean()).isTrue();
      JsonNode instance = doc.get("instances").get(0);
      assertThat(fields(instance))
          .contains(
              "name",
              "connector_type",
              "is_rate_limited",
              "is_functional",
              "validation_errors",
              "models",
              "activity");
      assertThat(instance.get("name").asText()).isEqualTo(BACKEND);
      assertThat(instance.get("connector_type").asText()).isEqualTo("openai");
      JsonNode activity = instance.get("activity");
      assertThat(fields(activity))
          .contains("active_connections", "connections", "total_bytes_rx", "total_bytes_tx");
      assertThat(activity.get("active_connections").asInt()).isEqualTo(1);
      JsonNode row = activity.get("connections").get(0);
      assertThat(fields(row))
          .contains(
              "session_id",
              "connection_type",
              "started_at",
              "duration_seconds",
              "model",
              "bytes_rx",
              "bytes_tx");
      assertThat(row.get("session_id").asText()).isEqualTo("s-held");
      assertThat(row.get("connection_type").asText()).isEqualTo("streaming");
      assertThat(row.get("model").asText()).isEqualTo(MODEL);
      assertThat(row.get("started_at").isNumber()).isTrue();
      assertThat(row.get("bytes_tx").asLong()).isEqualTo(321);
      assertThat(row.get("bytes_rx").asLong()).isZero();
      JsonNode global = doc.get("global_activity");
      assertThat(fields(global))
          .contains("total_active_connections", "total_bytes_rx", "total_bytes_tx", "enabled");
      assertThat(global.get("total_active_connections").asInt()).isEqualTo(1);
      assertThat(global.get("total_bytes_tx").asLong()).isEqualTo(321);

      HttpResponse<String> light =
          CLIENT.send(get("/v1/diagnostics/activity", "poller"), BodyHandlers.ofString());
      assertThat(light.statusCode()).isEqualTo(200);
      assertJsonHeaders(light);
      JsonNode summary = MAPPER.readTree(light.body());
      assertThat(fields(summary))
          .contains("total_active_connections", "total_bytes_rx", "total_bytes_tx", "enabled");
      assertThat(summary.get("total_active_connections").asInt()).isEqualTo(1);
      assertThat(summary.get("total_bytes_tx").asLong()).isEqualTo(321);
    } finally {
      release.countDown();
    }
    assertThat(held.get(10, SECONDS).body()).hasSize(321);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "X-Forwarded-For: 127.0.0.1",
        "Forwarded: for=127.0.0.1",
        "X-Real-IP: 127.0.0.1",
        "Host: evil.example.com",
        "Host: 127.0.0.1.nip.io",
        "Origin: http://evil.example.com"
      })
  void diagnosticsRefuseProxiedAndForeignRequests(String header) throws Exception {
    deploy(servlet((req, res) -> res.setStatus(204)));
    String[] h = header.split(": ", 2);

    for (String path : List.of("/v1/diagnostics", "/v1/diagnostics/activity")) {
      HttpRequest request = HttpRequest.newBuilder(uri(path)).header(h[0], h[1]).build();
      HttpResponse<String> r = CLIENT.send(request, BodyHandlers.ofString());
      assertThat(r.statusCode()).as(header + " " + path).isEqualTo(403);
      assertJsonHeaders(r);
      assertThat(MAPPER.readTree(r.body()).has("error")).isTrue();
      assertThat(r.body()).doesNotContain("Exception", "backend-a");
    }
  }

  @Test
  void diagnosticsAnswerOnlyGetAndHead() throws Exception {
    deploy(servlet((req, res) -> res.setStatus(204)));

    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      HttpRequest request =
          HttpRequest.newBuilder(uri("/v1/diagnostics"))
              .method(method, HttpRequest.BodyPublishers.ofString("{}"))
              .build();
      // a client of its own for each: the container may close a connection whose request body
      // went unread, and a shared client could pick that connection for its next request
      HttpResponse<String> r =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .build()
              .send(request, BodyHandlers.ofString());
      assertThat(r.statusCode()).as(method).isEqualTo(405);
      assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
      assertJsonHeaders(r);
    }
    HttpRequest head =
        HttpRequest.newBuilder(uri("/v1/diagnostics/activity"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> r = CLIENT.send(head, BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertJsonHeaders(r);
    assertThat(r.headers().firstValueAsLong("content-length").orElse(0)).isPositive();
    assertThat(r.body()).isEmpty();
  }

  @Test
  void diagnosticsWithTrackingOffSayItIsOff() throws Exception {
    deploy(
        List.of(),
        List.of(new ServletMount(diagnostics(ActivityTracker.disabled()), "/v1/diagnostics/*")));

    JsonNode doc =
        MAPPER.readTree(CLIENT.send(get("/v1/diagnostics", "p"), BodyHandlers.ofString()).body());
    assertThat(doc.get("activity_tracking_enabled").asBoolean(true)).isFalse();
    assertThat(doc.get("global_activity").get("enabled").asBoolean(true)).isFalse();
    assertThat(doc.get("instances").get(0).get("activity").isNull()).isTrue();
    JsonNode summary =
        MAPPER.readTree(
            CLIENT.send(get("/v1/diagnostics/activity", "p"), BodyHandlers.ofString()).body());
    assertThat(summary.get("enabled").asBoolean(true)).isFalse();
    assertThat(summary.get("total_active_connections").asInt()).isZero();
  }

  @Test
  void diagnosticsWorkOnExactPathsAndUnderAPrefix() throws Exception {
    deploy(
        List.of(),
        List.of(
            new ServletMount(diagnostics(tracker), "/v1/diagnostics"),
            new ServletMount(diagnostics(tracker), "/v1/diagnostics/activity"),
            new ServletMount(diagnostics(tracker), "/admin/*")));

    for (String prefix : List.of("", "/admin")) {
      HttpResponse<String> full =
          CLIENT.send(get(prefix + "/v1/diagnostics", "p"), BodyHandlers.ofString());
      assertThat(full.statusCode()).isEqualTo(200);
      assertThat(MAPPER.readTree(full.body()).has("instances")).isTrue();
      HttpResponse<String> light =
          CLIENT.send(get(prefix + "/v1/diagnostics/activity", "p"), BodyHandlers.ofString());
      assertThat(light.statusCode()).isEqualTo(200);
      assertThat(MAPPER.readTree(light.body()).has("instances")).isFalse();
      assertThat(MAPPER.readTree(light.body()).has("total_active_connections")).isTrue();
    }
    HttpResponse<String> other = CLIENT.send(get("/admin/v1/other", "p"), BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(404);
    assertJsonHeaders(other);
  }

  static void assertJsonHeaders(HttpResponse<?> r) {
    assertThat(
            r.headers()
                .firstValue("content-type")
                .orElseThrow()
                .replace(" ", "")
                .toLowerCase(Locale.ROOT))
        .isEqualTo("application/json;charset=utf-8");
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(r.headers().map().keySet())
        .noneMatch(k -> k.toLowerCase(Locale.ROOT).startsWith("access-control-"));
  }

  static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
