package dev.inflight.activity.webflux;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.SseBackend;
import dev.inflight.activity.servlet.testing.SseEvents;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.webflux.testing.PartialReader;
import dev.inflight.activity.webflux.testing.ReactorNettyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

/**
 * The live LLM view through a WebFlux proxy on Reactor Netty: a {@code WebClient} with {@link
 * ActivityExchangeFilter} calls a server-sent-event backend over loopback and the route relays its
 * buffers, which the filter hands to the tracker ({@code addRx(ByteBuffer)}) as they arrive. The
 * backend is driven step by step ({@link SseBackend}); the tracker runs on a fake clock with a
 * short stall time.
 */
class StreamHealthTest {

  static final String BACKEND = "backend-a";
  static final Duration STALL = Duration.ofSeconds(10);
  static final Duration WAIT = Duration.ofSeconds(10);
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  static final String CONTENT_1 = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n";
  static final String CONTENT_2 = "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n";
  static final String PING = ": ping\n\n";
  static final String DONE = "data: [DONE]\n\n";

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture =
      new ManualTracker(s -> s.stallAfter(STALL).countEvents(true).endedListener(ended::add));

  ActivityTracker tracker;
  ExecutorService workers;
  SseBackend backend;
  ReactorNettyServer proxy;
  WebClient client;

  @BeforeEach
  void setUp() throws IOException {
    tracker = fixture.tracker();
    workers = Executors.newCachedThreadPool();
    backend = SseBackend.start();
    client =
        WebClient.builder()
            .baseUrl(backend.baseUrl())
            .filter(ActivityExchangeFilter.builder().backend(request -> BACKEND).build())
            .build();
  }

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
    backend.close();
    workers.shutdownNow();
  }

  Flux<DataBuffer> upstream() {
    return client
        .get()
        .uri("/v1/chat/completions")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .retrieve()
        .bodyToFlux(DataBuffer.class);
  }

  /** A relay of the backend's buffers, with {@code retrieve()}: the client's leaving cancels it. */
  void startRelay() {
    proxy =
        ReactorNettyServer.start(
            RouterFunctions.route()
                .GET(
                    "/v1/chat/completions",
                    request ->
                        ServerResponse.ok()
                            .contentType(MediaType.TEXT_EVENT_STREAM)
                            .body(BodyInserters.fromDataBuffers(upstream())))
                .build(),
            List.of(ActivityWebFilter.builder().tracker(tracker).build()));
  }

  CompletableFuture<HttpResponse<InputStream>> call(String session) {
    return CLIENT.sendAsync(
        HttpRequest.newBuilder(proxy.uri("/v1/chat/completions"))
            .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
            .timeout(WAIT)
            .build(),
        BodyHandlers.ofInputStream());
  }

  Optional<ConnectionSnapshot> row(String session) {
    return tracker.getGlobalSnapshot().backend(BACKEND).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(session))
        .findFirst();
  }

  ConnectionSnapshot liveRow(String session) {
    return row(session).orElseThrow(() -> new AssertionError("no row for " + session));
  }

  void awaitRx(String session, long rx) {
    Await.until(
        "the row shows RX " + rx,
        WAIT,
        () -> row(session).map(ConnectionSnapshot::bytesRx).orElse(-1L) == rx);
  }

  EndedConnection awaitEnded() {
    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    assertThat(tracker.activeConnections()).isZero();
    return ended.get(0);
  }

  byte[] readEvent(InputStream in) throws Exception {
    return SseEvents.readEvent(workers, in, WAIT);
  }

  @Test
  void aBackendThatGoesQuietAfterSomeContentIsStalledUntilContentComesAgain() throws Exception {
    startRelay();
    CompletableFuture<HttpResponse<InputStream>> call = call("s-quiet");
    SseBackend.Stream stream = backend.awaitStream();
    stream.send(CONTENT_1); // WebFlux sends the response's head with the first body buffer
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(CONTENT_1);
      awaitRx("s-quiet", stream.bodyBytesSent());
      assertThat(liveRow("s-quiet").stalled()).isFalse();

      fixture.clock().advance(STALL.minusSeconds(1));
      assertThat(liveRow("s-quiet").stalled()).isFalse();
      fixture.clock().advance(Duration.ofSeconds(2));
      ConnectionSnapshot quiet = liveRow("s-quiet");
      assertThat(quiet.stalled()).isTrue();
      assertThat(quiet.backendIdle()).isGreaterThanOrEqualTo(STALL);
      assertThat(quiet.bytesRx()).isEqualTo(stream.bodyBytesSent());

      assertThat(quiet.eventsRx()).isEqualTo(1);
      assertThat(quiet.eventsTx()).isEqualTo(1);
      assertThat(quiet.maxEventGap()).isNull();

      stream.send(CONTENT_2);
      assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(CONTENT_2);
      awaitRx("s-quiet", stream.bodyBytesSent());
      ConnectionSnapshot moving = liveRow("s-quiet");
      assertThat(moving.stalled()).isFalse();
      // counted both ways, live: the backend's events, and the relay's buffers to its client
      assertThat(moving.eventsRx()).isEqualTo(2);
      assertThat(moving.eventsTx()).isEqualTo(2);
      assertThat(moving.maxEventGap()).isEqualTo(STALL.plusSeconds(1));

      stream.finish();
      assertThat(in.read()).isEqualTo(-1);
    }
    EndedConnection e = awaitEnded();
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(stream.bodyBytesSent());
  }

  @Test
  void aBackendSendingOnlyPingsIsStalledWhileItsRxGrows() throws Exception {
    startRelay();
    CompletableFuture<HttpResponse<InputStream>> call = call("s-pings");
    SseBackend.Stream stream = backend.awaitStream();
    stream.send(CONTENT_1); // WebFlux sends the response's head with the first body buffer
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(CONTENT_1);
      awaitRx("s-pings", stream.bodyBytesSent());
      long content = stream.bodyBytesSent();

      Duration step = STALL.dividedBy(4);
      for (int i = 0; i < 5; i++) {
        fixture.clock().advance(step);
        stream.send(PING);
        assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(PING);
        awaitRx("s-pings", stream.bodyBytesSent()); // each ping seen by a snapshot, in its time
      }

      ConnectionSnapshot pinged = liveRow("s-pings");
      assertThat(pinged.bytesRx()).isEqualTo(content + 5L * PING.length());
      assertThat(pinged.backendIdle()).isGreaterThanOrEqualTo(step.multipliedBy(5));
      assertThat(pinged.idle()).isLessThan(STALL);
      assertThat(pinged.stalled()).isTrue();

      stream.finish();
      assertThat(in.read()).isEqualTo(-1);
    }
    EndedConnection e = awaitEnded();
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(stream.bodyBytesSent());
  }

  /**
   * {@code [DONE]} arrives and the backend then resets: the {@code WebClient} body fails, which the
   * filter records as {@code errored}, yet the row ends completed.
   */
  @Test
  void aStreamWhoseLastEventArrivedEndsCompletedThoughTheBackendThenResets() throws Exception {
    startRelay();
    CompletableFuture<HttpResponse<InputStream>> call = call("s-done");
    SseBackend.Stream stream = backend.awaitStream();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    stream.send(CONTENT_1);
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      received.writeBytes(readEvent(in));
      for (String event : List.of(CONTENT_2, DONE)) {
        stream.send(event);
        received.writeBytes(readEvent(in));
      }
      awaitRx("s-done", stream.bodyBytesSent());
      stream.reset();
      try {
        received.writeBytes(in.readAllBytes());
      } catch (IOException e) {
        // the relay's response may end broken: its body failed
      }
    }
    EndedConnection e = awaitEnded();
    assertThat(received.toString(ISO_8859_1)).isEqualTo(CONTENT_1 + CONTENT_2 + DONE);
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(received.size());
  }

  /** The control of the case above: the same reset before the last event is an error. */
  @Test
  void aStreamResetBeforeItsLastEventEndsErrored() throws Exception {
    startRelay();
    CompletableFuture<HttpResponse<InputStream>> call = call("s-cut");
    SseBackend.Stream stream = backend.awaitStream();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    stream.send(CONTENT_1);
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      received.writeBytes(readEvent(in));
      for (String event : List.of(CONTENT_2)) {
        stream.send(event);
        received.writeBytes(readEvent(in));
      }
      awaitRx("s-cut", stream.bodyBytesSent());
      stream.reset();
      try {
        received.writeBytes(in.readAllBytes());
      } catch (IOException e) {
        // the relay's response may end broken: its body failed
      }
    }
    EndedConnection e = awaitEnded();
    assertThat(e.reason()).isEqualTo(EndReason.ERRORED);
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(received.size());
  }

  /**
   * A client that closes right after {@code [DONE]}, before the body's end reached it: the relay's
   * response is cancelled, which is a client abort, yet the stream was done.
   */
  @Test
  void aClientThatClosesRightAfterTheLastEventEndsTheRowCompleted() throws Exception {
    startRelay();
    CompletableFuture<String> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return PartialReader.readThenClose(
                    proxy.port(),
                    "/v1/chat/completions",
                    Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "s-bye"),
                    "[DONE]",
                    1);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            workers);
    SseBackend.Stream stream = backend.awaitStream();
    for (String event : List.of(CONTENT_1, CONTENT_2, DONE)) {
      stream.send(event);
    }
    assertThat(read.get(WAIT.toSeconds(), SECONDS)).contains(CONTENT_1, CONTENT_2, DONE);
    EndedConnection e = awaitEnded(); // the client left; the backend has not ended its body
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(stream.bodyBytesSent());
    stream.finish();
  }

  /**
   * Why a WebFlux row is never orphaned for long: a route that reads the backend in a subscription
   * of its own and feeds the client from it (to finish the upstream after the client left, for
   * billing) still has its exchange cancelled by Reactor Netty when the client's connection closes,
   * even with no write under way; the request, and its row, end then, {@code client_aborted}, with
   * nothing orphaned. What the route reads afterwards reaches an ended request and is not counted.
   */
  @Test
  void aRouteThatFinishesTheUpstreamAfterTheClientLeftEndsItsRowWhenTheClientLeaves()
      throws Exception {
    AtomicLong readByTheRoute = new AtomicLong();
    Sinks.Empty<Void> upstreamDone = Sinks.empty();
    proxy =
        ReactorNettyServer.start(
            RouterFunctions.route()
                .GET(
                    "/v1/chat/completions",
                    request -> {
                      RequestActivity activity = ActivityWebFilter.activity(request.exchange());
                      Sinks.Many<DataBuffer> toClient =
                          Sinks.many().unicast().onBackpressureBuffer();
                      upstream()
                          .contextWrite(Context.of(ActivityWebFilter.CONTEXT_KEY, activity))
                          .subscribe(
                              buffer -> {
                                readByTheRoute.addAndGet(buffer.readableByteCount());
                                if (toClient.tryEmitNext(buffer).isFailure()) {
                                  DataBufferUtils.release(buffer); // nobody reads it: drained
                                }
                              },
                              error -> {
                                toClient.tryEmitError(error);
                                upstreamDone.tryEmitEmpty();
                              },
                              () -> {
                                toClient.tryEmitComplete();
                                upstreamDone.tryEmitEmpty();
                              });
                      return ServerResponse.ok()
                          .contentType(MediaType.TEXT_EVENT_STREAM)
                          .body(BodyInserters.fromDataBuffers(toClient.asFlux()));
                    })
                .build(),
            List.of(ActivityWebFilter.builder().tracker(tracker).build()));

    CompletableFuture<String> left =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return PartialReader.readThenClose(
                    proxy.port(),
                    "/v1/chat/completions",
                    Map.of(RequestActivity.DEFAULT_SESSION_HEADER, "s-left"),
                    "\"Hel\"",
                    1);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            workers);
    SseBackend.Stream stream = backend.awaitStream();
    stream.send(CONTENT_1);
    assertThat(left.get(WAIT.toSeconds(), SECONDS)).contains(CONTENT_1);
    EndedConnection e = awaitEnded(); // the backend is quiet: no write saw the client leave
    assertThat(e.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(e.bytesRx()).isEqualTo(CONTENT_1.length());
    assertThat(e.bytesTx()).isEqualTo(CONTENT_1.length());
    assertThat(e.bytesRxOrphaned()).isZero();

    for (int i = 0; i < 3; i++) {
      stream.send(CONTENT_2);
    }
    stream.finish();
    assertThat(upstreamDone.asMono().then(Mono.just(true)).block(WAIT)).isTrue();
    assertThat(readByTheRoute.get()).isEqualTo(stream.bodyBytesSent());
    assertThat(row("s-left")).isEmpty();
    assertThat(ended).singleElement().isEqualTo(e);
    assertThat(tracker.getGlobalSnapshot().backend(BACKEND).orElseThrow().cumulativeBytesRx())
        .isEqualTo(CONTENT_1.length());
  }
}
