package dev.inflight.activity.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.json.DiagnosticsJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reading several proxies at once, against real HTTP servers on 127.0.0.1. */
class FleetTest {

  private static final String DOCUMENT =
      new String(
          DiagnosticsJson.create().diagnostics(ActivityTracker.disabled().getGlobalSnapshot()),
          StandardCharsets.UTF_8);

  private final List<StubServer> servers = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(StubServer::close);
  }

  private StubServer server(StubServer.Answer answer) throws IOException {
    StubServer s = new StubServer();
    s.answer(answer);
    servers.add(s);
    return s;
  }

  private static Fleet fleet(List<StubServer> servers, Duration timeout, int threads) {
    List<Fleet.Proxy> proxies = new ArrayList<>();
    for (StubServer s : servers) {
      proxies.add(
          new Fleet.Proxy(
              s.url(),
              "127.0.0.1:" + s.port(),
              new DiagnosticsClient(DiagnosticsClient.endpoint(s.url()), timeout)));
    }
    return new Fleet(proxies, timeout, threads);
  }

  @Test
  void proxiesAreReadAtTheSameTime() throws Exception {
    // each proxy answers only once both requests have arrived: read one after the other, the
    // first would give up after 10 s and answer 503
    CountDownLatch bothAsked = new CountDownLatch(2);
    StubServer.Answer together =
        exchange -> {
          bothAsked.countDown();
          if (bothAsked.await(10, TimeUnit.SECONDS)) {
            StubServer.ok(DOCUMENT).respond(exchange);
          } else {
            StubServer.status(503, "text/plain", "alone").respond(exchange);
          }
        };
    server(together);
    server(together);

    try (Fleet fleet = fleet(servers, Duration.ofSeconds(20), Fleet.MAX_THREADS)) {
      List<Fleet.Reading> readings = fleet.readAll();

      assertThat(readings).allSatisfy(r -> assertThat(r.error()).isNull());
      assertThat(readings).extracting(r -> r.proxy().url()).containsExactly(urls());
    }
  }

  @Test
  void noMoreProxiesAreReadAtOnceThanThereAreThreads() throws Exception {
    AtomicInteger current = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    StubServer.Answer counting =
        exchange -> {
          most.accumulateAndGet(current.incrementAndGet(), Math::max);
          // Hold each read until as many as the bound are in (or a second passed), so that a
          // fleet reading more at once would be seen; leave the count before answering, since
          // the client may send its next read as soon as the answer is out.
          long deadline = System.nanoTime() + 1_000_000_000L;
          while (current.get() < 2 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
          }
          current.decrementAndGet();
          StubServer.ok(DOCUMENT).respond(exchange);
        };
    for (int i = 0; i < 5; i++) {
      server(counting);
    }

    try (Fleet fleet = fleet(servers, Duration.ofSeconds(10), 2)) {
      for (int round = 0; round < 3; round++) {
        List<Fleet.Reading> readings = fleet.readAll();

        assertThat(readings).hasSize(5).allSatisfy(r -> assertThat(r.doc()).isNotNull());
        assertThat(readings).extracting(r -> r.proxy().url()).containsExactly(urls());
      }
    }
    assertThat(most.get()).isBetween(1, 2);
  }

  @Test
  void aProxyThatStallsInTheMiddleOfItsAnswerIsCutOffAtTheTimeout() throws Exception {
    CountDownLatch released = new CountDownLatch(1);
    server(StubServer.ok(DOCUMENT));
    server(
        exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, 10_000);
          OutputStream body = exchange.getResponseBody();
          body.write("{\"timestamp\":".getBytes(StandardCharsets.UTF_8));
          body.flush();
          released.await(30, TimeUnit.SECONDS); // then nothing more
        });

    try (Fleet fleet = fleet(servers, Duration.ofMillis(300), Fleet.MAX_THREADS)) {
      List<Fleet.Reading> readings = fleet.readAll();

      assertThat(readings.get(0).doc()).isNotNull();
      FetchException error = readings.get(1).error();
      assertThat(error).isNotNull();
      assertThat(error.reason()).isEqualTo("no answer within 0.3s");
      assertThat(error.getMessage())
          .isEqualTo(servers.get(1).url() + "/v1/diagnostics did not answer within 0.3s");
    } finally {
      released.countDown();
    }
  }

  @Test
  void anInterruptEndsTheReadAtOnce() throws Exception {
    StubServer hung = server(exchange -> {});
    hung.answer(hung.hang());

    try (Fleet fleet = fleet(servers, Duration.ofSeconds(30), Fleet.MAX_THREADS)) {
      Thread.currentThread().interrupt(); // Ctrl+C in watch mode interrupts the reading thread

      assertThatThrownBy(fleet::readAll).isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
  }

  private String[] urls() {
    return servers.stream().map(StubServer::url).toArray(String[]::new);
  }
}
