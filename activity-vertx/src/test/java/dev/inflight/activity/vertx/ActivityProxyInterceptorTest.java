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
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.H2TestClient;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.vertx.testing.PartialReader;
import dev.inflight.activity.vertx.testing.VertxServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.httpproxy.HttpProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A vertx-http-proxy {@link HttpProxy} with {@link ActivityProxyInterceptor}, mounted behind {@link
 * ActivityHandler} on a vertx-web router, in front of a Vert.x backend that the test drives event
 * by event: RX and TX exact while the stream is held open and at its end, a client that leaves (the
 * backend's response closed under it), a backend that breaks, and a plain JSON answer.
 */
class ActivityProxyInterceptorTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final String MODEL = "llama-3";
  static final String JSON = "{\"id\":\"cmpl-1\",\"choices\":[{\"text\":\"hello\"}]}";
  static final java.net.http.HttpClient CLIENT =
      java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(s -> s.endedListener(ended::add));

  /** The backend's open SSE responses, in arrival order, for the test to write to. */
  final BlockingQueue<HttpServerResponse> streams = new LinkedBlockingQueue<>();

  /** Counted down when a backend response closed or failed before it ended. */
  final CountDownLatch backendResponseClosed = new CountDownLatch(1);

  ActivityTracker tracker;
  ExecutorService workers;
  Vertx vertx;
  VertxServer backend;
  VertxServer proxy;
  String backendName;

  @BeforeEach
  void setUp() {
    tracker = fixture.tracker();
    workers = Executors.newCachedThreadPool();
    vertx = Vertx.vertx();
    backend =
        VertxServer.start(
            vertx,
            router -> {
              router
                  .get("/v1/stream")
                  .handler(
                      ctx -> {
                        HttpServerResponse response = ctx.response();
                        response
                            .setChunked(true)
                            .putHeader("Content-Type", "text/event-stream")
                            .closeHandler(v -> closedEarly(response))
                            .exceptionHandler(e -> closedEarly(response));
                        streams.add(response); // the head goes out with the first event
                      });
              router
                  .get("/v1/json")
                  .handler(
                      ctx ->
                          ctx.response().putHeader("Content-Type", "application/json").end(JSON));
            },
            false);
    backendName = "127.0.0.1:" + backend.port();
    HttpProxy httpProxy =
        HttpProxy.reverseProxy(vertx.createHttpClient())
            .origin(backend.port(), "127.0.0.1")
            .addInterceptor(
                ActivityProxyInterceptor.builder().model(r -> r.getHeader("X-Model")).build());
    proxy = front(httpProxy);
  }

  /** A server that tracks each request and hands {@code /v1/*} to {@code httpProxy}. */
  VertxServer front(HttpProxy httpProxy) {
    return VertxServer.start(
        vertx,
        router -> {
          router
              .route()
              .handler(
                  ActivityHandler.builder()
                      .tracker(tracker)
                      .pollInterval(Duration.ofMillis(20))
                      .build());
          router.route("/v1/*").handler(ctx -> httpProxy.handle(ctx.request()));
        },
        false);
  }

  private void closedEarly(HttpServerResponse response) {
    if (!response.ended()) {
      backendResponseClosed.countDown();
    }
  }

  @AfterEach
  void tearDown() {
    try {
      proxy.close();
      backend.close();
    } finally {
      VertxServer.await(vertx.close());
      workers.shutdownNow();
    }
  }

  static String event(int i) {
    return "data: {\"choices\":[{\"delta\":{\"content\":\"tok" + i + "\"}}]}\n\n";
  }

  HttpServerResponse nextStream() throws InterruptedException {
    HttpServerResponse response = streams.poll(WAIT.toSeconds(), SECONDS);
    assertThat(response).as("the backend got the proxied request").isNotNull();
    return response;
  }

  static void write(HttpServerResponse response, String text) {
    VertxServer.await(response.write(text));
  }

  CompletableFuture<HttpResponse<InputStream>> openStream(String sessionId) {
    HttpRequest request =
        HttpRequest.newBuilder(proxy.uri("/v1/stream"))
            .header("Accept", "text/event-stream")
            .header("X-Model", MODEL)
            .header(RequestActivity.DEFAULT_SESSION_HEADER, sessionId)
            .timeout(WAIT)
            .build();
    return CLIENT.sendAsync(request, BodyHandlers.ofInputStream());
  }

  Optional<ConnectionSnapshot> row(String sessionId) {
    return tracker.getBackendSnapshot(backendName).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(sessionId))
        .findFirst();
  }

  EndedConnection endedRow(String sessionId) {
    Await.until(
        "the row of " + sessionId + " ended",
        WAIT,
        () -> ended.stream().anyMatch(e -> e.sessionId().equals(sessionId)));
    List<EndedConnection> rows =
        ended.stream().filter(e -> e.sessionId().equals(sessionId)).toList();
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  /** Reads one SSE event (up to and including its blank line), failing after a timeout. */
  byte[] readEvent(InputStream in) throws Exception {
    return workers
        .submit(
            () -> {
              ByteArrayOutputStream e = new ByteArrayOutputStream();
              int previous = -1;
              for (int b; (b = in.read()) >= 0; ) {
                e.write(b);
                if (b == '\n' && previous == '\n') {
                  break;
                }
                previous = b;
              }
              return e.toByteArray();
            })
        .get(WAIT.toSeconds(), SECONDS);
  }

  byte[] readRest(InputStream in) throws Exception {
    return workers.submit(() -> in.readAllBytes()).get(WAIT.toSeconds(), SECONDS);
  }

  @Test
  void aProxiedStreamCountsRxAndTxExactlyMidStreamAndAtTheEnd() throws Exception {
    CompletableFuture<HttpResponse<InputStream>> opening = openStream("s-sse");
    HttpServerResponse stream = nextStream();
    write(stream, event(0));
    HttpResponse<InputStream> r = opening.get(WAIT.toSeconds(), SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);

    try (InputStream in = r.body()) {
      assertThat(new String(readEvent(in), UTF_8)).isEqualTo(event(0));
      // the backend holds: RX is what it sent, TX what the client got, both the first event
      long first = event(0).length();
      Await.until(
          "RX and TX show the first event",
          WAIT,
          () -> row("s-sse").map(c -> c.bytesRx() == first && c.bytesTx() == first).orElse(false));
      ConnectionSnapshot live = row("s-sse").orElseThrow();
      assertThat(live.type()).isEqualTo(ConnectionType.STREAMING);
      assertThat(live.model()).isEqualTo(MODEL);
      assertThat(ended).isEmpty();

      write(stream, event(1));
      VertxServer.await(stream.end("data: [DONE]\n\n"));
      assertThat(new String(readRest(in), UTF_8)).isEqualTo(event(1) + "data: [DONE]\n\n");
    }

    int body = event(0).length() + event(1).length() + "data: [DONE]\n\n".length();
    EndedConnection row = endedRow("s-sse");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.backend()).isEqualTo(backendName);
    assertThat(row.bytesRx()).isEqualTo(body);
    assertThat(row.bytesTx()).isEqualTo(body);
    assertThat(row.type()).isEqualTo(ConnectionType.STREAMING);
    assertThat(row.model()).isEqualTo(MODEL);
  }

  /**
   * The same relay from the test kit's own backend (core's {@code StreamingBackend}, the JDK's
   * server, each event flushed on its own), held after the first event: RX and TX exact while it
   * holds and at the end, where RX is also what the backend says it sent.
   */
  @Test
  void aStreamFromTheTestKitsBackendIsCountedExactlyMidStreamAndAtTheEnd() throws Exception {
    List<String> events = List.of(event(0), event(1), event(2), "data: [DONE]\n\n");
    try (StreamingBackend kit =
        StreamingBackend.start(path -> StreamingBackend.Reply.sse(events).holdAfter(1))) {
      HttpProxy toKit =
          HttpProxy.reverseProxy(vertx.createHttpClient())
              .origin(kit.port(), "127.0.0.1")
              .addInterceptor(ActivityProxyInterceptor.create());
      String kitName = "127.0.0.1:" + kit.port();
      try (VertxServer front = front(toKit)) {
        HttpResponse<InputStream> r =
            CLIENT
                .sendAsync(
                    HttpRequest.newBuilder(front.uri("/v1/stream"))
                        .header("Accept", "text/event-stream")
                        .header(RequestActivity.DEFAULT_SESSION_HEADER, "s-kit")
                        .timeout(WAIT)
                        .build(),
                    BodyHandlers.ofInputStream())
                .get(WAIT.toSeconds(), SECONDS);
        try (InputStream in = r.body()) {
          assertThat(new String(readEvent(in), UTF_8)).isEqualTo(event(0));
          kit.awaitPartsSent(1);
          long first = event(0).length();
          Await.until(
              "RX and TX show the kit's first event",
              WAIT,
              () ->
                  tracker.getBackendSnapshot(kitName).stream()
                      .flatMap(b -> b.connections().stream())
                      .anyMatch(c -> c.bytesRx() == first && c.bytesTx() == first));
          assertThat(ended).isEmpty();
          kit.release();
          assertThat(new String(readRest(in), UTF_8))
              .isEqualTo(String.join("", events.subList(1, events.size())));
        }
        EndedConnection row = endedRow("s-kit");
        long length = StreamingBackend.Reply.sse(events).length();
        assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
        assertThat(row.backend()).isEqualTo(kitName);
        assertThat(row.bytesRx()).isEqualTo(length).isEqualTo(kit.bodyBytesSent());
        assertThat(row.bytesTx()).isEqualTo(length);
      }
    }
  }

  @Test
  void aClientThatLeavesMidStreamEndsTheRowOnceAndTheBackendResponseIsClosed() throws Exception {
    CompletableFuture<String> reading =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return PartialReader.readThenClose(
                    proxy.port(),
                    "/v1/stream",
                    Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "s-gone"),
                    "data:",
                    1);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            },
            workers);
    HttpServerResponse stream = nextStream();
    write(stream, event(0));
    assertThat(reading.get(WAIT.toSeconds(), SECONDS)).contains(event(0));

    // vertx-http-proxy resets its request to the backend, whose response then closes unfinished
    Await.await(backendResponseClosed);
    EndedConnection row = endedRow("s-gone");
    assertThat(row.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(row.bytesRx()).isEqualTo(event(0).length());
    assertThat(row.bytesTx()).isEqualTo(event(0).length());
    assertThat(row.type()).isEqualTo(ConnectionType.STREAMING);
  }

  @Test
  void aBackendThatBreaksMidStreamEndsTheRowErrored() throws Exception {
    CompletableFuture<HttpResponse<InputStream>> opening = openStream("s-broken");
    HttpServerResponse stream = nextStream();
    write(stream, event(0));
    HttpResponse<InputStream> r = opening.get(WAIT.toSeconds(), SECONDS);
    try (InputStream in = r.body()) {
      assertThat(new String(readEvent(in), UTF_8)).isEqualTo(event(0));
      stream
          .reset(); // HTTP/1.1: the backend's connection closes (a Future on Vert.x 5, a boolean on
      // 4.5)
      workers
          .submit(
              () -> {
                try {
                  in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException e) {
                  // the proxy resets the client's response too
                }
              })
          .get(WAIT.toSeconds(), SECONDS);
    }

    EndedConnection row = endedRow("s-broken");
    assertThat(row.reason()).isEqualTo(EndReason.ERRORED);
    assertThat(row.bytesRx()).isEqualTo(event(0).length());
    assertThat(row.bytesTx()).isEqualTo(event(0).length());
  }

  @Test
  void aPlainJsonAnswerIsCountedExactly() throws Exception {
    HttpResponse<byte[]> r =
        CLIENT
            .sendAsync(
                HttpRequest.newBuilder(proxy.uri("/v1/json"))
                    .header("Accept", "application/json")
                    .header(RequestActivity.DEFAULT_SESSION_HEADER, "s-json")
                    .timeout(WAIT)
                    .build(),
                BodyHandlers.ofByteArray())
            .get(WAIT.toSeconds(), SECONDS);
    assertThat(new String(r.body(), UTF_8)).isEqualTo(JSON);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");

    EndedConnection row = endedRow("s-json");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.backend()).isEqualTo(backendName);
    assertThat(row.type()).isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(row.model()).isNull();
    assertThat(row.bytesRx()).isEqualTo(JSON.length());
    assertThat(row.bytesTx()).isEqualTo(JSON.length());
  }

  @Test
  void anHttp2ClientThatResetsItsStreamEndsTheRowClientAbortedAndTheBackendResponseIsClosed()
      throws Exception {
    try (H2TestClient h2 = H2TestClient.start();
        H2TestClient.Connection connection = h2.connectH2c(proxy.port())) {
      H2TestClient.Exchange exchange =
          connection.get(
              "/v1/stream",
              Map.of(
                  "Accept", "text/event-stream", RequestActivity.DEFAULT_SESSION_HEADER, "s-h2"));
      HttpServerResponse stream = nextStream();
      write(stream, event(0));
      Await.until(
          "the client got the first event", WAIT, () -> exchange.dataBytes() == event(0).length());
      exchange.reset();

      Await.await(backendResponseClosed);
      EndedConnection row = endedRow("s-h2");
      assertThat(row.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
      assertThat(row.bytesRx()).isEqualTo(event(0).length());
      assertThat(row.bytesTx()).isEqualTo(event(0).length());
    }
  }

  @Test
  void anUnreachableOriginAnswers502AndLeavesNoRow() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    HttpProxy down =
        HttpProxy.reverseProxy(vertx.createHttpClient())
            .origin(closedPort, "127.0.0.1")
            .addInterceptor(ActivityProxyInterceptor.create());
    CountDownLatch requestEnded = new CountDownLatch(1);
    try (VertxServer server =
        VertxServer.start(
            vertx,
            router -> {
              router.route().handler(ActivityHandler.create(tracker));
              router
                  .route("/v1/*")
                  .handler(
                      ctx -> {
                        ctx.addEndHandler(v -> requestEnded.countDown());
                        down.handle(ctx.request());
                      });
            },
            false)) {
      HttpResponse<String> r =
          CLIENT
              .sendAsync(
                  HttpRequest.newBuilder(server.uri("/v1/json"))
                      .header(RequestActivity.DEFAULT_SESSION_HEADER, "s-down")
                      .timeout(WAIT)
                      .build(),
                  BodyHandlers.ofString())
              .get(WAIT.toSeconds(), SECONDS);
      assertThat(r.statusCode()).isEqualTo(502);
      Await.await(requestEnded);
    }
    assertThat(tracker.getBackendSnapshot("127.0.0.1:" + closedPort)).isEmpty();
    assertThat(ended).isEmpty();
  }
}
