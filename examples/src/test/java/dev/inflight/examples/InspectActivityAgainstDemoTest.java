package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.cli.InspectActivity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect-activity} against a live demo proxy holding one stream open. */
class InspectActivityAgainstDemoTest {

  @TempDir Path dir;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final CountDownLatch release = new CountDownLatch(1);
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private DemoProxy proxy;
  private CompletableFuture<byte[]> received;

  @BeforeEach
  void holdAStreamOpen() throws Exception {
    proxy = DemoProxyTest.startDemo(dir, 0, 0, "--enable-activity-tracking");
    CountDownLatch held = new CountDownLatch(1);
    proxy
        .fakeBackend()
        .setStreamHook(
            (model, index) -> {
              if (index == 3) {
                held.countDown();
                release.await(10, TimeUnit.SECONDS);
              }
            });
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(proxy.localUri().resolve("/v1/chat/completions"))
                .header(RequestActivity.DEFAULT_SESSION_HEADER, "cli-session-0123456789")
                .POST(HttpRequest.BodyPublishers.ofString(DemoProxyTest.chat("gpt-4", true, 20)))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    received =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = response.body()) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    // bytes stop moving once the four chunks are relayed
    DemoProxyTest.awaitDiagnostics(
        client,
        proxy,
        d ->
            DemoProxyTest.row(d, "openai.1", "cli-session-0123456789")
                .filter(c -> c.bytesRx() > 0 && c.bytesRx() == c.bytesTx())
                .isPresent());
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    received.get(10, TimeUnit.SECONDS);
    proxy.close();
  }

  private int run(String... args) {
    return InspectActivity.execute(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void oneShotTableShowsTheHeldStream() {
    assertThat(run(proxy.localUri().toString())).isZero();

    assertThat(err.size()).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Active Connections: 1  |  Total RX: ")
        .containsPattern(
            "│ openai\\.1 │ cli-sessio\\.\\.\\. │ streaming │ gpt-4 +│ +\\d+\\.\\ds │ +[\\d.]+ (B|KB) │ +[\\d.]+ (B|KB) │");
  }

  @Test
  void rawIsTheEndpointsJson() throws Exception {
    assertThat(run("--raw", proxy.localUri().toString())).isZero();
    String endpoint =
        client
            .send(
                HttpRequest.newBuilder(proxy.localUri().resolve("/v1/diagnostics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();

    // The two reads are moments apart: only the clock-derived fields may differ.
    assertThat(withoutClockFields(out.toString(StandardCharsets.UTF_8)))
        .isEqualTo(withoutClockFields(endpoint));
  }

  private static JsonNode withoutClockFields(String json) throws IOException {
    JsonNode doc = new ObjectMapper().readTree(json);
    ((ObjectNode) doc).remove("timestamp");
    for (JsonNode instance : doc.path("instances")) {
      for (JsonNode c : instance.path("activity").path("connections")) {
        ((ObjectNode) c).remove("duration_seconds");
        ((ObjectNode) c).remove("idle_seconds");
        ((ObjectNode) c).remove("backend_idle_seconds");
      }
    }
    return doc;
  }
}
