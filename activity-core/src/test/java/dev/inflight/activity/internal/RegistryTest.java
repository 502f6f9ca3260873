package dev.inflight.activity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.inflight.activity.ActivityClock;
import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.GlobalSnapshot;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.FakeClock;
import dev.inflight.activity.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class RegistryTest {

  private static final Duration STALE = Duration.ofMinutes(5);
  private static final Duration AWAIT = Duration.ofSeconds(10);

  private final FakeClock clock = new FakeClock();
  private final List<ActivityTracker> trackers = new java.util.ArrayList<>();

  @AfterEach
  void closeTrackers() {
    trackers.forEach(ActivityTracker::close);
  }

  private ActivityTracker tracker(ActivitySettings.Builder settings) {
    ActivityTracker t = ActivityTracker.create(settings.enabled(true).build());
    trackers.add(t);
    return t;
  }

  private ActivityTracker manualTracker() {
    return tracker(
        ActivitySettings.builder().clock(clock).staleTimeout(STALE).sweepInterval(Duration.ZERO));
  }

  private static BackendSnapshot backend(ActivityTracker t, String name) {
    return t.getBackendSnapshot(name).orElseThrow();
  }

  private static List<String> sessions(ActivityTracker t, String backend) {
    return backend(t, backend).connections().stream().map(ConnectionSnapshot::sessionId).toList();
  }

  @Nested
  class StaleSweep {

    @Test
    void aRowWithoutByteProgressForTheTimeoutIsEvictedAndCountedEvicted() {
      ActivityTracker t = manualTracker();
      ActivityHandle h = t.open("b", "s", ConnectionType.STREAMING, null);
      h.addRx(10);
      h.addTx(20);
      assertThat(t.sweep()).isZero(); // the periodic sweep notices the progress at t=0

      clock.advance(STALE.minusNanos(1));
      assertThat(t.sweep()).isZero();
      assertThat(t.activeConnections()).isEqualTo(1);

      clock.advance(Duration.ofNanos(1));
      assertThat(t.sweep()).isEqualTo(1);

      BackendSnapshot b = backend(t, "b");
      assertThat(b.connections()).isEmpty();
      assertThat(b.ended()).isEqualTo(new EndCounts(0, 0, 0, 1));
      assertThat(b.cumulativeBytesRx()).isEqualTo(10);
      assertThat(b.cumulativeBytesTx()).isEqualTo(20);
      assertThat(h.isOpen()).isFalse();
      assertThat(t.activeConnections()).isZero();
    }

    @Test
    void aStreamThatKeepsMovingIsNeverEvictedEvenAfterTwentyMinutes() {
      ActivityTracker t = manualTracker();
      ActivityHandle h = t.open("b", "s", ConnectionType.STREAMING, null);
      for (int i = 0; i < 40; i++) { // 20 minutes, a chunk every 30 s
        clock.advance(Duration.ofSeconds(30));
        h.addTx(100);
        assertThat(t.sweep()).isZero();
      }
      ConnectionSnapshot row = backend(t, "b").connections().get(0);
      assertThat(row.duration()).isEqualTo(Duration.ofMinutes(20));
      assertThat(row.bytesTx()).isEqualTo(4000);
      assertThat(h.isOpen()).isTrue();

      clock.advance(STALE);
      assertThat(t.sweep()).isEqualTo(1);
    }

    @Test
    void progressIsNoticedEvenWhenNoSweepRanWhileTheBytesMoved() {
      ActivityTracker t = manualTracker();
      ActivityHandle h = t.open("b", "s", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofMinutes(3));
      h.addRx(1); // nobody looks at the clock here
      clock.advance(Duration.ofMinutes(3));

      assertThat(t.sweep()).isZero(); // 6 minutes since the start, but bytes moved
      assertThat(h.isOpen()).isTrue();
    }

    @Test
    void progressIsTimedWhenASweepOrSnapshotFirstSeesIt() {
      // No clock read on the byte path: bytes count as progress at the first look after them,
      // so eviction may come up to one sweep interval after the timeout, never before it.
      ActivityTracker t = manualTracker();
      ActivityHandle h = t.open("b", "s", ConnectionType.STREAMING, null);
      h.addRx(1);
      clock.advance(Duration.ofSeconds(30));
      t.getGlobalSnapshot(); // first look at t=30s

      clock.advance(STALE.minusSeconds(1));
      assertThat(t.sweep()).isZero();
      clock.advance(Duration.ofSeconds(1));
      assertThat(t.sweep()).isEqualTo(1);
    }

    @Test
    void theTimeoutCountsFromTheLastProgressNotFromTheStart() {
      ActivityTracker t = manualTracker();
      ActivityHandle h = t.open("b", "s", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofMinutes(4));
      h.addTx(1);
      assertThat(t.sweep()).isZero(); // sees the progress at 4 min

      clock.advance(STALE.minusSeconds(1));
      assertThat(t.sweep()).isZero();
      assertThat(backend(t, "b").connections().get(0).idle()).isEqualTo(STALE.minusSeconds(1));

      clock.advance(Duration.ofSeconds(1));
      assertThat(t.sweep()).isEqualTo(1);
    }

    @Test
    void aJoinCountsAsProgress() {
      ActivityTracker t = manualTracker();
      t.open("b", "s", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofMinutes(4));
      t.open("b", "s", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofMinutes(4));

      assertThat(t.sweep()).isZero();
      clock.advance(Duration.ofMinutes(1));
      assertThat(t.sweep()).isEqualTo(1);
    }

    @Test
    void lateOperationsOnAnEvictedHandleAreNoOps() {
      ActivityTracker t = manualTracker();
      ActivityHandle h = t.open("b", "s", ConnectionType.STREAMING, null);
      h.addRx(7);
      t.sweep();
      clock.advance(STALE);
      assertThat(t.sweep()).isEqualTo(1);

      h.addRx(1000);
      h.addTx(1000);
      h.end(EndReason.ERRORED);
      h.close();

      BackendSnapshot b = backend(t, "b");
      assertThat(h.isOpen()).isFalse();
      assertThat(b.connections()).isEmpty();
      assertThat(b.cumulativeBytesRx()).isEqualTo(7);
      assertThat(b.cumulativeBytesTx()).isZero();
      assertThat(b.ended()).isEqualTo(new EndCounts(0, 0, 0, 1));
      assertThat(t.activeConnections()).isZero();
    }

    @Test
    void aNewOpenAfterEvictionIsAFreshRowThatTheOldHandleCannotTouch() {
      ActivityTracker t = manualTracker();
      ActivityHandle old = t.open("b", "s", ConnectionType.STREAMING, "old");
      old.addRx(100);
      t.sweep();
      clock.advance(STALE);
      assertThat(t.sweep()).isEqualTo(1);

      ActivityHandle fresh = t.open("b", "s", ConnectionType.NON_STREAMING, "new");
      old.close();
      old.addRx(50);
      fresh.addRx(1);

      ConnectionSnapshot row = backend(t, "b").connections().get(0);
      assertThat(fresh.isOpen()).isTrue();
      assertThat(row.model()).isEqualTo("new");
      assertThat(row.requests()).isEqualTo(1);
      assertThat(row.bytesRx()).isEqualTo(1);
      assertThat(backend(t, "b").ended()).isEqualTo(new EndCounts(0, 0, 0, 1));

      fresh.close();
      assertThat(backend(t, "b").ended()).isEqualTo(new EndCounts(1, 0, 0, 1));
      assertThat(backend(t, "b").cumulativeBytesRx()).isEqualTo(101);
    }

    @Test
    void anEvictedJoinedRowIsCountedOnceAndItsHandlesEndHarmlessly() {
      ActivityTracker t = manualTracker();
      ActivityHandle a = t.open("b", "s", ConnectionType.STREAMING, null);
      ActivityHandle b = t.open("b", "s", ConnectionType.STREAMING, null);
      clock.advance(STALE);
      assertThat(t.sweep()).isEqualTo(1);
      a.close();
      b.end(EndReason.ERRORED);

      assertThat(a.isOpen()).isFalse();
      assertThat(b.isOpen()).isFalse();
      assertThat(backend(t, "b").ended()).isEqualTo(new EndCounts(0, 0, 0, 1));
    }

    @Test
    void oneSweepEvictsEveryStaleRowOnEveryBackendAndKeepsTheMovingOnes() {
      ActivityTracker t = manualTracker();
      t.open("a", "idle1", ConnectionType.STREAMING, null);
      t.open("b", "idle2", ConnectionType.STREAMING, null);
      ActivityHandle moving = t.open("b", "moving", ConnectionType.STREAMING, null);
      clock.advance(STALE);
      moving.addRx(1);

      assertThat(t.sweep()).isEqualTo(2);
      assertThat(sessions(t, "a")).isEmpty();
      assertThat(sessions(t, "b")).containsExactly("moving");
      assertThat(t.getGlobalSnapshot().ended().evicted()).isEqualTo(2);
    }
  }

  /** One step of a random scenario; the fields are interpreted by {@link Model#apply}. */
  record Step(Kind kind, int pick, int amount, int x, int y) {
    enum Kind {
      OPEN,
      ADD_RX,
      ADD_TX,
      END,
      SWEEP,
      ADVANCE
    }

    static Gen<Step> gen() {
      return gen(3);
    }

    /** Steps whose opens pick among {@code sessions + 1} session ids per backend. */
    static Gen<Step> gen(int sessions) {
      Gen<Kind> kinds =
          integers()
              .between(0, 11)
              .map(
                  i ->
                      i < 3
                          ? Kind.OPEN
                          : i < 5
                              ? Kind.ADD_RX
                              : i < 7
                                  ? Kind.ADD_TX
                                  : i < 9 ? Kind.END : i < 10 ? Kind.SWEEP : Kind.ADVANCE);
      return kinds.zip(
          integers().between(0, 1000),
          integers().between(0, 5000),
          integers().between(0, 3),
          integers().between(0, sessions),
          Step::new);
    }
  }

  /**
   * A deliberately simple model of the tracker: plain maps and longs, no concurrency. It says what
   * every snapshot must show after each step.
   */
  static final class Model {
    static final class MRow {
      final String backend;
      final String session;
      final long startedNanos;
      long rx;
      long tx;
      int requests = 1;
      int requestsSeen = 1;
      long handMark = 1; // what the clock hand saw: bytes plus requests seen
      EndReason worst = EndReason.COMPLETED;
      long lastProgress;
      ConnectionType type;
      @Nullable String model;
      boolean ended;

      MRow(String backend, String session, long now, ConnectionType type, @Nullable String m) {
        this.backend = backend;
        this.session = session;
        this.startedNanos = now;
        this.lastProgress = now;
        this.type = type;
        this.model = m;
      }
    }

    static final class MHandle {
      final MRow row;
      final ActivityHandle real;
      boolean ended;

      MHandle(MRow row, ActivityHandle real) {
        this.row = row;
        this.real = real;
      }
    }

    final FakeClock clock = new FakeClock();
    final int max;
    final ActivityTracker tracker;
    final Map<String, Map<String, MRow>> rows = new LinkedHashMap<>();
    final List<MRow> hand = new ArrayList<>(); // the clock hand's order: one thread, one stripe
    final Map<String, long[]> cumulative = new HashMap<>(); // backend -> {rx, tx}
    final Map<String, long[]> endedBy = new HashMap<>(); // backend -> counts by reason
    final Map<String, long[]> reported = new HashMap<>(); // backend -> last seen {rx, tx}
    final List<MHandle> handles = new ArrayList<>();
    long now; // nanos since the start

    Model(int max) {
      this.max = max;
      this.tracker =
          ActivityTracker.create(
              ActivitySettings.builder()
                  .enabled(true)
                  .clock(clock)
                  .staleTimeout(STALE)
                  .sweepInterval(Duration.ZERO)
                  .maxConnections(max)
                  .build());
    }

    int rowCount() {
      return rows.values().stream().mapToInt(Map::size).sum();
    }

    void endRow(MRow row, EndReason reason) {
      row.ended = true;
      rows.get(row.backend).remove(row.session);
      hand.remove(row);
      endedBy.get(row.backend)[reason.ordinal()]++;
    }

    void apply(Step step) {
      switch (step.kind()) {
        case OPEN:
          open(step);
          break;
        case ADD_RX:
        case ADD_TX:
          if (!handles.isEmpty()) {
            MHandle h = handles.get(step.pick() % handles.size());
            long n = step.amount();
            boolean rx = step.kind() == Step.Kind.ADD_RX;
            if (rx) {
              h.real.addRx(n);
            } else {
              h.real.addTx(n);
            }
            if (!h.ended && !h.row.ended) {
              if (rx) {
                h.row.rx += n;
                cumulative.get(h.row.backend)[0] += n;
              } else {
                h.row.tx += n;
                cumulative.get(h.row.backend)[1] += n;
              }
              if (n > 0) {
                h.row.lastProgress = now;
              }
            }
          }
          break;
        case END:
          if (!handles.isEmpty()) {
            end(handles.get(step.pick() % handles.size()), EndReason.values()[step.x()]);
          }
          break;
        case SWEEP:
          int expected = 0;
          for (Map<String, MRow> byBackend : rows.values()) {
            for (MRow row : List.copyOf(byBackend.values())) {
              if (now - row.lastProgress >= STALE.toNanos()) {
                endRow(row, EndReason.EVICTED);
                expected++;
              }
            }
          }
          assertThat(tracker.sweep()).as("rows evicted by the sweep").isEqualTo(expected);
          break;
        case ADVANCE:
          Duration d = Duration.ofMillis(step.amount() * 40L); // up to 200 s
          clock.advance(d);
          now += d.toNanos();
          break;
        default:
          throw new AssertionError(step);
      }
    }

    void open(Step step) {
      String backend = "b" + (step.x() % 2);
      String session = "s" + step.y();
      ConnectionType type =
          step.pick() % 2 == 0 ? ConnectionType.STREAMING : ConnectionType.NON_STREAMING;
      String m = step.amount() % 3 == 0 ? null : "m" + step.amount() % 3;
      rows.computeIfAbsent(backend, k -> new LinkedHashMap<>());
      cumulative.computeIfAbsent(backend, k -> new long[2]);
      endedBy.computeIfAbsent(backend, k -> new long[EndReason.values().length]);
      MRow existing = rows.get(backend).get(session);
      if (existing == null && rowCount() >= max) {
        endRow(handVictim(), EndReason.EVICTED);
      }
      ActivityHandle real = tracker.open(backend, session, type, m);
      MRow row;
      if (existing != null) {
        existing.requests++;
        existing.requestsSeen++;
        if (type == ConnectionType.STREAMING) {
          existing.type = type;
        }
        if (m != null) {
          existing.model = m;
        }
        existing.lastProgress = now;
        row = existing;
      } else {
        row = new MRow(backend, session, now, type, m);
        rows.get(backend).put(session, row);
        hand.add(row);
      }
      handles.add(new MHandle(row, real));
    }

    /**
     * The clock hand, as the registry's class comment states it: rows with activity since the
     * hand's last visit get a second chance at the back; the first without is the victim; if all
     * moved, the front row after one pass.
     */
    MRow handVictim() {
      for (int visited = 0, n = hand.size(); visited < n; visited++) {
        MRow r = hand.get(0);
        long activity = r.rx + r.tx + r.requestsSeen;
        if (activity == r.handMark) {
          return r;
        }
        r.handMark = activity;
        hand.add(hand.remove(0));
      }
      return hand.get(0);
    }

    void end(MHandle h, EndReason reason) {
      h.real.end(reason);
      if (h.ended) {
        return;
      }
      h.ended = true;
      if (h.row.ended) {
        return;
      }
      h.row.requests--;
      if (reason.compareTo(h.row.worst) > 0) {
        h.row.worst = reason;
      }
      if (h.row.requests == 0) {
        endRow(h.row, h.row.worst);
      }
    }

    /** Compares a fresh snapshot with the model. */
    void check() {
      GlobalSnapshot g = tracker.getGlobalSnapshot();
      assertThat(g.backends())
          .extracting(BackendSnapshot::name)
          .containsExactlyInAnyOrderElementsOf(rows.keySet());
      long activeRx = 0;
      long activeTx = 0;
      long endedRows = 0;
      for (BackendSnapshot b : g.backends()) {
        Map<String, MRow> expected = rows.get(b.name());
        assertThat(b.connections())
            .extracting(ConnectionSnapshot::sessionId)
            .as("rows of %s", b.name())
            .containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (ConnectionSnapshot c : b.connections()) {
          MRow r = expected.get(c.sessionId());
          assertThat(c.bytesRx()).as("rx of %s", c.sessionId()).isEqualTo(r.rx);
          assertThat(c.bytesTx()).as("tx of %s", c.sessionId()).isEqualTo(r.tx);
          assertThat(c.requests()).isEqualTo(r.requests);
          assertThat(c.type()).isEqualTo(r.type);
          assertThat(c.model()).isEqualTo(r.model);
          assertThat(c.startedAt())
              .isEqualTo(
                  Instant.ofEpochMilli(
                      FakeClock.DEFAULT_START.toEpochMilli() + r.startedNanos / 1_000_000));
          assertThat(c.duration()).isEqualTo(Duration.ofNanos(now - r.startedNanos));
          assertThat(c.idle()).isEqualTo(Duration.ofNanos(now - r.lastProgress));
        }
        // active sums equal the sums over the rows
        assertThat(b.totalBytesRx())
            .isEqualTo(expected.values().stream().mapToLong(r -> r.rx).sum());
        assertThat(b.totalBytesTx())
            .isEqualTo(expected.values().stream().mapToLong(r -> r.tx).sum());
        activeRx += b.totalBytesRx();
        activeTx += b.totalBytesTx();
        // cumulative: every byte added to an open handle, never decreasing
        long[] cum = cumulative.get(b.name());
        assertThat(b.cumulativeBytesRx()).as("cumulative rx").isEqualTo(cum[0]);
        assertThat(b.cumulativeBytesTx()).as("cumulative tx").isEqualTo(cum[1]);
        long[] last = reported.computeIfAbsent(b.name(), k -> new long[2]);
        assertThat(b.cumulativeBytesRx()).isGreaterThanOrEqualTo(last[0]);
        assertThat(b.cumulativeBytesTx()).isGreaterThanOrEqualTo(last[1]);
        last[0] = b.cumulativeBytesRx();
        last[1] = b.cumulativeBytesTx();
        long[] ended = endedBy.get(b.name());
        for (EndReason reason : EndReason.values()) {
          assertThat(b.ended().get(reason))
              .as("%s rows", reason)
              .isEqualTo(ended[reason.ordinal()]);
        }
        assertThat(b.completedConnections()).isEqualTo(java.util.Arrays.stream(ended).sum());
        endedRows += b.completedConnections();
      }
      assertThat(g.totalBytesRx()).isEqualTo(activeRx);
      assertThat(g.totalBytesTx()).isEqualTo(activeTx);
      assertThat(g.completedConnections()).isEqualTo(endedRows);
      assertThat(g.totalActiveConnections()).isEqualTo(rowCount());
      assertThat(tracker.activeConnections()).isEqualTo(rowCount());
      assertThat(rowCount()).isLessThanOrEqualTo(max);
    }

    /** Runs the steps, checking after each, then closes every handle. */
    void run(List<Step> steps) {
      for (Step step : steps) {
        apply(step);
        check();
      }
      for (MHandle h : handles) {
        end(h, EndReason.COMPLETED);
        check();
      }
      assertThat(tracker.activeConnections()).as("empty once every handle closed").isZero();
      assertThat(tracker.getGlobalSnapshot().backends())
          .allSatisfy(b -> assertThat(b.connections()).isEmpty());
      tracker.close();
    }
  }

  @Nested
  class AgainstAReferenceModel {

    @Test
    void randomScenariosAgreeWithTheModel() {
      qt().withExamples(400)
          .forAll(lists().of(Step.gen()).ofSizeBetween(1, 60))
          .checkAssert(steps -> new Model(10_000).run(steps));
    }

    @Test
    void randomScenariosAgreeWithTheModelUnderATightCap() {
      qt().withExamples(400)
          .forAll(lists().of(Step.gen()).ofSizeBetween(1, 60))
          .checkAssert(steps -> new Model(3).run(steps));
    }

    @Test
    void randomScenariosAgreeWithTheModelUnderCapPressure() {
      // many more sessions than the cap: almost every open evicts, through the clock hand
      qt().withExamples(300)
          .forAll(lists().of(Step.gen(200)).ofSizeBetween(20, 120))
          .checkAssert(steps -> new Model(4).run(steps));
    }
  }

  /** A clock for the real sweeper thread: records who calls it and can fail once. */
  private static final class SweeperProbeClock implements ActivityClock {
    final FakeClock time = new FakeClock();
    final Thread creator = Thread.currentThread();
    final AtomicReference<@Nullable Thread> sweeper = new AtomicReference<>();
    final CountDownLatch firstSweep = new CountDownLatch(1);
    final AtomicBoolean failNextSweep = new AtomicBoolean();
    final CountDownLatch failed = new CountDownLatch(1);
    final AtomicInteger sweeps = new AtomicInteger();
    final InheritableThreadLocal<String> inherited;
    final AtomicReference<@Nullable String> inheritedSeen = new AtomicReference<>("not seen");

    SweeperProbeClock(InheritableThreadLocal<String> inherited) {
      this.inherited = inherited;
    }

    @Override
    public long nanoTime() {
      Thread current = Thread.currentThread();
      if (current != creator) {
        sweeper.compareAndSet(null, current);
        inheritedSeen.compareAndSet("not seen", inherited.get());
        sweeps.incrementAndGet();
        firstSweep.countDown();
        if (failNextSweep.compareAndSet(true, false)) {
          failed.countDown();
          throw new IllegalStateException("clock failure for one sweep");
        }
      }
      return time.nanoTime();
    }

    @Override
    public long epochMillis() {
      return time.epochMillis();
    }
  }

  @Nested
  class SweeperThread {

    private final InheritableThreadLocal<String> inherited = new InheritableThreadLocal<>();
    private final SweeperProbeClock probe = new SweeperProbeClock(inherited);

    private ActivityTracker threadedTracker() {
      return tracker(
          ActivitySettings.builder()
              .clock(probe)
              .staleTimeout(STALE)
              .sweepInterval(Duration.ofMillis(10)));
    }

    @Test
    void theSweeperIsANamedDaemonThreadWithoutContextClassLoader() throws Exception {
      threadedTracker();
      assertThat(probe.firstSweep.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

      Thread sweeper = probe.sweeper.get();
      assertThat(sweeper).isNotNull();
      assertThat(sweeper.getName()).isEqualTo("inflight-activity-sweeper");
      assertThat(sweeper.isDaemon()).isTrue();
      assertThat(sweeper.getContextClassLoader()).isNull();
    }

    @Test
    void theSweeperInheritsNoThreadLocalsFromTheThreadThatCreatedTheTracker() throws Exception {
      inherited.set("a web application's object");
      try {
        threadedTracker();
        assertThat(probe.firstSweep.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      } finally {
        inherited.remove();
      }
      assertThat(probe.inheritedSeen.get()).isNull();
    }

    @Test
    void theSweeperEvictsStaleRowsOnItsOwn() throws Exception {
      ActivityTracker t = threadedTracker();
      ActivityHandle h = t.open("b", "s", ConnectionType.STREAMING, null);
      probe.time.advance(STALE);

      Await.until("the stale row is evicted", () -> t.activeConnections() == 0);
      assertThat(h.isOpen()).isFalse();
      assertThat(backend(t, "b").ended().evicted()).isEqualTo(1);
    }

    @Test
    void theSweeperSurvivesAnExceptionInOneSweep() throws Exception {
      try (LogCapture logs = LogCapture.start()) {
        probe.failNextSweep.set(true);
        ActivityTracker t = threadedTracker();
        assertThat(probe.failed.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        ActivityHandle h = t.open("b", "s", ConnectionType.STREAMING, null);
        probe.time.advance(STALE);
        Await.until("a later sweep evicts the stale row", () -> !h.isOpen());

        assertThat(logs.messages(Level.SEVERE)).anyMatch(m -> m.contains("sweep failed"));
        assertThat(t.isEnabled()).isTrue();
      }
    }

    @Test
    void closeStopsTheSweeperThread() throws Exception {
      ActivityTracker t = threadedTracker();
      assertThat(probe.firstSweep.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      Thread sweeper = probe.sweeper.get();

      t.close();

      assertThat(t.isEnabled()).isFalse();
      sweeper.join(AWAIT.toMillis());
      assertThat(sweeper.isAlive()).isFalse();
      int sweepsAfterStop = probe.sweeps.get();
      t.open("b", "s", ConnectionType.STREAMING, null); // no-op now: nothing to sweep
      assertThat(probe.sweeps.get()).isEqualTo(sweepsAfterStop);
    }

    @Test
    void theRegistryReportsWhetherItsSweeperRuns() throws Exception {
      Registry manual =
          new Registry(
              ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
      assertThat(manual.sweeperRunning()).isFalse();
      manual.close();

      Registry threaded =
          new Registry(
              ActivitySettings.builder()
                  .enabled(true)
                  .clock(probe)
                  .sweepInterval(Duration.ofMillis(10))
                  .build());
      try {
        assertThat(threaded.sweeperRunning()).isTrue();
      } finally {
        threaded.close();
      }
      Await.until("the sweeper stops", () -> !threaded.sweeperRunning());
    }
  }

  @Nested
  class Cap {

    private ActivityTracker capped(int max) {
      return tracker(
          ActivitySettings.builder()
              .clock(clock)
              .staleTimeout(STALE)
              .sweepInterval(Duration.ZERO)
              .maxConnections(max));
    }

    @Test
    void openingPastTheCapEvictsTheRowIdleTheLongest() {
      ActivityTracker t = capped(3);
      ActivityHandle s1 = t.open("b", "s1", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofSeconds(1));
      ActivityHandle s2 = t.open("b", "s2", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofSeconds(1));
      t.open("other", "s3", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofSeconds(1));
      s1.addRx(10); // s1 is the oldest row, but it is moving: s2 is idle the longest

      ActivityHandle s4 = t.open("b", "s4", ConnectionType.STREAMING, null);

      assertThat(t.activeConnections()).isEqualTo(3);
      assertThat(s2.isOpen()).isFalse();
      assertThat(s1.isOpen()).isTrue();
      assertThat(s4.isOpen()).isTrue();
      assertThat(sessions(t, "b")).containsExactlyInAnyOrder("s1", "s4");
      assertThat(backend(t, "b").ended()).isEqualTo(new EndCounts(0, 0, 0, 1));
    }

    @Test
    void withAllRowsEquallyIdleTheOldestGoesFirst() {
      ActivityTracker t = capped(2);
      t.open("b", "first", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofMillis(1));
      t.open("b", "second", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofMillis(1));
      t.open("b", "third", ConnectionType.STREAMING, null);
      clock.advance(Duration.ofMillis(1));
      t.open("b", "fourth", ConnectionType.STREAMING, null);

      assertThat(sessions(t, "b")).containsExactly("third", "fourth");
      assertThat(backend(t, "b").ended().evicted()).isEqualTo(2);
    }

    @Test
    void whenEveryRowMovedTheHandEvictsTheOneItFoundMovingFirst() {
      ActivityTracker t = capped(3);
      ActivityHandle a = t.open("b", "a", ConnectionType.STREAMING, null);
      ActivityHandle b = t.open("b", "b", ConnectionType.STREAMING, null);
      ActivityHandle c = t.open("b", "c", ConnectionType.STREAMING, null);
      a.addRx(1);
      b.addRx(1);
      c.addRx(1);

      t.open("b", "d", ConnectionType.STREAMING, null);

      assertThat(sessions(t, "b")).containsExactlyInAnyOrder("b", "c", "d");
      assertThat(a.isOpen()).isFalse();
    }

    @Test
    void aRowThatKeepsMovingOutlivesIdleRowsOpenedAfterIt() {
      ActivityTracker t = capped(3);
      ActivityHandle moving = t.open("b", "moving", ConnectionType.STREAMING, null);
      for (int i = 0; i < 50; i++) {
        moving.addRx(1); // moves between every two visits of the hand
        t.open("b", "idle-" + i, ConnectionType.STREAMING, null);
      }

      assertThat(moving.isOpen()).isTrue();
      assertThat(sessions(t, "b")).hasSize(3).contains("moving", "idle-49");
      assertThat(backend(t, "b").ended().evicted()).isEqualTo(48);
    }

    @Test
    void aJoinGivesARowItsSecondChanceToo() {
      ActivityTracker t = capped(2);
      t.open("b", "joined", ConnectionType.STREAMING, null);
      t.open("b", "idle", ConnectionType.STREAMING, null);
      t.open("b", "joined", ConnectionType.STREAMING, null);

      t.open("b", "new", ConnectionType.STREAMING, null);

      assertThat(sessions(t, "b")).containsExactlyInAnyOrder("joined", "new");
    }

    @Test
    void aMillionUniqueSessionsNeverClosedStayWithinTheDefaultCap() {
      ActivityTracker t =
          tracker(ActivitySettings.builder().clock(clock).sweepInterval(Duration.ZERO));
      int cap = ActivitySettings.DEFAULT_MAX_CONNECTIONS;
      int opened = 1_000_000;
      long bytes = 0;
      long heapAtQuarter = 0;
      for (int i = 0; i < opened; i++) {
        ActivityHandle h = t.open("b" + (i & 3), "s" + i, ConnectionType.STREAMING, null);
        h.addRx(i & 7);
        h.addTx(1);
        bytes += (i & 7) + 1;
        if ((i & 0xFFFF) == 0) {
          assertThat(t.activeConnections()).isLessThanOrEqualTo(cap);
        }
        if (i == opened / 4) {
          heapAtQuarter = usedHeapAfterGc();
        }
      }
      long heapAtEnd = usedHeapAfterGc();

      GlobalSnapshot g = t.getGlobalSnapshot();
      assertThat(t.activeConnections()).isEqualTo(cap);
      assertThat(g.totalActiveConnections()).isEqualTo(cap);
      long evicted = g.backends().stream().mapToLong(b -> b.ended().evicted()).sum();
      assertThat(evicted).isEqualTo(opened - cap);
      assertThat(g.completedConnections()).isEqualTo(opened - cap);
      long cumulative =
          g.backends().stream().mapToLong(b -> b.cumulativeBytesRx() + b.cumulativeBytesTx()).sum();
      assertThat(cumulative).isEqualTo(bytes);
      // 750,000 more rows opened and evicted: any per-row leak of even 16 bytes would show
      assertThat(heapAtEnd - heapAtQuarter).as("heap growth").isLessThan(12L << 20);
    }

    private long usedHeapAfterGc() {
      java.lang.management.MemoryMXBean memory =
          java.lang.management.ManagementFactory.getMemoryMXBean();
      memory.gc();
      return memory.getHeapMemoryUsage().getUsed();
    }

    @Test
    void threadsOpeningAtTheCapTogetherLoseNoByteAndEndEveryRowOnce() throws Exception {
      ActivityTracker t = capped(64);
      int threads = 4;
      int perThread = 20_000;
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
      java.util.concurrent.atomic.AtomicLong confirmed =
          new java.util.concurrent.atomic.AtomicLong();
      for (int w = 0; w < threads; w++) {
        int id = w;
        Thread thread =
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                      ActivityHandle h = t.open("b", id + "-" + i, ConnectionType.STREAMING, null);
                      h.addRx(3);
                      h.addTx(2);
                      if (h.isOpen()) {
                        confirmed.addAndGet(1); // both adds landed before any eviction
                      }
                      if ((i & 1) == 0) {
                        h.close();
                      }
                    }
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
        thread.start();
        workers.add(thread);
      }
      start.countDown();
      for (Thread thread : workers) {
        thread.join(AWAIT.toMillis());
        assertThat(thread.isAlive()).isFalse();
      }
      assertThat(failure.get()).isNull();

      BackendSnapshot b = backend(t, "b");
      int active = t.activeConnections();
      // openers passing the cap check at the same instant may each add a row (class comment)
      assertThat(active).isBetween(1, 64 + threads);
      assertThat(b.connections()).hasSize(active);
      assertThat(b.completedConnections()).isEqualTo((long) threads * perThread - active);
      assertThat(b.ended().evicted())
          .isGreaterThanOrEqualTo((long) threads * perThread / 2 - 64 - threads);
      // a row evicted by another thread between open and add loses that add, as a late add should;
      // adds seen open afterwards are never lost, and none is ever counted twice
      assertThat(b.cumulativeBytesRx()).isBetween(3 * confirmed.get(), 3L * threads * perThread);
      assertThat(b.cumulativeBytesTx()).isBetween(2 * confirmed.get(), 2L * threads * perThread);
      assertThat(confirmed.get()).isGreaterThan((long) threads * perThread / 2);
    }

    @Test
    void theCapIsExactForOpensFromManyThreadsInTurn() throws Exception {
      // Each stripe holds back up to a batch of its rows from the shared count; within that slack
      // of the cap the stripes are counted exactly, so opens that do not race never pass the cap.
      int cap = 2_000;
      ActivityTracker t = capped(cap);
      int threads = 8;
      int perThread = 400;
      for (int w = 0; w < threads; w++) {
        int id = w;
        Thread thread =
            new Thread(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    t.open("b" + (i & 1), id + "-" + i, ConnectionType.STREAMING, null).addRx(1);
                    if (t.activeConnections() > cap) {
                      throw new AssertionError("over the cap: " + t.activeConnections());
                    }
                  }
                });
        AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        thread.setUncaughtExceptionHandler((th, e) -> failure.set(e));
        thread.start();
        thread.join(AWAIT.toMillis());
        assertThat(thread.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(t.activeConnections()).isEqualTo(Math.min(cap, (w + 1) * perThread));
      }
      GlobalSnapshot g = t.getGlobalSnapshot();
      assertThat(g.totalActiveConnections()).isEqualTo(cap);
      long evicted = g.backends().stream().mapToLong(b -> b.ended().evicted()).sum();
      assertThat(evicted).isEqualTo((long) threads * perThread - cap);
    }

    @Test
    void aJoinAtTheCapEvictsNothing() {
      ActivityTracker t = capped(2);
      t.open("b", "s1", ConnectionType.STREAMING, null);
      t.open("b", "s2", ConnectionType.STREAMING, null);

      t.open("b", "s1", ConnectionType.STREAMING, null);

      assertThat(sessions(t, "b")).containsExactlyInAnyOrder("s1", "s2");
      assertThat(backend(t, "b").ended().evicted()).isZero();
    }

    @Test
    void bytesOfRowsEvictedByTheCapStayInTheCumulativeCounters() {
      ActivityTracker t = capped(1);
      long total = 0;
      for (int i = 0; i < 20; i++) {
        ActivityHandle h = t.open("b", "s" + i, ConnectionType.STREAMING, null);
        h.addRx(i);
        total += i;
        assertThat(t.activeConnections()).isEqualTo(1);
      }
      BackendSnapshot b = backend(t, "b");
      assertThat(b.cumulativeBytesRx()).isEqualTo(total);
      assertThat(b.ended().evicted()).isEqualTo(19);
      assertThat(b.completedConnections()).isEqualTo(19);
    }

    @Test
    void theCapWarningIsLoggedOncePerBurstNotPerRequest() {
      try (LogCapture logs = LogCapture.start()) {
        ActivityTracker t = capped(2);
        ActivityHandle a = t.open("b", "a", ConnectionType.STREAMING, null);
        ActivityHandle b = t.open("b", "b", ConnectionType.STREAMING, null);
        assertThat(logs.messages(Level.WARNING)).isEmpty();

        for (int i = 0; i < 10; i++) {
          t.open("b", "burst-" + i, ConnectionType.STREAMING, null);
        }
        assertThat(logs.messages(Level.WARNING))
            .singleElement()
            .satisfies(m -> assertThat(m).contains("cap of 2"));

        t.sweep(); // still at the cap: the burst goes on
        t.open("b", "more", ConnectionType.STREAMING, null);
        assertThat(logs.messages(Level.WARNING)).hasSize(1);

        a.close(); // evicted long ago: no-ops
        b.close();
        assertThat(t.activeConnections()).isEqualTo(2);
        clock.advance(STALE);
        t.sweep(); // below the cap now: the burst is over
        assertThat(t.activeConnections()).isZero();

        t.open("b", "x", ConnectionType.STREAMING, null);
        t.open("b", "y", ConnectionType.STREAMING, null);
        t.open("b", "z", ConnectionType.STREAMING, null);
        assertThat(logs.messages(Level.WARNING)).hasSize(2);
      }
    }
  }

  /** A clock that fails on demand, as a broken custom clock might. */
  private static final class FailingClock implements ActivityClock {
    final FakeClock time = new FakeClock();
    final AtomicInteger nanoFailures = new AtomicInteger();
    final AtomicInteger wallFailures = new AtomicInteger();

    @Override
    public long nanoTime() {
      if (nanoFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("clock failure");
      }
      return time.nanoTime();
    }

    @Override
    public long epochMillis() {
      if (wallFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("clock failure");
      }
      return time.epochMillis();
    }
  }

  @Nested
  class FailingClocks {

    private final FailingClock failing = new FailingClock();

    private ActivityTracker failingTracker(int max) {
      return tracker(
          ActivitySettings.builder()
              .clock(failing)
              .sweepInterval(Duration.ZERO)
              .maxConnections(max));
    }

    @Test
    void aClockFailingWhileOpeningLeavesTheRequestUntrackedAndTheRowCountRight() {
      try (LogCapture logs = LogCapture.start()) {
        ActivityTracker t = failingTracker(1);
        failing.nanoFailures.set(1);

        ActivityHandle[] h = new ActivityHandle[1];
        assertThatCode(() -> h[0] = t.open("b", "s", ConnectionType.STREAMING, null))
            .doesNotThrowAnyException();

        assertThat(h[0].isOpen()).isFalse();
        assertThat(t.activeConnections()).isZero();
        assertThat(logs.messages(Level.WARNING)).singleElement().asString().contains("not tracked");

        ActivityHandle ok = t.open("b", "s", ConnectionType.STREAMING, null);
        assertThat(ok.isOpen()).isTrue();
        assertThat(t.activeConnections()).isEqualTo(1);
        ok.close();
        assertThat(t.activeConnections()).isZero();
        assertThat(backend(t, "b").ended().evicted()).isZero(); // the cap never thought it full
      }
    }

    @Test
    void aWallClockFailingInASweepDoesNotStopIt() {
      ActivityTracker t = failingTracker(10);
      t.open("b", "s", ConnectionType.STREAMING, null);
      failing.time.advance(STALE);
      failing.wallFailures.set(1);

      assertThat(t.sweep()).isEqualTo(1);
      assertThat(t.activeConnections()).isZero();
    }

    @Test
    void repeatedOpenFailuresAreLoggedAsAWarningOnlyOnce() {
      try (LogCapture logs = LogCapture.start()) {
        ActivityTracker t = failingTracker(10);
        failing.nanoFailures.set(5);
        for (int i = 0; i < 5; i++) {
          t.open("b", "s" + i, ConnectionType.STREAMING, null);
        }
        assertThat(logs.messages(Level.WARNING)).hasSize(1);
        assertThat(t.activeConnections()).isZero();
      }
    }

    @Test
    void aClockFailingAtTheFirstByteToTheClientDoesNotFailTheWrite() {
      ActivityTracker t = failingTracker(10);
      ActivityHandle h = t.open("b", "s", ConnectionType.STREAMING, null);
      failing.nanoFailures.set(1);

      assertThatCode(() -> h.addTx(5)).doesNotThrowAnyException();
      assertThat(backend(t, "b").connections().get(0).bytesTx()).isEqualTo(5);
      assertThat(backend(t, "b").connections().get(0).firstByte()).isNull();

      failing.time.advance(Duration.ofMillis(30));
      h.addTx(1); // the next byte records it
      ConnectionSnapshot row = backend(t, "b").connections().get(0);
      assertThat(row.firstByte()).isEqualTo(Duration.ofMillis(30));
    }
  }
}
