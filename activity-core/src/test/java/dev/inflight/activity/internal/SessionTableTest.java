package dev.inflight.activity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session table's contract: one row per session, lookups and iteration without locks that see
 * every row staying in the table exactly once, while the table grows under concurrent writers; and
 * short chains even for session ids chosen to collide.
 */
class SessionTableTest {

  private static final long TIMEOUT_SECONDS = 60;

  private final Registry registry =
      new Registry(
          ActivitySettings.builder()
              .enabled(true)
              .clock(new FakeClock())
              .sweepInterval(Duration.ZERO)
              .build());
  private final BackendState backend = new BackendState("b", 1, 1_000_000);
  private final Stripe stripe = new Stripe(0, 0, new RowCount(1_000_000, 1));
  private final ExecutorService pool = Executors.newFixedThreadPool(6);

  @AfterEach
  void stop() throws InterruptedException {
    registry.close();
    pool.shutdownNow();
    assertThat(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  private Row row(String session) {
    return new Row(registry, backend, session, ConnectionType.STREAMING, null, 0, 0, stripe);
  }

  private static Set<Row> identitySet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }

  private static List<Row> list(SessionTable table) {
    List<Row> rows = new ArrayList<>();
    table.forEach(rows::add);
    return rows;
  }

  @Test
  void aSessionHasOneRowAndTheFirstOneWins() {
    SessionTable table = new SessionTable(100);
    Row first = row("s");
    Row second = row("s");

    assertThat(table.putIfAbsent(first)).isNull();
    assertThat(table.putIfAbsent(second)).isSameAs(first);
    assertThat(table.get("s")).isSameAs(first);
    assertThat(table.get("t")).isNull();
    assertThat(list(table)).containsExactly(first);
  }

  @Test
  void computeIfPresentKeepsOrRemovesTheRowItFinds() {
    SessionTable table = new SessionTable(100);
    Row r = row("s");
    table.putIfAbsent(r);

    assertThat(table.computeIfPresent("s", found -> true)).isSameAs(r);
    assertThat(table.get("s")).isSameAs(r);
    assertThat(table.computeIfPresent("s", found -> false)).isSameAs(r);
    assertThat(table.get("s")).isNull();
    assertThat(table.computeIfPresent("s", found -> true)).isNull();
    assertThat(list(table)).isEmpty();
  }

  @Test
  void rowsSharingABinAreFoundAndRemovedOneByOne() {
    SessionTable table = new SessionTable(100);
    // "Aa" and "BB" have the same hashCode, and so do all strings made of them.
    List<String> sessions = colliding(4);
    List<Row> rows = new ArrayList<>();
    for (String s : sessions) {
      Row r = row(s);
      rows.add(r);
      assertThat(table.putIfAbsent(r)).isNull();
    }
    for (int i = 0; i < sessions.size(); i++) {
      assertThat(table.get(sessions.get(i))).isSameAs(rows.get(i));
    }
    // remove from the middle, the head and the tail of the chain
    for (int i : new int[] {7, 0, 15, 3}) {
      assertThat(table.computeIfPresent(sessions.get(i), found -> false)).isSameAs(rows.get(i));
      assertThat(table.get(sessions.get(i))).isNull();
    }
    assertThat(list(table)).hasSize(12).doesNotContain(rows.get(7), rows.get(0), rows.get(15));
  }

  @Test
  void theTableGrowsAndKeepsEveryRow() {
    SessionTable table = new SessionTable(1_000_000);
    int n = 50_000;
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Row r = row("session-" + i);
      rows.add(r);
      assertThat(table.putIfAbsent(r)).isNull();
    }

    int[] shape = table.shape();
    assertThat(shape[0]).isGreaterThan(SessionTable.INITIAL_LENGTH);
    assertThat(shape[2]).isLessThanOrEqualTo(8);
    for (int i = 0; i < n; i++) {
      assertThat(table.get("session-" + i)).isSameAs(rows.get(i));
    }
    Set<Row> seen = identitySet();
    seen.addAll(list(table));
    assertThat(seen).hasSize(n);
  }

  @Test
  void growthStopsAtFourBinsPerRowTheCapAllows() {
    SessionTable table = new SessionTable(1_000);
    for (int i = 0; i < 20_000; i++) {
      table.putIfAbsent(row("session-" + i));
    }
    assertThat(table.shape()[0]).isEqualTo(4096);
    assertThat(list(table)).hasSize(20_000);
  }

  @Test
  void sessionIdsChosenToCollideEndUpInShortChains() {
    SessionTable table = new SessionTable(100); // cannot grow past its first length
    List<String> sessions = colliding(10); // 1,024 ids, one String hashCode
    for (String s : sessions) {
      assertThat(table.putIfAbsent(row(s))).isNull();
    }

    int[] shape = table.shape();
    assertThat(shape[1]).as("seeded").isEqualTo(1);
    assertThat(shape[2]).as("longest chain").isLessThan(16);
    for (String s : sessions) {
      assertThat(table.get(s)).isNotNull().extracting(r -> r.sessionId).isEqualTo(s);
    }
    assertThat(list(table)).hasSize(sessions.size());
  }

  @Test
  void concurrentOpensOfOneSessionPublishOneRow() throws Exception {
    for (int round = 0; round < 200; round++) {
      SessionTable table = new SessionTable(100);
      String s = "s" + round;
      CountDownLatch start = new CountDownLatch(1);
      List<Callable<Row>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        tasks.add(
            () -> {
              Row mine = row(s);
              start.await();
              Row present = table.putIfAbsent(mine);
              return present == null ? mine : present;
            });
      }
      List<Future<Row>> futures = new ArrayList<>();
      for (Callable<Row> task : tasks) {
        futures.add(pool.submit(task));
      }
      start.countDown();
      Set<Row> winners = identitySet();
      for (Future<Row> f : futures) {
        winners.add(f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      }
      assertThat(winners).hasSize(1).containsExactly(table.get(s));
    }
  }

  @Test
  void writersGrowingTheTableAndIteratorsNeverLoseOrDoubleARow() throws Exception {
    SessionTable table = new SessionTable(1_000_000);
    int stayers = 5_000;
    Set<Row> stay = identitySet();
    for (int i = 0; i < stayers; i++) {
      Row r = row("stay-" + i);
      stay.add(r);
      table.putIfAbsent(r);
    }
    int writers = 4;
    int perWriter = 40_000;
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger done = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < perWriter; i++) {
                  String s = id + "-" + i;
                  Row r = row(s);
                  assertThat(table.putIfAbsent(r)).isNull();
                  assertThat(table.get(s)).isSameAs(r);
                  if ((i & 1) == 0) { // half stay, so that the table keeps growing
                    assertThat(table.computeIfPresent(s, found -> false)).isSameAs(r);
                    assertThat(table.get(s)).isNull();
                  }
                }
                if (done.incrementAndGet() == writers) {
                  writing.set(false);
                }
                return null;
              }));
    }
    futures.add(
        pool.submit(
            () -> {
              start.await();
              int passes = 0;
              while (writing.get() || passes == 0) {
                Set<Row> seen = identitySet();
                for (Row r : table) {
                  assertThat(seen.add(r)).as("seen twice: %s", r.sessionId).isTrue();
                }
                assertThat(seen).containsAll(stay);
                for (int i = 0; i < stayers; i += 97) {
                  assertThat(table.get("stay-" + i)).isNotNull();
                }
                passes++;
              }
              return null;
            }));
    start.countDown();
    for (Future<?> f : futures) {
      f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    List<Row> all = list(table);
    assertThat(all).hasSize(stayers + writers * perWriter / 2);
    for (int w = 0; w < writers; w++) {
      for (int i = 1; i < perWriter; i += 2) {
        assertThat(table.get(w + "-" + i)).isNotNull();
      }
    }
    assertThat(table.shape()[2]).isLessThanOrEqualTo(8);
  }

  /** 2^n distinct strings with one String hashCode, built from "Aa" and "BB". */
  private static List<String> colliding(int n) {
    List<String> out = new ArrayList<>();
    for (int bits = 0; bits < 1 << n; bits++) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i++) {
        b.append((bits >> i & 1) == 0 ? "Aa" : "BB");
      }
      out.add(b.toString());
    }
    return out;
  }
}
