package dev.inflight.activity.vertx.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A backend's body as the application reads it, each buffer counted as RX on its way to the
 * application's handler. Every call goes to the wrapped stream; the handlers the application sets
 * here are set on the wrapped stream, wrapped to count (the data handler) and to record a failed
 * body (the exception handler), and nothing else is set on it: a handler the application did not
 * set is not taken.
 *
 * <p>Thread-safety: as the wrapped stream's; its handlers run on its context, one at a time.
 */
public final class CountingReadStream implements ReadStream<Buffer> {

  private final ReadStream<Buffer> delegate;
  private final ActivityHandle handle;
  private final BooleanSupplier clientGone;

  /**
   * Wraps a body; every failure of the body records the request as errored.
   *
   * @param delegate the backend's body
   * @param handle where to count
   */
  public CountingReadStream(ReadStream<Buffer> delegate, ActivityHandle handle) {
    this(delegate, handle, () -> false);
  }

  /**
   * Wraps a body whose failure is not the backend's once the client left: a proxy that resets its
   * backend request when its client goes away sees the body fail then, and the request ends {@code
   * client_aborted}, not {@code errored}.
   *
   * @param delegate the backend's body
   * @param handle where to count
   * @param clientGone whether the client has left, asked when the body fails
   */
  public CountingReadStream(
      ReadStream<Buffer> delegate, ActivityHandle handle, BooleanSupplier clientGone) {
    this.delegate = delegate;
    this.handle = handle;
    this.clientGone = clientGone;
  }

  @Override
  public ReadStream<Buffer> handler(@Nullable Handler<Buffer> handler) {
    if (handler == null) {
      delegate.handler(null);
    } else {
      delegate.handler(
          buffer -> {
            countRx(handle, buffer);
            handler.handle(buffer);
          });
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(@Nullable Handler<Throwable> handler) {
    if (handler == null) {
      delegate.exceptionHandler(null);
    } else {
      delegate.exceptionHandler(
          failure -> {
            if (!clientGone.getAsBoolean()) {
              failed(handle);
            }
            handler.handle(failure);
          });
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(@Nullable Handler<Void> endHandler) {
    delegate.endHandler(endHandler);
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    delegate.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    delegate.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    delegate.fetch(amount);
    return this;
  }

  /**
   * Counts a buffer received from a backend as RX; a failure is logged once and swallowed. The
   * bytes are handed to the tracker in place (core reads a streaming row's chunks, to tell
   * keep-alive comments from content and to see the stream's last event): the Netty buffer beneath
   * a Vert.x buffer, through its array when it has one (the buffers Vert.x's {@code HttpClient}
   * delivers do), else through views of its memory. A buffer of another implementation is copied.
   *
   * @param handle where to count
   * @param buffer the buffer; not changed
   */
  public static void countRx(ActivityHandle handle, Buffer buffer) {
    try {
      int length = buffer.length();
      if (length == 0) {
        return;
      }
      ByteBuf bytes = NettyBuffers.of(buffer); // a slice: indices of its own
      if (bytes == null) {
        handle.addRx(buffer.getBytes(), 0, length);
        return;
      }
      if (bytes.hasArray()) {
        handle.addRx(
            bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
      } else if (bytes.nioBufferCount() == 1) {
        handle.addRx(bytes.nioBuffer());
      } else {
        for (ByteBuffer view : bytes.nioBuffers()) {
          handle.addRx(view);
        }
      }
    } catch (RuntimeException e) {
      Glue.failed("Counting received bytes failed", e);
    }
  }

  /** Records a failed backend body: the request then ends errored, whatever its response does. */
  private static void failed(ActivityHandle handle) {
    if (handle instanceof RequestActivity) {
      try {
        ((RequestActivity) handle).fail(EndReason.ERRORED);
      } catch (RuntimeException e) {
        Glue.failed("Recording a failed backend body failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "CountingReadStream{" + delegate + ", " + handle + "}";
  }
}
