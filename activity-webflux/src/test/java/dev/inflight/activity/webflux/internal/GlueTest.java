package dev.inflight.activity.webflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionSnapshot;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;

class GlueTest {

  @Test
  void theTypeIsStreamingWhenTheRequestAcceptsServerSentEvents() {
    assertThat(Glue.typeFromAccept(accept("text/event-stream")))
        .isEqualTo(ConnectionType.STREAMING);
    assertThat(Glue.typeFromAccept(accept("application/json, text/event-stream;q=0.5")))
        .isEqualTo(ConnectionType.STREAMING);
    assertThat(Glue.typeFromAccept(accept("TEXT/EVENT-STREAM")))
        .isEqualTo(ConnectionType.STREAMING);
    assertThat(Glue.typeFromAccept(accept("*/*"))).isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(Glue.typeFromAccept(accept("application/json")))
        .isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(Glue.typeFromAccept(accept("not a type"))).isEqualTo(ConnectionType.NON_STREAMING);
    assertThat(Glue.typeFromAccept(new HttpHeaders())).isEqualTo(ConnectionType.NON_STREAMING);
  }

  /**
   * Every kind of buffer hands the same bytes to the tracker: a Netty heap buffer read through its
   * array (at its own offset and read position), a direct one and a plain heap one through views.
   */
  @Test
  void everyKindOfBufferIsReadAtItsOwnPositionAndNotMoved() {
    byte[] stream = "xx: ignored\n\ndata: one\n\ndata: two\n\n".getBytes(StandardCharsets.US_ASCII);
    int skip = 13; // what a buffer was read past already
    ByteBuf sliced = Unpooled.wrappedBuffer(stream).slice(2, stream.length - 2);
    sliced.readerIndex(skip - 2);
    ByteBuf direct = Unpooled.directBuffer(stream.length).writeBytes(stream);
    direct.readerIndex(skip);
    DefaultDataBuffer plain = DefaultDataBufferFactory.sharedInstance.wrap(stream.clone());
    plain.readPosition(skip);
    List<DataBuffer> buffers =
        List.of(
            new NettyDataBufferFactory(UnpooledByteBufAllocator.DEFAULT).wrap(sliced),
            new NettyDataBufferFactory(UnpooledByteBufAllocator.DEFAULT).wrap(direct),
            plain);
    for (DataBuffer buffer : buffers) {
      try (ActivityTracker tracker =
          ActivityTracker.create(
              ActivitySettings.builder().enabled(true).countEvents(true).build())) {
        RequestActivity activity = tracker.beginRequest("s");
        activity.attach("b", null, ConnectionType.STREAMING);
        Glue.addRx(activity, buffer);
        Glue.countTxEvents(activity, buffer);
        ConnectionSnapshot row = tracker.getBackendSnapshot("b").orElseThrow().connections().get(0);
        assertThat(row.bytesRx()).as(buffer.toString()).isEqualTo(stream.length - skip);
        assertThat(row.eventsRx()).as(buffer.toString()).isEqualTo(2);
        assertThat(row.eventsTx()).as(buffer.toString()).isEqualTo(2);
        assertThat(row.firstContent()).as(buffer.toString()).isNotNull();
        assertThat(buffer.readableByteCount()).isEqualTo(stream.length - skip);
        activity.end(EndReason.COMPLETED);
      }
    }
  }

  private static HttpHeaders accept(String value) {
    HttpHeaders headers = new HttpHeaders();
    headers.add(HttpHeaders.ACCEPT, value);
    return headers;
  }
}
