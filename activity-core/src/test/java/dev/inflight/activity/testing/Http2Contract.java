package dev.inflight.activity.testing;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.BackendSnapshot;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.H2TestClient.Connection;
import dev.inflight.activity.testing.H2TestClient.End;
import dev.inflight.activity.testing.H2TestClient.Exchange;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP/2 cases every server stack passes, in clear text with prior knowledge ({@code h2c}) and
 * over TLS with ALPN ({@code h2}): many streams share one connection, a client cancels one stream
 * with {@code RST_STREAM} without closing anything else, or drops the connection under every open
 * stream. The rows must still say exactly what each stream sent and how it ended.
 *
 * <p>A stack's test extends this class and {@linkplain #start() starts} one server for the class,
 * with its adapter counting into the server's tracker and one handler serving every path as its
 * query says, through {@link #stream}:
 *
 * <ul>
 *   <li>{@code /fixed?size=n&chunks=k}: attaches, writes k chunks of n bytes, each flushed;
 *   <li>{@code /gated?size=n&chunks=k&gate=g}: attaches, writes and flushes one chunk, then one
 *       more for each permit of the gate {@code g}, k chunks in all ({@code k = 0}: until a write
 *       fails). {@link #openGate} lets it write as fast as it can, the way a proxy relays a
 *       backend's tokens, until the server refuses a write.
 * </ul>
 *
 * <p>Each test attaches its streams to a backend of its own and prefixes its session ids, so one
 * tracker serves the whole class (an application's, where the stack makes it) and a stream a failed
 * test left behind cannot count into the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class Http2Contract {

  /** More than one DATA frame (16 KiB by default) per write. */
  public static final int CHUNK = 20_000;

  /** How soon a row must end once its stream is reset or its connection gone. */
  public static final Duration PROMPTLY = Duration.ofSeconds(5);

  /** The model every stream attaches. */
  public static final String MODEL = "model-h2";

  /** How long a gated stream waits for its next permit before it gives up. */
  private static final Duration GATE_WAIT = Duration.ofSeconds(10);

  /** The two ways of speaking HTTP/2. */
  public enum Transport {
    H2C,
    H2_TLS
  }

  /** How the server's side of a stream ended. */
  public enum Outcome {
    /** Every chunk was written. */
    RETURNED,
    /** A write failed (an exception out of the server's write or flush). */
    FAILED,
    /** The server cancelled the body before it ended (a reactive server's way of saying so). */
    CANCELLED
  }

  /**
   * The server a stack's test starts.
   *
   * @param h2cPort the port that speaks h2c with prior knowledge
   * @param tlsPort the port that speaks h2 over TLS with {@link TestCertificate}'s key, chosen by
   *     ALPN
   * @param tracker the tracker the server's adapter counts into
   * @param onStop stops the server, and its tracker when the server made it
   */
  public record Server(int h2cPort, int tlsPort, ActivityTracker tracker, Stop onStop) {}

  /** Stops what a {@link Server} started. */
  @FunctionalInterface
  public interface Stop {
    /**
     * Stops it.
     *
     * @throws Exception when it does not stop cleanly
     */
    void run() throws Exception;
  }

  /** Writes one chunk, the blocking way. */
  @FunctionalInterface
  public interface ChunkWriter {
    /**
     * Writes {@code chunk}.
     *
     * @param chunk the bytes
     * @throws IOException when the server refuses the write
     */
    void write(byte[] chunk) throws IOException;
  }

  /** Flushes what was written, the blocking way. */
  @FunctionalInterface
  public interface Flusher {
    /**
     * Flushes.
     *
     * @throws IOException when the server refuses the flush
     */
    void flush() throws IOException;
  }

  /** What one test's streams did on the server's side. */
  private static final class Run {
    final String backend;
    final String prefix;
    final Map<String, Semaphore> gates = new ConcurrentHashMap<>();
    final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    final Map<String, Long> acceptedBytes = new ConcurrentHashMap<>();

    Run(int number) {
      this.backend = "h2-backend-" + number;
      this.prefix = "r" + number + "-";
    }

    Semaphore gate(String name) {
      return gates.computeIfAbsent(name, n -> new Semaphore(0));
    }
  }

  /** The server's side of one stream: what to write, when, and what happened. */
  public static final class Stream {
    private final Run run;
    private final int size;
    private final int chunks;
    private final @Nullable String gate;
    private final String key;
    private final byte[] chunk;
    private long accepted;

    private Stream(Run run, int size, int chunks, @Nullable String gate, String key) {
      this.run = run;
      this.size = size;
      this.chunks = chunks;
      this.gate = gate;
      this.key = key;
      this.chunk = ascii(size, size);
    }

    /** The backend the stream's activity attaches, with {@link #MODEL}, as streaming. */
    public String backend() {
      return run.backend;
    }

    /** The bytes of every chunk (a fresh copy each call, for a server that keeps them). */
    public byte[] chunk() {
      return chunk.clone();
    }

    /**
     * Whether chunk {@code i} (from 0) is to be written.
     *
     * @param i the chunk's index
     * @return false once the stream has written all its chunks
     */
    public boolean hasChunk(int i) {
      return chunks == 0 || i < chunks;
    }

    /**
     * Waits until chunk {@code i} may be written: at once for the first chunk and for an ungated
     * stream, else for one permit of its gate.
     *
     * @param i the chunk's index
     * @throws IllegalStateException when the gate does not open in time
     */
    public void awaitTurn(int i) {
      if (gate == null || i == 0) {
        return;
      }
      try {
        if (!run.gate(gate).tryAcquire(GATE_WAIT.toSeconds(), SECONDS)) {
          throw new IllegalStateException("gate " + gate + " never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting on gate " + gate, e);
      }
    }

    /**
     * Records that the server took one more chunk: its write returned (blocking servers) or the
     * chunk was handed to the server (reactive ones).
     */
    public void accepted() {
      accepted += size;
      run.acceptedBytes.put(key, accepted);
    }

    /**
     * Records how the server's side ended; the first call wins.
     *
     * @param outcome how it ended
     */
    public void end(Outcome outcome) {
      run.acceptedBytes.put(key, accepted);
      run.outcomes.putIfAbsent(key, outcome);
    }

    /**
     * Writes every chunk with {@code writer} and flushes it with {@code flusher}, waiting for the
     * gate between chunks, and records what happened: the blocking servers' whole handler. A chunk
     * is {@linkplain #accepted() accepted} once its write returned, before the flush: a server may
     * buffer a write and fail its flush, and then the write's bytes were handed over all the same.
     *
     * @param writer writes one chunk
     * @param flusher flushes it
     * @throws IOException the write's or the flush's failure, after recording it
     */
    public void writeAll(ChunkWriter writer, Flusher flusher) throws IOException {
      Outcome outcome = Outcome.FAILED;
      try {
        for (int i = 0; hasChunk(i); i++) {
          awaitTurn(i);
          writer.write(chunk);
          accepted();
          flusher.flush();
        }
        outcome = Outcome.RETURNED;
      } finally {
        end(outcome);
      }
    }
  }

  private static final AtomicInteger RUNS = new AtomicInteger();

  private volatile Run run = new Run(RUNS.incrementAndGet());
  private final List<EndedConnection> endedRows = new CopyOnWriteArrayList<>();
  private @Nullable Server server;
  private @Nullable H2TestClient client;

  /**
   * Starts the stack's server, once for the class: its adapter counts into the returned server's
   * tracker, and one handler serves {@code /fixed} and {@code /gated} through {@link #stream}.
   *
   * @return the running server
   * @throws Exception when it cannot start
   */
  protected abstract Server start() throws Exception;

  /**
   * The server's side of the stream a request asks for, bound to the test that is running.
   *
   * @param query the request's query parameters by name
   * @param sessionHeader the request's {@link RequestActivity#DEFAULT_SESSION_HEADER} header
   * @return what to write
   */
  protected final Stream stream(
      Function<String, @Nullable String> query, @Nullable String sessionHeader) {
    Run r = run;
    String gate = query.apply("gate");
    int size = Integer.parseInt(String.valueOf(query.apply("size")));
    int chunks = Integer.parseInt(String.valueOf(query.apply("chunks")));
    String key = gate != null ? gate : String.valueOf(sessionHeader);
    return new Stream(r, size, chunks, gate, key);
  }

  /**
   * Checks the TX of a row that ended {@code client_aborted}. By default, what a blocking server's
   * writes that returned handed the container: exactly {@code accepted}; what the client received
   * may differ by what a write API cannot tell:
   *
   * <ul>
   *   <li>more, by part of the write that failed: a server may put some of its DATA frames on the
   *       wire before it fails the write;
   *   <li>less, by writes the server took before it learnt of the reset or the lost connection, or
   *       whose flush then failed: the client discarded them or never got them.
   * </ul>
   *
   * @param row the row as it ended
   * @param accepted the bytes the server took, as its handler recorded them
   * @param exchange the client's side of the stream
   */
  protected void assertAbortedTx(EndedConnection row, long accepted, Exchange exchange) {
    assertThat(row.bytesTx())
        .as("TX of the aborted row %s: what the writes that returned handed the server", row)
        .isEqualTo(accepted)
        .isGreaterThanOrEqualTo(exchange.dataBytes() - CHUNK);
  }

  @BeforeAll
  void startServerAndClient() throws Exception {
    Server s = start();
    server = s;
    s.tracker().addEndedListener(endedRows::add);
    client = H2TestClient.start();
  }

  @AfterAll
  void stopServerAndClient() throws Exception {
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      if (server != null) {
        server.onStop().run();
      }
    }
  }

  @BeforeEach
  void freshRun() {
    run = new Run(RUNS.incrementAndGet());
  }

  @AfterEach
  void releaseGates() {
    run.gates.values().forEach(g -> g.release(1_000_000)); // no handler left waiting
  }

  private Server server() {
    return java.util.Objects.requireNonNull(server, "server");
  }

  private ActivityTracker tracker() {
    return server().tracker();
  }

  private String session(String name) {
    return run.prefix + name;
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
    H2TestClient c = java.util.Objects.requireNonNull(client, "client");
    return transport == Transport.H2_TLS
        ? c.connectTls(server().tlsPort())
        : c.connectH2c(server().h2cPort());
  }

  private Exchange fixed(Connection c, String session, int size, int chunks) {
    return c.get(
        "/fixed?size=" + size + "&chunks=" + chunks,
        Map.of(RequestActivity.DEFAULT_SESSION_HEADER, session(session)));
  }

  private Exchange gated(Connection c, String session, String gate, int chunks) {
    return c.get(
        "/gated?size=" + CHUNK + "&chunks=" + chunks + "&gate=" + gate,
        Map.of(RequestActivity.DEFAULT_SESSION_HEADER, session(session)));
  }

  private BackendSnapshot backend() {
    return tracker().getBackendSnapshot(run.backend).orElseThrow();
  }

  private int activeRows() {
    return tracker()
        .getBackendSnapshot(run.backend)
        .map(BackendSnapshot::activeConnections)
        .orElse(0);
  }

  private Optional<ConnectionSnapshot> row(String session) {
    String id = session(session);
    return tracker().getBackendSnapshot(run.backend).stream()
        .flatMap(b -> b.connections().stream())
        .filter(c -> c.sessionId().equals(id))
        .findFirst();
  }

  private long rowTx(String session) {
    return row(session).map(ConnectionSnapshot::bytesTx).orElse(-1L);
  }

  private int rowRequests(String session) {
    return row(session).map(ConnectionSnapshot::requests).orElse(0);
  }

  private void awaitNoRows() {
    Await.until("no rows left", () -> activeRows() == 0);
  }

  private List<EndedConnection> ended() {
    String backend = run.backend;
    return endedRows.stream().filter(e -> e.backend().equals(backend)).toList();
  }

  /**
   * The row of {@code session} as it ended, checking that it ended once. Ended-row listeners are
   * called after the row left the snapshot, so this waits for the listener's call first.
   */
  private EndedConnection endedRow(String session) {
    String id = session(session);
    Await.until(
        "the ended-row listener was told of " + id,
        () -> ended().stream().anyMatch(e -> e.sessionId().equals(id)));
    List<EndedConnection> rows = ended().stream().filter(e -> e.sessionId().equals(id)).toList();
    assertThat(rows).as("rows of %s that ended", id).hasSize(1);
    return rows.get(0);
  }

  private void awaitServerEnd(String key) {
    Await.until("the handler of " + key + " ended", () -> run.outcomes.containsKey(key));
  }

  /** Checks a row that ended {@code client_aborted} once, and that its server learnt of it. */
  private void assertAborted(String session, String key, Exchange exchange) {
    awaitServerEnd(key);
    assertThat(run.outcomes.get(key))
        .as("how the server's side of %s ended", key)
        .isIn(Outcome.FAILED, Outcome.CANCELLED);
    EndedConnection row = endedRow(session);
    assertThat(row.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertAbortedTx(row, run.acceptedBytes.getOrDefault(key, 0L), exchange);
  }

  /** Checks a row that ended {@code completed}: its TX is the DATA bytes its client received. */
  private void assertCompleted(String session, Exchange exchange) {
    assertThat(exchange.awaitEnd()).as(exchange.toString()).isEqualTo(End.COMPLETED);
    Await.until("the row of " + session + " ended", () -> row(session).isEmpty());
    EndedConnection row = endedRow(session);
    assertThat(row.reason()).isEqualTo(EndReason.COMPLETED);
    assertThat(row.bytesTx()).as("TX of %s", session).isEqualTo(exchange.dataBytes());
  }

  /**
   * Checks the backend's end counts once they reach {@code expected}'s total: a snapshot reads the
   * folded end counts before the rows, so a row that just left the rows may not be counted yet.
   */
  private void assertEndCounts(EndCounts expected) {
    Await.until(
        "the backend counts " + expected.total() + " ended rows",
        () -> backend().ended().total() >= expected.total());
    assertThat(backend().ended()).isEqualTo(expected);
  }

  private long endedTx() {
    return ended().stream().mapToLong(EndedConnection::bytesTx).sum();
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
    assertEndCounts(new EndCounts(1, 0, 0, 0));
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
    Await.until("ten rows", () -> activeRows() == 10);

    Exchange reset = streams.get(3);
    reset.reset();
    openGate("g-3"); // the handler goes on writing, as a relay of a backend's stream does

    Await.until("the reset stream's row ended", PROMPTLY, () -> row("s-3").isEmpty());
    assertEndCounts(new EndCounts(0, 1, 0, 0));
    assertThat(activeRows()).isEqualTo(9);
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
    assertEndCounts(new EndCounts(10, 1, 0, 0));
    Await.until("eleven ended rows told", () -> ended().size() >= 11);
    assertThat(ended()).hasSize(11);
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
        () -> activeRows() == 0 && backend().completedConnections() == streams);
    assertThat(all).hasSize(streams);
    assertThat(resetCount).isBetween(10, 60);
    int uncheckedFailures;
    if (resetsMayEndErrored()) {
      Await.until(
          "the backend counts " + streams + " ended rows",
          () -> backend().ended().total() >= streams);
      EndCounts counts = backend().ended();
      uncheckedFailures = (int) counts.errored();
      assertThat(uncheckedFailures).as("resets the server failed unchecked").isLessThanOrEqualTo(2);
      assertThat(counts)
          .isEqualTo(
              new EndCounts(streams - aborted, aborted - uncheckedFailures, uncheckedFailures, 0));
    } else {
      uncheckedFailures = 0;
      assertEndCounts(new EndCounts(streams - aborted, aborted, 0, 0));
    }
    Await.until("every ended row told", () -> ended().size() >= streams);
    assertThat(ended()).hasSize(streams);
    int erroredResets = 0;
    for (int c = 0; c < connections; c++) {
      for (int i = 0; i < waves * perWave; i++) {
        String name = "c" + c + "-" + i;
        if (resets[c][i] && uncheckedFailures > 0 && endedRow(name).reason() == EndReason.ERRORED) {
          awaitServerEnd(name);
          assertThat(run.outcomes.get(name)).as("how %s ended", name).isEqualTo(Outcome.FAILED);
          erroredResets++;
        } else if (resets[c][i]) {
          assertAborted(name, name, all.get(name));
        } else {
          assertCompleted(name, all.get(name));
        }
      }
    }
    assertThat(erroredResets).isEqualTo(uncheckedFailures);
    assertThat(backend().cumulativeBytesTx()).isEqualTo(endedTx());
  }

  /**
   * Whether, in the storm of resets, up to two of the streams the client resets may end {@code
   * errored}: the server's write or flush racing the reset then failed with an unchecked exception
   * of its own rather than an I/O error, which the tracker cannot tell from the application
   * failing. Undertow 2.3 does so under load ({@code BufferOverflowException} from a write, {@code
   * IllegalStateException: UT000091: Buffer has already been freed} from a flush); every other
   * server reports a reset as an I/O error.
   *
   * @return false unless the server's adapter test says otherwise
   */
  protected boolean resetsMayEndErrored() {
    return false;
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
    Await.until("five rows", () -> activeRows() == 5);

    c.drop();
    for (int i = 0; i < 5; i++) {
      openGate("d-" + i);
    }

    Await.until("every row ended", PROMPTLY, () -> activeRows() == 0);
    assertEndCounts(new EndCounts(0, 5, 0, 0));
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

    Await.until("two requests on one row", () -> rowRequests("joined") == 2);
    assertThat(activeRows()).isEqualTo(1);
    Await.until("both first chunks counted", () -> rowTx("joined") == 2L * CHUNK);
    step("a");
    assertThat(a.awaitEnd()).isEqualTo(End.COMPLETED);
    Await.until("one request left on the row", () -> rowRequests("joined") == 1);
    assertThat(rowTx("joined")).isEqualTo(3L * CHUNK);
    step("b");
    assertThat(b.awaitEnd()).isEqualTo(End.COMPLETED);

    awaitNoRows();
    assertEndCounts(new EndCounts(1, 0, 0, 0));
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
    Await.until("two requests on one row", () -> rowRequests("joined") == 2);

    reset.reset();
    openGate("reset");

    Await.until("the reset request left the row", PROMPTLY, () -> rowRequests("joined") == 1);
    assertThat(activeRows()).isEqualTo(1);
    assertThat(backend().ended()).isEqualTo(EndCounts.empty());
    step("kept");
    assertThat(kept.awaitEnd()).isEqualTo(End.COMPLETED);
    assertThat(kept.dataBytes()).isEqualTo(2L * CHUNK);

    awaitNoRows();
    // the row ends once, under the most severe reason of its requests
    assertEndCounts(new EndCounts(0, 1, 0, 0));
    awaitServerEnd("reset");
    assertThat(run.outcomes.get("reset")).isIn(Outcome.FAILED, Outcome.CANCELLED);
    EndedConnection joined = endedRow("joined");
    assertThat(joined.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(joined.requests()).isEqualTo(2);
    long resetAccepted = run.acceptedBytes.getOrDefault("reset", 0L);
    assertAbortedJoinedTx(joined, kept.dataBytes(), resetAccepted, reset);
    c.close();
  }

  /**
   * The TX bounds of an aborted stream on a stack whose TX is what the response handed to the
   * stream (Vert.x's {@code bytesWritten()}, which counts a chunk when it leaves the stream's queue
   * for Netty's HTTP/2 encoder, before its write completes): at least what the client received,
   * since every DATA byte it got was counted before it left; and between what the application's
   * writes that succeeded handed over ({@code accepted}) and one write ({@link #CHUNK} bytes, the
   * write in flight when the stream ended, which then failed) more.
   *
   * @param tx the aborted stream's TX
   * @param accepted the bytes the server took, as its handler recorded them
   * @param exchange the client's side of the stream
   * @param what what is checked, for the message
   */
  protected static void assertHandedOverTx(long tx, long accepted, Exchange exchange, String what) {
    assertThat(tx)
        .as("%s against %s, %d bytes accepted", what, exchange, accepted)
        .isGreaterThanOrEqualTo(exchange.dataBytes())
        .isBetween(accepted, accepted + CHUNK);
  }

  /**
   * Checks the TX of a joined row whose other request was reset: by default the kept stream's bytes
   * plus what the reset one's writes that returned handed the server.
   *
   * @param row the joined row as it ended
   * @param keptBytes the DATA bytes the kept stream's client received
   * @param resetAccepted the bytes the server took for the reset stream
   * @param reset the client's side of the reset stream
   */
  protected void assertAbortedJoinedTx(
      EndedConnection row, long keptBytes, long resetAccepted, Exchange reset) {
    assertThat(row.bytesTx()).isEqualTo(keptBytes + resetAccepted);
    assertThat(resetAccepted).isGreaterThanOrEqualTo(reset.dataBytes() - CHUNK);
  }

  /**
   * Bytes of ASCII letters, the same for the same arguments.
   *
   * @param n how many
   * @param seed the letters' seed
   * @return the bytes
   */
  public static byte[] ascii(int n, int seed) {
    byte[] b = new byte[n];
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + r.nextInt(26));
    }
    return b;
  }
}
