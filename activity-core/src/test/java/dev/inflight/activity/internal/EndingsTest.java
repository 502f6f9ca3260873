package dev.inflight.activity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendTotals;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.EndedConnectionListener;
import dev.inflight.activity.GlobalSnapshot;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.FakeClock;
import dev.inflight.activity.testing.LogCapture;
import dev.inflight.activity.testing.ManualTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EndingsTest {
  private final List<EndedConnection> ended = new CopyOnWriteArrayList<>();
  private final EndedConnectionListener recorder = ended::add;

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(b -> b.endedListener(recorder));

  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
  }

  private ActivityTracker tracker() {
    return fixture.tracker();
  }

  private FakeClock clock() {
    return fixture.clock();
  }

  @Test
  void aJoinedRowIsReportedOnceWithEverythingItDid() {
    ActivityHandle first = tracker().open("openai.1", "s1", ConnectionType.NON_STREAMING, null);
    clock().advance(Duration.ofMillis(250));
    first.addTx(10);
    ActivityHandle second = tracker().open("openai.1", "s1", ConnectionType.STREAMING, "gpt-4");
    first.addRx(100);
    second.addRx(50);
    second.addTx(5);
    clock().advance(Duration.ofSeconds(2));
    first.close();
    assertThat(ended).as("the row lives on with its second request").isEmpty();
    second.end(EndReason.CLIENT_ABORTED);

    assertThat(ended)
        .containsExactly(
            new EndedConnection(
                "openai.1",
                "s1",
                ConnectionType.STREAMING,
                "gpt-4",
                FakeClock.DEFAULT_START,
                Duration.ofMillis(2250),
                Duration.ofMillis(250),
                150,
                15,
                2,
                EndReason.CLIENT_ABORTED,
                0,
                Duration.ofMillis(250))); // RX counted by length: its first byte is first content
    assertThat(ended.get(0).endedAt()).isEqualTo(FakeClock.DEFAULT_START.plusMillis(2250));
  }

  @Test
  void aRowWithoutBytesToTheClientHasNoFirstByte() {
    tracker().open("b", "s", ConnectionType.STREAMING, null).end(EndReason.ERRORED);
    assertThat(ended).singleElement().satisfies(e -> assertThat(e.firstByte()).isNull());
    assertThat(ended.get(0).reason()).isEqualTo(EndReason.ERRORED);
  }

  @Test
  void everyRowIsReportedOnceWhateverTheOrderOfEndsAndEvictions() {
    // the three things that can end a joined row, in every order
    int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int[] order : orders) {
      ended.clear();
      String session = "s" + order[0] + order[1] + order[2];
      ActivityHandle a = tracker().open("b", session, ConnectionType.STREAMING, null);
      ActivityHandle b = tracker().open("b", session, ConnectionType.STREAMING, null);
      a.addRx(3);
      b.addTx(4);
      for (int step : order) {
        switch (step) {
          case 0:
            a.close();
            break;
          case 1:
            b.end(EndReason.ERRORED);
            break;
          default:
            clock().advance(Duration.ofMinutes(6));
            tracker().sweep();
            break;
        }
        a.addRx(1); // late bytes: never counted once the row ended
        a.close();
        b.close();
      }
      assertThat(ended).as("order %s", (Object) order).hasSize(1);
      assertThat(ended.get(0).bytesRx() + ended.get(0).bytesTx()).isGreaterThanOrEqualTo(7);
    }
    EndCounts counts = tracker().getGlobalSnapshot().ended();
    assertThat(counts.total()).isEqualTo(orders.length);
  }

  @Test
  void aRowEvictedAtTheCapIsReportedAsEvicted() {
    ActivityTracker capped =
        ActivityTracker.create(
            ActivitySettings.builder()
                .enabled(true)
                .clock(clock())
                .sweepInterval(Duration.ZERO)
                .maxConnections(1)
                .endedListener(recorder)
                .build());
    try {
      ActivityHandle old = capped.open("b", "old", ConnectionType.STREAMING, null);
      clock().advance(Duration.ofSeconds(1));
      ActivityHandle fresh = capped.open("b", "new", ConnectionType.STREAMING, null);
      assertThat(ended)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.sessionId()).isEqualTo("old");
                assertThat(e.reason()).isEqualTo(EndReason.EVICTED);
              });
      old.close();
      fresh.close();
      assertThat(ended).extracting(EndedConnection::sessionId).containsExactly("old", "new");
    } finally {
      capped.close();
    }
  }

  @Test
  void aThrowingListenerIsLoggedOncePerBurstAndHarmsNothing() {
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger failFor = new AtomicInteger(3);
    tracker()
        .addEndedListener(
            e -> {
              calls.incrementAndGet();
              if (failFor.getAndDecrement() > 0) {
                throw new IllegalStateException("listener broke");
              }
            });
    try (LogCapture logs = LogCapture.start()) {
      for (int i = 0; i < 5; i++) {
        ActivityHandle h = tracker().open("b", "s" + i, ConnectionType.STREAMING, null);
        h.addTx(1);
        assertThatCode(h::close).doesNotThrowAnyException();
      }
      assertThat(logs.messages(Level.WARNING))
          .singleElement()
          .satisfies(m -> assertThat(m).contains("listener").contains("not logged"));
      failFor.set(1); // a new burst after the successes
      tracker().open("b", "again", ConnectionType.STREAMING, null).close();
      assertThat(logs.messages(Level.WARNING)).hasSize(2);
    }
    assertThat(calls.get()).isEqualTo(6);
    assertThat(ended).as("other listeners still hear every end").hasSize(6);
    assertThat(tracker().activeConnections()).isZero();
  }

  @Test
  void theListenerRunsOnTheEndingThreadOutsideTheRowsLock() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<String> threadName = new AtomicReference<>();
    tracker()
        .addEndedListener(
            e -> {
              if (e.sessionId().equals("s")) {
                threadName.compareAndSet(null, Thread.currentThread().getName());
                entered.countDown();
                Await.await(release);
              }
            });
    ActivityHandle h = tracker().open("b", "s", ConnectionType.STREAMING, null);
    h.addRx(10);
    h.addTx(10);
    assertThat(entered.getCount()).as("adding bytes never calls a listener").isEqualTo(1);
    Future<?> closing =
        pool.submit(
            () -> {
              Thread.currentThread().setName("closer");
              h.close();
            });
    Await.await(entered);
    // While the listener holds the closing thread, the same (backend, session) opens again: with
    // the listener under the row's lock this would block.
    ActivityHandle next = tracker().open("b", "s", ConnectionType.STREAMING, null);
    next.addRx(1);
    assertThat(tracker().getBackendTotals("b").map(BackendTotals::activeConnections)).contains(1);
    release.countDown();
    closing.get(20, TimeUnit.SECONDS);
    next.close();
    assertThat(threadName.get()).isEqualTo("closer");
  }

  @Test
  void theListenerSeesTheRowAlreadyFoldedIntoTheTotals() {
    AtomicReference<BackendTotals> seen = new AtomicReference<>();
    tracker().addEndedListener(e -> seen.set(tracker().getBackendTotals(e.backend()).get()));
    ActivityHandle h = tracker().open("b", "s", ConnectionType.STREAMING, null);
    h.addRx(40);
    h.close();
    assertThat(seen.get())
        .isEqualTo(new BackendTotals("b", 0, 0, 40, 0, new EndCounts(1, 0, 0, 0)));
  }

  @Test
  void aRemovedListenerHearsNothingMore() {
    assertThat(tracker().removeEndedListener(recorder)).isTrue();
    assertThat(tracker().removeEndedListener(recorder)).isFalse();
    tracker().open("b", "s", ConnectionType.STREAMING, null).close();
    assertThat(ended).isEmpty();
  }

  @Test
  void aDisabledTrackerKeepsNoListener() {
    ActivityTracker.disabled().addEndedListener(recorder);
    assertThat(ActivityTracker.disabled().removeEndedListener(recorder)).isFalse();
    assertThat(ActivityTracker.disabled().recentlyEnded()).isEmpty();
    assertThat(ActivityTracker.disabled().getTotals()).isEmpty();
    assertThat(ActivityTracker.disabled().getBackendTotals("b")).isEmpty();
  }

  @Test
  void theRingKeepsTheNewestRowsNewestFirst() {
    try (ActivityTracker small =
        ActivityTracker.create(
            ActivitySettings.builder()
                .enabled(true)
                .clock(clock())
                .sweepInterval(Duration.ZERO)
                .recentConnections(3)
                .build())) {
      for (int i = 0; i < 5; i++) {
        small.open("b", "s" + i, ConnectionType.STREAMING, null).close();
      }
      assertThat(small.recentlyEnded())
          .extracting(EndedConnection::sessionId)
          .containsExactly("s4", "s3", "s2");
      assertThat(small.getGlobalSnapshot().recent()).isEqualTo(small.recentlyEnded());
    }
  }

  @Test
  void theRingHoldsAHundredByDefault() {
    for (int i = 0; i < 150; i++) {
      tracker().open("b", "s" + i, ConnectionType.STREAMING, null).close();
    }
    List<EndedConnection> recent = tracker().recentlyEnded();
    assertThat(recent).hasSize(100);
    assertThat(recent.get(0).sessionId()).isEqualTo("s149");
    assertThat(recent.get(99).sessionId()).isEqualTo("s50");
  }

  @Test
  void aRingOfZeroKeepsNothing() {
    try (ActivityTracker none =
        ActivityTracker.create(
            ActivitySettings.builder()
                .enabled(true)
                .clock(clock())
                .sweepInterval(Duration.ZERO)
                .recentConnections(0)
                .build())) {
      none.open("b", "s", ConnectionType.STREAMING, null).close();
      assertThat(none.recentlyEnded()).isEmpty();
      assertThat(none.getGlobalSnapshot().recent()).isEmpty();
      assertThat(none.getGlobalSnapshot().ended().completed()).isEqualTo(1);
    }
  }

  @Test
  void concurrentEndsAreEachReportedOnce() throws Exception {
    int perThread = 2_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int id = t;
      done.add(
          pool.submit(
              () -> {
                Await.await(start);
                for (int i = 0; i < perThread; i++) {
                  // both threads share sessions, so rows are joined and ended from either side
                  ActivityHandle h =
                      tracker().open("b", "s" + (i % 50), ConnectionType.STREAMING, null);
                  h.addRx(1);
                  h.addTx(id + 1L);
                  h.close();
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    long rx = 0;
    int requests = 0;
    for (EndedConnection e : ended) {
      rx += e.bytesRx();
      requests += e.requests();
    }
    assertThat(rx).isEqualTo(2L * perThread);
    assertThat(requests).isEqualTo(2 * perThread);
    assertThat((long) ended.size()).isEqualTo(tracker().getGlobalSnapshot().ended().total());
    assertThat(Collections.frequency(ended, null)).isZero();
  }

  @Test
  void listenersHearEveryRowOnceWithEveryByteWhateverTheOperations() {
    qt().withExamples(150)
        .forAll(lists().of(integers().between(0, 9_999)).ofSizeBetween(1, 80))
        .checkAssert(this::runAndCheck);
  }

  /**
   * Runs a random mix of opens (four sessions, so rows join), byte adds, ends with any reason and
   * stale sweeps, closes what is left, then checks the listener's view against the counters.
   */
  private void runAndCheck(List<Integer> ops) {
    FakeClock clock = new FakeClock();
    List<EndedConnection> heard = new ArrayList<>();
    try (ActivityTracker t =
        ActivityTracker.create(
            ActivitySettings.builder()
                .enabled(true)
                .clock(clock)
                .sweepInterval(Duration.ZERO)
                .maxConnections(3)
                .endedListener(heard::add)
                .build())) {
      List<ActivityHandle> handles = new ArrayList<>();
      for (int op : ops) {
        int arg = op / 5;
        switch (op % 5) {
          case 0:
            handles.add(
                t.open(
                    "b" + (arg % 2),
                    "s" + (arg % 4),
                    arg % 3 == 0 ? ConnectionType.STREAMING : ConnectionType.NON_STREAMING,
                    null));
            break;
          case 1:
            if (!handles.isEmpty()) {
              handles.get(arg % handles.size()).addRx(arg % 100 + 1);
            }
            break;
          case 2:
            if (!handles.isEmpty()) {
              handles.get(arg % handles.size()).addTx(arg % 100 + 1);
            }
            break;
          case 3:
            if (!handles.isEmpty()) {
              handles.get(arg % handles.size()).end(EndReason.values()[arg % 3]);
            }
            break;
          default:
            clock.advance(Duration.ofMinutes(arg % 7));
            t.sweep();
            break;
        }
      }
      handles.forEach(ActivityHandle::close);

      GlobalSnapshot g = t.getGlobalSnapshot();
      assertThat(g.totalActiveConnections()).isZero();
      assertThat((long) heard.size()).isEqualTo(g.ended().total());
      for (EndReason r : EndReason.values()) {
        assertThat(heard.stream().filter(e -> e.reason() == r).count())
            .as("rows heard as %s", r)
            .isEqualTo(g.ended().get(r));
      }
      assertThat(heard.stream().mapToLong(EndedConnection::bytesRx).sum())
          .isEqualTo(g.cumulativeBytesRx());
      assertThat(heard.stream().mapToLong(EndedConnection::bytesTx).sum())
          .isEqualTo(g.cumulativeBytesTx());
      assertThat(heard.stream().mapToInt(EndedConnection::requests).sum())
          .as("every opened request belongs to exactly one ended row")
          .isEqualTo((int) ops.stream().filter(op -> op % 5 == 0).count());
    }
  }
}
