package dev.inflight.activity.webflux;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.RawHttp;
import dev.inflight.activity.servlet.testing.SseEvents;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.webflux.testing.PartialReader;
import dev.inflight.activity.webflux.testing.ReactorNettyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The contract scenarios of the servlet filter, on Reactor Netty: exact TX for plain and streamed
 * bodies, bytes visible mid-stream, each request ending once as completed, client_aborted or
 * errored, joined sessions, load with random aborts, and no wrapping when tracking is off.
 */
class ActivityWebFilterTest {

  static final String BACKEND = "backend-1";
  static final String MODEL = "model-x";
  static final Duration WAIT = Duration.ofSeconds(10);
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final List<EndedConnection> ended = new java.util.concurrent.CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(s -> s.endedListener(ended::add));

  ActivityTracker tracker;
  ExecutorService workers;
  ReactorNettyServer server;

  @BeforeEach
  void setUp() {
    tracker = fixture.tracker();
    workers = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    workers.shutdownNow();
  }

  void serve(RouterFunction<ServerResponse> routes) {
    serve(routes, ActivityWebFilter.builder().tracker(tracker).build());
  }

  void serve(RouterFunction<ServerResponse> routes, WebFilter... filters) {
    server = ReactorNettyServer.start(routes, List.of(filters));
  }

  static RequestActivity attach(ServerRequest request) {
    RequestActivity activity = ActivityWebFilter.activity(request.exchange());
    activity.attach(BACKEND, MODEL, ConnectionType.STREAMING);
    return activity;
  }

  HttpRequest get(String path, String sessionId) {
    return HttpRequest.newBuilder(server.uri(path))
        .header(RequestActivity.DEFAULT_SESSION_HEADER, sessionId)
        .timeout(WAIT)
        .build();
  }

  BackendSnapshot backend() {
    return tracker.getBackendSnapshot(BACKEND).orElseThrow();
  }

  Optional<ConnectionSnapshot> row(String sessionId) {
    return tracker.getBackendSnapshot(BACKEND).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(sessionId))
        .findFirst();
  }

  long rowTx(String sessionId) {
    return row(sessionId).map(ConnectionSnapshot::bytesTx).orElse(-1L);
  }

  void awaitNoRows() {
    Await.until("no rows left", WAIT, () -> tracker.activeConnections() == 0);
  }

  static String event(int i) {
    return "{\"i\":" + i + ",\"text\":\"" + "x".repeat(20 + 37 * i) + "\",\"end\":\"eoe\"}";
  }

  /** Reads one SSE event (up to and including its blank line), failing after a timeout. */
  byte[] readEvent(InputStream in) throws Exception {
    return SseEvents.readEvent(workers, in, WAIT);
  }

  @Test
  void aPlainJsonBodyIsCountedExactly() throws Exception {
    String json = "{\"choices\":[{\"text\":\"" + "é".repeat(300) + "\"}]}";
    serve(
        RouterFunctions.route()
            .GET(
                "/json",
                request -> {
                  attach(request);
                  return ServerResponse.ok()
                      .contentType(MediaType.APPLICATION_JSON)
                      .bodyValue(json);
                })
            .build());

    RawHttp.Response r =
        RawHttp.send(server.port(), "GET", "/json", Map.of("X-Session-Id", "s-json"));

    assertThat(new String(r.body(), UTF_8)).isEqualTo(json);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(json.getBytes(UTF_8).length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
    assertThat(ended).singleElement().extracting(EndedConnection::sessionId).isEqualTo("s-json");
  }

  @Test
  void sseEventsAreCountedAsTheyGoOutWhileTheStreamIsOpen() throws Exception {
    int events = 5;
    Sinks.Many<ServerSentEvent<String>> sink = Sinks.many().unicast().onBackpressureBuffer();
    serve(
        RouterFunctions.route()
            .GET(
                "/sse",
                request -> {
                  attach(request);
                  return ServerResponse.ok()
                      .contentType(MediaType.TEXT_EVENT_STREAM)
                      .body(BodyInserters.fromServerSentEvents(sink.asFlux()));
                })
            .build());

    // the headers go out with the first event
    sink.tryEmitNext(ServerSentEvent.builder(event(0)).event("token").build()).orThrow();
    HttpResponse<InputStream> r = CLIENT.send(get("/sse", "s-sse"), BodyHandlers.ofInputStream());
    long received = 0;
    try (InputStream in = r.body()) {
      for (int i = 0; i < events; i++) {
        if (i > 0) {
          sink.tryEmitNext(ServerSentEvent.builder(event(i)).event("token").build()).orThrow();
        }
        // the next event is emitted only after this one arrived: a buffering decorator hangs here
        byte[] e = readEvent(in);
        assertThat(new String(e, UTF_8)).contains(event(i));
        received += e.length;
        long expected = received;
        Await.until("row shows " + expected + " bytes", WAIT, () -> rowTx("s-sse") == expected);
        assertThat(row("s-sse").orElseThrow().type()).isEqualTo(ConnectionType.STREAMING);
      }
      sink.tryEmitComplete().orThrow();
      assertThat(in.read()).isEqualTo(-1);
    }
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void writeAndFlushWithIsCountedPerBuffer() throws Exception {
    byte[] chunk = "y".repeat(700).getBytes(UTF_8);
    serve(
        RouterFunctions.route()
            .GET(
                "/flush",
                request -> {
                  attach(request);
                  return ServerResponse.ok()
                      .build(
                          (exchange, context) ->
                              exchange
                                  .getResponse()
                                  .writeAndFlushWith(
                                      Flux.range(0, 6).map(i -> Mono.just(buffer(chunk)))));
                })
            .build());

    RawHttp.Response r =
        RawHttp.send(server.port(), "GET", "/flush", Map.of("X-Session-Id", "s-flush"));

    assertThat(r.body()).hasSize(6 * chunk.length);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(6L * chunk.length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void flushedGroupsOfEveryShapeAreCountedPerBuffer() throws Exception {
    byte[] chunk = "z".repeat(300).getBytes(UTF_8);
    serve(
        RouterFunctions.route()
            .GET(
                "/groups",
                request -> {
                  attach(request);
                  List<Publisher<DataBuffer>> groups =
                      List.of(
                          Mono.just(buffer(chunk)), // scalar: counted as it is handed on
                          Flux.just(buffer(chunk)),
                          Mono.fromSupplier(() -> buffer(chunk)), // counted as it emits
                          Flux.range(0, 3).map(i -> buffer(chunk)),
                          Mono.empty());
                  return ServerResponse.ok()
                      .build(
                          (exchange, context) ->
                              exchange.getResponse().writeAndFlushWith(Flux.fromIterable(groups)));
                })
            .build());

    RawHttp.Response r =
        RawHttp.send(server.port(), "GET", "/groups", Map.of("X-Session-Id", "s-groups"));

    assertThat(r.body()).hasSize(6 * chunk.length);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(6L * chunk.length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  static DataBuffer buffer(byte[] bytes) {
    return DefaultDataBufferFactory.sharedInstance.wrap(bytes.clone());
  }

  @Test
  void aClientThatLeavesMidStreamEndsTheRowOnceAsClientAborted() throws Exception {
    AtomicReference<String> cancelled = new AtomicReference<>("no");
    serve(
        RouterFunctions.route()
            .GET(
                "/abort",
                request -> {
                  attach(request);
                  Flux<ServerSentEvent<String>> endless =
                      // paced by demand: an interval would fail when the server's demand pauses
                      Flux.range(0, Integer.MAX_VALUE)
                          .delayElements(Duration.ofMillis(5))
                          .map(i -> ServerSentEvent.builder(event(i % 20)).build())
                          .doOnCancel(() -> cancelled.set("yes"));
                  return ServerResponse.ok()
                      .contentType(MediaType.TEXT_EVENT_STREAM)
                      .body(BodyInserters.fromServerSentEvents(endless));
                })
            .build());

    String read =
        PartialReader.readThenClose(
            server.port(), "/abort", Map.of("X-Session-Id", "s-abort"), "eoe", 3);
    assertThat(read).startsWith("HTTP/1.1 200");

    awaitNoRows();
    Await.until("the stream was cancelled", WAIT, () -> cancelled.get().equals("yes"));
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
    assertThat(ended)
        .singleElement()
        .extracting(EndedConnection::reason)
        .isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(ended.get(0).bytesTx()).isPositive();
  }

  @Test
  void anErrorMidStreamEndsTheRowAsErroredAfterCountingWhatWasSent() throws Exception {
    serve(
        RouterFunctions.route()
            .GET(
                "/error",
                request -> {
                  attach(request);
                  Flux<ServerSentEvent<String>> failing =
                      Flux.concat(
                          Flux.just(
                              ServerSentEvent.builder(event(0)).build(),
                              ServerSentEvent.builder(event(1)).build()),
                          Flux.error(new IllegalStateException("backend exploded")));
                  return ServerResponse.ok()
                      .contentType(MediaType.TEXT_EVENT_STREAM)
                      .body(BodyInserters.fromServerSentEvents(failing));
                })
            .build());

    RawHttp.Response r =
        RawHttp.send(server.port(), "GET", "/error", Map.of("X-Session-Id", "s-error"));

    assertThat(new String(r.body(), UTF_8)).contains(event(0), event(1));
    awaitNoRows();
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(backend().cumulativeBytesTx()).isEqualTo(r.body().length);
  }

  @Test
  void anErrorBeforeTheResponseEndsTheRowAsErrored() throws Exception {
    serve(
        RouterFunctions.route()
            .GET(
                "/boom",
                request -> {
                  attach(request);
                  return Mono.error(new IllegalStateException("backend exploded"));
                })
            .build());

    HttpResponse<String> r = CLIENT.send(get("/boom", "s-boom"), BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(500);
    awaitNoRows();
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void twoRequestsOfOneSessionJoinOneRowAndEndTogether() throws Exception {
    CountDownLatch attached = new CountDownLatch(2);
    Sinks.Empty<Void> release = Sinks.empty();
    byte[] first = "a".repeat(100).getBytes(UTF_8);
    byte[] second = "b".repeat(50).getBytes(UTF_8);
    serve(
        RouterFunctions.route()
            .GET(
                "/join",
                request -> {
                  attach(request);
                  Flux<DataBuffer> body =
                      Flux.concat(
                          Mono.fromSupplier(() -> buffer(first))
                              .doOnNext(b -> workers.submit(attached::countDown)),
                          release.asMono().then(Mono.fromSupplier(() -> buffer(second))));
                  return ServerResponse.ok()
                      .contentType(MediaType.TEXT_EVENT_STREAM)
                      .body(BodyInserters.fromDataBuffers(body));
                })
            .build());

    CompletableFuture<HttpResponse<byte[]>> a =
        CLIENT.sendAsync(get("/join", "shared"), BodyHandlers.ofByteArray());
    CompletableFuture<HttpResponse<byte[]>> b =
        CLIENT.sendAsync(get("/join", "shared"), BodyHandlers.ofByteArray());
    dev.inflight.activity.testing.Await.await(attached);
    Await.until(
        "two requests on one row",
        WAIT,
        () -> row("shared").map(ConnectionSnapshot::requests).orElse(0) == 2);
    assertThat(tracker.activeConnections()).isEqualTo(1);
    Await.until("both first writes counted", WAIT, () -> rowTx("shared") == 200);
    release.tryEmitEmpty().orThrow();

    assertThat(a.get(10, SECONDS).body()).hasSize(150);
    assertThat(b.get(10, SECONDS).body()).hasSize(150);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(300);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void theActivityIsInTheExchangeAndTheReactorContextButNotOnTheThread() throws Exception {
    AtomicInteger same = new AtomicInteger();
    AtomicInteger onThread = new AtomicInteger();
    serve(
        RouterFunctions.route()
            .GET(
                "/where",
                request ->
                    Mono.deferContextual(
                        context -> {
                          RequestActivity fromExchange =
                              ActivityWebFilter.activity(request.exchange());
                          if (fromExchange.isTracking()
                              && ActivityWebFilter.activity(context) == fromExchange) {
                            same.incrementAndGet();
                          }
                          if (RequestActivity.current().isTracking()) {
                            onThread.incrementAndGet();
                          }
                          return ServerResponse.ok().bodyValue("ok");
                        }))
            .build());

    HttpResponse<String> r = CLIENT.send(get("/where", "s-where"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("ok");
    assertThat(same).hasValue(1);
    assertThat(onThread).hasValue(0);
  }

  @Test
  void aRequestThatNeverAttachesLeavesNoRow() throws Exception {
    serve(
        RouterFunctions.route()
            .GET("/plain", request -> ServerResponse.ok().bodyValue("plain"))
            .build());

    HttpResponse<String> r = CLIENT.send(get("/plain", "s-plain"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("plain");
    assertThat(tracker.getGlobalSnapshot().backends()).isEmpty();
  }

  @Test
  void theBodyOfAHeadRequestIsNotCounted() throws Exception {
    serve(
        RouterFunctions.route()
            .HEAD(
                "/head",
                request -> {
                  attach(request);
                  return ServerResponse.ok()
                      .contentType(MediaType.TEXT_PLAIN)
                      .bodyValue("z".repeat(1000));
                })
            .build());

    RawHttp.Response r =
        RawHttp.send(server.port(), "HEAD", "/head", Map.of("X-Session-Id", "s-head"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isZero();
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void theSessionIdComesFromTheConfiguredHeaderOrIsGenerated() throws Exception {
    AtomicReference<String> generated = new AtomicReference<>();
    RouterFunction<ServerResponse> routes =
        RouterFunctions.route()
            .GET(
                "/session",
                request -> {
                  RequestActivity a = attach(request);
                  generated.set(a.sessionId());
                  return ServerResponse.ok().bodyValue("s");
                })
            .build();
    serve(routes, ActivityWebFilter.builder().tracker(tracker).sessionHeader("X-Conv").build());

    HttpRequest withHeader =
        HttpRequest.newBuilder(server.uri("/session")).header("X-Conv", "conv-7").build();
    CLIENT.send(withHeader, BodyHandlers.ofString());
    assertThat(generated.get()).isEqualTo("conv-7");

    CLIENT.send(get("/session", "ignored"), BodyHandlers.ofString());
    assertThat(generated.get()).isNotBlank().isNotEqualTo("ignored");
    awaitNoRows();
    assertThat(ended).extracting(EndedConnection::sessionId).contains("conv-7", generated.get());
  }

  @Test
  void disabledTrackingWrapsNothing() throws Exception {
    AtomicReference<String> responseClass = new AtomicReference<>();
    AtomicReference<RequestActivity> activity = new AtomicReference<>();
    AtomicInteger inContext = new AtomicInteger();
    serve(
        RouterFunctions.route()
            .GET(
                "/off",
                request ->
                    Mono.deferContextual(
                        context -> {
                          responseClass.set(request.exchange().getResponse().getClass().getName());
                          activity.set(ActivityWebFilter.activity(request.exchange()));
                          if (context.hasKey(ActivityWebFilter.CONTEXT_KEY)) {
                            inContext.incrementAndGet();
                          }
                          return ServerResponse.ok().bodyValue("off");
                        }))
            .build(),
        ActivityWebFilter.builder().tracker(ActivityTracker.disabled()).build());

    HttpResponse<String> r = CLIENT.send(get("/off", "s-off"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("off");
    assertThat(responseClass.get()).doesNotStartWith("dev.inflight");
    assertThat(activity.get()).isSameAs(RequestActivity.disabled());
    assertThat(inContext).hasValue(0);
  }

  @Test
  void aFilterBuiltWithASupplierAsksForTheTrackerOnEveryRequest() throws Exception {
    AtomicReference<ActivityTracker> current = new AtomicReference<>(ActivityTracker.disabled());
    serve(
        RouterFunctions.route()
            .GET(
                "/supplied",
                request -> {
                  attach(request);
                  return ServerResponse.ok().bodyValue("12345");
                })
            .build(),
        ActivityWebFilter.builder().tracker(current::get).build());

    CLIENT.send(get("/supplied", "s-1"), BodyHandlers.ofString());
    assertThat(tracker.getBackendSnapshot(BACKEND)).isEmpty();
    current.set(tracker);
    CLIENT.send(get("/supplied", "s-2"), BodyHandlers.ofString());
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(5);
    assertThat(new ActivityWebFilterTest().defaultOrder()).isEqualTo(Integer.MIN_VALUE);
  }

  @Test
  void aSecondFilterOnTheSameExchangeCountsNothingTwice() throws Exception {
    ActivityWebFilter first = ActivityWebFilter.builder().tracker(tracker).build();
    ActivityWebFilter second = ActivityWebFilter.builder().tracker(tracker).order(5).build();
    assertThat(second.getOrder()).isEqualTo(5);
    serve(
        RouterFunctions.route()
            .GET(
                "/twice",
                request -> {
                  attach(request);
                  return ServerResponse.ok().bodyValue("0123456789");
                })
            .build(),
        first,
        second);

    HttpResponse<String> r = CLIENT.send(get("/twice", "s-twice"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("0123456789");
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(10);
    assertThat(ended).hasSize(1);
  }

  @Test
  void aClosedTrackerLeavesRequestsUntracked() throws Exception {
    ActivityTracker closed = enabledTracker();
    closed.close();
    AtomicReference<RequestActivity> seen = new AtomicReference<>();
    serve(
        RouterFunctions.route()
            .GET(
                "/closed",
                request -> {
                  seen.set(ActivityWebFilter.activity(request.exchange()));
                  return ServerResponse.ok().bodyValue("still served");
                })
            .build(),
        ActivityWebFilter.builder().tracker(closed).build());

    HttpResponse<String> r = CLIENT.send(get("/closed", "s-closed"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("still served");
    assertThat(seen.get().isTracking()).isFalse();
  }

  int defaultOrder() {
    return ActivityWebFilter.builder().build().getOrder();
  }

  @Test
  void aThousandRequestsWithRandomClientAbortsLeaveNoRowsAndExactCounts() throws Exception {
    AtomicInteger attaches = new AtomicInteger();
    byte[][] parts = new byte[4][];
    for (int i = 0; i < 4; i++) {
      parts[i] = ("data: " + "q".repeat(504) + i + "\n\n").getBytes(UTF_8);
    }
    long full = 4L * parts[0].length;
    serve(
        RouterFunctions.route()
            .GET(
                "/load",
                request -> {
                  attach(request);
                  attaches.incrementAndGet();
                  return ServerResponse.ok()
                      .contentType(MediaType.TEXT_EVENT_STREAM)
                      .body(
                          BodyInserters.fromDataBuffers(
                              Flux.range(0, 4).map(i -> buffer(parts[i]))));
                })
            .build());

    Random random = new Random(7);
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<?>> all = new ArrayList<>();
    Map<String, Integer> fullyRead = new ConcurrentHashMap<>();
    for (int i = 0; i < 1000; i++) {
      assertThat(inFlight.tryAcquire(10, SECONDS)).isTrue();
      String session = "s-" + i;
      HttpRequest request = get("/load", session);
      CompletableFuture<?> f;
      switch (random.nextInt(3)) {
        case 0: // read it all
          f =
              CLIENT
                  .sendAsync(request, BodyHandlers.ofByteArray())
                  .thenAccept(r -> fullyRead.put(session, r.body().length));
          break;
        case 1: // read a little, then hang up
          f =
              CLIENT
                  .sendAsync(request, BodyHandlers.ofInputStream())
                  .thenAcceptAsync(r -> closeAfter(r.body(), 100), workers);
          break;
        default: // give up at once
          f = CLIENT.sendAsync(request, BodyHandlers.ofByteArray());
          f.cancel(true);
          break;
      }
      f.whenComplete((v, e) -> inFlight.release());
      all.add(f);
    }
    for (CompletableFuture<?> f : all) {
      try {
        f.get(30, SECONDS);
      } catch (Exception expected) {
        // aborted or cancelled: what the server does about it is what we check
      }
    }

    Await.until(
        "every attached request ended, no rows left",
        Duration.ofSeconds(20),
        () ->
            tracker.activeConnections() == 0 && backend().completedConnections() == attaches.get());
    assertThat(attaches.get()).isGreaterThan(300);
    BackendSnapshot s = backend();
    assertThat(s.connections()).isEmpty();
    assertThat(ended).hasSize(attaches.get());
    assertThat(s.ended().total()).isEqualTo(attaches.get());
    assertThat(s.ended().completed()).isGreaterThanOrEqualTo(fullyRead.size());
    // exact: the cumulative count is the sum of the rows, each complete row has the whole body,
    // and every client that read it all got exactly what its row counted
    assertThat(s.cumulativeBytesTx())
        .isEqualTo(ended.stream().mapToLong(EndedConnection::bytesTx).sum());
    for (EndedConnection e : ended) {
      if (e.reason() == EndReason.COMPLETED) {
        assertThat(e.bytesTx()).as(e.sessionId()).isEqualTo(full);
      } else {
        assertThat(e.bytesTx()).as(e.sessionId()).isLessThanOrEqualTo(full);
      }
      Integer got = fullyRead.get(e.sessionId());
      if (got != null) {
        assertThat(e.bytesTx()).as(e.sessionId()).isEqualTo(got.longValue()).isEqualTo(full);
        assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
      }
    }
  }

  static void closeAfter(InputStream in, int n) {
    try (in) {
      in.readNBytes(n);
    } catch (IOException ignored) {
      // the hang-up is the point
    }
  }

  static ActivityTracker enabledTracker() {
    return ActivityTracker.create(
        ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
  }
}
