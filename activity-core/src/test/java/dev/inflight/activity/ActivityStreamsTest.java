package dev.inflight.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ActivityStreamsTest {

  private final ActivityTracker tracker =
      ActivityTracker.create(
          ActivitySettings.builder().enabled(true).sweepInterval(Duration.ZERO).build());
  private final ActivityHandle handle = tracker.open("b", "s", ConnectionType.STREAMING, null);

  @AfterEach
  void closeTracker() {
    tracker.close();
  }

  private ConnectionSnapshot row() {
    return tracker.getBackendSnapshot("b").orElseThrow().connections().get(0);
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  @Nested
  class Input {

    @Test
    void everyWayOfReadingCountsTheBytesExactly() throws IOException {
      InputStream in = ActivityStreams.countRx(new ByteArrayInputStream(bytes(10_000)), handle);

      assertThat(in.read()).isZero(); // 1
      byte[] buf = new byte[100];
      assertThat(in.read(buf)).isEqualTo(100); // 101
      assertThat(in.read(buf, 10, 50)).isEqualTo(50); // 151
      assertThat(in.skip(49)).isEqualTo(49); // 200
      assertThat(in.readNBytes(buf, 0, 100)).isEqualTo(100); // 300
      assertThat(in.readNBytes(300)).hasSize(300); // 600
      assertThat(in.transferTo(OutputStream.nullOutputStream())).isEqualTo(9_400);
      assertThat(in.readNBytes(buf, 0, 100)).isZero();
      assertThat(in.read()).isEqualTo(-1);
      assertThat(in.read(buf)).isEqualTo(-1);

      assertThat(row().bytesRx()).isEqualTo(10_000);
      assertThat(row().bytesTx()).isZero();
    }

    @Test
    void theContentPassesThroughUnchanged() throws IOException {
      byte[] data = bytes(4096);
      InputStream in = ActivityStreams.countRx(new ByteArrayInputStream(data), handle);
      assertThat(in.readAllBytes()).isEqualTo(data);
    }

    @Test
    void markIsNotSupportedSoNothingIsReadAndCountedTwice() {
      InputStream in = ActivityStreams.countRx(new ByteArrayInputStream(bytes(10)), handle);
      assertThat(in.markSupported()).isFalse();
    }

    @Test
    void closingTheStreamClosesTheSourceButNotTheHandle() throws IOException {
      AtomicInteger closed = new AtomicInteger();
      InputStream source =
          new ByteArrayInputStream(bytes(3)) {
            @Override
            public void close() {
              closed.incrementAndGet();
            }
          };
      ActivityStreams.countRx(source, handle).close();
      assertThat(closed).hasValue(1);
      assertThat(handle.isOpen()).isTrue();
    }

    @Test
    void aFailingReadCountsNothing() {
      InputStream failing =
          new InputStream() {
            @Override
            public int read() throws IOException {
              throw new IOException("reset by peer");
            }
          };
      InputStream in = ActivityStreams.countRx(failing, handle);
      assertThatThrownBy(() -> in.read(new byte[10])).isInstanceOf(IOException.class);
      assertThat(row().bytesRx()).isZero();
    }
  }

  @Nested
  class Output {

    @Test
    void everyWayOfWritingCountsTheBytesExactly() throws IOException {
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      OutputStream out = ActivityStreams.countTx(sink, handle);

      out.write(7);
      out.write(bytes(100));
      out.write(bytes(100), 10, 40);
      out.write(new byte[0]);
      out.write(bytes(10), 5, 0);

      assertThat(row().bytesTx()).isEqualTo(141);
      assertThat(sink.size()).isEqualTo(141);
      assertThat(row().bytesRx()).isZero();
    }

    @Test
    void aFailingWriteCountsNothing() {
      OutputStream broken =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              throw new IOException("broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              throw new IOException("broken pipe");
            }
          };
      OutputStream out = ActivityStreams.countTx(broken, handle);

      assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> out.write(bytes(500))).isInstanceOf(IOException.class);
      assertThat(row().bytesTx()).isZero();
      assertThat(row().firstByte()).isNull();
    }

    @Test
    void flushAndClosePassStraightThrough() throws IOException {
      AtomicInteger flushes = new AtomicInteger();
      AtomicInteger closes = new AtomicInteger();
      OutputStream recording =
          new FilterOutputStream(OutputStream.nullOutputStream()) {
            @Override
            public void flush() {
              flushes.incrementAndGet();
            }

            @Override
            public void close() {
              closes.incrementAndGet();
            }
          };
      OutputStream out = ActivityStreams.countTx(recording, handle);
      out.write(bytes(5));
      out.flush();
      out.flush();
      out.close();

      assertThat(flushes).hasValue(2);
      assertThat(closes).hasValue(1);
      assertThat(handle.isOpen()).isTrue();
    }

    @Test
    void writesThroughAnEndedHandleStillReachTheClient() throws IOException {
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      OutputStream out = ActivityStreams.countTx(sink, handle);
      handle.close();
      out.write(bytes(20));
      assertThat(sink.size()).isEqualTo(20);
      assertThat(tracker.getBackendSnapshot("b").orElseThrow().cumulativeBytesTx()).isZero();
    }
  }

  /**
   * Streams over a request's activity count into its row directly once it is attached; these follow
   * the request through its life: before the attach, a move to another backend, the end.
   */
  @Nested
  class OverARequest {

    private long[] rxTx(String backend) {
      BackendSnapshot b = tracker.getBackendSnapshot(backend).orElseThrow();
      return new long[] {b.cumulativeBytesRx(), b.cumulativeBytesTx()};
    }

    @Test
    void bytesGoToTheRowTheRequestIsAttachedToAtTheTimeOfEachReadAndWrite() throws IOException {
      RequestActivity request = tracker.beginRequest("s-1");
      InputStream in = ActivityStreams.countRx(new ByteArrayInputStream(bytes(1_000)), request);
      OutputStream out = ActivityStreams.countTx(new ByteArrayOutputStream(), request);
      byte[] buf = new byte[100];

      assertThat(in.read(buf)).isEqualTo(100); // before the attach: kept, moved by it
      out.write(buf, 0, 10);
      request.attach("first", null, ConnectionType.STREAMING);
      assertThat(in.read(buf)).isEqualTo(100);
      out.write(buf, 0, 20);
      out.write(7);
      assertThat(rxTx("first")).containsExactly(200, 31);

      request.attach("second", null, ConnectionType.STREAMING); // ends the first row's share
      assertThat(in.read(buf)).isEqualTo(100);
      out.write(buf, 0, 40);
      assertThat(rxTx("first")).containsExactly(200, 31);
      assertThat(rxTx("second")).containsExactly(100, 40);

      request.close();
      assertThat(in.read(buf)).isEqualTo(100);
      out.write(buf, 0, 50);
      assertThat(rxTx("second")).containsExactly(100, 40);
      assertThat(tracker.activeConnections()).isEqualTo(1); // the test's own handle's row
    }

    @Test
    void anEvictedRowCountsNothingMoreThroughTheStreams() throws IOException {
      ActivityTracker capped =
          ActivityTracker.create(
              ActivitySettings.builder()
                  .enabled(true)
                  .sweepInterval(Duration.ZERO)
                  .maxConnections(1)
                  .build());
      try {
        RequestActivity request = capped.beginRequest("s-1");
        request.attach("b", null, ConnectionType.STREAMING);
        OutputStream out = ActivityStreams.countTx(new ByteArrayOutputStream(), request);
        out.write(bytes(10));
        capped.open("b", "s-2", ConnectionType.STREAMING, null); // evicts the idle row of s-1
        out.write(bytes(10));
        BackendSnapshot b = capped.getBackendSnapshot("b").orElseThrow();
        assertThat(b.cumulativeBytesTx()).isEqualTo(10);
        assertThat(b.connections())
            .extracting(ConnectionSnapshot::sessionId)
            .containsExactly("s-2");
      } finally {
        capped.close();
      }
    }
  }

  @Nested
  class Disabled {

    @Test
    void theNoopHandleGetsTheOriginalStreamsBack() {
      InputStream in = new ByteArrayInputStream(new byte[1]);
      OutputStream out = new ByteArrayOutputStream();
      HttpResponse.BodyHandler<byte[]> h = HttpResponse.BodyHandlers.ofByteArray();

      assertThat(ActivityStreams.countRx(in, ActivityHandle.noop())).isSameAs(in);
      assertThat(ActivityStreams.countTx(out, ActivityHandle.noop())).isSameAs(out);
      assertThat(ActivityStreams.countRx(h, ActivityHandle.noop())).isSameAs(h);
    }

    @Test
    void theDisabledRequestActivityGetsTheOriginalStreamsBack() {
      InputStream in = new ByteArrayInputStream(new byte[1]);
      OutputStream out = new ByteArrayOutputStream();
      HttpResponse.BodyHandler<byte[]> h = HttpResponse.BodyHandlers.ofByteArray();

      assertThat(ActivityStreams.countRx(in, RequestActivity.disabled())).isSameAs(in);
      assertThat(ActivityStreams.countTx(out, RequestActivity.disabled())).isSameAs(out);
      assertThat(ActivityStreams.countRx(h, RequestActivity.disabled())).isSameAs(h);
    }

    @Test
    void nullArgumentsAreRejected() {
      assertThatThrownBy(() -> ActivityStreams.countRx((InputStream) null, handle))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> ActivityStreams.countTx(new ByteArrayOutputStream(), null))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(
              () -> ActivityStreams.countRx((HttpResponse.BodyHandler<byte[]>) null, handle))
          .isInstanceOf(NullPointerException.class);
    }
  }

  @Nested
  class BodyHandler {

    private static final int BODY = 300_000;
    private final byte[] body = bytes(BODY);
    private HttpServer server;
    private final HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private URI start() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/stream",
          exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = exchange.getResponseBody()) {
              for (int off = 0; off < BODY; off += 7_000) {
                out.write(body, off, Math.min(7_000, BODY - off));
                out.flush();
              }
            }
          });
      server.createContext(
          "/fixed",
          exchange -> {
            exchange.sendResponseHeaders(200, BODY);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.createContext(
          "/text",
          exchange -> {
            byte[] utf8 = "h\u00e9llo \u4e16\u754c".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, utf8.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(utf8);
            }
          });
      server.start();
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stopServer() {
      if (server != null) {
        server.stop(0);
      }
    }

    @Test
    void aChunkedBodyIsCountedExactlyAsItArrives() throws Exception {
      URI base = start();
      HttpResponse<byte[]> r =
          client.send(
              HttpRequest.newBuilder(base.resolve("/stream")).build(),
              ActivityStreams.countRx(HttpResponse.BodyHandlers.ofByteArray(), handle));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Arrays.equals(r.body(), body)).isTrue();
      assertThat(row().bytesRx()).isEqualTo(BODY);
    }

    @Test
    void aFixedLengthBodyReadAsAStreamIsCountedExactly() throws Exception {
      URI base = start();
      HttpResponse<InputStream> r =
          client.send(
              HttpRequest.newBuilder(base.resolve("/fixed")).build(),
              ActivityStreams.countRx(HttpResponse.BodyHandlers.ofInputStream(), handle));
      try (InputStream in = r.body()) {
        assertThat(in.readAllBytes()).hasSize(BODY);
      }
      assertThat(row().bytesRx()).isEqualTo(BODY);
    }

    @Test
    void aDecodedBodyIsCountedInBytesNotCharacters() throws Exception {
      URI base = start();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(base.resolve("/text")).build(),
              ActivityStreams.countRx(HttpResponse.BodyHandlers.ofString(), handle));

      assertThat(r.body()).isEqualTo("h\u00e9llo \u4e16\u754c");
      assertThat(row().bytesRx())
          .isEqualTo("h\u00e9llo \u4e16\u754c".getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void theStreamAndTheHandlerTogetherCountBothDirectionsOfAProxiedBody() throws Exception {
      URI base = start();
      HttpResponse<InputStream> r =
          client.send(
              HttpRequest.newBuilder(base.resolve("/stream")).build(),
              ActivityStreams.countRx(HttpResponse.BodyHandlers.ofInputStream(), handle));
      ByteArrayOutputStream toClient = new ByteArrayOutputStream();
      try (InputStream in = r.body();
          OutputStream out = ActivityStreams.countTx(toClient, handle)) {
        in.transferTo(out);
      }
      assertThat(row().bytesRx()).isEqualTo(BODY);
      assertThat(row().bytesTx()).isEqualTo(BODY);
      assertThat(toClient.size()).isEqualTo(BODY);
    }
  }
}
