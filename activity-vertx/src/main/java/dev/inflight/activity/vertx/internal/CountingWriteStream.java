package dev.inflight.activity.vertx.internal;

import dev.inflight.activity.ActivityHandle;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import org.jspecify.annotations.Nullable;

/**
 * A sink that counts each buffer written into it as RX, then writes it on: for a backend's body
 * that is piped somewhere rather than read (the WebClient's {@code BodyCodec.pipe(sink)}, any
 * {@code pipeTo}). Every call goes to the wrapped sink; nothing is buffered.
 *
 * <p>Runs on Vert.x 5 and 4.5: the two callback methods 4.5 declares abstract (and 5 does not have)
 * are implemented too, with the erased parameter types 4.5's interface has.
 *
 * <p>Thread-safety: as the wrapped sink's.
 */
public final class CountingWriteStream implements WriteStream<Buffer> {

  private final WriteStream<Buffer> delegate;
  private final ActivityHandle handle;

  /**
   * Wraps a sink.
   *
   * @param delegate where the body goes
   * @param handle where to count
   */
  public CountingWriteStream(WriteStream<Buffer> delegate, ActivityHandle handle) {
    this.delegate = delegate;
    this.handle = handle;
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(@Nullable Handler<Throwable> handler) {
    delegate.exceptionHandler(handler);
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    CountingReadStream.countRx(handle, data);
    return delegate.write(data);
  }

  @Override
  public Future<Void> end() {
    return delegate.end();
  }

  @Override
  public Future<Void> end(Buffer data) {
    CountingReadStream.countRx(handle, data);
    return delegate.end(data);
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    delegate.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return delegate.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(@Nullable Handler<Void> handler) {
    delegate.drainHandler(handler);
    return this;
  }

  /**
   * Vert.x 4.5's {@code write(T, Handler)}, which its pipes call; not part of Vert.x 5's interface.
   *
   * @param data the buffer
   * @param handler told when the write completed
   */
  public void write(Object data, Handler<AsyncResult<Void>> handler) {
    write((Buffer) data).onComplete(handler);
  }

  /**
   * Vert.x 4.5's {@code end(Handler)}; not part of Vert.x 5's interface.
   *
   * @param handler told when the end completed
   */
  public void end(Handler<AsyncResult<Void>> handler) {
    end().onComplete(handler);
  }

  @Override
  public String toString() {
    return "CountingWriteStream{" + delegate + ", " + handle + "}";
  }
}
