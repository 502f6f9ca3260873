package dev.inflight.activity.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.json.ConnectionView;
import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.json.InstanceView;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.FakeClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link ActivityFeature} promises, over real HTTP, written once and run on every Jakarta REST
 * implementation by a subclass.
 */
abstract class ActivityFeatureContract {

  static final Duration WAIT = Duration.ofSeconds(10);

  FakeClock clock;
  ActivityTracker tracker;
  ExecutorService workers;
  TrackedResource resource;
  TestServer server;
  HttpClient http;

  abstract JaxrsRuntime runtime();

  /**
   * Whether an exception no mapper handles still goes through the response filters (Jakarta REST
   * 3.1's default exception mapper). Jersey on a servlet container propagates it to the container
   * instead, past every filter.
   */
  abstract boolean unmappedExceptionsReachFilters();

  /** Implementation-specific resources, added to the application. */
  List<Object> extraSingletons() {
    return List.of();
  }

  @BeforeEach
  void start() {
    clock = new FakeClock();
    tracker =
        ActivityTracker.create(
            ActivitySettings.builder()
                .enabled(true)
                .countEvents(true)
                .sweepInterval(Duration.ZERO)
                .clock(clock)
                .build());
    workers = Executors.newCachedThreadPool();
    resource = new TrackedResource(workers);
    List<Object> singletons = new ArrayList<>();
    singletons.add(resource);
    singletons.add(new TrackedResource.RefusedMapper());
    singletons.add(new ActivityFeature(tracker));
    singletons.add(ServletDiagnosticsFilter.builder().tracker(tracker).build());
    singletons.addAll(extraSingletons());
    server = TestServer.start(runtime(), singletons);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() throws Exception {
    resource.ssePermits.release(100);
    server.close();
    workers.shutdownNow();
    tracker.close();
  }

  // ---- helpers ----------------------------------------------------------------------------

  HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(server.uri(path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  BackendSnapshot backend() {
    return tracker.getBackendSnapshot(TrackedResource.BACKEND).orElseThrow();
  }

  /** Waits until every row ended and {@code count} rows ended in all, then returns the counts. */
  EndCounts awaitEnded(long count) throws InterruptedException {
    Await.until(
        count + " rows ended",
        () ->
            tracker.activeConnections() == 0
                && tracker
                    .getBackendSnapshot(TrackedResource.BACKEND)
                    .map(b -> b.ended().total() >= count)
                    .orElse(false));
    return backend().ended();
  }

  void assertOneRowSent(long bodyBytes, String how) throws InterruptedException {
    EndCounts ended = awaitEnded(1);
    assertThat(ended).as(how).isEqualTo(new EndCounts(1, 0, 0, 0));
    assertThat(backend().cumulativeBytesTx()).as(how + ": TX").isEqualTo(bodyBytes);
  }

  // ---- TX per answer style ----------------------------------------------------------------

  @Test
  void plainEntityCountsItsBody() throws Exception {
    HttpResponse<byte[]> r = get("/t/plain?size=12345");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(12345);
    assertOneRowSent(r.body().length, "byte[] entity");
  }

  @Test
  void aBackendFailureRecordedByTheResourceEndsTheRequestErroredOnce() throws Exception {
    HttpResponse<byte[]> r = get("/t/backend-failed");
    assertThat(r.statusCode()).isEqualTo(502);
    EndCounts ended = awaitEnded(1);
    assertThat(ended).isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(backend().cumulativeBytesTx()).isEqualTo(r.body().length);
  }

  @Test
  void theSessionHeaderIsConfigurable() throws Exception {
    try (TestServer custom =
        TestServer.start(
            runtime(),
            List.of(
                new TrackedResource(workers),
                ActivityFeature.builder()
                    .tracker(() -> tracker)
                    .sessionHeader("X-Conversation")
                    .build()))) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(custom.uri("/t/session"))
                  .header("X-Conversation", "conv-7")
                  .header("X-Session-Id", "ignored")
                  .timeout(WAIT)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).isEqualTo("conv-7");
    }
    assertThat(awaitEnded(1).completed()).isEqualTo(1);
  }

  @Test
  void responseWithTextEntityCountsItsBody() throws Exception {
    HttpResponse<byte[]> r = get("/t/text?size=777");
    assertThat(r.body()).hasSize(777);
    assertOneRowSent(777, "Response with a String entity");
  }

  @Test
  void streamingOutputCountsEveryChunk() throws Exception {
    HttpResponse<byte[]> r = get("/t/streaming?size=300000&chunk=4096");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(300_000);
    assertOneRowSent(300_000, "StreamingOutput");
    assertThat(backend().connections()).isEmpty();
  }

  @Test
  void voidResourceEndsWithoutBody() throws Exception {
    HttpResponse<byte[]> r = get("/t/void");
    assertThat(r.statusCode()).isEqualTo(204);
    assertOneRowSent(0, "void / 204");
  }

  @Test
  void exceptionMappedToBareStatusEnds() throws Exception {
    HttpResponse<byte[]> r = get("/t/mapped-empty");
    assertThat(r.statusCode()).isEqualTo(409);
    assertOneRowSent(r.body().length, "mapped exception without body");
  }

  @Test
  void exceptionMappedWithBodyCountsIt() throws Exception {
    HttpResponse<byte[]> r = get("/t/mapped-body");
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .isEqualTo(TrackedResource.RefusedMapper.BODY);
    assertOneRowSent(r.body().length, "mapped exception with body");
  }

  @Test
  void unmappedExceptionEndsThroughTheDefaultMapperOrTheStaleSweep() throws Exception {
    HttpResponse<byte[]> r = get("/t/unmapped");
    assertThat(r.statusCode()).isEqualTo(500);
    if (!unmappedExceptionsReachFilters()) {
      // no JAX-RS hook sees the request again: the documented fallback is the stale sweep
      assertThat(tracker.activeConnections()).isEqualTo(1);
      clock.advance(ActivitySettings.DEFAULT_STALE_TIMEOUT.plusSeconds(1));
      assertThat(tracker.sweep()).isEqualTo(1);
    }
    EndCounts ended = awaitEnded(1);
    assertThat(ended.total()).isEqualTo(1);
  }

  @Test
  void headRequestEndsWithoutCountingABody() throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(server.uri("/t/plain?size=5000"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertOneRowSent(0, "HEAD");
  }

  @Test
  void asyncResponseResumedLaterCountsAndEndsAfterResume() throws Exception {
    var pending =
        http.sendAsync(
            HttpRequest.newBuilder(server.uri("/t/async?size=5000")).timeout(WAIT).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    Await.until("the async request is attached", () -> tracker.activeConnections() == 1);
    assertThat(backend().ended().total()).as("still suspended").isZero();
    resource.asyncGate.countDown();
    HttpResponse<byte[]> r = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(r.body()).hasSize(5000);
    assertOneRowSent(5000, "AsyncResponse resumed from a worker");
  }

  @Test
  void asyncResponsesResumedAtOnceCountTheirWholeBody() throws Exception {
    int requests = 40;
    long received = 0;
    for (int i = 0; i < requests; i++) {
      received += get("/t/async-now?size=" + (20_000 + i)).body().length;
    }
    EndCounts ended = awaitEnded(requests);
    assertThat(ended).isEqualTo(new EndCounts(requests, 0, 0, 0));
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
  }

  @Test
  void sseEventsFromWorkerAreCountedWhileTheStreamIsOpen() throws Exception {
    int size = 1000;
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(server.uri("/t/sse?events=3&size=" + size))
                .header("X-Session-Id", "sse-session")
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    long received = 0;
    long previousTx = 0;
    try (InputStream body = r.body()) {
      for (int event = 0; event < 3; event++) {
        // the worker produces event n+1 only after we saw event n: a buffering layer would
        // hold event n back and this read would time out
        received += readEvent(body, "event-" + event);
        long tx = rowOf("sse-session").bytesTx();
        assertThat(tx).as("bytes_tx while open, after event %d", event).isGreaterThan(previousTx);
        assertThat(tx).isLessThanOrEqualTo(received + 64);
        long events = event + 1L;
        Await.until(
            "events_tx " + events + ", read from the entity stream's bytes",
            () ->
                backend().connections().stream()
                    .anyMatch(c -> c.sessionId().equals("sse-session") && c.eventsTx() == events));
        assertThat(rowOf("sse-session").eventsTx()).isEqualTo(events); // and in the document
        previousTx = tx;
        resource.ssePermits.release();
      }
      received += body.readAllBytes().length;
    }
    assertThat(resource.sseClosed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertOneRowSent(received, "SSE from a worker");
  }

  @Test
  void sseClientLeavingMidStreamEndsTheRow() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoLinger(true, 0);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /t/sse?events=200&size=4000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = new String(in.readNBytes(200), StandardCharsets.ISO_8859_1);
      assertThat(head).startsWith("HTTP/1.1 200");
      assertThat(tracker.activeConnections()).isEqualTo(1);
    } // the client resets the connection after the first bytes
    resource.ssePermits.release(300);
    EndCounts ended = awaitEnded(1);
    // ended once; client-aborted when a write saw the reset, completed when the container
    // discarded the writes silently (Jersey on Jetty may)
    assertThat(ended.clientAborted() + ended.completed()).as("ended as " + ended).isEqualTo(1);
    assertThat(resource.sseClosed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  /** The open row of a session, as the diagnostics endpoint shows it. */
  ConnectionView rowOf(String session) throws Exception {
    HttpResponse<byte[]> d = get("/v1/diagnostics");
    DiagnosticsDocument doc =
        DiagnosticsJson.parseDiagnostics(new String(d.body(), StandardCharsets.UTF_8));
    InstanceView instance =
        doc.instances().stream()
            .filter(i -> i.name().equals(TrackedResource.BACKEND))
            .findFirst()
            .orElseThrow();
    assertThat(instance.activity()).isNotNull();
    ConnectionView row =
        instance.activity().connections().stream()
            .filter(c -> c.sessionId().equals(session))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no open row for " + session));
    assertThat(row.connectionType()).isEqualTo("streaming");
    assertThat(row.model()).isEqualTo(TrackedResource.MODEL);
    return row;
  }

  /** Reads one SSE event (up to its blank line) and returns its size in bytes. */
  static long readEvent(InputStream in, String expectedName) throws IOException {
    StringBuilder event = new StringBuilder();
    long bytes = 0;
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("stream ended inside " + expectedName);
      }
      bytes++;
      event.append((char) b);
      if (b == '\n' && previous == '\n' && event.toString().contains("data:")) {
        break;
      }
      if (b != '\r') {
        previous = b;
      }
    }
    assertThat(event.toString()).contains("event: " + expectedName);
    return bytes;
  }

  // ---- ends: errors, aborts, abandoned requests -------------------------------------------

  @Test
  void streamingOutputThatThrowsAfterWritingEndsErroredOnce() throws Exception {
    try {
      get("/t/streaming-throws?size=2000");
    } catch (IOException expected) {
      // the container may cut the response short
    }
    EndCounts ended = awaitEnded(1);
    assertThat(ended).isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(backend().cumulativeBytesTx()).isBetween(0L, 2000L);
  }

  @Test
  void neverResumedAsyncResponseWhoseClientLeftEndsWithinItsTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /t/async-never HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(resource.parked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(tracker.activeConnections()).isEqualTo(1);
    } // the client leaves
    long start = System.nanoTime();
    EndCounts ended = awaitEnded(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(ended.total()).isEqualTo(1);
  }

  @Test
  void thousandRequestsWithRandomClientAbortsLeaveNoRows() throws Exception {
    int requests = 1000;
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        long seed = i;
        done.add(clients.submit(() -> abortingClient(new SplittableRandom(seed))));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
    EndCounts ended = awaitEnded(requests);
    assertThat(tracker.activeConnections()).isZero();
    assertThat(ended.total()).isEqualTo(requests);
    assertThat(ended.evicted()).isZero();
    assertThat(ended.clientAborted()).as("some aborts reached the server: " + ended).isPositive();
  }

  private Void abortingClient(SplittableRandom random) throws IOException {
    int size = 1 + random.nextInt(400_000);
    String path =
        random.nextBoolean()
            ? "/t/streaming?size=" + size + "&chunk=8192"
            : "/t/plain?size=" + size;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      if (random.nextBoolean()) {
        socket.setSoLinger(true, 0); // close with a reset
      }
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      int keep = random.nextInt(size + 1000);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      int read = 0;
      while (read < keep) {
        int n = in.read(buffer, 0, Math.min(buffer.length, keep - read));
        if (n < 0) {
          break;
        }
        read += n;
      }
    }
    return null;
  }

  // ---- disabled -----------------------------------------------------------------------------

  @Test
  void globalFeatureFollowsTheGlobalTrackerPerRequest() throws Exception {
    ActivityTracker previous = ActivityTracker.setGlobal(ActivityTracker.disabled());
    try (TestServer global =
        TestServer.start(
            runtime(), List.of(new TrackedResource(workers), ActivityFeature.global()))) {
      HttpResponse<byte[]> off =
          http.send(
              HttpRequest.newBuilder(global.uri("/t/plain?size=100")).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(off.body()).hasSize(100);
      assertThat(tracker.getBackendSnapshot(TrackedResource.BACKEND)).isEmpty();

      ActivityTracker.setGlobal(tracker);
      HttpResponse<byte[]> on =
          http.send(
              HttpRequest.newBuilder(global.uri("/t/plain?size=200")).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(on.body()).hasSize(200);
      assertOneRowSent(200, "global tracker installed after start");
    } finally {
      ActivityTracker.setGlobal(previous);
    }
  }

  @Test
  void disabledTrackerLeavesResourcesUntracked() throws Exception {
    ActivityTracker off = ActivityTracker.disabled();
    try (TestServer plain =
        TestServer.start(
            runtime(),
            List.of(
                new TrackedResource(workers),
                new ActivityFeature(off),
                ServletDiagnosticsFilter.builder().tracker(off).build()))) {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(plain.uri("/t/streaming?size=1000")).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.body()).hasSize(1000);
      HttpResponse<String> d =
          http.send(
              HttpRequest.newBuilder(plain.uri("/v1/diagnostics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(DiagnosticsJson.parseDiagnostics(d.body()).activityTrackingEnabled()).isFalse();
    }
  }
}
