package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestActivityTest {

  private final FakeClock clock = new FakeClock();
  private final ActivityTracker tracker =
      ActivityTracker.create(
          ActivitySettings.builder()
              .enabled(true)
              .clock(clock)
              .sweepInterval(Duration.ZERO)
              .build());

  @AfterEach
  void closeTracker() {
    tracker.close();
  }

  private List<ConnectionSnapshot> rows(String backend) {
    return tracker.getBackendSnapshot(backend).map(BackendSnapshot::connections).orElse(List.of());
  }

  @Test
  void bytesCountedBeforeTheAttachAreMovedIntoTheRow() {
    RequestActivity r = tracker.beginRequest("sess-1");
    r.addTx(10);
    r.addRx(5);
    assertThat(tracker.activeConnections()).isZero(); // no backend yet, no row

    ActivityHandle h = r.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
    r.addTx(1);

    assertThat(h).isSameAs(r);
    assertThat(r.isAttached()).isTrue();
    ConnectionSnapshot row = rows("openai.1").get(0);
    assertThat(row.sessionId()).isEqualTo("sess-1");
    assertThat(row.model()).isEqualTo("gpt-4");
    assertThat(row.type()).isEqualTo(ConnectionType.STREAMING);
    assertThat(row.bytesRx()).isEqualTo(5);
    assertThat(row.bytesTx()).isEqualTo(11);
  }

  @Test
  void theSessionIdTheRequestCarriedIsUsed() {
    RequestActivity r = tracker.beginRequest("from-header");
    assertThat(r.sessionId()).isEqualTo("from-header");
    r.attach("b", null, ConnectionType.NON_STREAMING);
    assertThat(rows("b")).extracting(ConnectionSnapshot::sessionId).containsExactly("from-header");
  }

  @Test
  void attachingWithoutAnySessionIdGeneratesOne() {
    for (String none : new String[] {null, "", "   "}) {
      RequestActivity r = tracker.beginRequest(none);
      assertThat(r.sessionId()).isNull();
      r.attach("b", null, ConnectionType.NON_STREAMING);
      assertThat(r.sessionId()).matches("gen-[0-9a-f]{16}");
      assertThat(rows("b")).extracting(ConnectionSnapshot::sessionId).contains(r.sessionId());
      r.close();
    }
  }

  @Test
  void anExplicitSessionIdAtAttachReplacesTheCarriedOne() {
    RequestActivity r = tracker.beginRequest("carried");
    r.attach("b", "explicit", null, ConnectionType.STREAMING);
    assertThat(r.sessionId()).isEqualTo("explicit");
    assertThat(rows("b")).extracting(ConnectionSnapshot::sessionId).containsExactly("explicit");
  }

  @Test
  void twoRequestsOfOneSessionJoinTheSameRow() {
    RequestActivity a = tracker.beginRequest("s");
    RequestActivity b = tracker.beginRequest("s");
    a.attach("b", null, ConnectionType.STREAMING).addRx(1);
    b.attach("b", null, ConnectionType.STREAMING).addRx(2);

    assertThat(rows("b"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.requests()).isEqualTo(2);
              assertThat(c.bytesRx()).isEqualTo(3);
            });
    a.close();
    assertThat(rows("b")).hasSize(1);
    b.close();
    assertThat(rows("b")).isEmpty();
  }

  @Test
  void reattachingMovesTheRequestToTheNewBackend() {
    RequestActivity r = tracker.beginRequest("s");
    r.attach("primary", "m", ConnectionType.STREAMING);
    r.addRx(100);

    r.attach("fallback", "m", ConnectionType.STREAMING);
    r.addRx(7);

    assertThat(rows("primary")).isEmpty();
    assertThat(tracker.getBackendSnapshot("primary").orElseThrow().ended())
        .isEqualTo(new EndCounts(1, 0, 0, 0));
    assertThat(tracker.getBackendSnapshot("primary").orElseThrow().cumulativeBytesRx())
        .isEqualTo(100);
    assertThat(rows("fallback"))
        .singleElement()
        .satisfies(c -> assertThat(c.bytesRx()).isEqualTo(7));

    r.end(EndReason.ERRORED);
    assertThat(rows("fallback")).isEmpty();
    assertThat(tracker.getBackendSnapshot("fallback").orElseThrow().ended().errored()).isEqualTo(1);
  }

  @Test
  void reattachingToTheSameBackendKeepsTheRow() {
    RequestActivity r = tracker.beginRequest("s");
    r.attach("b", "m1", ConnectionType.NON_STREAMING).addTx(3);
    r.attach("b", "m2", ConnectionType.STREAMING).addTx(4);

    assertThat(rows("b"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.requests()).isEqualTo(1);
              assertThat(c.bytesTx()).isEqualTo(7);
              assertThat(c.model()).isEqualTo("m2");
              assertThat(c.type()).isEqualTo(ConnectionType.STREAMING);
            });
    assertThat(tracker.getBackendSnapshot("b").orElseThrow().completedConnections()).isZero();
  }

  @Test
  void endingBeforeAttachLeavesNoRow() {
    RequestActivity r = tracker.beginRequest("s");
    r.addTx(50);
    r.end(EndReason.CLIENT_ABORTED);

    r.addTx(10);
    assertThat(r.attach("b", null, ConnectionType.STREAMING)).isSameAs(r);

    assertThat(r.isOpen()).isFalse();
    assertThat(r.isAttached()).isFalse();
    assertThat(tracker.activeConnections()).isZero();
    assertThat(tracker.getGlobalSnapshot().backends()).isEmpty();
  }

  @Test
  void onlyTheFirstEndCounts() {
    RequestActivity r = tracker.beginRequest("s");
    r.attach("b", null, ConnectionType.STREAMING);
    r.end(EndReason.ERRORED);
    r.close();
    r.end(EndReason.CLIENT_ABORTED);
    r.addRx(99);

    BackendSnapshot b = tracker.getBackendSnapshot("b").orElseThrow();
    assertThat(b.ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
    assertThat(b.cumulativeBytesRx()).isZero();
  }

  @Test
  void isOpenFollowsTheRequestAndItsRow() {
    RequestActivity r = tracker.beginRequest("s");
    assertThat(r.isTracking()).isTrue();
    assertThat(r.isOpen()).isTrue(); // counting into its own pending counters
    r.attach("b", null, ConnectionType.STREAMING);
    assertThat(r.isOpen()).isTrue();

    r.addRx(1);
    tracker.sweep();
    clock.advance(ActivitySettings.DEFAULT_STALE_TIMEOUT);
    tracker.sweep(); // evicted
    assertThat(r.isOpen()).isFalse();
    r.close(); // harmless
    assertThat(tracker.getBackendSnapshot("b").orElseThrow().ended().evicted()).isEqualTo(1);
  }

  @Test
  void aBadBackendIsRejectedAndTheRequestCanStillAttach() {
    RequestActivity r = tracker.beginRequest("s");
    r.addTx(4);
    assertThatThrownBy(() -> r.attach(" ", null, ConnectionType.STREAMING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backend");
    r.attach("b", null, ConnectionType.STREAMING);
    assertThat(rows("b")).singleElement().satisfies(c -> assertThat(c.bytesTx()).isEqualTo(4));
  }

  @Test
  void negativeByteCountsAreRejected() {
    RequestActivity r = tracker.beginRequest("s");
    assertThatThrownBy(() -> r.addRx(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.addTx(-1)).isInstanceOf(IllegalArgumentException.class);
    r.attach("b", null, ConnectionType.STREAMING);
    assertThatThrownBy(() -> r.addTx(-7)).isInstanceOf(IllegalArgumentException.class);
    assertThat(rows("b").get(0).bytesTx()).isZero();
  }

  @Test
  void attachingAfterTheTrackerClosedIsHarmless() {
    RequestActivity r = tracker.beginRequest("s");
    r.addTx(3);
    tracker.close();

    r.attach("b", null, ConnectionType.STREAMING);
    r.addTx(3);
    r.close();

    assertThat(tracker.getGlobalSnapshot().backends()).isEmpty();
  }

  @Test
  void theDisabledInstanceIgnoresEverything() {
    RequestActivity d = RequestActivity.disabled();
    d.addRx(5);
    d.addTx(5);
    assertThat(d.attach("b", "s", "m", ConnectionType.STREAMING)).isSameAs(d);
    d.end(EndReason.ERRORED);

    assertThat(d.isTracking()).isFalse();
    assertThat(d.isOpen()).isFalse();
    assertThat(d.isAttached()).isFalse();
    assertThat(d.sessionId()).isNull();
  }

  @Test
  void writesRacingTheAttachFromAnotherThreadLoseNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      int runs = 300;
      int writes = 2_000;
      for (int run = 0; run < runs; run++) {
        RequestActivity r = tracker.beginRequest("race-" + run);
        CountDownLatch started = new CountDownLatch(2);
        Future<?> tx =
            pool.submit(
                () -> {
                  started.countDown();
                  for (int i = 0; i < writes; i++) {
                    r.addTx(1);
                  }
                });
        Future<?> rx =
            pool.submit(
                () -> {
                  started.countDown();
                  for (int i = 0; i < writes; i++) {
                    r.addRx(2);
                  }
                });
        started.await();
        r.attach("b", null, ConnectionType.STREAMING);
        tx.get(30, TimeUnit.SECONDS);
        rx.get(30, TimeUnit.SECONDS);

        ConnectionSnapshot row =
            rows("b").stream()
                .filter(c -> c.sessionId().equals(r.sessionId()))
                .findFirst()
                .orElseThrow();
        assertThat(row.bytesTx()).as("run %d", run).isEqualTo(writes);
        assertThat(row.bytesRx()).as("run %d", run).isEqualTo(2L * writes);
        r.close();
      }
      BackendSnapshot b = tracker.getBackendSnapshot("b").orElseThrow();
      assertThat(b.cumulativeBytesTx()).isEqualTo((long) runs * writes);
      assertThat(b.cumulativeBytesRx()).isEqualTo(2L * runs * writes);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void writesRacingTheEndAreCountedAtMostOnceAndLeaveNoRow() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try {
      for (int run = 0; run < 200; run++) {
        RequestActivity r = tracker.beginRequest("end-race-" + run);
        boolean attachFirst = run % 2 == 0;
        if (attachFirst) {
          r.attach("b", null, ConnectionType.STREAMING);
        }
        CountDownLatch started = new CountDownLatch(1);
        Future<?> writer =
            pool.submit(
                () -> {
                  started.countDown();
                  for (int i = 0; i < 1_000; i++) {
                    r.addTx(1);
                  }
                });
        started.await();
        r.close();
        writer.get(30, TimeUnit.SECONDS);
        r.attach("b", null, ConnectionType.STREAMING); // after the end: ignored
      }
      assertThat(tracker.activeConnections()).isZero();
      BackendSnapshot b = tracker.getBackendSnapshot("b").orElseThrow();
      assertThat(b.completedConnections()).isEqualTo(100); // only the attached half had rows
      assertThat(b.cumulativeBytesTx()).isBetween(0L, 100L * 1_000);
    } finally {
      pool.shutdownNow();
    }
  }
}
