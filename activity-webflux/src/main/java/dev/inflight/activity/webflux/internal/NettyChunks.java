package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.ActivityHandle;
import io.netty.buffer.ByteBuf;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBuffer;

/**
 * Hands the bytes of a Netty heap buffer to the tracker through its array, with no view and no
 * iterator made per chunk (what Reactor Netty's client delivers: {@code readableByteBuffers()}
 * makes an iterator and a {@code ByteBuffer} per chunk). Only loaded when Netty is on the class
 * path ({@link Glue#NETTY}).
 */
final class NettyChunks {

  private NettyChunks() {}

  /**
   * Counts {@code buffer} as RX through its array, if it is a Netty heap buffer.
   *
   * @param activity where to count
   * @param buffer a buffer with readable bytes
   * @return false, having done nothing, for any other buffer
   */
  static boolean addRx(ActivityHandle activity, DataBuffer buffer) {
    if (!(buffer instanceof NettyDataBuffer)) {
      return false;
    }
    ByteBuf bytes = ((NettyDataBuffer) buffer).getNativeBuffer();
    if (!bytes.hasArray()) {
      return false;
    }
    activity.addRx(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
    return true;
  }

  /**
   * Reads {@code buffer} for the events it sends, through its array, if it is a Netty heap buffer.
   *
   * @param activity where to count
   * @param buffer a buffer with readable bytes
   * @return false, having done nothing, for any other buffer
   */
  static boolean countTxEvents(ActivityHandle activity, DataBuffer buffer) {
    if (!(buffer instanceof NettyDataBuffer)) {
      return false;
    }
    ByteBuf bytes = ((NettyDataBuffer) buffer).getNativeBuffer();
    if (!bytes.hasArray()) {
      return false;
    }
    activity.countTxEvents(
        bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
    return true;
  }
}
