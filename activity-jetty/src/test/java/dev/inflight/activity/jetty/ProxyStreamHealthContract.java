package dev.inflight.activity.jetty;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.ActivityFilter;
import dev.inflight.activity.servlet.testing.SseBackend;
import dev.inflight.activity.servlet.testing.SseEvents;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live stream health marks through a tracking proxy servlet on a real Jetty, in front of a
 * backend the test drives part by part: a backend that sends only keep-alive pings is stalled while
 * its RX grows, and a stream whose last event arrived ends completed though the backend then
 * resets, while the same reset before the last event is an error. Written once, run for each proxy
 * servlet.
 */
abstract class ProxyStreamHealthContract {

  static final String BACKEND = "vllm.1";
  static final Duration STALL = Duration.ofSeconds(30);
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String CONTENT_1 = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n";
  static final String CONTENT_2 = "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n";
  static final String PING = ": ping\n\n";
  static final String DONE = "data: [DONE]\n\n";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static final ProxyAttachment ATTACHMENT =
      ProxyAttachment.builder()
          .backend((request, target) -> BACKEND)
          .type(request -> ConnectionType.STREAMING)
          .build();

  private final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture =
      new ManualTracker(s -> s.stallAfter(STALL).endedListener(ended::add));

  private ActivityTracker tracker;
  private ExecutorService workers;
  private SseBackend backend;
  private Server server;
  private int port;

  /**
   * The proxy servlet under test.
   *
   * @param attachment its attachment
   * @return the servlet
   */
  abstract HttpServlet newProxyServlet(ProxyAttachment attachment);

  @BeforeEach
  void start() throws Exception {
    tracker = fixture.tracker();
    workers = Executors.newCachedThreadPool();
    backend = SseBackend.start();
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    FilterHolder filter = new FilterHolder(ActivityFilter.builder().tracker(tracker).build());
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder proxy = new ServletHolder(newProxyServlet(ATTACHMENT));
    proxy.setInitParameter("proxyTo", backend.baseUrl());
    proxy.setAsyncSupported(true);
    context.addServlet(proxy, "/*");
    server.setHandler(context);
    server.start();
    port = connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    backend.close();
    workers.shutdownNow();
  }

  private CompletableFuture<HttpResponse<InputStream>> call(String session) {
    return CLIENT.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
            .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
            .header("Accept", "text/event-stream")
            .timeout(WAIT)
            .build(),
        BodyHandlers.ofInputStream());
  }

  private Optional<ConnectionSnapshot> row(String session) {
    return tracker.getGlobalSnapshot().backend(BACKEND).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(session))
        .findFirst();
  }

  private ConnectionSnapshot liveRow(String session) {
    return row(session).orElseThrow(() -> new AssertionError("no row for " + session));
  }

  private void awaitRx(String session, long rx) {
    Await.until(
        "the row shows RX " + rx,
        WAIT,
        () -> row(session).map(ConnectionSnapshot::bytesRx).orElse(-1L) == rx);
  }

  private EndedConnection awaitEnded() {
    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    assertThat(tracker.activeConnections()).isZero();
    return ended.get(0);
  }

  /** Reads one event, up to its empty line, off the test thread so that a hang fails in time. */
  private byte[] readEvent(InputStream in) throws Exception {
    return SseEvents.readEvent(workers, in, WAIT);
  }

  @Test
  void aBackendSendingOnlyPingsIsStalledWhileItsRxGrows() throws Exception {
    CompletableFuture<HttpResponse<InputStream>> call = call("s-pings");
    SseBackend.Stream stream = backend.awaitStream();
    stream.send(CONTENT_1);
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(CONTENT_1);
      awaitRx("s-pings", stream.bodyBytesSent());
      assertThat(liveRow("s-pings").stalled()).isFalse();
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

      stream.send(CONTENT_2);
      assertThat(readEvent(in)).asString(ISO_8859_1).isEqualTo(CONTENT_2);
      awaitRx("s-pings", stream.bodyBytesSent());
      assertThat(liveRow("s-pings").stalled()).as("content clears the mark").isFalse();

      stream.finish();
      assertThat(in.read()).isEqualTo(-1);
    }
    EndedConnection e = awaitEnded();
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(stream.bodyBytesSent());
  }

  /** {@code [DONE]} arrives and the backend then resets: the proxy fails, yet the row completed. */
  @Test
  void aStreamWhoseLastEventArrivedEndsCompletedThoughTheBackendThenResets() throws Exception {
    EndedConnection e = resetAfter("s-done", List.of(CONTENT_1, CONTENT_2, DONE));
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
  }

  /** The control of the case above: the same reset before the last event is an error. */
  @Test
  void aStreamResetBeforeItsLastEventEndsErrored() throws Exception {
    EndedConnection e = resetAfter("s-cut", List.of(CONTENT_1, CONTENT_2));
    assertThat(e.reason()).isEqualTo(EndReason.ERRORED);
  }

  /** Relays the events, then resets the backend's connection; returns the ended row. */
  private EndedConnection resetAfter(String session, List<String> events) throws Exception {
    CompletableFuture<HttpResponse<InputStream>> call = call(session);
    SseBackend.Stream stream = backend.awaitStream();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    stream.send(events.get(0));
    try (InputStream in = call.get(WAIT.toSeconds(), SECONDS).body()) {
      received.writeBytes(readEvent(in));
      for (String event : events.subList(1, events.size())) {
        stream.send(event);
        received.writeBytes(readEvent(in));
      }
      awaitRx(session, stream.bodyBytesSent());
      stream.reset();
      try {
        received.writeBytes(in.readAllBytes());
      } catch (IOException e) {
        // the proxy's response may end broken: the backend's body failed
      }
    }
    EndedConnection e = awaitEnded();
    assertThat(received.toString(ISO_8859_1)).isEqualTo(String.join("", events));
    assertThat(e.bytesRx()).isEqualTo(stream.bodyBytesSent());
    assertThat(e.bytesTx()).isEqualTo(received.size());
    return e;
  }
}
