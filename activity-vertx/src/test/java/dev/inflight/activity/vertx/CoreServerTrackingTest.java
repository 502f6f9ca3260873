package dev.inflight.activity.vertx;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.SseEvents;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.vertx.testing.VertxServer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link VertxActivity#track} on a core-only Vert.x server (a plain request handler, no router):
 * exact TX, TX live mid-stream, each request ending once, the application's own response handlers
 * left to it, HEAD, and nothing done when tracking is off.
 */
class CoreServerTrackingTest {

  static final String BACKEND = "core-backend";
  static final String JSON = "{\"id\":\"cmpl-1\",\"choices\":[{\"text\":\"hello\"}]}";
  static final Duration WAIT = Duration.ofSeconds(10);
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(s -> s.endedListener(ended::add));

  /** Open SSE responses, for the test to write to. */
  final BlockingQueue<HttpServerResponse> streams = new LinkedBlockingQueue<>();

  /** Set by the application's own end and close handlers, which tracking must leave alone. */
  final CountDownLatch applicationEndHandler = new CountDownLatch(1);

  final CountDownLatch applicationCloseHandler = new CountDownLatch(1);

  final AtomicReference<RequestActivity> lastActivity = new AtomicReference<>();

  ActivityTracker tracker;
  ExecutorService workers;
  Vertx vertx;
  HttpServer server;

  @BeforeEach
  void setUp() {
    tracker = fixture.tracker();
    workers = Executors.newCachedThreadPool();
    vertx = Vertx.vertx();
    Handler<HttpServerRequest> application =
        request -> {
          RequestActivity activity = VertxActivity.track(tracker, request);
          lastActivity.set(activity);
          HttpServerResponse response = request.response();
          if (request.path().equals("/json")) {
            activity.attach(BACKEND, null, ConnectionType.NON_STREAMING);
            response.endHandler(v -> applicationEndHandler.countDown());
            response.putHeader("Content-Type", "application/json").end(JSON);
          } else {
            activity.attach(BACKEND, "m", ConnectionType.STREAMING);
            response.closeHandler(v -> applicationCloseHandler.countDown());
            response.setChunked(true).putHeader("Content-Type", "text/event-stream");
            streams.add(response);
          }
        };
    server =
        VertxServer.await(
            vertx.createHttpServer().requestHandler(application).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void tearDown() {
    VertxServer.await(vertx.close());
    workers.shutdownNow();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + path);
  }

  HttpRequest request(String path, String session) {
    return HttpRequest.newBuilder(uri(path))
        .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
        .timeout(WAIT)
        .build();
  }

  EndedConnection endedRow(String session) {
    Await.until(
        "the row of " + session + " ended",
        () -> ended.stream().anyMatch(e -> e.sessionId().equals(session)));
    List<EndedConnection> rows = ended.stream().filter(e -> e.sessionId().equals(session)).toList();
    assertThat(rows).as("rows of " + session).hasSize(1);
    return rows.get(0);
  }

  Optional<ConnectionSnapshot> row(String session) {
    return tracker.getBackendSnapshot(BACKEND).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(session))
        .findFirst();
  }

  HttpServerResponse nextStream() throws InterruptedException {
    HttpServerResponse response = streams.poll(WAIT.toSeconds(), SECONDS);
    assertThat(response).as("the server got the request").isNotNull();
    return response;
  }

  byte[] readEvent(InputStream in) throws Exception {
    return SseEvents.readEvent(workers, in, WAIT);
  }

  @Test
  void aPlainAnswerIsCountedExactlyAndTheApplicationKeepsItsEndHandler() throws Exception {
    HttpResponse<String> r = CLIENT.send(request("/json", "c-json"), BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo(JSON);
    EndedConnection row = endedRow("c-json");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesTx()).isEqualTo(JSON.length());
    assertThat(applicationEndHandler.await(WAIT.toSeconds(), SECONDS)).isTrue();
  }

  @Test
  void aStreamShowsTxLiveAndExactAtTheEnd() throws Exception {
    CompletableFuture<HttpResponse<InputStream>> opening =
        CLIENT.sendAsync(request("/sse", "c-sse"), BodyHandlers.ofInputStream());
    HttpServerResponse stream = nextStream();
    VertxServer.await(stream.write("data: one\n\n")); // the head goes out with it
    HttpResponse<InputStream> r = opening.get(WAIT.toSeconds(), SECONDS);
    try (InputStream in = r.body()) {
      assertThat(new String(readEvent(in), UTF_8)).isEqualTo("data: one\n\n");
      Await.until(
          "TX shows the first event", () -> row("c-sse").map(c -> c.bytesTx() == 11).orElse(false));
      assertThat(ended).isEmpty();
      VertxServer.await(stream.end("data: two\n\n"));
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("data: two\n\n");
    }
    EndedConnection row = endedRow("c-sse");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesTx()).isEqualTo(22);
  }

  @Test
  void aClientThatLeavesEndsTheRowOnceAndTheApplicationKeepsItsCloseHandler() throws Exception {
    CompletableFuture<HttpResponse<InputStream>> opening =
        CLIENT.sendAsync(request("/sse", "c-gone"), BodyHandlers.ofInputStream());
    HttpServerResponse stream = nextStream();
    VertxServer.await(stream.write("data: one\n\n")); // the head goes out with it
    HttpResponse<InputStream> r = opening.get(WAIT.toSeconds(), SECONDS);
    InputStream in = r.body();
    assertThat(readEvent(in)).hasSize(11);
    in.close();
    EndedConnection row = endedRow("c-gone");
    assertThat(row.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(row.bytesTx()).isEqualTo(11);
    assertThat(applicationCloseHandler.await(WAIT.toSeconds(), SECONDS)).isTrue();
  }

  @Test
  void theBodyOfAHeadRequestIsNotCounted() throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/json"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header(RequestActivity.DEFAULT_SESSION_HEADER, "c-head")
                .timeout(WAIT)
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    EndedConnection row = endedRow("c-head");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesTx()).isZero();
  }

  @Test
  void withTrackingOffNothingIsTracked() throws Exception {
    tracker.close();
    HttpResponse<String> r = CLIENT.send(request("/json", "c-off"), BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo(JSON);
    assertThat(lastActivity.get()).isSameAs(RequestActivity.disabled());
    assertThat(tracker.getBackendSnapshot(BACKEND)).isEmpty();
  }
}
