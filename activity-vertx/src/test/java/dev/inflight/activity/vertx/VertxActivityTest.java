package dev.inflight.activity.vertx;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.SseBackend;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.vertx.testing.VertxServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RX through the Vert.x {@code HttpClient}: a proxy on Vert.x 5 relays a server-sent-event backend
 * driven part by part (activity-servlet's test-jar {@link SseBackend}) with {@link
 * VertxActivity#countRx}; the row shows each part as RX while the stream is open, and RX and TX
 * exactly at the end, and a backend that breaks mid-stream ends the row errored.
 */
class VertxActivityTest {

  static final String BACKEND = "vllm-1";
  static final String MODEL = "llama-3";
  static final Duration WAIT = Duration.ofSeconds(10);
  static final java.net.http.HttpClient CLIENT =
      java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(s -> s.endedListener(ended::add));

  ActivityTracker tracker;
  ExecutorService workers;
  SseBackend backend;
  VertxServer proxy;
  HttpClient client;
  WebClient webClient;

  @BeforeEach
  void setUp() throws IOException {
    tracker = fixture.tracker();
    workers = Executors.newCachedThreadPool();
    backend = SseBackend.start();
  }

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
    backend.close();
    workers.shutdownNow();
  }

  /** A proxy whose one route relays the backend's stream, counting it as RX on the way. */
  void startProxy() {
    proxy =
        VertxServer.start(
            router -> {
              router
                  .route()
                  .handler(
                      ActivityHandler.builder()
                          .tracker(tracker)
                          .pollInterval(Duration.ofMillis(20))
                          .build());
              router.get("/relay").handler(this::relay);
              router.get("/web-client").handler(this::relayWithWebClient);
            });
    client = proxy.vertx().createHttpClient();
    webClient = WebClient.create(proxy.vertx());
  }

  /** The same relay through the WebClient, its body piped into the response through the count. */
  private void relayWithWebClient(RoutingContext ctx) {
    RequestActivity activity = VertxActivity.of(ctx);
    ActivityHandle h = activity.attach(BACKEND, MODEL, ConnectionType.STREAMING);
    ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
    webClient
        .get(backend.port(), "127.0.0.1", "/v1/chat/completions")
        .as(BodyCodec.pipe(VertxActivity.countRxInto(ctx.response(), h)))
        .send()
        .onFailure(
            e -> {
              activity.fail(EndReason.ERRORED);
              ctx.fail(502, e);
            });
  }

  private void relay(RoutingContext ctx) {
    RequestActivity activity = VertxActivity.of(ctx);
    ActivityHandle h = activity.attach(BACKEND, MODEL, ConnectionType.STREAMING);
    client
        .request(HttpMethod.GET, backend.port(), "127.0.0.1", "/v1/chat/completions")
        .compose(request -> request.send())
        .onSuccess(
            response ->
                ctx.response()
                    .putHeader("Content-Type", "text/event-stream")
                    .send(VertxActivity.countRx(response, h)))
        .onFailure(
            e -> {
              activity.fail(EndReason.ERRORED);
              ctx.fail(502, e);
            });
  }

  Optional<ConnectionSnapshot> row(String sessionId) {
    return tracker.getBackendSnapshot(BACKEND).stream()
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

  HttpResponse<InputStream> open(String sessionId) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(proxy.uri("/relay"))
            .header(RequestActivity.DEFAULT_SESSION_HEADER, sessionId)
            .timeout(WAIT)
            .build();
    CompletableFuture<HttpResponse<InputStream>> r =
        CLIENT.sendAsync(request, BodyHandlers.ofInputStream());
    return r.get(WAIT.toSeconds(), SECONDS);
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

  static String token(int i) {
    return "data: {\"choices\":[{\"delta\":{\"content\":\"tok" + i + "\"}}]}\n\n";
  }

  @Test
  void aRelayedStreamShowsRxLiveAndExactRxAndTxAtTheEnd() throws Exception {
    startProxy();
    // the proxy's response head goes out once the backend answered, so the client waits for it
    CompletableFuture<HttpResponse<InputStream>> opening =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return open("s-relay");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            workers);
    SseBackend.Stream stream = backend.awaitStream();
    stream.send(token(0));
    HttpResponse<InputStream> r = opening.get(WAIT.toSeconds(), SECONDS);

    long received = 0;
    try (InputStream in = r.body()) {
      for (int i = 0; i < 4; i++) {
        if (i > 0) {
          stream.send(token(i));
        }
        if (i == 2) {
          stream.send(": ping\n\n"); // RX, passed on to the client like any part
        }
        long sent = stream.bodyBytesSent();
        // live: RX is what the backend sent so far, while the stream is open
        Await.until(
            "RX shows " + sent + " bytes",
            WAIT,
            () -> row("s-relay").map(ConnectionSnapshot::bytesRx).orElse(-1L) == sent);
        byte[] e = readEvent(in);
        received += e.length;
        if (i == 2) {
          assertThat(new String(e, UTF_8)).isEqualTo(token(2));
          received += readEvent(in).length;
        }
        long tx = received;
        Await.until(
            "TX shows " + tx + " bytes",
            WAIT,
            () -> row("s-relay").map(ConnectionSnapshot::bytesTx).orElse(-1L) == tx);
      }
      stream.send("data: [DONE]\n\n");
      stream.finish();
      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      in.transferTo(rest);
      received += rest.size();
      assertThat(rest.toString(UTF_8)).isEqualTo("data: [DONE]\n\n");
    }

    EndedConnection row = endedRow("s-relay");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(row.bytesTx()).isEqualTo(received).isEqualTo(stream.bodyBytesSent());
    assertThat(row.type()).isEqualTo(ConnectionType.STREAMING);
    assertThat(row.model()).isEqualTo(MODEL);
  }

  @Test
  void aStreamPipedByTheWebClientShowsRxLiveAndExactRxAndTxAtTheEnd() throws Exception {
    startProxy();
    HttpRequest request =
        HttpRequest.newBuilder(proxy.uri("/web-client"))
            .header(RequestActivity.DEFAULT_SESSION_HEADER, "s-web")
            .timeout(WAIT)
            .build();
    CompletableFuture<HttpResponse<InputStream>> opening =
        CLIENT.sendAsync(request, BodyHandlers.ofInputStream());
    SseBackend.Stream stream = backend.awaitStream();
    stream.send(token(0));
    HttpResponse<InputStream> r = opening.get(WAIT.toSeconds(), SECONDS);
    try (InputStream in = r.body()) {
      assertThat(new String(readEvent(in), UTF_8)).isEqualTo(token(0));
      long first = token(0).length();
      Await.until(
          "RX and TX show the first event",
          WAIT,
          () -> row("s-web").map(c -> c.bytesRx() == first && c.bytesTx() == first).orElse(false));
      stream.send(token(1));
      stream.send("data: [DONE]\n\n");
      stream.finish();
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo(token(1) + "data: [DONE]\n\n");
    }
    EndedConnection row = endedRow("s-web");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(row.bytesTx()).isEqualTo(stream.bodyBytesSent());
  }

  @Test
  void aBackendThatBreaksMidStreamEndsTheRowErroredWithWhatItSent() throws Exception {
    startProxy();
    CompletableFuture<HttpResponse<InputStream>> opening =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return open("s-broken");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            workers);
    SseBackend.Stream stream = backend.awaitStream();
    stream.send(token(0));
    stream.send(token(1));
    HttpResponse<InputStream> r = opening.get(WAIT.toSeconds(), SECONDS);
    try (InputStream in = r.body()) {
      readEvent(in);
      readEvent(in);
      stream.reset();
      workers.submit(() -> drain(in)).get(WAIT.toSeconds(), SECONDS);
    }

    EndedConnection row = endedRow("s-broken");
    assertThat(row.reason()).isEqualTo(EndReason.ERRORED);
    assertThat(row.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(row.bytesTx()).isEqualTo(stream.bodyBytesSent());
  }

  static void drain(InputStream in) {
    try {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      // the relay may end the client's response abruptly too
    }
  }

  @Test
  void theWrapperTakesNoHandlerTheApplicationDidNotSetOnIt() throws Exception {
    CountDownLatch appSawFailure = new CountDownLatch(1);
    AtomicReference<String> body = new AtomicReference<>("");
    AtomicReference<RequestActivity> activity = new AtomicReference<>();
    AtomicReference<Boolean> unwrapped = new AtomicReference<>(false);
    proxy =
        VertxServer.start(
            router -> {
              router.route().handler(ActivityHandler.create(tracker));
              router
                  .get("/read")
                  .handler(
                      ctx -> {
                        RequestActivity a = VertxActivity.of(ctx);
                        activity.set(a);
                        ActivityHandle h = a.attach(BACKEND, MODEL, ConnectionType.STREAMING);
                        client
                            .request(HttpMethod.GET, backend.port(), "127.0.0.1", "/")
                            .compose(request -> request.send())
                            .onSuccess(
                                response -> {
                                  // the application listens for failures on the response itself
                                  response.exceptionHandler(e -> appSawFailure.countDown());
                                  // tracking off: the body itself, nothing wrapped
                                  unwrapped.set(
                                      VertxActivity.countRx(response, RequestActivity.disabled())
                                              == response
                                          && VertxActivity.countRx(response, ActivityHandle.noop())
                                              == response);
                                  ReadStream<Buffer> counted = VertxActivity.countRx(response, h);
                                  counted.handler(
                                      buffer -> {
                                        body.accumulateAndGet(
                                            buffer.toString(UTF_8), String::concat);
                                        ctx.response().end("reading");
                                      });
                                });
                      });
            });
    client = proxy.vertx().createHttpClient();

    CompletableFuture<HttpResponse<String>> r =
        CLIENT.sendAsync(
            HttpRequest.newBuilder(proxy.uri("/read"))
                .header(RequestActivity.DEFAULT_SESSION_HEADER, "s-read")
                .build(),
            BodyHandlers.ofString());
    SseBackend.Stream stream = backend.awaitStream();
    stream.send(token(7));
    assertThat(r.get(WAIT.toSeconds(), SECONDS).body()).isEqualTo("reading");
    Await.until("the application read the part", WAIT, () -> body.get().equals(token(7)));
    stream.reset();

    Await.await(appSawFailure);
    // the request ended with its response; RX counted in it
    EndedConnection row = endedRow("s-read");
    assertThat(row.bytesRx()).isEqualTo(token(7).length());
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(activity.get().isTracking()).isTrue();
    assertThat(unwrapped.get()).isTrue();
  }
}
