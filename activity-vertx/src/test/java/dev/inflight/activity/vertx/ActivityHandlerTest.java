package dev.inflight.activity.vertx;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

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
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.vertx.testing.PartialReader;
import dev.inflight.activity.vertx.testing.VertxServer;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract scenarios of the other adapters, on a real Vert.x 5 server with vertx-web: exact TX
 * for plain and streamed bodies, TX visible mid-stream, each request ending once as completed,
 * client_aborted or errored, joined sessions, HEAD, load with random aborts, the application's own
 * response handlers left to it, and nothing done when tracking is off.
 */
class ActivityHandlerTest {

  static final String BACKEND = "backend-1";
  static final String MODEL = "model-x";
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Duration POLL = Duration.ofMillis(20);
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(s -> s.endedListener(ended::add));

  ActivityTracker tracker;
  ExecutorService workers;
  VertxServer server;

  /** Responses the handlers left open for the test to drive. */
  final BlockingQueue<Held> held = new LinkedBlockingQueue<>();

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

  void serve(Consumer<Router> routes) {
    serve(ActivityHandler.builder().tracker(tracker).pollInterval(POLL).build(), routes);
  }

  void serve(Handler<RoutingContext> handler, Consumer<Router> routes) {
    server =
        VertxServer.start(
            router -> {
              router.route().handler(handler);
              routes.accept(router);
            });
  }

  static RequestActivity attach(RoutingContext ctx) {
    RequestActivity activity = VertxActivity.of(ctx);
    activity.attach(BACKEND, MODEL, ConnectionType.STREAMING);
    return activity;
  }

  /** An open response and its context, for the test to write to from its own thread. */
  record Held(RoutingContext ctx, Context context) {
    void run(Consumer<HttpServerResponse> action) {
      context.runOnContext(v -> action.accept(ctx.response()));
    }

    void write(String text) {
      run(r -> r.write(text));
    }

    void end() {
      run(HttpServerResponse::end);
    }
  }

  /** Keeps the response open for the test: an SSE head, and the first event if given. */
  void hold(RoutingContext ctx, String first) {
    ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
    if (!first.isEmpty()) {
      ctx.response().write(first);
    }
    held.add(new Held(ctx, Vertx.currentContext()));
  }

  Held awaitHeld() throws InterruptedException {
    Held h = held.poll(WAIT.toSeconds(), SECONDS);
    assertThat(h).as("a request reached its handler").isNotNull();
    return h;
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

  /** The one ended row of a session, once the ended-row listener was told of it. */
  EndedConnection endedRow(String sessionId) {
    Await.until(
        "the row of " + sessionId + " ended",
        WAIT,
        () -> ended.stream().anyMatch(e -> e.sessionId().equals(sessionId)));
    List<EndedConnection> rows =
        ended.stream().filter(e -> e.sessionId().equals(sessionId)).toList();
    assertThat(rows).as("rows of %s that ended", sessionId).hasSize(1);
    return rows.get(0);
  }

  static String event(int i) {
    return "data: {\"i\":"
        + i
        + ",\"text\":\""
        + "x".repeat(20 + 37 * i)
        + "\",\"end\":\"eoe\"}\n\n";
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

  @Test
  void aPlainJsonBodyIsCountedExactly() throws Exception {
    String json = "{\"choices\":[{\"text\":\"" + "é".repeat(300) + "\"}]}";
    serve(
        router ->
            router
                .get("/json")
                .handler(
                    ctx -> {
                      attach(ctx);
                      ctx.response().putHeader("Content-Type", "application/json").end(json);
                    }));

    RawHttp.Response r =
        RawHttp.send(server.port(), "GET", "/json", Map.of("X-Session-Id", "s-json"));

    assertThat(new String(r.body(), UTF_8)).isEqualTo(json);
    EndedConnection row = endedRow("s-json");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesTx()).isEqualTo(json.getBytes(UTF_8).length);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(json.getBytes(UTF_8).length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void sseEventsAreCountedAsTheyGoOutWhileTheStreamIsOpen() throws Exception {
    int events = 5;
    serve(
        router ->
            router
                .get("/sse")
                .handler(
                    ctx -> {
                      attach(ctx);
                      hold(ctx, event(0));
                    }));

    HttpResponse<InputStream> r = CLIENT.send(get("/sse", "s-sse"), BodyHandlers.ofInputStream());
    Held stream = awaitHeld();
    long received = 0;
    try (InputStream in = r.body()) {
      for (int i = 0; i < events; i++) {
        if (i > 0) {
          stream.write(event(i));
        }
        byte[] e = readEvent(in);
        assertThat(new String(e, UTF_8)).isEqualTo(event(i));
        received += e.length;
        long expected = received;
        // the row shows the event while the stream is open, exactly
        Await.until("row shows " + expected + " bytes", WAIT, () -> rowTx("s-sse") == expected);
        assertThat(row("s-sse").orElseThrow().type()).isEqualTo(ConnectionType.STREAMING);
      }
      stream.end();
      assertThat(in.read()).isEqualTo(-1);
    }
    EndedConnection row = endedRow("s-sse");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesTx()).isEqualTo(received);
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  /** A handler that writes an event every few milliseconds until its response closes. */
  static void endless(RoutingContext ctx, AtomicLong wrote) {
    HttpServerResponse response = ctx.response();
    response.setChunked(true).putHeader("Content-Type", "text/event-stream");
    AtomicInteger i = new AtomicInteger();
    ctx.vertx()
        .setPeriodic(
            5,
            id -> {
              if (response.closed() || response.ended()) {
                ctx.vertx().cancelTimer(id);
                wrote.set(response.bytesWritten());
                return;
              }
              response.write(event(i.getAndIncrement() % 20));
            });
  }

  @Test
  void aClientThatLeavesMidStreamEndsTheRowOnceAsClientAborted() throws Exception {
    AtomicLong wrote = new AtomicLong(-1);
    serve(
        router ->
            router
                .get("/abort")
                .handler(
                    ctx -> {
                      attach(ctx);
                      endless(ctx, wrote);
                    }));

    String read =
        PartialReader.readThenClose(
            server.port(), "/abort", Map.of("X-Session-Id", "s-abort"), "eoe", 3);
    assertThat(read).startsWith("HTTP/1.1 200");

    EndedConnection row = endedRow("s-abort");
    assertThat(row.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    awaitNoRows();
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
    Await.until("the handler saw its response close", WAIT, () -> wrote.get() >= 0);
    // what the response handed to the connection until the close was seen, never more
    assertThat(row.bytesTx()).isPositive().isLessThanOrEqualTo(wrote.get());
    assertThat(ended).hasSize(1);
  }

  @Test
  void aBackendFailureMidStreamEndsTheRowAsErroredWithWhatWasSent() throws Exception {
    serve(
        router ->
            router
                .get("/fail")
                .handler(
                    ctx -> {
                      attach(ctx);
                      hold(ctx, event(0));
                    }));

    HttpResponse<InputStream> r = CLIENT.send(get("/fail", "s-fail"), BodyHandlers.ofInputStream());
    Held stream = awaitHeld();
    long received;
    try (InputStream in = r.body()) {
      received = readEvent(in).length;
      stream.write(event(1));
      received += readEvent(in).length;
      // the proxy's backend broke: it says so, and drops the client's connection
      stream.run(
          response -> {
            VertxActivity.of(stream.ctx()).fail(EndReason.ERRORED);
            response.reset();
          });
      assertThat(readRest(in)).isEmpty();
    }

    EndedConnection row = endedRow("s-fail");
    assertThat(row.reason()).isEqualTo(EndReason.ERRORED);
    assertThat(row.bytesTx()).isEqualTo(received).isEqualTo(event(0).length() + event(1).length());
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  /** Reads what is left until the end or a failure of the stream. */
  byte[] readRest(InputStream in) throws Exception {
    return workers
        .submit(
            () -> {
              ByteArrayOutputStream rest = new ByteArrayOutputStream();
              try {
                in.transferTo(rest);
              } catch (IOException e) {
                // the reset is the point
              }
              return rest.toByteArray();
            })
        .get(WAIT.toSeconds(), SECONDS);
  }

  @Test
  void aRoutingContextFailedMidStreamEndsErroredWhenItsConnectionGoes() throws Exception {
    serve(
        router ->
            router
                .get("/ctx-fail")
                .handler(
                    ctx -> {
                      attach(ctx);
                      HttpServerResponse response = ctx.response();
                      response.setChunked(true).putHeader("Content-Type", "text/event-stream");
                      response.write(event(0));
                      response
                          .write(event(1))
                          .onComplete(v -> ctx.fail(new IllegalStateException("backend broke")));
                    }));

    String read =
        PartialReader.readThenClose(
            server.port(), "/ctx-fail", Map.of("X-Session-Id", "s-ctx-fail"), "eoe", 2);
    assertThat(read).startsWith("HTTP/1.1 200");

    EndedConnection row = endedRow("s-ctx-fail");
    assertThat(row.reason()).isEqualTo(EndReason.ERRORED);
    assertThat(row.bytesTx()).isEqualTo(event(0).length() + event(1).length());
  }

  @Test
  void aFailureBeforeTheResponseEndsTheRowAsErroredAndCountsTheErrorBody() throws Exception {
    serve(
        router -> {
          router
              .get("/fail-now")
              .handler(
                  ctx -> {
                    attach(ctx);
                    ctx.fail(new IllegalStateException("backend exploded"));
                  });
          router
              .get("/throw")
              .handler(
                  ctx -> {
                    attach(ctx);
                    throw new IllegalStateException("handler exploded");
                  });
          router
              .get("/not-found")
              .handler(
                  ctx -> {
                    attach(ctx);
                    ctx.fail(404);
                  });
        });

    RawHttp.Response failed =
        RawHttp.send(server.port(), "GET", "/fail-now", Map.of("X-Session-Id", "s-fail-now"));
    RawHttp.Response thrown =
        RawHttp.send(server.port(), "GET", "/throw", Map.of("X-Session-Id", "s-throw"));
    RawHttp.Response notFound =
        RawHttp.send(server.port(), "GET", "/not-found", Map.of("X-Session-Id", "s-404"));

    assertThat(failed.status()).isEqualTo(500);
    assertThat(thrown.status()).isEqualTo(500);
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(endedRow("s-fail-now").reason()).isEqualTo(EndReason.ERRORED);
    assertThat(endedRow("s-fail-now").bytesTx()).isEqualTo(failed.body().length).isPositive();
    assertThat(endedRow("s-throw").reason()).isEqualTo(EndReason.ERRORED);
    // a 4xx is the application's answer, not a failure of the request
    assertThat(endedRow("s-404").reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(endedRow("s-404").bytesTx()).isEqualTo(notFound.body().length);
    awaitNoRows();
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 2, 0));
  }

  @Test
  void twoRequestsOfOneSessionJoinOneRowAndEndTogether() throws Exception {
    String start = "a".repeat(100);
    String rest = "b".repeat(50);
    serve(
        router ->
            router
                .get("/join")
                .handler(
                    ctx -> {
                      attach(ctx);
                      hold(ctx, start);
                    }));

    CompletableFuture<HttpResponse<byte[]>> a =
        CLIENT.sendAsync(get("/join?n=a", "shared"), BodyHandlers.ofByteArray());
    CompletableFuture<HttpResponse<byte[]>> b =
        CLIENT.sendAsync(get("/join?n=b", "shared"), BodyHandlers.ofByteArray());
    Held first = awaitHeld();
    Held second = awaitHeld();
    // which response is whose: the order they reached the handler is not the order they were sent
    boolean inOrder = "a".equals(first.ctx().request().getParam("n"));
    Held ha = inOrder ? first : second;
    Held hb = inOrder ? second : first;
    Await.until(
        "two requests on one row",
        WAIT,
        () -> row("shared").map(ConnectionSnapshot::requests).orElse(0) == 2);
    assertThat(tracker.activeConnections()).isEqualTo(1);
    Await.until("both first writes counted", WAIT, () -> rowTx("shared") == 200);

    ha.run(r -> r.end(rest));
    assertThat(a.get(10, SECONDS).body()).hasSize(150);
    Await.until(
        "one request left on the row",
        WAIT,
        () -> row("shared").map(ConnectionSnapshot::requests).orElse(0) == 1);
    assertThat(rowTx("shared")).isEqualTo(250);
    hb.run(r -> r.end(rest));
    assertThat(b.get(10, SECONDS).body()).hasSize(150);

    EndedConnection row = endedRow("shared");
    assertThat(row.requests()).isEqualTo(2);
    assertThat(row.bytesTx()).isEqualTo(300);
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(backend().cumulativeBytesTx()).isEqualTo(300);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void theBodyOfAHeadRequestIsNotCounted() throws Exception {
    serve(
        router ->
            router
                .head("/head")
                .handler(
                    ctx -> {
                      attach(ctx);
                      // Vert.x counts the body as written, and its encoder drops it
                      ctx.response().putHeader("Content-Type", "text/plain").end("z".repeat(1000));
                    }));

    RawHttp.Response r =
        RawHttp.send(server.port(), "HEAD", "/head", Map.of("X-Session-Id", "s-head"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    EndedConnection row = endedRow("s-head");
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesTx()).isZero();
    assertThat(backend().cumulativeBytesTx()).isZero();
  }

  @Test
  void theApplicationKeepsTheResponsesOwnHandlersAndTheRowStillEnds() throws Exception {
    CountDownLatch appSawClose = new CountDownLatch(1);
    CountDownLatch appSawEnd = new CountDownLatch(1);
    AtomicLong wrote = new AtomicLong(-1);
    serve(
        router -> {
          router
              .get("/own-close")
              .handler(
                  ctx -> {
                    attach(ctx);
                    // replaces every handler vertx-web's end handlers listen through
                    ctx.response()
                        .exceptionHandler(e -> {})
                        .endHandler(v -> {})
                        .closeHandler(v -> appSawClose.countDown());
                    endless(ctx, wrote);
                  });
          router
              .get("/own-end")
              .handler(
                  ctx -> {
                    attach(ctx);
                    ctx.response().endHandler(v -> appSawEnd.countDown());
                    ctx.response().end("12345");
                  });
        });

    PartialReader.readThenClose(
        server.port(), "/own-close", Map.of("X-Session-Id", "s-own-close"), "eoe", 2);
    RawHttp.Response r =
        RawHttp.send(server.port(), "GET", "/own-end", Map.of("X-Session-Id", "s-own-end"));

    Await.await(appSawClose);
    Await.await(appSawEnd);
    assertThat(r.body()).hasSize(5);
    assertThat(endedRow("s-own-close").reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(endedRow("s-own-end").reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(endedRow("s-own-end").bytesTx()).isEqualTo(5);
    awaitNoRows();
  }

  @Test
  void aRequestThatNeverAttachesLeavesNoRow() throws Exception {
    serve(router -> router.get("/plain").handler(ctx -> ctx.end("plain")));

    HttpResponse<String> r = CLIENT.send(get("/plain", "s-plain"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("plain");
    assertThat(tracker.getGlobalSnapshot().backends()).isEmpty();
  }

  @Test
  void theSessionIdComesFromTheConfiguredHeaderOrIsGenerated() throws Exception {
    AtomicReference<String> generated = new AtomicReference<>();
    serve(
        ActivityHandler.builder().tracker(tracker).sessionHeader("X-Conv").build(),
        router ->
            router
                .get("/session")
                .handler(
                    ctx -> {
                      generated.set(attach(ctx).sessionId());
                      ctx.end("s");
                    }));

    HttpRequest withHeader =
        HttpRequest.newBuilder(server.uri("/session")).header("X-Conv", "conv-7").build();
    CLIENT.send(withHeader, BodyHandlers.ofString());
    assertThat(generated.get()).isEqualTo("conv-7");

    CLIENT.send(get("/session", "ignored"), BodyHandlers.ofString());
    assertThat(generated.get()).isNotBlank().isNotEqualTo("ignored");
    assertThat(endedRow("conv-7").reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(endedRow(generated.get()).reason()).isEqualTo(EndReason.COMPLETED);
  }

  @Test
  void disabledTrackingStoresAndCountsNothing() throws Exception {
    AtomicReference<RequestActivity> activity = new AtomicReference<>();
    AtomicReference<Map<String, Object>> data = new AtomicReference<>();
    serve(
        ActivityHandler.create(ActivityTracker.disabled()),
        router ->
            router
                .get("/off")
                .handler(
                    ctx -> {
                      activity.set(VertxActivity.of(ctx));
                      data.set(Map.copyOf(ctx.data()));
                      ctx.end("off");
                    }));

    HttpResponse<String> r = CLIENT.send(get("/off", "s-off"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("off");
    assertThat(activity.get()).isSameAs(RequestActivity.disabled());
    assertThat(data.get()).doesNotContainKey(ActivityHandler.ATTRIBUTE);
    assertThat(tracker.getGlobalSnapshot().backends()).isEmpty();
  }

  @Test
  void aHandlerBuiltWithASupplierAsksForTheTrackerOnEveryRequest() throws Exception {
    AtomicReference<ActivityTracker> current = new AtomicReference<>(ActivityTracker.disabled());
    serve(
        ActivityHandler.builder().tracker(current::get).build(),
        router ->
            router
                .get("/supplied")
                .handler(
                    ctx -> {
                      attach(ctx);
                      ctx.end("12345");
                    }));

    CLIENT.send(get("/supplied", "s-1"), BodyHandlers.ofString());
    assertThat(tracker.getBackendSnapshot(BACKEND)).isEmpty();
    current.set(tracker);
    CLIENT.send(get("/supplied", "s-2"), BodyHandlers.ofString());
    assertThat(endedRow("s-2").bytesTx()).isEqualTo(5);
  }

  @Test
  void aSecondHandlerOnTheSameRequestCountsNothingTwice() throws Exception {
    ActivityHandler second = ActivityHandler.create(tracker);
    serve(
        router ->
            router
                .get("/twice")
                .handler(second)
                .handler(
                    ctx -> {
                      attach(ctx);
                      ctx.end("0123456789");
                    }));

    HttpResponse<String> r = CLIENT.send(get("/twice", "s-twice"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("0123456789");
    assertThat(endedRow("s-twice").bytesTx()).isEqualTo(10);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(10);
  }

  @Test
  void aClosedTrackerLeavesRequestsUntracked() throws Exception {
    ActivityTracker closed =
        ActivityTracker.create(
            ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
    closed.close();
    AtomicReference<RequestActivity> seen = new AtomicReference<>();
    serve(
        ActivityHandler.create(closed),
        router ->
            router
                .get("/closed")
                .handler(
                    ctx -> {
                      seen.set(VertxActivity.of(ctx));
                      ctx.end("still served");
                    }));

    HttpResponse<String> r = CLIENT.send(get("/closed", "s-closed"), BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("still served");
    assertThat(seen.get().isTracking()).isFalse();
  }

  @Test
  void thePollIntervalIsValidated() {
    ActivityHandler.Builder b = ActivityHandler.builder();
    assertThatIllegalArgumentException().isThrownBy(() -> b.pollInterval(Duration.ofNanos(10)));
    assertThat(ActivityHandler.builder().build().toString()).contains("250ms");
  }

  @Test
  void aThousandRequestsWithRandomClientAbortsLeaveNoRowsAndExactCounts() throws Exception {
    AtomicInteger attaches = new AtomicInteger();
    Map<String, Long> written = new ConcurrentHashMap<>();
    String[] parts = new String[4];
    for (int i = 0; i < 4; i++) {
      parts[i] = "data: " + "q".repeat(504) + i + "\n\n";
    }
    long full = 4L * parts[0].length();
    serve(
        router ->
            router
                .get("/load")
                .handler(
                    ctx -> {
                      attach(ctx);
                      attaches.incrementAndGet();
                      String session =
                          ctx.request().getHeader(RequestActivity.DEFAULT_SESSION_HEADER);
                      HttpServerResponse response = ctx.response();
                      // what the server wrote, read at the end as the tracker's handler reads it
                      ctx.addEndHandler(v -> written.put(session, response.bytesWritten()));
                      response.setChunked(true).putHeader("Content-Type", "text/event-stream");
                      writeParts(ctx, parts, 0);
                    }));

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

    // the route's own end handler runs apart from the tracker's: wait for both
    Await.until(
        "every attached request ended, no rows left",
        Duration.ofSeconds(20),
        () ->
            tracker.activeConnections() == 0
                && backend().completedConnections() == attaches.get()
                && ended.size() == attaches.get()
                && written.size() == attaches.get());
    assertThat(attaches.get()).isGreaterThan(300);
    BackendSnapshot s = backend();
    assertThat(s.connections()).isEmpty();
    assertThat(ended).hasSize(attaches.get());
    assertThat(s.ended().total()).isEqualTo(attaches.get());
    assertThat(s.ended().errored()).isZero();
    assertThat(s.ended().completed()).isGreaterThanOrEqualTo(fullyRead.size());
    // exact: the cumulative count is what the server wrote, and each row what its response wrote
    assertThat(written).hasSize(attaches.get());
    assertThat(s.cumulativeBytesTx())
        .isEqualTo(written.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(ended.stream().mapToLong(EndedConnection::bytesTx).sum());
    for (EndedConnection e : ended) {
      assertThat(e.bytesTx()).as(e.sessionId()).isEqualTo(written.get(e.sessionId()));
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

  /** Writes the parts one after the other, each once the previous one was written, then ends. */
  static void writeParts(RoutingContext ctx, String[] parts, int next) {
    HttpServerResponse response = ctx.response();
    if (response.closed()) {
      return;
    }
    if (next == parts.length) {
      response.end();
      return;
    }
    response
        .write(parts[next])
        .onComplete(
            done -> {
              if (done.succeeded()) {
                writeParts(ctx, parts, next + 1);
              }
            });
  }

  static void closeAfter(InputStream in, int n) {
    try (in) {
      in.readNBytes(n);
    } catch (IOException ignored) {
      // the hang-up is the point
    }
  }
}
