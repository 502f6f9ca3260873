package dev.inflight.activity.servlet;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.Await;
import jakarta.servlet.ServletOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Joined requests and load: requests of one session share a row; many requests with random aborts
 * leave nothing behind.
 */
abstract class JoinContract extends ContainerContract {

  @Test
  void twoRequestsOfOneSessionJoinOneRowAndEndTogether() throws Exception {
    CountDownLatch attached = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.getOutputStream().write(bytes(100, 11));
              res.getOutputStream().flush();
              attached.countDown();
              Await.await(release);
              res.getOutputStream().write(bytes(50, 12));
            }));

    CompletableFuture<HttpResponse<byte[]>> a =
        CLIENT.sendAsync(get("/join", "shared"), BodyHandlers.ofByteArray());
    CompletableFuture<HttpResponse<byte[]>> b =
        CLIENT.sendAsync(get("/join", "shared"), BodyHandlers.ofByteArray());
    Await.await(attached);
    Await.until(
        "two requests on one row",
        () -> row("shared").map(ConnectionSnapshot::requests).orElse(0) == 2);
    assertThat(tracker.activeConnections()).isEqualTo(1);
    Await.until("both first writes counted", () -> rowTx("shared") == 200);
    release.countDown();

    assertThat(a.get(10, SECONDS).body()).hasSize(150);
    assertThat(b.get(10, SECONDS).body()).hasSize(150);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(300);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void theRequestsActivityIsCurrentDuringItsDispatchOnly() throws Exception {
    AtomicInteger current = new AtomicInteger();
    deploy(
        servlet(
            (req, res) -> {
              if (RequestActivity.current() == ServletActivity.of(req)
                  && RequestActivity.current().isTracking()) {
                current.incrementAndGet();
              }
              res.getOutputStream().write(bytes(10, 1));
            }));
    HttpResponse<byte[]> r = CLIENT.send(get("/current", "s-current"), BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(current).hasValue(1);
    assertThat(RequestActivity.current().isTracking()).isFalse(); // not on the test's thread
  }

  @Test
  void aThousandRequestsWithRandomClientAbortsLeaveNoRows() throws Exception {
    AtomicInteger attaches = new AtomicInteger();
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              attaches.incrementAndGet();
              ServletOutputStream out = res.getOutputStream();
              for (int i = 0; i < 4; i++) {
                out.write(bytes(512, i));
                out.flush();
              }
            }));

    Random random = new Random(7);
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      assertThat(inFlight.tryAcquire(10, SECONDS)).isTrue();
      HttpRequest request = get("/load", "s-" + i);
      CompletableFuture<?> f;
      switch (random.nextInt(3)) {
        case 0: // read it all
          f = CLIENT.sendAsync(request, BodyHandlers.ofByteArray());
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
        Duration.ofSeconds(15),
        () ->
            tracker.activeConnections() == 0 && backend().completedConnections() == attaches.get());
    assertThat(attaches.get()).isGreaterThan(300);
    BackendSnapshot s = backend();
    assertThat(s.connections()).isEmpty();
    assertThat(s.completedConnections()).isEqualTo(attaches.get());
    assertThat(s.ended().completed()).isPositive();
    assertThat(s.cumulativeBytesTx()).isLessThanOrEqualTo(2048L * attaches.get());
  }
}
