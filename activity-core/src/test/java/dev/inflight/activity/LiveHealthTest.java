package dev.inflight.activity;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.inflight.activity.testing.ManualTracker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stalled and orphaned rows, the backlog, and the stream's last event, as a tracker shows them. */
class LiveHealthTest {

  private static final Duration STALL = Duration.ofSeconds(30);
  private static final byte[] EVENT = "data: {\"delta\":\"hi\"}\n\n".getBytes(UTF_8);
  private static final byte[] PING = ": ping\n\n".getBytes(UTF_8);

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(b -> b.stallAfter(STALL).recentConnections(10));

  @RegisterExtension
  final ManualTracker counting = new ManualTracker(b -> b.stallAfter(STALL).countEvents(true));

  private final ActivityTracker tracker = fixture.tracker();

  private ConnectionSnapshot row() {
    List<ConnectionSnapshot> rows = tracker.getBackendSnapshot("b").orElseThrow().connections();
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  private RequestActivity attached(String session, ConnectionType type) {
    RequestActivity r = tracker.beginRequest(session);
    r.attach("b", null, type);
    return r;
  }

  @Test
  void aRowWhoseBackendSendsNothingForTheStallTimeIsStalledUntilContentComes() {
    RequestActivity r = attached("s", ConnectionType.STREAMING);
    r.addRx(EVENT, 0, EVENT.length);
    assertThat(row().stalled()).isFalse(); // the look that sees the content

    fixture.clock().advance(STALL.minusSeconds(1));
    assertThat(row().stalled()).isFalse();
    assertThat(row().backendIdle()).isEqualTo(STALL.minusSeconds(1));

    fixture.clock().advance(Duration.ofSeconds(1));
    ConnectionSnapshot stalled = row();
    assertThat(stalled.stalled()).isTrue();
    assertThat(stalled.backendIdle()).isEqualTo(STALL);
    assertThat(tracker.getBackendSnapshot("b").orElseThrow().stalledConnections()).isEqualTo(1);
    assertThat(tracker.getTotals())
        .singleElement()
        .extracting(BackendTotals::stalledConnections)
        .isEqualTo(1);

    r.addRx(EVENT, 0, EVENT.length);
    ConnectionSnapshot moving = row();
    assertThat(moving.stalled()).isFalse();
    assertThat(moving.backendIdle()).isZero();
    assertThat(moving.bytesRx()).isEqualTo(2L * EVENT.length);
  }

  @Test
  void keepAlivePingsAreCountedButAreNotProgress() {
    RequestActivity r = attached("s", ConnectionType.STREAMING);
    r.addRx(EVENT, 0, EVENT.length);
    assertThat(row().stalled()).isFalse();
    for (int i = 0; i < 30; i++) {
      fixture.clock().advance(Duration.ofSeconds(1));
      r.addRx(ByteBuffer.wrap(PING));
      assertThat(row().bytesRx()).isEqualTo(EVENT.length + (i + 1L) * PING.length);
    }
    ConnectionSnapshot pinged = row();
    assertThat(pinged.stalled()).isTrue();
    assertThat(pinged.backendIdle()).isEqualTo(STALL);
    assertThat(pinged.idle()).describedAs("pings are still byte progress").isZero();
  }

  @Test
  void anthropicsPingEventsAreKeepAlivesToo() {
    RequestActivity r = attached("s", ConnectionType.STREAMING);
    byte[] delta =
        "event: content_block_delta\ndata: {\"delta\":{\"text\":\"Hi\"}}\n\n".getBytes(UTF_8);
    byte[] ping = "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(UTF_8);
    r.addRx(delta, 0, delta.length);
    assertThat(row().stalled()).isFalse();
    for (int i = 0; i < 4; i++) {
      fixture.clock().advance(STALL.dividedBy(4));
      r.addRx(ping, 0, ping.length);
      assertThat(row().bytesRx()).isEqualTo(delta.length + (i + 1L) * ping.length);
    }
    assertThat(row().stalled()).isTrue();
    r.addRx(delta, 0, delta.length);
    assertThat(row().stalled()).isFalse();
  }

  @Test
  void aPingSplitAcrossReadsOfACountingStreamIsStillNoProgress() throws IOException {
    RequestActivity r = attached("s", ConnectionType.STREAMING);
    r.addRx(EVENT, 0, EVENT.length);
    assertThat(row().stalled()).isFalse();
    fixture.clock().advance(STALL);
    byte[] pings = (": keep-alive\n\n".repeat(5)).getBytes(UTF_8);
    InputStream in = ActivityStreams.countRx(new ByteArrayInputStream(pings), r);
    byte[] buffer = new byte[3];
    while (in.read(buffer) > 0) {
      assertThat(row().stalled()).isTrue();
    }
    assertThat(in.read()).isEqualTo(-1);
    assertThat(row().bytesRx()).isEqualTo(EVENT.length + pings.length);
  }

  @Test
  void aNonStreamingRowTakesEveryByteForProgress() {
    RequestActivity r = attached("s", ConnectionType.NON_STREAMING);
    assertThat(row().stalled()).isFalse();
    fixture.clock().advance(STALL);
    r.addRx(PING, 0, PING.length);
    assertThat(row().stalled()).isFalse();
  }

  @Test
  void aRowWhoseEveryClientLeftWhileItsBackendSendsIsOrphaned() {
    RequestActivity first = attached("s", ConnectionType.STREAMING);
    RequestActivity second = attached("s", ConnectionType.STREAMING); // joins the row
    first.addRx(100);
    first.addTx(60);
    assertThat(row().backlog()).isEqualTo(40);

    first.clientWriteFailed(new IOException("Broken pipe"));
    first.addRx(10);
    assertThat(row().orphaned()).describedAs("the second client still reads").isFalse();

    second.fail(EndReason.CLIENT_ABORTED);
    ConnectionSnapshot orphaned = row();
    assertThat(orphaned.orphaned()).isTrue();
    assertThat(orphaned.bytesRxOrphaned()).isZero();

    second.addRx(EVENT, 0, EVENT.length);
    first.addRx(5);
    assertThat(row().bytesRxOrphaned()).isEqualTo(EVENT.length + 5L);
    BackendTotals totals = tracker.getTotals().get(0);
    assertThat(totals.orphanedConnections()).isEqualTo(1);
    assertThat(totals.cumulativeBytesRxOrphaned()).isEqualTo(EVENT.length + 5L);

    first.end(EndReason.COMPLETED);
    assertThat(row().orphaned()).isTrue();
    second.end(EndReason.COMPLETED);

    EndedConnection ended = tracker.recentlyEnded().get(0);
    assertThat(ended.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    assertThat(ended.bytesRxOrphaned()).isEqualTo(EVENT.length + 5L);
    assertThat(ended.bytesTx()).isEqualTo(60);
    BackendTotals after = tracker.getTotals().get(0);
    assertThat(after.orphanedConnections()).isZero();
    assertThat(after.cumulativeBytesRxOrphaned()).isEqualTo(EVENT.length + 5L);
  }

  @Test
  void aNewClientJoiningAnOrphanedRowReadsItAgain() {
    RequestActivity first = attached("s", ConnectionType.STREAMING);
    first.clientWriteFailed(new IOException("reset"));
    first.addRx(7);
    assertThat(row().bytesRxOrphaned()).isEqualTo(7);

    RequestActivity second = attached("s", ConnectionType.STREAMING);
    assertThat(row().orphaned()).isFalse();
    assertThat(row().bytesRxOrphaned()).isZero();
    second.end(EndReason.COMPLETED);
    first.end(EndReason.COMPLETED);
    assertThat(tracker.recentlyEnded().get(0).bytesRxOrphaned()).isZero();
  }

  @Test
  void aClientThatLeftBeforeTheAttachOrphansTheRowAtTheAttach() {
    RequestActivity r = tracker.beginRequest("s");
    r.fail(EndReason.CLIENT_ABORTED);
    r.attach("b", null, ConnectionType.STREAMING);
    r.addRx(3);
    assertThat(row().orphaned()).isTrue();
    assertThat(row().bytesRxOrphaned()).isEqualTo(3);
  }

  @Test
  void anEndAfterTheStreamsLastEventIsCompleted() {
    byte[] done = "data: [DONE]\n\n".getBytes(UTF_8);
    RequestActivity errored = attached("a", ConnectionType.STREAMING);
    errored.addRx(EVENT, 0, EVENT.length);
    errored.addRx(done, 0, done.length);
    errored.end(EndReason.ERRORED); // the backend closed abruptly after [DONE]

    RequestActivity aborted = attached("b", ConnectionType.STREAMING);
    byte[] stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".getBytes(UTF_8);
    aborted.addRx(ByteBuffer.wrap(stop));
    aborted.clientWriteFailed(new IOException("Broken pipe"));
    aborted.end(EndReason.COMPLETED);

    RequestActivity cut = attached("c", ConnectionType.STREAMING);
    cut.addRx(done, 0, done.length);
    cut.addRx(EVENT, 0, EVENT.length); // content after it: it was not the last
    cut.end(EndReason.CLIENT_ABORTED);

    assertThat(tracker.getBackendSnapshot("b").orElseThrow().ended())
        .isEqualTo(new EndCounts(2, 1, 0, 0));
  }

  @Test
  void chunksOutsideTheArrayAreRefusedAndTheDisabledHandleCountsNothing() {
    RequestActivity r = attached("s", ConnectionType.STREAMING);
    assertThatThrownBy(() -> r.addRx(EVENT, 5, EVENT.length))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> ActivityHandle.noop().addRx(EVENT, -1, 2))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(row().bytesRx()).isZero();
    RequestActivity.disabled().addRx(EVENT, 0, EVENT.length);
    RequestActivity.disabled().addRx(ByteBuffer.wrap(EVENT));
    ByteBuffer chunk = ByteBuffer.wrap(EVENT, 3, 10);
    r.addRx(chunk);
    assertThat(chunk.position()).isEqualTo(3);
    assertThat(chunk.remaining()).isEqualTo(10);
    assertThat(row().bytesRx()).isEqualTo(10);
  }

  @Test
  void theJdkClientsBodyHandlerHandsEachBufferToTheTracker() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] done = "data: [DONE]\n\n".getBytes(UTF_8);
    server.createContext(
        "/sse",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
          exchange.sendResponseHeaders(200, 0); // chunked
          try (OutputStream out = exchange.getResponseBody()) {
            for (byte[] part : List.of(EVENT, PING, PING, done)) {
              out.write(part);
              out.flush();
            }
          }
        });
    server.start();
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      ActivityHandle h = tracker.open("b", "s", ConnectionType.STREAMING, null);
      HttpResponse<byte[]> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/sse"))
                  .build(),
              ActivityStreams.countRx(HttpResponse.BodyHandlers.ofByteArray(), h));
      assertThat(r.body()).hasSize(EVENT.length + 2 * PING.length + done.length);
      assertThat(row().bytesRx()).isEqualTo(r.body().length);
      h.end(EndReason.ERRORED); // the last event arrived: the exchange had completed
      assertThat(tracker.recentlyEnded().get(0).reason()).isEqualTo(EndReason.COMPLETED);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theFirstContentIsTheFirstChunkThatIsNotOnlyPings() {
    RequestActivity r = attached("s", ConnectionType.STREAMING);
    fixture.clock().advance(Duration.ofMillis(200));
    r.addRx(PING, 0, PING.length);
    assertThat(row().firstContent()).isNull();
    fixture.clock().advance(Duration.ofMillis(300));
    r.addRx(EVENT, 0, EVENT.length);
    fixture.clock().advance(Duration.ofMillis(400));
    r.addRx(EVENT, 0, EVENT.length);
    assertThat(row().firstContent()).isEqualTo(Duration.ofMillis(500));
    r.end(EndReason.COMPLETED);
    assertThat(tracker.recentlyEnded().get(0).firstContent()).isEqualTo(Duration.ofMillis(500));

    RequestActivity counted = attached("t", ConnectionType.STREAMING);
    fixture.clock().advance(Duration.ofMillis(70));
    counted.addRx(10); // a count without the bytes: its first byte is its first content
    assertThat(row().firstContent()).isEqualTo(Duration.ofMillis(70));
  }

  @Test
  void theFirstContentSkipsControlEventsThatOpenAResponse() {
    RequestActivity r = attached("s", ConnectionType.STREAMING);
    fixture.clock().advance(Duration.ofMillis(100));
    byte[] created =
        "event: response.created\ndata: {\"type\":\"response.created\"}\n\n".getBytes(UTF_8);
    r.addRx(created, 0, created.length);
    byte[] ping = "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(UTF_8);
    fixture.clock().advance(Duration.ofMillis(100));
    r.addRx(ByteBuffer.wrap(ping));
    assertThat(row().firstContent()).isNull();

    fixture.clock().advance(Duration.ofMillis(250));
    byte[] delta =
        "event: response.output_text.delta\ndata: {\"delta\":\"Hi\"}\n\n".getBytes(UTF_8);
    r.addRx(delta, 0, delta.length);
    assertThat(row().firstContent()).isEqualTo(Duration.ofMillis(450));
  }

  @Test
  void eventsAreCountedOnlyWhenSwitchedOn() {
    RequestActivity r = attached("s", ConnectionType.STREAMING);
    r.addRx(EVENT, 0, EVENT.length);
    fixture.clock().advance(Duration.ofSeconds(2));
    r.addRx(EVENT, 0, EVENT.length);
    r.addTx(EVENT, 0, EVENT.length);
    ConnectionSnapshot c = row();
    assertThat(c.eventsRx()).isZero();
    assertThat(c.eventsTx()).isZero();
    assertThat(c.maxEventGap()).isNull();
    assertThat(c.bytesTx()).isEqualTo(EVENT.length);
    assertThat(c.firstContent()).isZero();
    r.countTxEvents(EVENT, 0, EVENT.length);
    assertThat(row().eventsTx()).isZero();
    assertThat(r.countsEvents()).isFalse();
  }

  @Test
  void eventsAreCountedBothWaysAndTheLargestGapBetweenThemIsKept() {
    ActivityTracker tracker = counting.tracker();
    RequestActivity r = tracker.beginRequest("s");
    r.attach("b", null, ConnectionType.STREAMING);
    r.addRx(EVENT, 0, EVENT.length);
    assertThat(tracker.getBackendSnapshot("b").orElseThrow().connections().get(0).maxEventGap())
        .describedAs("one event has no gap yet")
        .isNull();
    counting.clock().advance(Duration.ofMillis(800));
    r.addRx(PING, 0, PING.length); // a keep-alive is no event and ends no gap
    counting.clock().advance(Duration.ofMillis(700));
    byte[] two = "data: 1\n\ndata: 2\n".getBytes(UTF_8);
    r.addRx(two, 0, two.length);
    counting.clock().advance(Duration.ofMillis(200));
    r.addRx("\n".getBytes(UTF_8), 0, 1);
    ConnectionSnapshot c = tracker.getBackendSnapshot("b").orElseThrow().connections().get(0);
    assertThat(c.eventsRx()).isEqualTo(3);
    assertThat(c.maxEventGap()).isEqualTo(Duration.ofMillis(1_500));

    r.addTx(EVENT, 0, EVENT.length);
    r.addTx(ByteBuffer.wrap(two));
    ConnectionSnapshot sent = tracker.getBackendSnapshot("b").orElseThrow().connections().get(0);
    assertThat(sent.eventsTx()).isEqualTo(2);
    assertThat(sent.bytesTx()).isEqualTo(EVENT.length + two.length);

    r.countTxEvents(EVENT, 0, EVENT.length);
    r.countTxEvents(ByteBuffer.wrap(EVENT));
    ConnectionSnapshot read = tracker.getBackendSnapshot("b").orElseThrow().connections().get(0);
    assertThat(read.eventsTx()).describedAs("events read, bytes not counted").isEqualTo(4);
    assertThat(read.bytesTx()).isEqualTo(EVENT.length + two.length);
    assertThat(r.countsEvents()).isTrue();
    assertThat(tracker.countsEvents()).isTrue();

    r.end(EndReason.COMPLETED);
    EndedConnection e = tracker.recentlyEnded().get(0);
    assertThat(e.eventsRx()).isEqualTo(3);
    assertThat(e.eventsTx()).isEqualTo(4);
    assertThat(e.maxEventGap()).isEqualTo(Duration.ofMillis(1_500));

    RequestActivity plain = tracker.beginRequest("t");
    plain.attach("b", null, ConnectionType.NON_STREAMING);
    plain.addRx(EVENT, 0, EVENT.length);
    plain.addTx(EVENT, 0, EVENT.length);
    ConnectionSnapshot json =
        tracker.getBackendSnapshot("b").orElseThrow().connections().stream()
            .filter(x -> x.sessionId().equals("t"))
            .findFirst()
            .orElseThrow();
    assertThat(json.eventsRx()).describedAs("only streaming rows are read").isZero();
    assertThat(json.eventsTx()).isZero();
    assertThat(json.bytesTx()).isEqualTo(EVENT.length);
  }
}
