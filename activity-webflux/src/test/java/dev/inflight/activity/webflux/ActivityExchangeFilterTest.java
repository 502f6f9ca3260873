package dev.inflight.activity.webflux;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.SseEvents;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import dev.inflight.activity.webflux.testing.PartialReader;
import dev.inflight.activity.webflux.testing.ReactorNettyServer;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;

/**
 * A WebFlux proxy on Reactor Netty calling the test kit's streaming backend through a {@code
 * WebClient} with the filter: the request is attached to the backend, RX is counted as the
 * backend's buffers arrive and equals what the backend sent, TX equals what the client received.
 */
class ActivityExchangeFilterTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  static final List<String> EVENTS =
      List.of(
          "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n",
          "data: {\"choices\":[{\"delta\":{\"content\":\"lo, \"}}]}\n\n",
          "data: {\"choices\":[{\"delta\":{\"content\":\"wörld\"}}]}\n\n",
          "data: [DONE]\n\n");

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(s -> s.endedListener(ended::add));

  ActivityTracker tracker;
  ExecutorService workers;
  ReactorNettyServer proxy;
  StreamingBackend backend;

  @BeforeEach
  void setUp() {
    tracker = fixture.tracker();
    workers = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
    if (backend != null) {
      backend.close();
    }
    workers.shutdownNow();
  }

  /** A proxy passing each request's body to the backend and its answer back, as it streams. */
  void startProxy(ActivityExchangeFilter filter) {
    WebClient client = WebClient.builder().baseUrl(backend.baseUrl()).filter(filter).build();
    proxy =
        ReactorNettyServer.start(
            RouterFunctions.route()
                .GET(
                    "/v1/chat/completions",
                    request -> {
                      Flux<DataBuffer> upstream =
                          client
                              .get()
                              .uri("/v1/chat/completions")
                              .accept(MediaType.TEXT_EVENT_STREAM)
                              .retrieve()
                              .bodyToFlux(DataBuffer.class);
                      return ServerResponse.ok()
                          .contentType(MediaType.TEXT_EVENT_STREAM)
                          .body(BodyInserters.fromDataBuffers(upstream));
                    })
                .build(),
            List.of(ActivityWebFilter.builder().tracker(tracker).build()));
  }

  String backendName() {
    return "127.0.0.1:" + backend.port();
  }

  BackendSnapshot snapshot() {
    return tracker.getBackendSnapshot(backendName()).orElseThrow();
  }

  Optional<ConnectionSnapshot> row() {
    return tracker.getBackendSnapshot(backendName()).stream()
        .flatMap(b -> b.connections().stream())
        .findFirst();
  }

  HttpRequest chat(String session) {
    return HttpRequest.newBuilder(proxy.uri("/v1/chat/completions"))
        .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
        .timeout(WAIT)
        .build();
  }

  byte[] readEvent(InputStream in) throws Exception {
    return SseEvents.readEvent(workers, in, WAIT);
  }

  @Test
  void rxIsCountedAsTheBackendsBuffersArriveAndEqualsWhatItSent() throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS).holdAfter(2));
    startProxy(ActivityExchangeFilter.create());

    HttpResponse<InputStream> r = CLIENT.send(chat("s-chat"), BodyHandlers.ofInputStream());
    long received = 0;
    try (InputStream in = r.body()) {
      for (int i = 0; i < 2; i++) {
        byte[] e = readEvent(in);
        assertThat(new String(e, UTF_8)).isEqualTo(EVENTS.get(i));
        received += e.length;
      }
      backend.awaitPartsSent(2);
      // mid-stream, the backend holding the rest: RX so far is what it sent so far
      long sentSoFar = backend.bodyBytesSent();
      Await.until(
          "RX shows the first two events",
          WAIT,
          () -> row().map(ConnectionSnapshot::bytesRx).orElse(-1L) == sentSoFar);
      long tx = received;
      Await.until(
          "TX shows the first two events",
          WAIT,
          () -> row().map(ConnectionSnapshot::bytesTx).orElse(-1L) == tx);
      ConnectionSnapshot mid = row().orElseThrow();
      assertThat(mid.sessionId()).isEqualTo("s-chat");
      assertThat(mid.type()).isEqualTo(ConnectionType.STREAMING);
      backend.release();
      received += in.transferTo(java.io.OutputStream.nullOutputStream());
    }

    Await.until("the row ended", WAIT, () -> tracker.activeConnections() == 0);
    BackendSnapshot s = snapshot();
    assertThat(s.cumulativeBytesRx()).isEqualTo(backend.bodyBytesSent());
    assertThat(s.cumulativeBytesRx()).isEqualTo(Reply.sse(EVENTS).length());
    assertThat(s.cumulativeBytesTx()).isEqualTo(received).isEqualTo(Reply.sse(EVENTS).length());
    assertThat(s.ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void aClientThatLeavesWhileTheBackendStreamsEndsTheRowOnceAsClientAborted() throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS).holdAfter(2));
    startProxy(ActivityExchangeFilter.create());

    String read =
        PartialReader.readThenClose(
            proxy.port(), "/v1/chat/completions", Map.of("X-Session-Id", "s-left"), "\n\n", 2);
    assertThat(read).startsWith("HTTP/1.1 200");

    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    backend.release();
    backend.awaitHandled(1);
    EndedConnection e = ended.get(0);
    assertThat(e.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(e.bytesRx()).isEqualTo(Reply.sse(EVENTS).bytes(2));
    assertThat(e.bytesTx()).isEqualTo(Reply.sse(EVENTS).bytes(2));
    assertThat(snapshot().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
    assertThat(tracker.activeConnections()).isZero();
  }

  @Test
  void aClientThatLeavesAnExchangeToFluxRelayEndsTheRowOnceAsClientAborted() throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS).holdAfter(2));
    WebClient client =
        WebClient.builder()
            .baseUrl(backend.baseUrl())
            .filter(ActivityExchangeFilter.create())
            .build();
    proxy =
        ReactorNettyServer.start(
            RouterFunctions.route()
                .GET(
                    "/v1/chat/completions",
                    request ->
                        ServerResponse.ok()
                            .contentType(MediaType.TEXT_EVENT_STREAM)
                            .body(
                                BodyInserters.fromDataBuffers(
                                    client
                                        .get()
                                        .uri("/v1/chat/completions")
                                        .accept(MediaType.TEXT_EVENT_STREAM)
                                        .exchangeToFlux(r -> r.bodyToFlux(DataBuffer.class)))))
                .build(),
            List.of(ActivityWebFilter.builder().tracker(tracker).build()));

    String read =
        PartialReader.readThenClose(
            proxy.port(), "/v1/chat/completions", Map.of("X-Session-Id", "s-left"), "\n\n", 2);
    assertThat(read).startsWith("HTTP/1.1 200");

    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    backend.release();
    backend.awaitHandled(1);
    EndedConnection e = ended.get(0);
    assertThat(e.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(e.bytesRx()).isEqualTo(Reply.sse(EVENTS).bytes(2));
    assertThat(e.bytesTx()).isEqualTo(Reply.sse(EVENTS).bytes(2));
    assertThat(snapshot().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
  }

  @Test
  void theBuilderNamesTheBackendModelAndType() throws Exception {
    backend = StreamingBackend.start(body -> Reply.json("{\"ok\":true}"));
    startProxy(
        ActivityExchangeFilter.builder()
            .backend(request -> "vllm." + request.url().getPort())
            .model(request -> request.headers().getFirst("X-Model"))
            .type(request -> ConnectionType.NON_STREAMING)
            .build());

    HttpResponse<String> r = CLIENT.send(chat("s-named"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("{\"ok\":true}");
    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    EndedConnection e = ended.get(0);
    assertThat(e.backend()).isEqualTo("vllm." + backend.port());
    assertThat(e.model()).isNull();
    assertThat(e.type()).isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(e.bytesRx()).isEqualTo(11);
    assertThat(e.bytesTx()).isEqualTo(11);
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
  }

  @Test
  void anExplicitActivityCountsACallMadeOutsideTheExchange() throws Exception {
    backend = StreamingBackend.start(body -> Reply.sse(EVENTS));
    RequestActivity activity = tracker.beginRequest("s-explicit");
    WebClient client =
        WebClient.builder()
            .baseUrl(backend.baseUrl())
            .filter(ActivityExchangeFilter.create(activity))
            .build();

    String body =
        client
            .get()
            .uri("/stream")
            .accept(MediaType.TEXT_EVENT_STREAM)
            .retrieve()
            .bodyToMono(String.class)
            .block(WAIT);

    assertThat(body).isEqualTo(String.join("", EVENTS));
    ConnectionSnapshot open = row().orElseThrow();
    assertThat(open.bytesRx()).isEqualTo(backend.bodyBytesSent());
    assertThat(open.type()).isEqualTo(ConnectionType.STREAMING);
    activity.end(EndReason.COMPLETED);
    assertThat(snapshot().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void anApplicationThatAttachedItselfKeepsItsBackend() throws Exception {
    backend = StreamingBackend.start(body -> Reply.json("{}"));
    RequestActivity activity = tracker.beginRequest("s-own");
    activity.attach("own-backend", "gpt-x", ConnectionType.NON_STREAMING);
    WebClient client =
        WebClient.builder()
            .baseUrl(backend.baseUrl())
            .filter(ActivityExchangeFilter.create(activity))
            .build();

    client.get().uri("/x").retrieve().bodyToMono(String.class).block(WAIT);
    activity.end(EndReason.COMPLETED);

    assertThat(ended)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.backend()).isEqualTo("own-backend");
              assertThat(e.model()).isEqualTo("gpt-x");
              assertThat(e.bytesRx()).isEqualTo(2);
            });
    assertThat(tracker.getBackendSnapshot(backendName())).isEmpty();
  }

  @Test
  void aBackendThatCannotBeReachedEndsTheRequestAsErrored() throws Exception {
    backend = StreamingBackend.start(body -> Reply.json("{}"));
    int port = backend.port();
    backend.close(); // nothing listens there any more
    startProxy(ActivityExchangeFilter.create());

    HttpResponse<String> r = CLIENT.send(chat("s-down"), BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(500);
    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    assertThat(ended.get(0).backend()).isEqualTo("127.0.0.1:" + port);
    assertThat(ended.get(0).reason()).isEqualTo(EndReason.ERRORED);
    backend = null;
  }

  @Test
  void withoutATrackedExchangeNothingIsWrapped() throws Exception {
    backend = StreamingBackend.start(body -> Reply.json("{\"n\":1}"));
    WebClient client =
        WebClient.builder()
            .baseUrl(backend.baseUrl())
            .filter(ActivityExchangeFilter.create())
            .build();

    String body = client.get().uri("/x").retrieve().bodyToMono(String.class).block(WAIT);

    assertThat(body).isEqualTo("{\"n\":1}");
    assertThat(tracker.getGlobalSnapshot().backends()).isEmpty();
    assertThat(ActivityExchangeFilter.create(RequestActivity.disabled()).toString())
        .contains("disabled");
  }
}
