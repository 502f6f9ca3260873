package dev.inflight.activity.servlet;

import static dev.inflight.activity.servlet.ContainerContract.BACKEND;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.ServletContainer;
import dev.inflight.activity.servlet.testing.ServletContainer.FilterMount;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.servlet.testing.ServletContainer.Setup;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.H2TestClient;
import dev.inflight.activity.testing.H2TestClient.Connection;
import dev.inflight.activity.testing.H2TestClient.End;
import dev.inflight.activity.testing.H2TestClient.Exchange;
import dev.inflight.activity.testing.ManualTracker;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The filter under HTTP/2, in clear text with prior knowledge ({@code h2c}) and over TLS with ALPN
 * ({@code h2}): many streams share one connection, a client cancels one stream with {@code
 * RST_STREAM} without closing anything else, or drops the connection under every open stream. The
 * rows must still say exactly what each stream sent and how it ended.
 *
 * <p>One container per class, started with {@link Setup#withHttp2()}; the filter asks for the
 * current test's tracker on every request, so each test counts into a fresh one. One servlet serves
 * every stream, as its query says:
 *
 * <ul>
 *   <li>{@code /fixed?size=n&chunks=k}: attaches, writes k chunks of n bytes, each flushed;
 *   <li>{@code /gated?size=n&chunks=k&gate=g}: attaches, writes and flushes one chunk, then one
 *       more for each permit of the gate {@code g}, k chunks in all ({@code k = 0}: until a write
 *       fails). {@link #openGate} lets it write as fast as it can, the way a proxy relays a
 *       backend's tokens, until the container refuses a write.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class Http2Contract {

  /** More than one DATA frame (16 KiB by default) per write. */
  static final int CHUNK = 20_000;

  /** How soon a row must end once its stream is reset or its connection gone. */
  static final Duration PROMPTLY = Duration.ofSeconds(5);

  /** The two ways of speaking HTTP/2. */
  enum Transport {
    H2C,
    H2_TLS
  }

  /**
   * What one test sees: its tracker and what its servlets did. A fresh one per test, taken by each
   * request when it starts, so a stream a failed test left behind cannot count into the next.
   */
  private static final class Run {
    final ActivityTracker tracker = new ManualTracker().tracker();
    final Map<String, Semaphore> gates = new ConcurrentHashMap<>();
    final Map<String, String> outcomes = new ConcurrentHashMap<>();
    final Map<String, Long> acceptedBytes = new ConcurrentHashMap<>();
    final List<EndedConnection> endedRows = new CopyOnWriteArrayList<>();

    Run() {
      tracker.addEndedListener(endedRows::add);
    }

    Semaphore gate(String name) {
      return gates.computeIfAbsent(name, n -> new Semaphore(0));
    }
  }

  private volatile Run run;
  private ActivityTracker tracker;
  private Map<String, String> outcomes;
  private Map<String, Long> acceptedBytes;
  private List<EndedConnection> endedRows;
  private ServletContainer.Running running;
  private H2TestClient client;

  /**
   * The container this group runs on.
   *
   * @return the container's starter
   */
  protected abstract ServletContainer container();

  @BeforeAll
  void startContainerAndClient() throws Exception {
    running =
        container()
            .start(
                Setup.LOOPBACK.withHttp2(),
                List.of(
                    FilterMount.of(
                        ActivityFilter.builder().tracker(() -> run.tracker).build(), "/*")),
                List.of(new ServletMount(ContainerContract.servlet(this::serve), "/*")));
    client = H2TestClient.start();
  }

  @AfterAll
  void stopContainerAndClient() throws Exception {
    try {
      client.close();
    } finally {
      running.close();
    }
  }

  @BeforeEach
  void freshTracker() {
    Run r = new Run();
    tracker = r.tracker;
    outcomes = r.outcomes;
    acceptedBytes = r.acceptedBytes;
    endedRows = r.endedRows;
    run = r;
  }

  @AfterEach
  void closeTracker() {
    tracker.close();
    run.gates.values().forEach(g -> g.release(1_000_000)); // no servlet left waiting
  }

  private void serve(HttpServletRequest req, HttpServletResponse res) throws Exception {
    Run r = run;
    ContainerContract.attach(req);
    res.setContentType("application/octet-stream");
    int size = Integer.parseInt(req.getParameter("size"));
    int chunks = Integer.parseInt(req.getParameter("chunks"));
    String gateName = req.getParameter("gate");
    byte[] chunk = ContainerContract.ascii(size, size);
    ServletOutputStream out = res.getOutputStream();
    String key = outcomeKey(req);
    long accepted = 0; // bytes of the writes that returned: the container took them
    String outcome = "threw";
    try {
      for (int i = 0; chunks == 0 || i < chunks; i++) {
        if (gateName != null
            && i > 0
            && !r.gate(gateName).tryAcquire(ContainerContract.WAIT.toSeconds(), SECONDS)) {
          throw new IllegalStateException("gate " + gateName + " never opened");
        }
        out.write(chunk);
        accepted += size;
        out.flush();
      }
      outcome = "returned";
    } catch (IOException e) {
      outcome = "threw IOException";
      throw e;
    } finally {
      r.acceptedBytes.put(key, accepted);
      r.outcomes.put(key, outcome);
    }
  }

  private static String outcomeKey(HttpServletRequest req) {
    String gate = req.getParameter("gate");
    return gate != null ? gate : req.getHeader(RequestActivity.DEFAULT_SESSION_HEADER);
  }

  private Semaphore gate(String name) {
    return run.gate(name);
  }

  /** One more chunk from the gated stream {@code name}. */
  private void step(String name) {
    gate(name).release();
  }

  /** The gated stream {@code name} writes without waiting from now on, until a write fails. */
  private void openGate(String name) {
    gate(name).release(1_000_000);
  }

  private Connection connect(Transport transport) {
    return transport == Transport.H2_TLS
        ? client.connectTls(running.tlsPort())
        : client.connectH2c(running.port());
  }

  private static Exchange fixed(Connection c, String session, int size, int chunks) {
    return c.get(
        "/fixed?size=" + size + "&chunks=" + chunks,
        Map.of(RequestActivity.DEFAULT_SESSION_HEADER, session));
  }

  private static Exchange gated(Connection c, String session, String gate, int chunks) {
    return c.get(
        "/gated?size=" + CHUNK + "&chunks=" + chunks + "&gate=" + gate,
        Map.of(RequestActivity.DEFAULT_SESSION_HEADER, session));
  }

  private BackendSnapshot backend() {
    return tracker.getBackendSnapshot(BACKEND).orElseThrow();
  }

  private Optional<ConnectionSnapshot> row(String session) {
    return tracker.getBackendSnapshot(BACKEND).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(session))
        .findFirst();
  }

  private long rowTx(String session) {
    return row(session).map(ConnectionSnapshot::bytesTx).orElse(-1L);
  }

  private void awaitNoRows() {
    Await.until("no rows left", () -> tracker.activeConnections() == 0);
  }

  /** The row of {@code session} as it ended, checking that it ended once. */
  private EndedConnection endedRow(String session) {
    List<EndedConnection> rows =
        endedRows.stream().filter(e -> e.sessionId().equals(session)).toList();
    assertThat(rows).as("rows of %s that ended", session).hasSize(1);
    return rows.get(0);
  }

  /**
   * Checks a row that ended {@code client_aborted}, once. Its TX is exactly what the servlet's
   * writes handed the container, the writes that returned; what the client received may differ by
   * what the Servlet API cannot tell:
   *
   * <ul>
   *   <li>more, by part of the write that failed: a container may put some of its DATA frames on
   *       the wire before it fails the write (Jetty does);
   *   <li>less, by writes the container took before it learnt of the reset or the lost connection
   *       (all three, depending on timing), or whose flush then failed (Tomcat buffers a write and
   *       fails its flush): the client discarded them or never got them.
   * </ul>
   */
  private void assertAborted(String session, String servletKey, Exchange exchange) {
    Await.until("the servlet of " + servletKey + " ended", () -> outcomes.containsKey(servletKey));
    assertThat(outcomes).containsEntry(servletKey, "threw IOException");
    EndedConnection row = endedRow(session);
    assertThat(row.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(row.bytesTx())
        .as("TX of the aborted row %s: what the writes that returned handed the container", session)
        .isEqualTo(acceptedBytes.get(servletKey))
        .isGreaterThanOrEqualTo(exchange.dataBytes() - CHUNK);
  }

  /** Checks a row that ended {@code completed}: its TX is the DATA bytes its client received. */
  private void assertCompleted(String session, Exchange exchange) {
    assertThat(exchange.awaitEnd()).as(exchange.toString()).isEqualTo(End.COMPLETED);
    Await.until("the row of " + session + " ended", () -> row(session).isEmpty());
    EndedConnection row = endedRow(session);
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesTx()).as("TX of %s", session).isEqualTo(exchange.dataBytes());
  }

  private long endedTx() {
    return endedRows.stream().mapToLong(EndedConnection::bytesTx).sum();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void oneStreamsTxIsTheDataBytesTheClientReceived(Transport transport) {
    Connection c = connect(transport);
    assertThat(c.protocol()).isEqualTo(transport == Transport.H2_TLS ? "h2" : "h2c");
    Exchange stream = gated(c, "one", "one", 3);

    stream.awaitBytes(CHUNK);
    Await.until("the row shows the first chunk", () -> rowTx("one") == CHUNK);
    assertThat(stream.dataBytes()).isEqualTo(CHUNK);
    step("one");
    stream.awaitBytes(2L * CHUNK);
    Await.until("the row shows two chunks", () -> rowTx("one") == 2L * CHUNK);
    step("one");

    assertThat(stream.awaitEnd()).isEqualTo(End.COMPLETED);
    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.dataBytes()).isEqualTo(3L * CHUNK);
    assertCompleted("one", stream);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(stream.dataBytes());
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
    c.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aResetStreamEndsItsRowAsClientAbortedAndItsNineNeighboursGoOn(Transport transport) {
    Connection c = connect(transport);
    List<Exchange> streams = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      streams.add(gated(c, "s-" + i, "g-" + i, i == 3 ? 0 : 2));
    }
    streams.forEach(s -> s.awaitBytes(CHUNK));
    Await.until("ten rows", () -> tracker.activeConnections() == 10);

    Exchange reset = streams.get(3);
    reset.reset();
    openGate("g-3"); // the servlet goes on writing, as a relay of a backend's stream does

    Await.until("the reset stream's row ended", PROMPTLY, () -> row("s-3").isEmpty());
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
    assertThat(tracker.activeConnections()).isEqualTo(9);
    assertAborted("s-3", "g-3", reset);

    Exchange after = fixed(c, "after", 1234, 3);
    assertCompleted("after", after);
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.dataBytes()).isEqualTo(3 * 1234);

    for (int i = 0; i < 10; i++) {
      if (i != 3) {
        step("g-" + i);
      }
    }
    for (int i = 0; i < 10; i++) {
      if (i != 3) {
        assertCompleted("s-" + i, streams.get(i));
        assertThat(streams.get(i).dataBytes()).isEqualTo(2L * CHUNK);
      }
    }
    awaitNoRows();
    assertThat(backend().ended()).isEqualTo(new EndCounts(10, 1, 0, 0));
    assertThat(endedRows).hasSize(11);
    assertThat(backend().cumulativeBytesTx()).isEqualTo(endedTx());
    assertThat(c.isClosed()).isFalse();
    c.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aStormOfStreamsWithRandomResetsLeavesNoRowsAndExactEndCounts(Transport transport)
      throws Exception {
    int connections = 4;
    int waves = 3;
    int perWave = 10;
    Random random = new Random(20_240_601L + transport.ordinal());
    // the plan, drawn before anything runs: which streams are reset, how much the others send
    boolean[][] resets = new boolean[connections][waves * perWave];
    int[][] sizes = new int[connections][waves * perWave];
    int[][] chunks = new int[connections][waves * perWave];
    int resetCount = 0;
    for (int c = 0; c < connections; c++) {
      for (int i = 0; i < waves * perWave; i++) {
        resets[c][i] = random.nextInt(4) == 0;
        sizes[c][i] = 1 + random.nextInt(3 * CHUNK);
        chunks[c][i] = 1 + random.nextInt(3);
        resetCount += resets[c][i] ? 1 : 0;
      }
    }

    Map<String, Exchange> all = new ConcurrentHashMap<>();
    ExecutorService perConnection = Executors.newFixedThreadPool(connections);
    try {
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        int conn = c;
        done.add(
            CompletableFuture.runAsync(
                () -> {
                  Connection connection = connect(transport);
                  for (int w = 0; w < waves; w++) {
                    List<Exchange> wave = new ArrayList<>();
                    for (int i = w * perWave; i < (w + 1) * perWave; i++) {
                      String name = "c" + conn + "-" + i;
                      Exchange e =
                          resets[conn][i]
                              ? gated(connection, name, name, 0)
                              : fixed(connection, name, sizes[conn][i], chunks[conn][i]);
                      wave.add(e);
                      all.put(name, e);
                    }
                    for (int k = 0; k < perWave; k++) {
                      int i = w * perWave + k;
                      Exchange e = wave.get(k);
                      if (resets[conn][i]) {
                        e.awaitBytes(1);
                        e.reset();
                        openGate("c" + conn + "-" + i);
                      } else {
                        assertThat(e.awaitEnd()).as(e.toString()).isEqualTo(End.COMPLETED);
                        assertThat(e.dataBytes())
                            .as(e.toString())
                            .isEqualTo((long) sizes[conn][i] * chunks[conn][i]);
                      }
                    }
                  }
                  connection.close();
                },
                perConnection));
      }
      for (CompletableFuture<Void> f : done) {
        f.get(60, SECONDS);
      }
    } finally {
      perConnection.shutdownNow();
    }

    int streams = connections * waves * perWave;
    int aborted = resetCount;
    Await.until(
        "every stream's row ended",
        () -> tracker.activeConnections() == 0 && backend().completedConnections() == streams);
    assertThat(all).hasSize(streams);
    assertThat(resetCount).isBetween(10, 60);
    assertThat(backend().ended()).isEqualTo(new EndCounts(streams - aborted, aborted, 0, 0));
    assertThat(endedRows).hasSize(streams);
    for (int c = 0; c < connections; c++) {
      for (int i = 0; i < waves * perWave; i++) {
        String name = "c" + c + "-" + i;
        if (resets[c][i]) {
          assertAborted(name, name, all.get(name));
        } else {
          assertCompleted(name, all.get(name));
        }
      }
    }
    assertThat(backend().cumulativeBytesTx()).isEqualTo(endedTx());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aDroppedSocketEndsEveryOpenRowAsClientAborted(Transport transport) {
    Connection c = connect(transport);
    List<Exchange> streams = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      streams.add(gated(c, "d-" + i, "d-" + i, 0));
    }
    streams.forEach(s -> s.awaitBytes(CHUNK));
    Await.until("five rows", () -> tracker.activeConnections() == 5);

    c.drop();
    for (int i = 0; i < 5; i++) {
      openGate("d-" + i);
    }

    Await.until("every row ended", PROMPTLY, () -> tracker.activeConnections() == 0);
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 5, 0, 0));
    for (int i = 0; i < 5; i++) {
      assertAborted("d-" + i, "d-" + i, streams.get(i));
    }
    assertThat(backend().cumulativeBytesTx()).isEqualTo(endedTx());
    assertThat(streams).allSatisfy(s -> assertThat(s.end()).isEqualTo(End.DROPPED));

    Connection next = connect(transport);
    Exchange after = fixed(next, "after-drop", 10, 1);
    assertCompleted("after-drop", after);
    next.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void twoStreamsOfOneSessionOnOneConnectionJoinOneRow(Transport transport) {
    Connection c = connect(transport);
    Exchange a = gated(c, "joined", "a", 2);
    Exchange b = gated(c, "joined", "b", 2);
    a.awaitBytes(CHUNK);
    b.awaitBytes(CHUNK);

    Await.until(
        "two requests on one row",
        () -> row("joined").map(ConnectionSnapshot::requests).orElse(0) == 2);
    assertThat(tracker.activeConnections()).isEqualTo(1);
    Await.until("both first chunks counted", () -> rowTx("joined") == 2L * CHUNK);
    step("a");
    assertThat(a.awaitEnd()).isEqualTo(End.COMPLETED);
    Await.until(
        "one request left on the row",
        () -> row("joined").map(ConnectionSnapshot::requests).orElse(0) == 1);
    assertThat(rowTx("joined")).isEqualTo(3L * CHUNK);
    step("b");
    assertThat(b.awaitEnd()).isEqualTo(End.COMPLETED);

    awaitNoRows();
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
    EndedConnection joined = endedRow("joined");
    assertThat(joined.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(joined.bytesTx()).isEqualTo(a.dataBytes() + b.dataBytes()).isEqualTo(4L * CHUNK);
    assertThat(joined.requests()).isEqualTo(2);
    c.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aResetStreamOfAJoinedSessionLeavesTheRowToTheOtherAndEndsItClientAborted(
      Transport transport) {
    Connection c = connect(transport);
    Exchange kept = gated(c, "joined", "kept", 2);
    Exchange reset = gated(c, "joined", "reset", 0);
    kept.awaitBytes(CHUNK);
    reset.awaitBytes(CHUNK);
    Await.until(
        "two requests on one row",
        () -> row("joined").map(ConnectionSnapshot::requests).orElse(0) == 2);

    reset.reset();
    openGate("reset");

    Await.until(
        "the reset request left the row",
        PROMPTLY,
        () -> row("joined").map(ConnectionSnapshot::requests).orElse(0) == 1);
    assertThat(tracker.activeConnections()).isEqualTo(1);
    assertThat(backend().ended()).isEqualTo(EndCounts.empty());
    step("kept");
    assertThat(kept.awaitEnd()).isEqualTo(End.COMPLETED);
    assertThat(kept.dataBytes()).isEqualTo(2L * CHUNK);

    awaitNoRows();
    // the row ends once, under the most severe reason of its requests
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
    Await.until("the reset stream's servlet ended", () -> outcomes.containsKey("reset"));
    assertThat(outcomes).containsEntry("reset", "threw IOException");
    EndedConnection joined = endedRow("joined");
    assertThat(joined.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(joined.requests()).isEqualTo(2);
    assertThat(joined.bytesTx()).isEqualTo(kept.dataBytes() + acceptedBytes.get("reset"));
    assertThat(acceptedBytes.get("reset")).isGreaterThanOrEqualTo(reset.dataBytes() - CHUNK);
    c.close();
  }
}
