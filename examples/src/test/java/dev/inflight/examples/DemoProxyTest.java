package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.json.ActivityView;
import dev.inflight.activity.json.ConnectionView;
import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.GlobalActivityView;
import dev.inflight.activity.json.InstanceView;
import dev.inflight.activity.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo proxy started in-process on free ports, driven by a real HTTP client. */
class DemoProxyTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private DemoProxy proxy;
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    if (proxy != null) {
      proxy.close();
    }
  }

  /** Starts the demo with the built-in config on free ports, tracking as the flags say. */
  static DemoProxy startDemo(Path workDir, int tokenDelayMillis, int traffic, String... flags)
      throws Exception {
    DemoSetup setup =
        DemoSetup.resolve(List.of(flags), Map.of(), workDir)
            .with(0, traffic, tokenDelayMillis)
            .withoutSweeper();
    return DemoProxy.start(setup, Map.of());
  }

  static String chat(String model, boolean stream, int maxTokens) {
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"max_tokens\":"
        + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  HttpRequest post(String body, String session) {
    return HttpRequest.newBuilder(proxy.localUri().resolve("/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  static DiagnosticsDocument diagnostics(HttpClient client, DemoProxy proxy)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(proxy.localUri().resolve("/v1/diagnostics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return DiagnosticsJson.parseDiagnostics(r.body());
  }

  static InstanceView instance(DiagnosticsDocument doc, String name) {
    return doc.instances().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
  }

  /** Polls the diagnostics endpoint until the condition holds (bounded). */
  static DiagnosticsDocument awaitDiagnostics(
      HttpClient client, DemoProxy proxy, Predicate<DiagnosticsDocument> condition)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    DiagnosticsDocument doc = diagnostics(client, proxy);
    while (!condition.test(doc)) {
      assertThat(System.nanoTime())
          .as("condition not met in time; last document: %s", doc)
          .isLessThan(deadline);
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L); // bounded polling
      doc = diagnostics(client, proxy);
    }
    return doc;
  }

  static Optional<ConnectionView> row(DiagnosticsDocument doc, String backend, String session) {
    ActivityView a = instance(doc, backend).activity();
    return a == null
        ? Optional.empty()
        : a.connections().stream().filter(c -> c.sessionId().equals(session)).findFirst();
  }

  @Test
  void aStreamingCompletionIsShownLiveUnderItsBackendAndModelWithExactByteCounts()
      throws Exception {
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking");
    FakeBackend fake = proxy.fakeBackend();
    CountDownLatch held = new CountDownLatch(1);
    CompletableFuture<Long> backendSent = new CompletableFuture<>();
    fake.setStreamHook(
        (model, index) -> {
          if (index == 5) {
            held.countDown();
            release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          }
        });
    fake.setResponseListener((model, streaming, bytes) -> backendSent.complete(bytes));

    HttpResponse<InputStream> response =
        client.send(
            post(chat("claude-3-sonnet", true, 40), "session-stream-1"),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    CompletableFuture<byte[]> received =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = response.body()) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(held.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    // While the stream is held open: one row, under the right backend, with equal RX and TX
    // once the six chunks sent so far have been relayed.
    DiagnosticsDocument live =
        awaitDiagnostics(
            client,
            proxy,
            d ->
                row(d, "anthropic", "session-stream-1")
                    .filter(c -> c.bytesRx() > 0 && c.bytesRx() == c.bytesTx())
                    .isPresent());
    assertThat(live.activityTrackingEnabled()).isTrue();
    InstanceView anthropic = instance(live, "anthropic");
    assertThat(anthropic.connectorType()).isEqualTo("anthropic");
    assertThat(anthropic.models()).containsExactly("claude-3-sonnet", "claude-3-haiku");
    assertThat(anthropic.activity().activeConnections()).isEqualTo(1);
    ConnectionView c = row(live, "anthropic", "session-stream-1").orElseThrow();
    assertThat(c.connectionType()).isEqualTo("streaming");
    assertThat(c.model()).isEqualTo("claude-3-sonnet");
    assertThat(c.requests()).isEqualTo(1);
    assertThat(instance(live, "openai.1").activity().activeConnections()).isZero();
    GlobalActivityView g = live.globalActivity();
    assertThat(g.totalActiveConnections()).isEqualTo(1);
    assertThat(g.totalBytesRx()).isEqualTo(c.bytesRx());

    release.countDown();
    byte[] body = received.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    long sent = backendSent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(new String(body, StandardCharsets.UTF_8))
        .startsWith("data: {")
        .endsWith("data: [DONE]\n\n");
    assertThat(body.length).as("the proxy relays the stream unchanged").isEqualTo(sent);

    // After the end: the row is gone and its bytes are in the cumulative counters.
    DiagnosticsDocument after =
        awaitDiagnostics(
            client, proxy, d -> instance(d, "anthropic").activity().completedConnections() == 1);
    ActivityView a = instance(after, "anthropic").activity();
    assertThat(a.activeConnections()).isZero();
    assertThat(a.connections()).isEmpty();
    assertThat(a.cumulativeBytesRx()).as("bytes_rx = what the backend sent").isEqualTo(sent);
    assertThat(a.cumulativeBytesTx())
        .as("bytes_tx = what the client received")
        .isEqualTo(body.length);
    assertThat(instance(after, "openai.1").activity().cumulativeBytesRx()).isZero();
  }

  @Test
  void twoStreamsOfOneSessionOnOneBackendShareARow() throws Exception {
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking");
    CountDownLatch held = new CountDownLatch(2);
    proxy
        .fakeBackend()
        .setStreamHook(
            (model, index) -> {
              if (index == 2) {
                held.countDown();
                release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
              }
            });
    List<CompletableFuture<HttpResponse<String>>> responses =
        List.of(
            client.sendAsync(
                post(chat("gpt-4", true, 10), "shared-session"),
                HttpResponse.BodyHandlers.ofString()),
            client.sendAsync(
                post(chat("gpt-4o-mini", true, 10), "shared-session"),
                HttpResponse.BodyHandlers.ofString()));
    assertThat(held.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    DiagnosticsDocument live =
        awaitDiagnostics(
            client,
            proxy,
            d -> row(d, "openai.1", "shared-session").filter(c -> c.requests() == 2).isPresent());
    assertThat(instance(live, "openai.1").activity().activeConnections()).isEqualTo(1);

    release.countDown();
    long received = 0;
    for (CompletableFuture<HttpResponse<String>> r : responses) {
      received +=
          r.get(WAIT.toSeconds(), TimeUnit.SECONDS).body().getBytes(StandardCharsets.UTF_8).length;
    }
    long total = received;
    DiagnosticsDocument after =
        awaitDiagnostics(
            client, proxy, d -> instance(d, "openai.1").activity().completedConnections() == 1);
    ActivityView a = instance(after, "openai.1").activity();
    assertThat(a.connections()).isEmpty();
    assertThat(a.cumulativeBytesRx()).isEqualTo(total);
    assertThat(a.cumulativeBytesTx()).isEqualTo(total);
  }

  @Test
  void aPlainJsonCompletionIsCountedAsNonStreaming() throws Exception {
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking");
    CompletableFuture<Long> backendSent = new CompletableFuture<>();
    proxy
        .fakeBackend()
        .setResponseListener((model, streaming, bytes) -> backendSent.complete(bytes));

    HttpResponse<String> r =
        client.send(
            post(chat("gpt-4o", false, 30), "session-json-1"),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"object\":\"chat.completion\"")
        .contains("\"model\":\"gpt-4o\"");
    long sent = backendSent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    DiagnosticsDocument after =
        awaitDiagnostics(
            client, proxy, d -> instance(d, "openai.2").activity().completedConnections() == 1);
    ActivityView a = instance(after, "openai.2").activity();
    assertThat(a.cumulativeBytesRx()).isEqualTo(sent);
    assertThat(a.cumulativeBytesTx()).isEqualTo(r.body().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void anUnknownModelIsAnOpenAiStyleErrorAndLeavesNoRow() throws Exception {
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking");

    HttpResponse<String> r =
        client.send(post(chat("gpt-99", true, 5), "s"), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("\"type\":\"model_not_found\"").contains("gpt-99");
    DiagnosticsDocument d = diagnostics(client, proxy);
    assertThat(d.globalActivity().totalActiveConnections()).isZero();
    assertThat(d.instances())
        .allSatisfy(i -> assertThat(i.activity().completedConnections()).isZero());
  }

  @Test
  void withTrackingOffTheProxyWorksAndDiagnosticsSaySo() throws Exception {
    proxy = startDemo(dir, 0, 0);

    HttpResponse<String> r =
        client.send(post(chat("gpt-4", true, 5), "s"), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).endsWith("data: [DONE]\n\n");
    DiagnosticsDocument d = diagnostics(client, proxy);
    assertThat(d.activityTrackingEnabled()).isFalse();
    assertThat(d.globalActivity().enabled()).isFalse();
    assertThat(d.instances())
        .extracting(InstanceView::name)
        .contains("openai.1", "openai.2", "anthropic");
    assertThat(d.instances()).allSatisfy(i -> assertThat(i.activity()).isNull());
  }

  @Test
  void demoTrafficProducesRowsAndStopsOnClose() throws Exception {
    proxy = startDemo(dir, 2, 3, "--enable-activity-tracking");

    DiagnosticsDocument d =
        awaitDiagnostics(client, proxy, x -> x.globalActivity().completedConnections() >= 3);
    assertThat(d.globalActivity().cumulativeBytesRx()).isPositive();
    assertThat(d.globalActivity().cumulativeBytesTx()).isPositive();

    long start = System.nanoTime();
    proxy.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("demo-traffic-") && t.isAlive());
  }

  @Test
  void theActivityEndpointAnswersToo() throws Exception {
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking");

    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(proxy.localUri().resolve("/v1/diagnostics/activity")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(DiagnosticsJson.parseActivity(r.body()).enabled()).isTrue();
  }

  @Test
  void diagnosticsRefuseARequestThatCameThroughAnotherProxy() throws Exception {
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking");

    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(proxy.localUri().resolve("/v1/diagnostics"))
                .header("X-Forwarded-For", "203.0.113.7")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).doesNotContain("instances");
  }

  @Test
  void withADiagnosticsPortTheDiagnosticsAndTheLivePageMoveToALoopbackListener() throws Exception {
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking", "--diagnostics-port", "0");
    assertThat(proxy.diagnosticsPort()).isPositive().isNotEqualTo(proxy.port());
    assertThat(proxy.diagnosticsUri())
        .isEqualTo(URI.create("http://127.0.0.1:" + proxy.diagnosticsPort() + "/"));
    CountDownLatch held = new CountDownLatch(1);
    proxy
        .fakeBackend()
        .setStreamHook(
            (model, index) -> {
              if (index == 2) {
                held.countDown();
                release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
              }
            });
    CompletableFuture<HttpResponse<String>> stream =
        client.sendAsync(
            post(chat("gpt-4", true, 5), "session-on-the-side"),
            HttpResponse.BodyHandlers.ofString());
    assertThat(held.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    Await.until("the row is open", () -> proxy.tracker().activeConnections() == 1);

    List<String> paths =
        List.of(
            "/v1/diagnostics",
            "/v1/diagnostics/activity",
            "/v1/diagnostics/ui",
            "/v1/diagnostics/ui/app.js",
            "/v1/diagnostics/ui/app.css",
            "/v1/diagnostics/ui/icon.svg");
    for (String path : paths) {
      HttpResponse<String> onPublic =
          client.send(
              HttpRequest.newBuilder(proxy.localUri().resolve(path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(onPublic.statusCode()).as("public " + path).isEqualTo(404);
      assertThat(onPublic.body()).doesNotContain("session-on-the-side");
      HttpResponse<String> onItsOwn =
          client.send(
              HttpRequest.newBuilder(proxy.diagnosticsUri().resolve(path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(onItsOwn.statusCode()).as("diagnostics " + path).isEqualTo(200);
    }
    HttpResponse<String> doc =
        client.send(
            HttpRequest.newBuilder(proxy.diagnosticsUri().resolve("/v1/diagnostics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(row(DiagnosticsJson.parseDiagnostics(doc.body()), "openai.1", "session-on-the-side"))
        .isPresent();
    HttpResponse<String> metrics =
        client.send(
            HttpRequest.newBuilder(proxy.localUri().resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).as("metrics stay on the listen port").isEqualTo(200);
    assertThat(proxy.banner())
        .contains("diagnostics and live page on http://127.0.0.1:" + proxy.diagnosticsPort())
        .contains("Live page: http://localhost:" + proxy.diagnosticsPort() + "/v1/diagnostics/ui\n")
        .contains("bin/inspect-activity http://localhost:" + proxy.diagnosticsPort() + " --watch");

    release.countDown();
    assertThat(stream.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void theBannerTellsWhatToDoNext() throws Exception {
    proxy = startDemo(dir, 0, 2, "--enable-activity-tracking");
    String banner = proxy.banner();
    assertThat(banner)
        .contains("activity tracking: ON (command-line flag)")
        .contains("openai.1")
        .contains("built-in fake backend")
        .contains("demo traffic: 2 simulated sessions")
        .contains("bin/inspect-activity --watch")
        .contains("Live page: http://localhost:" + proxy.port() + "/v1/diagnostics/ui\n")
        .contains("curl http://localhost:" + proxy.port() + "/v1/diagnostics");
    URI base = proxy.localUri();
    assertThat(base.getHost()).isEqualTo("127.0.0.1");
  }

  private static EndCounts ended(DemoProxy proxy, String backend) {
    return proxy
        .tracker()
        .getBackendSnapshot(backend)
        .map(BackendSnapshot::ended)
        .orElse(EndCounts.empty());
  }

  @Test
  void anUnreachableBackendIsA502AndItsRequestEndsOnceAsErrored() throws Exception {
    int closedPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = free.getLocalPort();
    }
    Path config = dir.resolve("config").resolve("config.yaml");
    Files.createDirectories(config.getParent());
    Files.writeString(
        config,
        "backends:\n"
            + "  - name: gone\n"
            + "    connector_type: openai\n"
            + "    url: http://127.0.0.1:"
            + closedPort
            + "/v1\n"
            + "    models: [gpt-4]\n");
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking");

    HttpResponse<String> r =
        client.send(
            post(chat("gpt-4", true, 5), "session-gone"), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("backend gone is unreachable").contains("server_error");
    Await.until("the filter ended the request", () -> ended(proxy, "gone").total() == 1);
    assertThat(ended(proxy, "gone")).isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(proxy.tracker().activeConnections()).isZero();
  }

  @Test
  void aBackendThatBreaksOffMidStreamEndsTheRequestOnceAsErrored() throws Exception {
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking");
    proxy
        .fakeBackend()
        .setStreamHook(
            (model, index) -> {
              if (index == 3) {
                throw new IllegalStateException("the fake backend breaks off on purpose");
              }
            });

    CompletableFuture<HttpResponse<String>> r =
        client.sendAsync(
            post(chat("gpt-4", true, 50), "session-broken"), HttpResponse.BodyHandlers.ofString());

    Await.until("the filter ended the request", () -> ended(proxy, "openai.1").total() == 1);
    assertThat(ended(proxy, "openai.1")).isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(r)
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IOException.class); // the client sees the stream cut, not a clean end
  }

  @Test
  void aClientThatLeavesMidStreamEndsTheRequestOnceAsClientAborted() throws Exception {
    proxy = startDemo(dir, 0, 0, "--enable-activity-tracking");
    CountDownLatch held = new CountDownLatch(1);
    proxy
        .fakeBackend()
        .setStreamHook(
            (model, index) -> {
              if (index == 2) {
                held.countDown();
                release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
              }
            });
    byte[] body = chat("gpt-4", true, 200).getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\n"
                  + RequestActivity.DEFAULT_SESSION_HEADER
                  + ": session-leaving\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      assertThat(socket.getInputStream().read()).as("the response has started").isPositive();
      Await.await(held);
      socket.setSoLinger(true, 0); // the client vanishes: a reset, not an orderly close
    }
    release.countDown();

    Await.until("the filter ended the request", () -> ended(proxy, "openai.1").total() == 1);
    assertThat(ended(proxy, "openai.1")).isEqualTo(new EndCounts(0, 1, 0, 0));
  }
}
