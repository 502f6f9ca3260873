package dev.inflight.activity.webflux.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.ManualTracker;
import dev.inflight.activity.webflux.ActivityWebFilter;
import dev.inflight.activity.webflux.testing.ReactorNettyServer;
import dev.inflight.activity.webflux.testing.SocketWrites;
import io.netty.channel.ChannelOption;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;

/**
 * On Reactor Netty, TX is what the connection wrote: measured against the bytes the transport
 * reported written at the socket end of the pipeline (a handler of the test's own), with a client
 * that stops reading and then resets the connection while the application has handed the server far
 * more than the connection could take.
 */
class WrittenTxTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final int BUFFER = 1024;
  static final int BUFFERS = 16 * 1024; // 16 MiB, far more than the socket buffers hold

  final List<EndedConnection> ended = new CopyOnWriteArrayList<>();

  @RegisterExtension
  final ManualTracker fixture = new ManualTracker(s -> s.endedListener(ended::add));

  ReactorNettyServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aClientThatLeavesIsCountedWhatTheConnectionWroteNotWhatWasHandedOver() throws Exception {
    ActivityTracker tracker = fixture.tracker();
    AtomicLong handedOver = new AtomicLong();
    SocketWrites socket = new SocketWrites();
    byte[] chunk = new byte[BUFFER];
    Arrays.fill(chunk, (byte) 'x');
    server =
        ReactorNettyServer.start(
            RouterFunctions.route()
                .GET(
                    "/big",
                    request -> {
                      ActivityWebFilter.activity(request.exchange())
                          .attach("b", null, ConnectionType.STREAMING);
                      Flux<DataBuffer> body =
                          Flux.range(0, BUFFERS)
                              .<DataBuffer>map(
                                  i -> DefaultDataBufferFactory.sharedInstance.wrap(chunk.clone()))
                              .doOnNext(b -> handedOver.addAndGet(b.readableByteCount()));
                      // a declared length: no chunk framing, so the socket's bytes after the head
                      // are body bytes
                      return ServerResponse.ok()
                          .contentType(MediaType.APPLICATION_OCTET_STREAM)
                          .contentLength((long) BUFFER * BUFFERS)
                          .body(BodyInserters.fromDataBuffers(body));
                    })
                .build(),
            List.of(ActivityWebFilter.builder().tracker(tracker).build()),
            s -> socket.install(s.childOption(ChannelOption.SO_SNDBUF, 8192)));

    int head;
    long read;
    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(4096);
      client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
      client.setSoTimeout(10_000);
      client
          .getOutputStream()
          .write(
              ("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Session-Id: s-left\r\n\r\n")
                  .getBytes(ISO_8859_1));
      InputStream in = client.getInputStream();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      byte[] buffer = new byte[1024];
      while (seen.toString(ISO_8859_1).indexOf("\r\n\r\n") < 0 || seen.size() < 16 * 1024) {
        int n = in.read(buffer);
        assertThat(n).isPositive();
        seen.write(buffer, 0, n);
      }
      head = seen.toString(ISO_8859_1).indexOf("\r\n\r\n") + 4;
      read = (long) seen.size() - head;
      int headBytes = head;
      // the client reads no more: the application keeps handing buffers over that wait behind
      // the stalled connection
      Await.until(
          "buffers wait behind the stalled connection",
          WAIT,
          () -> handedOver.get() - (socket.written() - headBytes) > 32 * 1024);
      client.setSoLinger(true, 0); // then resets the connection
    }

    Await.until("the row ended", WAIT, () -> ended.size() == 1);
    EndedConnection e = ended.get(0);
    long bodyWritten = socket.written() - head;
    assertThat(e.reason()).isEqualTo(EndReason.CLIENT_ABORTED);
    // exactly what the connection wrote: at least what the client read, never what was only
    // handed over
    assertThat(e.bytesTx())
        .isEqualTo(bodyWritten)
        .isGreaterThanOrEqualTo(read)
        .isLessThan(handedOver.get());
    assertThat(tracker.activeConnections()).isZero();
  }
}
