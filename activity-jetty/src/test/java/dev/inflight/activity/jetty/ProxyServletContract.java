package dev.inflight.activity.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.servlet.ActivityFilter;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A tracking proxy servlet behind the servlet {@code ActivityFilter} on a real Jetty, in front of a
 * streaming backend: written once, run for each proxy servlet.
 */
abstract class ProxyServletContract {

  static final String BACKEND = "vllm.1";
  static final List<String> EVENTS =
      List.of(
          "data: {\"delta\":\"Hel\"}\n\n",
          "data: {\"delta\":\"lo, \"}\n\n",
          "data: {\"delta\":\"world\"}\n\n",
          "data: [DONE]\n\n");
  static final String COMPLETION = "{\"id\":\"c-1\",\"choices\":[{\"text\":\"Hello, world\"}]}";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @RegisterExtension final ManualTracker fixture = new ManualTracker();

  private StreamingBackend backend;
  private Server server;
  private int port;

  /**
   * The proxy servlet under test.
   *
   * @param attachment its attachment
   * @return the servlet
   */
  abstract HttpServlet newProxyServlet(ProxyAttachment attachment);

  private static final ProxyAttachment ATTACHMENT =
      ProxyAttachment.builder()
          .backend((request, target) -> BACKEND)
          .model(request -> request.getHeader("X-Model"))
          .type(
              request ->
                  "true".equals(request.getParameter("stream"))
                      ? ConnectionType.STREAMING
                      : ConnectionType.NON_STREAMING)
          .build();

  private void start(Reply streamed, Reply plain) throws Exception {
    backend = StreamingBackend.start(body -> body.contains("\"stream\":true") ? streamed : plain);
    startProxy(backend.baseUrl(), ATTACHMENT);
  }

  private void startProxy(String proxyTo, ProxyAttachment attachment) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    FilterHolder filter =
        new FilterHolder(ActivityFilter.builder().tracker(fixture.tracker()).build());
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder proxy = new ServletHolder(newProxyServlet(attachment));
    proxy.setInitParameter("proxyTo", proxyTo);
    proxy.setAsyncSupported(true);
    context.addServlet(proxy, "/*");
    server.setHandler(context);
    server.start();
    port = connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (backend != null) {
      backend.release();
    }
    if (server != null) {
      server.stop();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private HttpRequest post(boolean stream, String session) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v1/chat/completions?stream=" + stream))
        .header("X-Session-Id", session)
        .header("X-Model", "llama-3")
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":" + stream + "}"))
        .build();
  }

  private BackendSnapshot snapshot() {
    return fixture.tracker().getBackendSnapshot(BACKEND).orElseThrow();
  }

  private long rx() {
    return fixture.tracker().getBackendSnapshot(BACKEND).map(b -> b.cumulativeBytesRx()).orElse(0L);
  }

  private long tx() {
    return fixture.tracker().getBackendSnapshot(BACKEND).map(b -> b.cumulativeBytesTx()).orElse(0L);
  }

  private void awaitNoRows() {
    Await.until("no active rows", () -> fixture.tracker().activeConnections() == 0);
  }

  @Test
  void aStreamedAnswerIsCountedExactlyAndGrowsMidStream() throws Exception {
    Reply streamed = Reply.sse(EVENTS).holdAfter(1);
    start(streamed, Reply.json(COMPLETION));

    HttpResponse<InputStream> response =
        CLIENT.send(post(true, "s-stream"), BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      assertThat(in.readNBytes((int) streamed.bytes(1))).hasSize((int) streamed.bytes(1));
      // the backend holds the rest back: what arrived so far is counted both ways
      assertThat(rx()).isEqualTo(streamed.bytes(1));
      Await.until("TX of the first event", () -> tx() == streamed.bytes(1));
      ConnectionSnapshot row = snapshot().connections().get(0);
      assertThat(row.sessionId()).isEqualTo("s-stream");
      assertThat(row.model()).isEqualTo("llama-3");
      assertThat(row.type()).isEqualTo(ConnectionType.STREAMING);

      backend.release();
      assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(String.join("", EVENTS.subList(1, EVENTS.size())));
    }

    awaitNoRows();
    BackendSnapshot done = snapshot();
    assertThat(done.cumulativeBytesRx())
        .isEqualTo(streamed.length())
        .isEqualTo(backend.bodyBytesSent());
    assertThat(done.cumulativeBytesTx()).isEqualTo(streamed.length());
    assertThat(done.ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void aPlainAnswerIsCountedExactly() throws Exception {
    Reply plain = Reply.json(COMPLETION);
    start(Reply.sse(EVENTS), plain);

    HttpResponse<String> response = CLIENT.send(post(false, "s-plain"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(COMPLETION);
    awaitNoRows();
    BackendSnapshot done = snapshot();
    assertThat(done.cumulativeBytesRx())
        .isEqualTo(plain.length())
        .isEqualTo(backend.bodyBytesSent());
    assertThat(done.cumulativeBytesTx()).isEqualTo(plain.length());
    assertThat(done.ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  // Repeated: the row must end however the proxy servlet's own failure handling races the abort.
  @RepeatedTest(5)
  void aClientAbortMidStreamEndsOnceAndCountsOnlyWhatArrived() throws Exception {
    List<String> parts = new ArrayList<>();
    parts.add(EVENTS.get(0));
    String filler = "data: " + "x".repeat(1016) + "\n\n";
    for (int i = 0; i < 512; i++) {
      parts.add(filler);
    }
    Reply endless = new Reply("text/event-stream", parts, 1);
    start(endless, Reply.json(COMPLETION));

    // A raw socket, so that leaving really closes the connection: an HTTP client library may keep
    // a cancelled exchange's connection open, and a client that neither reads nor closes only
    // stalls the proxy's writes, as it would stall any server.
    try (Socket socket = new Socket("127.0.0.1", port)) {
      String body = "{\"stream\":true}";
      String request =
          "POST /v1/chat/completions?stream=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "X-Session-Id: s-abort\r\nX-Model: llama-3\r\n"
              + "Content-Type: application/json\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body;
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      byte[] buffer = new byte[1024];
      while (seen.indexOf(EVENTS.get(0).trim()) < 0) {
        int n = in.read(buffer);
        assertThat(n).as("the first event arrives").isPositive();
        seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
      Await.until("TX of the first event", () -> tx() == endless.bytes(1));
    } // the client leaves mid-stream: the connection is closed
    backend.release();

    awaitNoRows();
    backend.awaitHandled(1);
    BackendSnapshot done = snapshot();
    assertThat(done.ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
    // RX: what reached the proxy, never more than the backend wrote; TX: what the client was
    // sent, never more than arrived
    assertThat(done.cumulativeBytesRx())
        .isGreaterThan(endless.bytes(1))
        .isLessThanOrEqualTo(backend.bodyBytesSent());
    assertThat(done.cumulativeBytesTx())
        .isGreaterThanOrEqualTo(endless.bytes(1))
        .isLessThanOrEqualTo(done.cumulativeBytesRx());
    assertThat(Objects.requireNonNull(done.connections())).isEmpty();
  }

  @Test
  void eachRequestOfASessionIsCountedIntoOneBackend() throws Exception {
    Reply plain = Reply.json(COMPLETION);
    start(Reply.sse(EVENTS), plain);

    for (int i = 0; i < 3; i++) {
      assertThat(CLIENT.send(post(false, "s-many"), BodyHandlers.ofString()).body())
          .isEqualTo(COMPLETION);
    }

    awaitNoRows();
    assertThat(snapshot().cumulativeBytesRx()).isEqualTo(3 * plain.length());
    assertThat(snapshot().cumulativeBytesTx()).isEqualTo(3 * plain.length());
    assertThat(snapshot().ended()).isEqualTo(new EndCounts(3, 0, 0, 0));
  }

  @Test
  void aBackendThatFailsMidStreamEndsTheRowAsErrored() throws Exception {
    String first = EVENTS.get(0);
    CountDownLatch firstRead = new CountDownLatch(1);
    try (ServerSocket failing = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread backendThread =
          new Thread(
              () -> {
                try (Socket s = failing.accept()) {
                  readHead(s.getInputStream());
                  String head =
                      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                          + "Content-Length: 100000\r\n\r\n";
                  s.getOutputStream().write((head + first).getBytes(StandardCharsets.US_ASCII));
                  s.getOutputStream().flush();
                  Await.await(firstRead); // then the backend dies, far short of its length
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              "failing-backend");
      backendThread.start();
      startProxy("http://127.0.0.1:" + failing.getLocalPort(), ATTACHMENT);

      HttpResponse<InputStream> response =
          CLIENT.send(post(true, "s-fail"), BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        assertThat(new String(in.readNBytes(first.length()), StandardCharsets.UTF_8))
            .isEqualTo(first);
        firstRead.countDown();
        in.readAllBytes(); // the proxy gives up on the client's response too
      } catch (java.io.IOException expected) {
        // the truncated response may also surface as an error
      }
      backendThread.join(20_000);
    }

    awaitNoRows();
    BackendSnapshot done = snapshot();
    assertThat(done.ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(done.cumulativeBytesRx()).isEqualTo(first.length());
    assertThat(done.cumulativeBytesTx()).isEqualTo(first.length());
  }

  @Test
  void anUnreachableBackendEndsTheRowAsErrored() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    startProxy("http://127.0.0.1:" + closedPort, ATTACHMENT);

    HttpResponse<String> response = CLIENT.send(post(false, "s-down"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(502);
    awaitNoRows();
    BackendSnapshot done = snapshot();
    assertThat(done.ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(done.cumulativeBytesRx()).isZero();
  }

  @Test
  void byDefaultTheBackendIsTheTargetsAuthorityAndTheTypeComesFromAccept() throws Exception {
    Reply streamed = Reply.sse(EVENTS).holdAfter(1);
    backend = StreamingBackend.start(body -> streamed);
    startProxy(backend.baseUrl(), ProxyAttachment.builder().build());
    String authority = "127.0.0.1:" + backend.port();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
            .header("X-Session-Id", "s-default")
            .header("Accept", "application/json, TEXT/EVENT-STREAM")
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();

    HttpResponse<InputStream> response = CLIENT.send(request, BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      assertThat(in.readNBytes((int) streamed.bytes(1))).hasSize((int) streamed.bytes(1));
      ConnectionSnapshot row =
          fixture.tracker().getBackendSnapshot(authority).orElseThrow().connections().get(0);
      assertThat(row.type()).isEqualTo(ConnectionType.STREAMING);
      assertThat(row.model()).isNull();
      backend.release();
      in.readAllBytes();
    }

    awaitNoRows();
    assertThat(fixture.tracker().getBackendSnapshot(authority).orElseThrow().cumulativeBytesRx())
        .isEqualTo(streamed.length());
  }

  @Test
  void anAttachmentThatThrowsLeavesTheProxiedRequestAlone() throws Exception {
    Reply plain = Reply.json(COMPLETION);
    backend = StreamingBackend.start(body -> plain);
    startProxy(
        backend.baseUrl(),
        ProxyAttachment.builder()
            .backend(
                (request, target) -> {
                  throw new IllegalStateException("no backend name for " + target);
                })
            .build());

    HttpResponse<String> response = CLIENT.send(post(false, "s-broken"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(COMPLETION);
    awaitNoRows();
    assertThat(fixture.tracker().getGlobalSnapshot().cumulativeBytesRx()).isZero();
    assertThat(fixture.tracker().getGlobalSnapshot().backends()).isEmpty();
  }

  /** Reads an HTTP request's head and its Content-Length body. */
  private static void readHead(InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (head.indexOf("\r\n\r\n") < 0) {
      int b = in.read();
      if (b < 0) {
        return;
      }
      head.append((char) b);
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
    if (m.find()) {
      in.readNBytes(Integer.parseInt(m.group(1)));
    }
  }
}
