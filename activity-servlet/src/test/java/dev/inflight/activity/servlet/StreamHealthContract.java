package dev.inflight.activity.servlet;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityStreams;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.SseBackend;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live LLM view through a servlet proxy: a servlet that attaches its request as streaming,
 * calls a server-sent-event backend over loopback with the JDK {@code HttpClient} and relays its
 * body, counting RX with {@link ActivityStreams#countRx}, which hands each chunk to the tracker.
 * The backend is driven step by step ({@link SseBackend}); the tracker runs on a fake clock with a
 * short stall time. A backend that goes quiet, or sends only keep-alive pings, makes its row
 * stalled; a client that leaves while the proxy goes on reading the backend (as one that finishes
 * an upstream for billing does) makes it orphaned, with the RX read since counted exactly; a stream
 * whose last event ({@code data: [DONE]}) arrived ends completed, though the backend then resets.
 */
abstract class StreamHealthContract extends ContainerContract {

  static final Duration STALL = Duration.ofSeconds(10);

  /** The proxy's own client, to the backend. */
  static final HttpClient UPSTREAM =
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
  final ManualTracker health =
      new ManualTracker(s -> s.stallAfter(STALL).countEvents(true).endedListener(ended::add));

  SseBackend backend;

  /** Body bytes the proxy had read from the backend when a write to its client first failed. */
  final AtomicLong readWhenClientLeft = new AtomicLong(-1);

  @BeforeEach
  void useTheShortStallTime() throws IOException {
    tracker = health.tracker();
    backend = SseBackend.start();
  }

  @AfterEach
  void stopBackend() {
    backend.close();
  }

  /**
   * The proxy: attaches, relays the backend's body chunk by chunk, and when a write to the client
   * fails goes on reading the backend to its end (the request is not over until it has). A failed
   * read of the backend is recorded as {@code errored}, as a proxy reports a broken upstream.
   */
  HttpServlet proxy() {
    URI upstream = URI.create(backend.baseUrl() + "/v1/chat/completions");
    return servlet(
        (req, res) -> {
          RequestActivity activity = ServletActivity.of(req);
          activity.attach(BACKEND, MODEL, ConnectionType.STREAMING);
          HttpResponse<InputStream> answer =
              UPSTREAM.send(
                  HttpRequest.newBuilder(upstream).header("Accept", "text/event-stream").build(),
                  BodyHandlers.ofInputStream());
          res.setContentType("text/event-stream");
          res.flushBuffer();
          OutputStream out = res.getOutputStream();
          byte[] buffer = new byte[8192];
          long read = 0;
          boolean clientGone = false;
          try (InputStream in = ActivityStreams.countRx(answer.body(), activity)) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
              read += n;
              if (clientGone) {
                continue; // drained through the counting stream: RX the client never gets
              }
              try {
                out.write(buffer, 0, n);
                out.flush();
              } catch (IOException e) {
                clientGone = true; // the filter's stream recorded that the client left
                readWhenClientLeft.set(read);
              }
            }
          } catch (IOException e) {
            activity.fail(EndReason.ERRORED);
          }
        });
  }

  /** Sends the request through the proxy; the response's head arrives once the backend answers. */
  CompletableFuture<HttpResponse<InputStream>> call(String session) {
    return CLIENT.sendAsync(get("/v1/chat/completions", session), BodyHandlers.ofInputStream());
  }

  ConnectionSnapshot liveRow(String session) {
    return tracker.getGlobalSnapshot().backend(BACKEND).orElseThrow().connections().stream()
        .filter(c -> c.sessionId().equals(session))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + session));
  }

  long rowRx(String session) {
    return row(session).map(ConnectionSnapshot::bytesRx).orElse(-1L);
  }

  void awaitRx(String session, long rx) {
    Await.until("the row shows RX " + rx, WAIT, () -> rowRx(session) == rx);
  }

  EndedConnection awaitEnded() {
    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    assertThat(tracker.activeConnections()).isZero();
    return ended.get(0);
  }

  @Test
  void aBackendThatGoesQuietAfterSomeContentIsStalledUntilContentComesAgain() throws Exception {
    deploy(proxy());
    CompletableFuture<HttpResponse<InputStream>> call = call("s-quiet");
    SseBackend.Stream stream = backend.awaitStream();
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      stream.send(CONTENT_1);
      assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(CONTENT_1);
      awaitRx("s-quiet", stream.bodyBytesSent()); // the content is seen now
      assertThat(liveRow("s-quiet").stalled()).isFalse();

      health.clock().advance(STALL.minusSeconds(1));
      assertThat(liveRow("s-quiet").stalled()).isFalse();
      health.clock().advance(Duration.ofSeconds(2));
      ConnectionSnapshot quiet = liveRow("s-quiet");
      assertThat(quiet.stalled()).isTrue();
      assertThat(quiet.backendIdle()).isGreaterThanOrEqualTo(STALL);
      assertThat(quiet.bytesRx()).isEqualTo(stream.bodyBytesSent());
      assertThat(quiet.orphaned()).isFalse();
      assertThat(tracker.getGlobalSnapshot().backend(BACKEND).orElseThrow().stalledConnections())
          .isEqualTo(1);

      assertThat(quiet.eventsRx()).isEqualTo(1);
      assertThat(quiet.eventsTx()).isEqualTo(1);
      assertThat(quiet.maxEventGap()).isNull();

      stream.send(CONTENT_2);
      assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(CONTENT_2);
      awaitRx("s-quiet", stream.bodyBytesSent());
      ConnectionSnapshot moving = liveRow("s-quiet");
      assertThat(moving.stalled()).isFalse();
      // counted both ways, live: the backend's events, and the proxy's writes to its client
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
    deploy(proxy());
    CompletableFuture<HttpResponse<InputStream>> call = call("s-pings");
    SseBackend.Stream stream = backend.awaitStream();
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      stream.send(CONTENT_1);
      assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(CONTENT_1);
      awaitRx("s-pings", stream.bodyBytesSent());
      long content = stream.bodyBytesSent();

      Duration step = STALL.dividedBy(4);
      for (int i = 0; i < 5; i++) {
        health.clock().advance(step);
        stream.send(PING);
        assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(PING);
        awaitRx("s-pings", stream.bodyBytesSent()); // each ping seen by a snapshot, in its time
      }

      ConnectionSnapshot pinged = liveRow("s-pings");
      assertThat(pinged.bytesRx()).isEqualTo(content + 5L * PING.length());
      assertThat(pinged.bytesTx()).isEqualTo(pinged.bytesRx());
      assertThat(pinged.backendIdle()).isGreaterThanOrEqualTo(step.multipliedBy(5));
      assertThat(pinged.idle()).isLessThan(STALL); // bytes moved, but no content
      assertThat(pinged.stalled()).isTrue();

      stream.finish();
      assertThat(in.read()).isEqualTo(-1);
    }
    EndedConnection e = awaitEnded();
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(stream.bodyBytesSent());
  }

  @Test
  void aClientThatLeavesWhileTheProxyDrainsTheBackendOrphansTheRowWithExactOrphanedRx()
      throws Exception {
    deploy(proxy());
    CompletableFuture<String> left =
        CompletableFuture.supplyAsync(() -> readOneEventThenReset("s-left"), workers);
    SseBackend.Stream stream = backend.awaitStream();
    stream.send(CONTENT_1);
    assertThat(left.get(WAIT.toSeconds(), SECONDS)).contains(CONTENT_1);

    // the client is gone; the backend goes on, and the proxy's next writes fail
    int sent = 0;
    while (!liveRow("s-left").orphaned()) {
      assertThat(sent).as("events sent before a write to the gone client failed").isLessThan(50);
      stream.send(CONTENT_2);
      sent++;
      awaitRx("s-left", stream.bodyBytesSent());
    }
    long orphanedFrom = readWhenClientLeft.get();
    assertThat(orphanedFrom).isPositive();
    ConnectionSnapshot orphaned = liveRow("s-left");
    assertThat(orphaned.bytesRxOrphaned()).isEqualTo(stream.bodyBytesSent() - orphanedFrom);
    // TX is what the container took before its stream failed; it moves no more
    long tx = orphaned.bytesTx();
    assertThat(tx).isLessThanOrEqualTo(orphanedFrom);

    for (int i = 0; i < 2; i++) {
      long before = liveRow("s-left").bytesRxOrphaned();
      int n = stream.send(CONTENT_2);
      awaitRx("s-left", stream.bodyBytesSent());
      ConnectionSnapshot growing = liveRow("s-left");
      assertThat(growing.orphaned()).isTrue();
      assertThat(growing.bytesRxOrphaned()).isEqualTo(before + n);
      assertThat(growing.bytesTx()).isEqualTo(tx);
    }

    stream.finish(); // the proxy reads to the end, then its request ends
    EndedConnection e = awaitEnded();
    assertThat(e.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesRxOrphaned()).isEqualTo(stream.bodyBytesSent() - orphanedFrom);
    assertThat(e.bytesTx()).isEqualTo(tx);
  }

  @Test
  void aStreamWhoseLastEventArrivedEndsCompletedThoughTheBackendThenResets() throws Exception {
    deploy(proxy());
    CompletableFuture<HttpResponse<InputStream>> call = call("s-done");
    SseBackend.Stream stream = backend.awaitStream();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      for (String event : List.of(CONTENT_1, CONTENT_2, DONE)) {
        stream.send(event);
        received.writeBytes(readEvent(in));
      }
      awaitRx("s-done", stream.bodyBytesSent());
      stream.reset(); // no last chunk: the proxy's next read fails
      received.writeBytes(in.readAllBytes());
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
    deploy(proxy());
    CompletableFuture<HttpResponse<InputStream>> call = call("s-cut");
    SseBackend.Stream stream = backend.awaitStream();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      for (String event : List.of(CONTENT_1, CONTENT_2)) {
        stream.send(event);
        received.writeBytes(readEvent(in));
      }
      awaitRx("s-cut", stream.bodyBytesSent());
      stream.reset();
      received.writeBytes(in.readAllBytes());
    }
    EndedConnection e = awaitEnded();
    assertThat(e.reason()).isEqualTo(EndReason.ERRORED);
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(received.size());
  }

  /**
   * A client on a bare socket that reads the response head and one event, then resets the
   * connection: the server's next writes to it fail.
   */
  String readOneEventThenReset(String session) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:"
                  + port()
                  + "\r\nAccept: text/event-stream\r\n"
                  + RequestActivity.DEFAULT_SESSION_HEADER
                  + ": "
                  + session
                  + "\r\n\r\n")
              .getBytes(ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      byte[] buffer = new byte[512];
      while (!seen.toString(ISO_8859_1).contains(CONTENT_1)) {
        int n = in.read(buffer);
        if (n < 0) {
          throw new IOException("the proxy closed after " + seen.size() + " bytes");
        }
        seen.write(buffer, 0, n);
      }
      socket.setSoLinger(true, 0);
      return seen.toString(ISO_8859_1);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
