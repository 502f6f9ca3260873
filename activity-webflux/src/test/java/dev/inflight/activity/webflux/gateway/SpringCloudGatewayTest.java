package dev.inflight.activity.webflux.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

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
import dev.inflight.activity.testing.StreamingBackend;
import dev.inflight.activity.testing.StreamingBackend.Reply;
import dev.inflight.activity.webflux.testing.PartialReader;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real Spring Cloud Gateway (Spring Boot 4.0.7, {@code
 * spring-cloud-starter-gateway-server-webflux} 5.0.x) routing an SSE chat completion to the test
 * kit's streaming backend, with {@code ActivityWebFilter} and the README's global filter mounted:
 * the row's backend is the route id, RX equals what the backend sent (mid-stream and at the end),
 * TX what the client received, and a client that leaves ends the row once as {@code
 * client_aborted}.
 */
class SpringCloudGatewayTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final String ROUTE = "chat";
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
  StreamingBackend backend;
  ConfigurableApplicationContext gateway;
  int port;

  /** The reply the backend gives next; a test sets it before its request. */
  final AtomicReference<Reply> reply = new AtomicReference<>();

  /** How the backend answers a request body; by default with {@link #reply}. */
  volatile Function<String, Reply> backendReplies = body -> reply.get();

  @BeforeEach
  void startGateway() throws Exception {
    tracker = fixture.tracker();
    workers = Executors.newCachedThreadPool();
    backend = StreamingBackend.start(body -> backendReplies.apply(body));
    gateway =
        new SpringApplicationBuilder(GatewayApp.class)
            .web(WebApplicationType.REACTIVE)
            .initializers(
                context -> context.getBeanFactory().registerSingleton("activityTracker", tracker))
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "backend.url=" + backend.baseUrl(),
                "down.url=http://127.0.0.1:" + closedPort(),
                // a new upstream connection per request: a pooled one the JDK backend is closing
                // (after a stream the gateway cancelled) can be taken for the next request, which
                // then fails before its response (PrematureCloseException, a 500 with no body);
                // that race is the pool's, not what these tests are about
                "spring.cloud.gateway.server.webflux.httpclient.pool.type=disabled")
            .run();
    port = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.server.port"));
  }

  /** A loopback port nothing listens on (it was free a moment ago). */
  static int closedPort() throws java.io.IOException {
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  @AfterEach
  void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
    backend.close();
    workers.shutdownNow();
  }

  static Reply chat(int events) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      parts.add(
          "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":"
              + "[{\"index\":0,\"delta\":{\"content\":\"tök"
              + "en ".repeat(i + 1)
              + "\"}}],\"eoe\":"
              + i
              + "}\n\n");
    }
    parts.add("data: [DONE]\n\n");
    return Reply.sse(parts);
  }

  BackendSnapshot route() {
    return tracker.getBackendSnapshot(ROUTE).orElseThrow();
  }

  Optional<ConnectionSnapshot> row(String session) {
    return tracker.getBackendSnapshot(ROUTE).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(session))
        .findFirst();
  }

  long rowBytes(String session, Function<ConnectionSnapshot, Long> bytes) {
    return row(session).map(bytes).orElse(-1L);
  }

  @Test
  void aStreamedChatCompletionIsCountedExactlyBothWaysUnderTheRouteId() throws Exception {
    Reply r = chat(12);
    List<String> bodies = new CopyOnWriteArrayList<>();
    reply.set(null);
    backendReplies =
        body -> {
          bodies.add(body);
          return body.contains("\"stream\":true") ? r : Reply.json("{}");
        };

    HttpResponse<byte[]> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Accept", "text/event-stream")
                .header("Content-Type", "application/json")
                .header(RequestActivity.DEFAULT_SESSION_HEADER, "s-gw")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-x\",\"stream\":true,\"messages\":[]}"))
                .timeout(WAIT)
                .build(),
            BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new String(response.body(), UTF_8)).isEqualTo(String.join("", r.parts()));
    assertThat(bodies).singleElement().asString().contains("gpt-x");
    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    EndedConnection e = ended.get(0);
    assertThat(e.backend()).isEqualTo(ROUTE);
    assertThat(e.sessionId()).isEqualTo("s-gw");
    assertThat(e.type()).isEqualTo(ConnectionType.STREAMING);
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(e.bytesRx()).isEqualTo(backend.bodyBytesSent()).isEqualTo(r.length());
    assertThat(e.bytesTx()).isEqualTo(response.body().length).isEqualTo(r.length());
    assertThat(route().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void anUpstreamThatCannotBeReachedEndsTheRowAsErrored() throws Exception {
    RawHttp.Response response =
        RawHttp.send(
            port,
            "GET",
            "/down/v1/chat/completions",
            Map.of("Accept", "text/event-stream", "X-Session-Id", "s-down"));

    assertThat(response.status()).isGreaterThanOrEqualTo(500);
    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    EndedConnection e = ended.get(0);
    assertThat(e.backend()).isEqualTo("down");
    assertThat(e.sessionId()).isEqualTo("s-down");
    assertThat(e.bytesRx()).isZero();
    assertThat(e.reason()).isEqualTo(EndReason.ERRORED);
    assertThat(tracker.getBackendSnapshot("down").orElseThrow().ended())
        .isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void aPlainJsonCompletionIsANonStreamingRowWithExactCounts() throws Exception {
    Reply r =
        Reply.json("{\"id\":\"chatcmpl-2\",\"choices\":[{\"message\":{\"content\":\"hé\"}}]}");
    reply.set(r);

    RawHttp.Response response =
        RawHttp.send(
            port,
            "GET",
            "/v1/chat/completions",
            Map.of("Accept", "application/json", "X-Session-Id", "s-json"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).hasSize((int) r.length());
    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    EndedConnection e = ended.get(0);
    assertThat(e.backend()).isEqualTo(ROUTE);
    assertThat(e.type()).isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(e.bytesRx()).isEqualTo(backend.bodyBytesSent()).isEqualTo(r.length());
    assertThat(e.bytesTx()).isEqualTo(r.length());
    assertThat(e.reason()).isEqualTo(EndReason.COMPLETED);
  }

  @Test
  void rxAndTxGrowWhileTheUpstreamStreams() throws Exception {
    Reply r = chat(6).holdAfter(3);
    reply.set(r);

    HttpResponse<InputStream> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Accept", "text/event-stream")
                .header(RequestActivity.DEFAULT_SESSION_HEADER, "s-mid")
                .timeout(WAIT)
                .build(),
            BodyHandlers.ofInputStream());
    long received = 0;
    try (InputStream in = response.body()) {
      for (int i = 0; i < 3; i++) {
        byte[] event = readEvent(in);
        assertThat(new String(event, UTF_8)).isEqualTo(r.parts().get(i));
        received += event.length;
      }
      backend.awaitPartsSent(3);
      long sent = backend.bodyBytesSent();
      long got = received;
      // the upstream holds the rest: what is counted so far is what moved so far
      Await.until(
          "RX mid-stream", WAIT, () -> rowBytes("s-mid", ConnectionSnapshot::bytesRx) == sent);
      Await.until(
          "TX mid-stream", WAIT, () -> rowBytes("s-mid", ConnectionSnapshot::bytesTx) == got);
      assertThat(sent).isEqualTo(r.bytes(3));
      backend.release();
      received += in.transferTo(OutputStream.nullOutputStream());
    }

    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    assertThat(ended.get(0).bytesRx()).isEqualTo(backend.bodyBytesSent()).isEqualTo(r.length());
    assertThat(ended.get(0).bytesTx()).isEqualTo(received).isEqualTo(r.length());
    assertThat(route().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void aClientThatLeavesMidStreamEndsTheRowOnceAsClientAborted() throws Exception {
    Reply r = chat(6).holdAfter(2);
    reply.set(r);

    String read =
        PartialReader.readThenClose(
            port, "/v1/chat/completions", Map.of("X-Session-Id", "s-gone"), "\"eoe\":", 2);
    assertThat(read).startsWith("HTTP/1.1 200");

    Await.until("the row ended", WAIT, () -> tracker.activeConnections() == 0);
    backend.release();
    backend.awaitHandled(1);
    assertThat(route().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
    assertThat(ended)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
              // the upstream had sent two events when the client left; nothing after the end counts
              assertThat(e.bytesRx()).isEqualTo(r.bytes(2));
              assertThat(e.bytesTx()).isEqualTo(r.bytes(2));
            });
  }

  @Test
  void aBurstOfStreamsWithAbortsLeavesNoRowsAndEndsEachOnce() throws Exception {
    Reply r = chat(8);
    reply.set(r);
    int streams = 40;
    List<java.util.concurrent.Future<Long>> results = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      String session = "s-burst-" + i;
      boolean abort = i % 2 == 1;
      results.add(
          workers.submit(
              () -> {
                if (abort) {
                  PartialReader.readThenClose(
                      port, "/v1/chat/completions", Map.of("X-Session-Id", session), "\"eoe\":", 1);
                  return -1L;
                }
                return (long)
                    RawHttp.send(
                            port,
                            "GET",
                            "/v1/chat/completions",
                            Map.of("Accept", "text/event-stream", "X-Session-Id", session))
                        .body()
                        .length;
              }));
    }
    for (var f : results) {
      Long got = f.get(30, SECONDS);
      if (got >= 0) {
        assertThat(got).isEqualTo(r.length());
      }
    }

    Await.until("every stream ended", WAIT, () -> ended.size() == streams);
    assertThat(tracker.activeConnections()).isZero();
    EndCounts counts = route().ended();
    assertThat(counts.total()).isEqualTo(streams);
    assertThat(counts.completed()).isGreaterThanOrEqualTo(streams / 2);
    for (EndedConnection e : ended) {
      boolean aborted = Integer.parseInt(e.sessionId().substring("s-burst-".length())) % 2 == 1;
      if (!aborted) {
        assertThat(e.reason()).as(e.sessionId()).isEqualTo(EndReason.COMPLETED);
        assertThat(e.bytesRx()).as(e.sessionId()).isEqualTo(r.length());
        assertThat(e.bytesTx()).as(e.sessionId()).isEqualTo(r.length());
      } else if (e.reason() == EndReason.COMPLETED) {
        // the upstream's [DONE] reached the gateway before the client left: the stream was done
        assertThat(e.bytesRx()).as(e.sessionId()).isEqualTo(r.length());
        assertThat(e.bytesTx()).as(e.sessionId()).isLessThanOrEqualTo(e.bytesRx());
      } else {
        assertThat(e.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
        assertThat(e.bytesTx()).as(e.sessionId()).isLessThanOrEqualTo(e.bytesRx());
      }
    }
    assertThat(route().cumulativeBytesRx())
        .isEqualTo(ended.stream().mapToLong(EndedConnection::bytesRx).sum());
  }

  @Test
  void theDiagnosticsAreAnsweredByTheGatewayItselfNotRouted() throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/diagnostics"))
                .build(),
            BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"activity_tracking_enabled\":true");
    assertThat(backend.requests()).isZero();
  }

  byte[] readEvent(InputStream in) throws Exception {
    return SseEvents.readEvent(workers, in, WAIT);
  }
}
