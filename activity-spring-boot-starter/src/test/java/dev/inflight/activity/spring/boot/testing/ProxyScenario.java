package dev.inflight.activity.spring.boot.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.GlobalSnapshot;
import dev.inflight.activity.json.ConnectionView;
import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.InstanceView;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The proxy scenario, run on every container and Boot version the starter supports: a proxy
 * application ({@link ProxyApplication} for servlet containers, a WebFlux twin for Reactor Netty)
 * with the starter enabled by a command-line property, on a random port on 127.0.0.1, relaying a
 * fake streaming backend's SSE to a real HTTP client. Subclasses name the container they expect
 * Boot to have picked from their class path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ProxyScenario {

  /** The client every test talks to the proxy with. */
  protected static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static ConfigurableApplicationContext context;
  private static int port;

  /**
   * The application to start.
   *
   * @return its configuration class; {@link ProxyApplication} unless overridden
   */
  protected Class<?> application() {
    return ProxyApplication.class;
  }

  /**
   * The name of the tracking filter's bean.
   *
   * @return {@code inflightActivityFilter} (the servlet filter's registration) unless overridden
   */
  protected String filterBean() {
    return "inflightActivityFilter";
  }

  /** Starts the proxy application. */
  @BeforeAll
  void startProxy() {
    context =
        SpringApplication.run(
            application(),
            "--server.port=0",
            "--server.address=127.0.0.1",
            "--spring.main.banner-mode=off",
            "--inflight.activity.enabled=true",
            "--management.endpoints.web.exposure.include=activity,prometheus");
    port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
  }

  /** Stops it. */
  @AfterAll
  void stopProxy() {
    if (context != null) {
      context.close();
    }
  }

  /**
   * The container Boot is expected to have started, as the start of its web server class name.
   *
   * @return e.g. {@code Tomcat}
   */
  protected abstract String expectedWebServer();

  @Test
  void bootPickedTheExpectedContainerAndMountedTheFilter() throws Exception {
    // by reflection: the interface moved between Boot 3.5 and 4.0
    Object server = context.getClass().getMethod("getWebServer").invoke(context);
    assertThat(server.getClass().getSimpleName()).startsWith(expectedWebServer());
    assertThat(tracker().isEnabled()).isTrue();
    assertThat(context.containsBean(filterBean())).isTrue();
  }

  @Test
  void streamedAnswerShowsAGrowingRowWithExactRxAndTx() throws Exception {
    Reply reply = Reply.sse(events(6, 64)).holdAfter(2);
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      HttpResponse<InputStream> r =
          CLIENT.send(chat(backend, "s-stream"), BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
      InputStream in = r.body();
      byte[] first = in.readNBytes((int) reply.bytes(2));
      assertThat(first).hasSize((int) reply.bytes(2));
      backend.awaitPartsSent(2);

      // mid-stream: one row, attached by the RestClient interceptor, with what went through so far
      ConnectionSnapshot row =
          awaitRow(
              backend,
              "s-stream",
              c -> c.bytesRx() == reply.bytes(2) && c.bytesTx() == reply.bytes(2));
      assertThat(row.type()).isEqualTo(ConnectionType.STREAMING);
      assertThat(row.requests()).isEqualTo(1);
      assertThat(reply.bytes(2)).isLessThan(reply.length());
      // the diagnostics document shows the same row, over HTTP
      ConnectionView shown = documentRow(backend, "s-stream");
      assertThat(shown.bytesRx()).isEqualTo(reply.bytes(2));
      assertThat(shown.bytesTx()).isEqualTo(reply.bytes(2));
      assertThat(shown.connectionType()).isEqualTo("streaming");

      backend.release();
      long received = (long) first.length + in.readAllBytes().length;
      assertThat(received).isEqualTo(reply.length());

      EndedConnection ended = awaitEnded(backend, "s-stream");
      assertThat(ended.reason()).isEqualTo(EndReason.COMPLETED);
      assertThat(ended.bytesRx()).isEqualTo(backend.bodyBytesSent()).isEqualTo(reply.length());
      assertThat(ended.bytesTx()).isEqualTo(received);
      assertThat(backendSnapshotEnded(backend)).isEqualTo(new EndCounts(1, 0, 0, 0));
    }
  }

  @Test
  void clientAbortEndsTheRowOnceAsClientAborted() throws Exception {
    Reply reply = Reply.sse(events(200, 1024)).holdAfter(1);
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      HttpResponse<InputStream> r =
          CLIENT.send(chat(backend, "s-abort"), BodyHandlers.ofInputStream());
      InputStream in = r.body();
      assertThat(in.readNBytes((int) reply.bytes(1))).hasSize((int) reply.bytes(1));
      awaitRow(backend, "s-abort", c -> c.bytesTx() == reply.bytes(1));
      in.close(); // the client goes away mid-stream
      backend.release();

      EndedConnection ended = awaitEnded(backend, "s-abort");
      assertThat(ended.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
      assertThat(ended.bytesRx()).isLessThanOrEqualTo(backend.bodyBytesSent());
      assertThat(ended.bytesTx()).isGreaterThanOrEqualTo(reply.bytes(1));
      assertThat(backendSnapshotEnded(backend)).isEqualTo(new EndCounts(0, 1, 0, 0));
      assertThat(
              tracker().recentlyEnded().stream()
                  .filter(e -> e.backend().equals(backendName(backend)))
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void requestsOfOneSessionJoinOneRow() throws Exception {
    Reply reply = Reply.sse(events(4, 100)).holdAfter(1);
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      CompletableFuture<HttpResponse<InputStream>> a =
          CLIENT.sendAsync(chat(backend, "s-joined"), BodyHandlers.ofInputStream());
      CompletableFuture<HttpResponse<InputStream>> b =
          CLIENT.sendAsync(chat(backend, "s-joined"), BodyHandlers.ofInputStream());
      InputStream inA = a.get().body();
      InputStream inB = b.get().body();
      long firstA = inA.readNBytes((int) reply.bytes(1)).length;
      long firstB = inB.readNBytes((int) reply.bytes(1)).length;
      backend.awaitPartsSent(2);

      ConnectionSnapshot row =
          awaitRow(
              backend,
              "s-joined",
              c ->
                  c.requests() == 2
                      && c.bytesRx() == 2 * reply.bytes(1)
                      && c.bytesTx() == 2 * reply.bytes(1));
      assertThat(snapshot().backend(backendName(backend)).orElseThrow().connections())
          .extracting(ConnectionSnapshot::sessionId)
          .containsExactly(row.sessionId());
      assertThat(documentRow(backend, "s-joined").requests()).isEqualTo(2);

      backend.release();
      long received = firstA + firstB + inA.readAllBytes().length + inB.readAllBytes().length;
      assertThat(received).isEqualTo(2 * reply.length());

      EndedConnection ended = awaitEnded(backend, "s-joined");
      assertThat(ended.requests()).isEqualTo(2);
      assertThat(ended.bytesRx()).isEqualTo(backend.bodyBytesSent()).isEqualTo(2 * reply.length());
      assertThat(ended.bytesTx()).isEqualTo(received);
      assertThat(backendSnapshotEnded(backend)).isEqualTo(new EndCounts(1, 0, 0, 0));
    }
  }

  @Test
  void underLoadWithRandomAbortsEveryRowEndsOnce() throws Exception {
    int requests = 100;
    Reply reply = Reply.sse(events(20, 512));
    java.util.Random random = new java.util.Random(16);
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      java.util.concurrent.ExecutorService clients =
          java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        List<java.util.concurrent.Future<Long>> received = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          boolean abort = random.nextInt(4) == 0;
          String session = "s-load-" + i;
          received.add(
              clients.submit(
                  () -> {
                    HttpResponse<InputStream> r =
                        CLIENT.send(chat(backend, session), BodyHandlers.ofInputStream());
                    try (InputStream in = r.body()) {
                      return abort
                          ? (long) in.readNBytes((int) reply.bytes(1)).length
                          : (long) in.readAllBytes().length;
                    }
                  }));
        }
        for (java.util.concurrent.Future<Long> f : received) {
          assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS)).isPositive();
        }
      } finally {
        clients.shutdownNow();
      }
      String name = backendName(backend);
      Await.until(
          "every row ended",
          () -> {
            EndCounts e = backendSnapshotEnded(backend);
            return e.completed() + e.clientAborted() == requests;
          });
      EndCounts ended = backendSnapshotEnded(backend);
      assertThat(ended.errored()).isZero();
      assertThat(ended.evicted()).isZero();
      assertThat(snapshot().backend(name).orElseThrow().connections()).isEmpty();
      List<EndedConnection> rows =
          tracker().recentlyEnded().stream().filter(e -> e.backend().equals(name)).toList();
      assertThat(rows).hasSize(requests);
      assertThat(rows)
          .filteredOn(e -> e.reason() == EndReason.COMPLETED)
          .allSatisfy(
              e -> {
                assertThat(e.bytesRx()).isEqualTo(reply.length());
                assertThat(e.bytesTx()).isEqualTo(reply.length());
              });
    }
  }

  @Test
  void aFailingRequestEndsErroredOnceThroughTheErrorDispatch() throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/v1/fail"))
                .header("X-Session-Id", "s-fail")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(500);
    Await.until(
        "the failed row ended",
        () ->
            snapshot().backend("failing.backend").map(b -> b.ended().errored() == 1).orElse(false));
    assertThat(snapshot().backend("failing.backend").orElseThrow().ended())
        .isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(snapshot().backend("failing.backend").orElseThrow().connections()).isEmpty();
  }

  @Test
  void actuatorEndpointAndPrometheusShowTheNumbers() throws Exception {
    Reply reply = Reply.sse(events(3, 50));
    try (StreamingBackend backend = StreamingBackend.start(body -> reply)) {
      HttpResponse<byte[]> r = CLIENT.send(chat(backend, "s-metrics"), BodyHandlers.ofByteArray());
      assertThat(r.body()).hasSize((int) reply.length());
      EndedConnection ended = awaitEnded(backend, "s-metrics");

      HttpResponse<String> actuator = get("/actuator/activity", Map.of());
      assertThat(actuator.statusCode()).isEqualTo(200);
      // the same document as /v1/diagnostics: it parses as one, numbers written the same way
      DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(actuator.body());
      assertThat(doc.activityTrackingEnabled()).isTrue();
      InstanceView instance = instance(doc, backend).orElseThrow();
      assertThat(instance.activity().cumulativeBytesRx()).isEqualTo(ended.bytesRx());
      assertThat(instance.activity().cumulativeBytesTx()).isEqualTo(ended.bytesTx());
      assertThat(actuator.body()).containsPattern("\"timestamp\":\\d+\\.\\d+[,}]");
      String diagnostics = get("/v1/diagnostics", Map.of()).body();
      // plus, last, the note that session ids are hidden (Actuator's default)
      List<String> keys = new ArrayList<>(topLevelKeys(diagnostics));
      keys.add("session_ids");
      assertThat(topLevelKeys(actuator.body())).isEqualTo(keys);
      assertThat(actuator.body()).doesNotContain("s-metrics");

      HttpResponse<String> prometheus = get("/actuator/prometheus", Map.of());
      assertThat(prometheus.statusCode()).isEqualTo(200);
      String name = backendName(backend);
      assertThat(sample(prometheus.body(), "inflight_bytes_total", name, "direction=\"rx\""))
          .isEqualTo((double) reply.length());
      assertThat(sample(prometheus.body(), "inflight_bytes_total", name, "direction=\"tx\""))
          .isEqualTo((double) reply.length());
      assertThat(
              sample(
                  prometheus.body(),
                  "inflight_connections_ended_total",
                  name,
                  "reason=\"completed\""))
          .isEqualTo(1.0);
    }
  }

  @Test
  void diagnosticsRefuseForwardedRequestsAndForeignHosts() throws Exception {
    assertThat(get("/v1/diagnostics", Map.of()).statusCode()).isEqualTo(200);
    assertThat(get("/v1/diagnostics/activity", Map.of()).body()).contains("\"enabled\":true");
    assertThat(get("/v1/diagnostics", Map.of("X-Forwarded-For", "203.0.113.9")).statusCode())
        .isEqualTo(403);
    assertThat(get("/v1/diagnostics", Map.of("Forwarded", "for=203.0.113.9")).statusCode())
        .isEqualTo(403);
    assertThat(get("/v1/diagnostics/activity", Map.of("X-Real-IP", "203.0.113.9")).statusCode())
        .isEqualTo(403);
    HttpResponse<String> rebinding = get("/v1/diagnostics", Map.of("Host", "evil.example"));
    assertThat(rebinding.statusCode()).isEqualTo(403);
    assertThat(rebinding.body()).doesNotContain("instances");
    HttpResponse<String> post =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/v1/diagnostics"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  // --- helpers

  /**
   * The running application.
   *
   * @return its context
   */
  protected static ConfigurableApplicationContext context() {
    return context;
  }

  /**
   * The application's tracker bean.
   *
   * @return it
   */
  protected static ActivityTracker tracker() {
    return context.getBean(ActivityTracker.class);
  }

  /**
   * The proxy's URI for a path.
   *
   * @param path the path
   * @return the URI on 127.0.0.1 and the random port
   */
  protected static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /**
   * A GET with extra headers.
   *
   * @param path the path
   * @param headers the headers
   * @return the response
   * @throws IOException on I/O failure
   * @throws InterruptedException if interrupted
   */
  protected static HttpResponse<String> get(String path, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
    headers.forEach(b::header);
    return CLIENT.send(b.build(), BodyHandlers.ofString());
  }

  /**
   * A chat completion request through the proxy to a backend.
   *
   * @param backend the backend
   * @param session the session id
   * @return the request
   */
  protected static HttpRequest chat(StreamingBackend backend, String session) {
    return HttpRequest.newBuilder(uri("/v1/chat/completions"))
        .header("X-Backend-Url", backend.baseUrl())
        .header("X-Session-Id", session)
        .header("Accept", "text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-test\",\"stream\":true}"))
        .build();
  }

  /**
   * SSE events of about a given size.
   *
   * @param count how many
   * @param size the payload length of each
   * @return the events
   */
  protected static List<String> events(int count, int size) {
    List<String> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add("data: {\"i\":" + i + ",\"c\":\"" + "x".repeat(size) + "\"}\n\n");
    }
    return events;
  }

  /**
   * The backend name the interceptor attaches: the target's host and port.
   *
   * @param backend the backend
   * @return its name
   */
  protected static String backendName(StreamingBackend backend) {
    return "127.0.0.1:" + backend.port();
  }

  private static GlobalSnapshot snapshot() {
    return tracker().getGlobalSnapshot();
  }

  private static ConnectionSnapshot awaitRow(
      StreamingBackend backend, String session, Predicate<ConnectionSnapshot> condition) {
    ConnectionSnapshot[] found = new ConnectionSnapshot[1];
    Await.until(
        "a row of session " + session + " as expected",
        () -> {
          found[0] =
              snapshot().backend(backendName(backend)).stream()
                  .flatMap(s -> s.connections().stream())
                  .filter(c -> c.sessionId().equals(session))
                  .filter(condition)
                  .findFirst()
                  .orElse(null);
          return found[0] != null;
        });
    return found[0];
  }

  private static EndedConnection awaitEnded(StreamingBackend backend, String session) {
    EndedConnection[] found = new EndedConnection[1];
    Await.until(
        "the row of session " + session + " ended",
        () -> {
          found[0] =
              tracker().recentlyEnded().stream()
                  .filter(e -> e.backend().equals(backendName(backend)))
                  .filter(e -> e.sessionId().equals(session))
                  .findFirst()
                  .orElse(null);
          return found[0] != null;
        });
    return found[0];
  }

  private static EndCounts backendSnapshotEnded(StreamingBackend backend) {
    return snapshot().backend(backendName(backend)).orElseThrow().ended();
  }

  private static Optional<InstanceView> instance(
      DiagnosticsDocument doc, StreamingBackend backend) {
    return doc.instances().stream().filter(i -> i.name().equals(backendName(backend))).findFirst();
  }

  private static ConnectionView documentRow(StreamingBackend backend, String session)
      throws IOException, InterruptedException {
    HttpResponse<String> r = get("/v1/diagnostics", Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    DiagnosticsDocument doc = DiagnosticsJson.parseDiagnostics(r.body());
    return instance(doc, backend).orElseThrow().activity().connections().stream()
        .filter(c -> c.sessionId().equals(session))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> topLevelKeys(String json) throws IOException {
    var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    List<String> keys = new ArrayList<>();
    tree.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private static double sample(String text, String metric, String backend, String label) {
    Pattern line = Pattern.compile("^" + metric + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(text);
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("backend=\"" + backend + "\"") && labels.contains(label)) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError(
        "no " + metric + " sample for " + backend + " " + label + " in\n" + text);
  }
}
