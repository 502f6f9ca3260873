package dev.inflight.activity.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.H2TestClient;
import dev.inflight.activity.testing.H2TestClient.Connection;
import dev.inflight.activity.testing.H2TestClient.End;
import dev.inflight.activity.testing.H2TestClient.Exchange;
import dev.inflight.activity.testing.Http2Contract;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.webflux.testing.ReactorNettyServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@link ActivityWebFilter} under HTTP/2 on Reactor Netty: the test kit's HTTP/2 cases (one stream,
 * a reset among ten, a storm of streams with random resets, a dropped socket, a joined session)
 * over h2c with prior knowledge and over h2 on TLS with ALPN, on two Reactor Netty servers that
 * share one application and one tracker; and two cases of a reactive proxy's own, a stream reset
 * and a connection dropped while the application has nothing to write. Reactor Netty runs each
 * stream on a child channel of its own ({@code Http2StreamChannel}), where the filter counts TX as
 * the stream writes.
 *
 * <p>The application writes each chunk as a flushed group of one buffer ({@code
 * writeAndFlushWith}), generated on {@code boundedElastic} since a gated chunk waits for its turn.
 * A chunk is {@linkplain Stream#accepted() accepted} when its group is handed to the server; the
 * server's side ends {@link Outcome#CANCELLED} when Reactor Netty cancels the body (a reset stream,
 * a dropped connection), {@link Outcome#FAILED} when the body or its write fails, {@link
 * Outcome#RETURNED} when the write completes.
 */
class ActivityWebFilterHttp2Test extends Http2Contract {

  /** Numbers the sessions of this class's own cases. */
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private final List<EndedConnection> endedRows = new CopyOnWriteArrayList<>();
  private @Nullable Server server;

  @Override
  protected Server start() throws Exception {
    ActivityTracker tracker = new ManualTracker().tracker();
    tracker.addEndedListener(endedRows::add);
    RouterFunction<ServerResponse> routes =
        RouterFunctions.route().GET("/fixed", this::serve).GET("/gated", this::serve).build();
    List<WebFilter> filters = List.of(ActivityWebFilter.builder().tracker(tracker).build());
    ReactorNettyServer h2c = ReactorNettyServer.start(routes, filters, ReactorNettyServer.h2c());
    ReactorNettyServer tls;
    try {
      tls = ReactorNettyServer.start(routes, filters, ReactorNettyServer.h2Tls());
    } catch (RuntimeException e) {
      h2c.close();
      throw e;
    }
    Server running =
        new Server(
            h2c.port(),
            tls.port(),
            tracker,
            () -> {
              try {
                h2c.close();
              } finally {
                try {
                  tls.close();
                } finally {
                  tracker.close();
                }
              }
            });
    server = running;
    return running;
  }

  private Mono<ServerResponse> serve(ServerRequest request) {
    Stream stream =
        stream(
            name -> request.queryParam(name).orElse(null),
            request.headers().firstHeader(RequestActivity.DEFAULT_SESSION_HEADER));
    ActivityWebFilter.activity(request.exchange())
        .attach(stream.backend(), MODEL, ConnectionType.STREAMING);
    return ServerResponse.ok()
        .contentType(MediaType.APPLICATION_OCTET_STREAM)
        .build(
            (exchange, context) ->
                exchange
                    .getResponse()
                    .writeAndFlushWith(chunks(stream, exchange.getResponse().bufferFactory()))
                    .doOnSuccess(done -> end(stream, Outcome.RETURNED))
                    .doOnError(e -> end(stream, Outcome.FAILED))
                    .doOnCancel(() -> end(stream, Outcome.CANCELLED)));
  }

  /**
   * The stream's chunks, each a group of one buffer that the server flushes on its own, made on
   * {@code boundedElastic} (a gated chunk blocks until its turn) as the server asks for them.
   */
  private static Flux<Mono<DataBuffer>> chunks(Stream stream, DataBufferFactory buffers) {
    return Flux.<Mono<DataBuffer>, Integer>generate(
            () -> 0,
            (i, sink) -> {
              if (!stream.hasChunk(i)) {
                sink.complete();
                return i;
              }
              stream.awaitTurn(i);
              sink.next(Mono.just(buffers.wrap(stream.chunk())));
              return i + 1;
            })
        .doOnNext(
            group -> {
              synchronized (stream) {
                stream.accepted();
              }
            })
        .doOnError(e -> end(stream, Outcome.FAILED))
        .doOnCancel(() -> end(stream, Outcome.CANCELLED))
        .subscribeOn(Schedulers.boundedElastic());
  }

  /**
   * Records how the server's side of {@code stream} ended, under the stream's lock: the end comes
   * from the event loop, the chunks are accepted on {@code boundedElastic}, and the end must not
   * record fewer accepted bytes than the last chunk did.
   */
  private static void end(Stream stream, Outcome outcome) {
    synchronized (stream) {
      stream.end(outcome);
    }
  }

  /**
   * On Reactor Netty, TX is what the stream wrote: a body buffer counts once the connection wrote
   * all of it (its DATA frames left through the socket, after HTTP/2 flow control), so
   *
   * <ul>
   *   <li>TX never exceeds what the application handed over ({@code accepted}): the buffers still
   *       queued when the stream was reset or the connection dropped are discarded, not counted;
   *   <li>TX is more than what the client received minus one chunk ({@link #CHUNK} bytes, the size
   *       every aborted stream of the kit writes): a buffer counts only once all of it was written,
   *       and writes complete in order, so of the buffers whose bytes reached the client only the
   *       last one, the write in flight when the stream ended, may be missing; its first DATA frame
   *       (a chunk is more than one frame) may have reached the client while the rest of the write
   *       failed.
   * </ul>
   *
   * <p>Nothing tighter holds above: TX may exceed what the client counted by every buffer written
   * after the client's {@code RST_STREAM} left it and before the server read it, which the client
   * discarded; Reactor Netty goes on writing a reset stream's body until then, up to the stream's
   * flow-control window (under load, megabytes for a stream whose client took one chunk).
   */
  @Override
  protected void assertAbortedTx(EndedConnection row, long accepted, Exchange exchange) {
    assertThat(row.bytesTx())
        .as("TX of the aborted row %s against %s, %d bytes accepted", row, exchange, accepted)
        .isLessThanOrEqualTo(accepted)
        .isGreaterThan(exchange.dataBytes() - CHUNK);
  }

  /**
   * The kept stream's DATA bytes exactly, plus the reset stream's TX within the bounds {@link
   * #assertAbortedTx} explains.
   */
  @Override
  protected void assertAbortedJoinedTx(
      EndedConnection row, long keptBytes, long resetAccepted, Exchange reset) {
    long resetTx = row.bytesTx() - keptBytes;
    assertThat(resetTx)
        .as("TX of the reset stream of %s against %s, %d bytes accepted", row, reset, resetAccepted)
        .isLessThanOrEqualTo(resetAccepted)
        .isGreaterThan(reset.dataBytes() - CHUNK);
  }

  /**
   * A stream reset while the application has nothing to write (a proxy waiting for its backend's
   * next token) ends its row at once, as {@code client_aborted}, with TX the one chunk written: no
   * later write is needed for Reactor Netty to close the stream's channel and cancel the body. The
   * connection goes on serving.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void aStreamResetWhileItsHandlerWaitsEndsItsRowAtOnce(Transport transport) {
    try (H2TestClient client = H2TestClient.start()) {
      Connection c = connect(client, transport);
      String session = "idle-reset-" + transport + "-" + SESSIONS.incrementAndGet();
      Exchange stream = waiting(c, session);
      stream.awaitBytes(CHUNK);

      stream.reset();

      EndedConnection row = awaitEnded(session, PROMPTLY);
      assertThat(row.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
      assertThat(row.bytesTx()).isEqualTo(CHUNK).isEqualTo(stream.dataBytes());
      Exchange after = fixed(c, session + "-after");
      assertThat(after.awaitEnd()).isEqualTo(End.COMPLETED);
      assertThat(awaitEnded(session + "-after", PROMPTLY).bytesTx()).isEqualTo(after.dataBytes());
      assertThat(endedRows).filteredOn(e -> e.sessionId().equals(session)).hasSize(1);
      c.close();
    }
  }

  /**
   * A connection dropped while the application has nothing to write ends every row of it at once,
   * as {@code client_aborted}, each with TX the one chunk written.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void aConnectionDroppedWhileItsHandlersWaitEndsEveryRowAtOnce(Transport transport) {
    try (H2TestClient client = H2TestClient.start()) {
      Connection c = connect(client, transport);
      String prefix = "idle-drop-" + transport + "-" + SESSIONS.incrementAndGet() + "-";
      List<Exchange> streams = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        streams.add(waiting(c, prefix + i));
      }
      streams.forEach(s -> s.awaitBytes(CHUNK));

      c.drop();

      for (int i = 0; i < 3; i++) {
        EndedConnection row = awaitEnded(prefix + i, PROMPTLY);
        assertThat(row.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
        assertThat(row.bytesTx()).isEqualTo(CHUNK);
      }
    }
  }

  private Connection connect(H2TestClient client, Transport transport) {
    Server s = Objects.requireNonNull(server, "server");
    return transport == Transport.H2_TLS
        ? client.connectTls(s.tlsPort())
        : client.connectH2c(s.h2cPort());
  }

  /** A gated stream whose gate this class never opens: one chunk, then the handler waits. */
  private static Exchange waiting(Connection c, String session) {
    return c.get(
        "/gated?size=" + CHUNK + "&chunks=0&gate=" + session,
        Map.of(RequestActivity.DEFAULT_SESSION_HEADER, session));
  }

  private static Exchange fixed(Connection c, String session) {
    return c.get(
        "/fixed?size=1000&chunks=2", Map.of(RequestActivity.DEFAULT_SESSION_HEADER, session));
  }

  private EndedConnection awaitEnded(String session, Duration within) {
    Await.until(
        "the row of " + session + " ended",
        within,
        () -> endedRows.stream().anyMatch(e -> e.sessionId().equals(session)));
    return endedRows.stream().filter(e -> e.sessionId().equals(session)).findFirst().orElseThrow();
  }
}
