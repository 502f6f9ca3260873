package dev.inflight.activity.quarkus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.EndedConnectionListener;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.Await;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A real Quarkus application (Quarkus REST with a {@code Multi} SSE endpoint, a plain Vert.x route)
 * that adds only this module and {@code quarkus.inflight.activity.enabled=true}: its rows are
 * exact, live mid-stream, end once, and show in {@code /v1/diagnostics}.
 */
@QuarkusTest
class QuarkusActivityTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger SESSIONS = new AtomicInteger();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Inject ActivityTracker tracker;

  @TestHTTPResource("/")
  URI root;

  @Test
  void theTrackerIsOnByTheProperty() {
    assertThat(tracker.isEnabled()).isTrue();
  }

  @Test
  void aRestJsonAnswerIsCountedExactlyAndEndsCompleted() throws Exception {
    EndCounts before = ended();
    long txBefore = cumulativeTx();
    HttpResponse<String> r = get("/v1/json", session("json"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(ChatResource.JSON);
    EndCounts after = awaitEnded(before.total() + 1);
    assertThat(after.completed()).isEqualTo(before.completed() + 1);
    assertThat(cumulativeTx() - txBefore).isEqualTo(ChatResource.JSON.length());
  }

  @Test
  void aPlainVertxRouteIsTrackedToo() throws Exception {
    EndCounts before = ended();
    long txBefore = cumulativeTx();
    HttpResponse<String> r = get("/route/json", session("route"));
    assertThat(r.body()).isEqualTo(PlainRoutes.BODY);
    EndCounts after = awaitEnded(before.total() + 1);
    assertThat(after.completed()).isEqualTo(before.completed() + 1);
    assertThat(cumulativeTx() - txBefore).isEqualTo(PlainRoutes.BODY.length());
  }

  @Test
  void aMultiStreamShowsEachEventLiveAndExactTotalsAtTheEnd() throws Exception {
    String session = session("stream");
    EndCounts before = ended();
    HttpResponse<InputStream> r = openStream(session);
    MultiEmitter<? super String> emitter = emitter(session);
    try (InputStream body = r.body()) {
      emitter.emit("event-1");
      byte[] first = readEvent(body);
      assertThat(new String(first, UTF_8)).contains("event-1");
      ConnectionSnapshot row = awaitRow(session, first.length);
      assertThat(row.type()).isEqualTo(ConnectionType.STREAMING);
      assertThat(row.model()).isEqualTo("gpt-4o");

      // the diagnostics document shows the open row, to a loopback client
      String document = get("/v1/diagnostics", "none").body();
      assertThat(document)
          .contains("\"session_id\":\"" + session + "\"")
          .contains("\"bytes_tx\":" + first.length);

      emitter.emit("event-2");
      byte[] second = readEvent(body);
      awaitRow(session, first.length + second.length);

      emitter.complete();
      byte[] rest = body.readAllBytes();
      long total = (long) first.length + second.length + rest.length;
      EndCounts after = awaitEnded(before.total() + 1);
      assertThat(after.completed()).isEqualTo(before.completed() + 1);
      assertThat(tracker.recentlyEnded())
          .filteredOn(e -> e.sessionId().equals(session))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
                assertThat(e.bytesTx()).isEqualTo(total);
              });
    }
  }

  @Test
  void aClientThatLeavesMidStreamEndsTheRowOnceClientAborted() throws Exception {
    String session = session("abort");
    EndCounts before = ended();
    HttpResponse<InputStream> r = openStream(session);
    MultiEmitter<? super String> emitter = emitter(session);
    InputStream body = r.body();
    emitter.emit("event-1");
    byte[] first = readEvent(body);
    awaitRow(session, first.length);
    body.close(); // the JDK client closes the HTTP/1.1 connection of an unfinished body
    EndCounts after = awaitEnded(before.total() + 1);
    assertThat(after.clientAborted()).isEqualTo(before.clientAborted() + 1);
    assertThat(tracker.recentlyEnded())
        .filteredOn(e -> e.sessionId().equals(session))
        .singleElement()
        .satisfies(e -> assertThat(e.bytesTx()).isEqualTo(first.length));
  }

  @Test
  void theDiagnosticsDocumentIsServedAndRefusedToForwardedRequests() throws Exception {
    HttpResponse<String> r = get("/v1/diagnostics", "none");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"activity_tracking_enabled\":true").contains("\"instances\"");
    HttpResponse<String> forwarded =
        CLIENT.send(
            HttpRequest.newBuilder(root.resolve("/v1/diagnostics"))
                .header("X-Forwarded-For", "203.0.113.7")
                .timeout(WAIT)
                .build(),
            BodyHandlers.ofString());
    assertThat(forwarded.statusCode()).isEqualTo(403);
  }

  @Test
  void aBackendFailureMidStreamEndsTheRowErroredWithWhatWasSent() throws Exception {
    String session = session("broken");
    EndCounts before = ended();
    HttpResponse<InputStream> r = openStream(session);
    MultiEmitter<? super String> emitter = emitter(session);
    long sent = -1;
    try (InputStream body = r.body()) {
      emitter.emit("event-1");
      byte[] first = readEvent(body);
      sent = first.length;
      awaitRow(session, sent);
      emitter.fail(new IllegalStateException("the backend reset its connection"));
      body.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // Quarkus REST may close the connection of a failed stream
    }
    EndCounts after = awaitEnded(before.total() + 1);
    assertThat(after.errored()).isEqualTo(before.errored() + 1);
    assertThat(endedRow(session).reason()).isEqualTo(EndReason.ERRORED);
    assertThat(endedRow(session).bytesTx()).isEqualTo(sent);
  }

  @Test
  void twoRequestsOfOneSessionJoinOneRowAndEndTogether() throws Exception {
    String session = session("joined");
    EndCounts before = ended();
    HttpResponse<InputStream> a = openStream(session);
    MultiEmitter<? super String> first = emitter(session);
    HttpResponse<InputStream> b = openStream(session);
    MultiEmitter<? super String> second = emitter(session);
    try (InputStream bodyA = a.body();
        InputStream bodyB = b.body()) {
      first.emit("from-a");
      second.emit("from-b");
      long sent = readEvent(bodyA).length + (long) readEvent(bodyB).length;
      ConnectionSnapshot row = awaitRow(session, sent);
      assertThat(row.requests()).isEqualTo(2);
      first.complete();
      second.complete();
      sent += bodyA.readAllBytes().length + (long) bodyB.readAllBytes().length;
      EndCounts after = awaitEnded(before.total() + 1);
      assertThat(after.completed()).isEqualTo(before.completed() + 1);
      assertThat(endedRow(session).bytesTx()).isEqualTo(sent);
      assertThat(endedRow(session).requests()).isEqualTo(2);
    }
  }

  @Test
  void theBodyOfAHeadRequestIsNotCounted() throws Exception {
    EndCounts before = ended();
    long txBefore = cumulativeTx();
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(root.resolve("/route/json"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header(RequestActivity.DEFAULT_SESSION_HEADER, session("head"))
                .timeout(WAIT)
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    EndCounts after = awaitEnded(before.total() + 1);
    assertThat(after.completed()).isEqualTo(before.completed() + 1);
    assertThat(cumulativeTx()).isEqualTo(txBefore);
  }

  @Test
  void aThousandRequestsWithRandomClientAbortsLeaveNoRowsAndExactCounts() throws Exception {
    Map<String, EndedConnection> rows = new ConcurrentHashMap<>();
    EndedConnectionListener listener =
        e -> {
          if (e.sessionId().startsWith("q-load-") && rows.put(e.sessionId(), e) != null) {
            throw new AssertionError("ended twice: " + e.sessionId());
          }
        };
    tracker.addEndedListener(listener);
    try {
      EndCounts before = ended();
      long txBefore = cumulativeTx();
      Random random = new Random(11);
      Semaphore inFlight = new Semaphore(16);
      List<CompletableFuture<?>> all = new ArrayList<>();
      Map<String, Integer> fullyRead = new ConcurrentHashMap<>();
      for (int i = 0; i < 1000; i++) {
        assertThat(inFlight.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        String session = session("load");
        HttpRequest request =
            HttpRequest.newBuilder(root.resolve("/v1/burst"))
                .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
                .timeout(WAIT)
                .build();
        CompletableFuture<?> f =
            random.nextBoolean()
                ? CLIENT
                    .sendAsync(request, BodyHandlers.ofByteArray())
                    .thenAccept(r -> fullyRead.put(session, r.body().length))
                : CLIENT
                    .sendAsync(request, BodyHandlers.ofInputStream())
                    .thenAccept(QuarkusActivityTest::readALittleAndHangUp);
        all.add(f.whenComplete((r, e) -> inFlight.release()));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null)
          .get(60, TimeUnit.SECONDS);
      EndCounts after = awaitEnded(before.total() + 1000);
      Await.until("every row's end delivered", () -> rows.size() == 1000);
      assertThat(row("q-load-")).isEmpty();
      assertThat(after.total() - before.total()).isEqualTo(1000);
      assertThat(after.errored()).isEqualTo(before.errored());
      // every byte counted once: the backend's TX is the sum of its rows'
      long sum = rows.values().stream().mapToLong(EndedConnection::bytesTx).sum();
      assertThat(cumulativeTx() - txBefore).isEqualTo(sum);
      // a body read to its end is counted exactly; a body cut short, at most that much
      assertThat(fullyRead).isNotEmpty();
      int full = fullyRead.values().iterator().next();
      fullyRead.forEach(
          (session, length) -> {
            assertThat(length).isEqualTo(full);
            assertThat(rows.get(session).bytesTx()).as(session).isEqualTo(length.longValue());
            assertThat(rows.get(session).reason()).as(session).isEqualTo(EndReason.COMPLETED);
          });
      rows.values()
          .forEach(r -> assertThat(r.bytesTx()).as(r.sessionId()).isBetween(1L, (long) full));
    } finally {
      tracker.removeEndedListener(listener);
    }
  }

  private static void readALittleAndHangUp(HttpResponse<InputStream> r) {
    try (InputStream in = r.body()) {
      in.readNBytes(100);
    } catch (IOException e) {
      // gone already
    }
  }

  @Test
  void theMetersAreBoundToTheApplicationsMicrometerRegistry() throws Exception {
    get("/v1/json", session("metrics"));
    String metrics = get("/q/metrics", "none").body();
    assertThat(metrics)
        .contains("inflight_connections_active{backend=\"openai.1\"")
        .contains("inflight_bytes_total{backend=\"openai.1\",direction=\"tx\"");
  }

  // ---- helpers ----------------------------------------------------------------------------

  private static String session(String what) {
    return "q-" + what + "-" + SESSIONS.incrementAndGet();
  }

  private HttpResponse<String> get(String path, String session) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(root.resolve(path))
            .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
            .timeout(WAIT)
            .build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<InputStream> openStream(String session) throws Exception {
    return CLIENT
        .sendAsync(
            HttpRequest.newBuilder(root.resolve("/v1/stream"))
                .header("Accept", "text/event-stream")
                .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
                .build(),
            BodyHandlers.ofInputStream())
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static MultiEmitter<? super String> emitter(String session) throws InterruptedException {
    Await.until(
        "the stream of " + session + " opened", () -> ChatResource.STREAMS.containsKey(session));
    MultiEmitter<? super String> e =
        ChatResource.STREAMS.get(session).poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(e).as("emitter of " + session).isNotNull();
    return e;
  }

  /** Reads one server-sent event, up to and with its blank line. */
  private static byte[] readEvent(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int previous = -1;
    for (int b; (b = in.read()) != -1; ) {
      out.write(b);
      if (b == '\n' && previous == '\n') {
        break;
      }
      previous = b;
    }
    return out.toByteArray();
  }

  private ConnectionSnapshot awaitRow(String session, long tx) {
    Await.until(
        "the row of " + session + " at TX " + tx,
        () -> row(session).map(c -> c.bytesTx() == tx).orElse(false));
    return row(session).orElseThrow();
  }

  /** The open row of {@code session}, or of any session that starts with it (a prefix). */
  private Optional<ConnectionSnapshot> row(String session) {
    List<ConnectionSnapshot> rows =
        tracker
            .getBackendSnapshot(ChatResource.BACKEND)
            .map(BackendSnapshot::connections)
            .orElse(List.of());
    return rows.stream().filter(c -> c.sessionId().startsWith(session)).findFirst();
  }

  private EndedConnection endedRow(String session) {
    return tracker.recentlyEnded().stream()
        .filter(e -> e.sessionId().equals(session))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ended row of " + session));
  }

  private EndCounts ended() {
    return tracker
        .getBackendSnapshot(ChatResource.BACKEND)
        .map(BackendSnapshot::ended)
        .orElse(new EndCounts(0, 0, 0, 0));
  }

  private long cumulativeTx() {
    return tracker
        .getBackendSnapshot(ChatResource.BACKEND)
        .map(BackendSnapshot::cumulativeBytesTx)
        .orElse(0L);
  }

  private EndCounts awaitEnded(long total) {
    Await.until("" + total + " rows ended", () -> ended().total() >= total);
    return ended();
  }
}
