package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A response that counts each {@link DataBuffer} as it is handed on towards the server, through
 * {@code writeWith} and {@code writeAndFlushWith}: as TX (bytes to the client) for the tracking
 * filter, or as RX for a proxy that writes its upstream's buffers straight into the response. A
 * single-buffer body stays a {@link Mono}, so the server still sees (and may size) it as one.
 *
 * <p>Counting TX, it also tells a client that left: Reactor Netty completes the write of a stream
 * whose connection closed, after cancelling the body. A streamed body cancelled before it completed
 * is recorded as {@link EndReason#CLIENT_ABORTED}, which wins over the completion when the request
 * ends.
 */
public final class CountingResponse extends ServerHttpResponseDecorator {

  private final ActivityHandle handle;
  private final boolean rx;

  /**
   * Wraps a response.
   *
   * @param delegate the response
   * @param handle where to count
   * @param rx true to count as RX, false as TX
   */
  public CountingResponse(ServerHttpResponse delegate, ActivityHandle handle, boolean rx) {
    super(delegate);
    this.handle = handle;
    this.rx = rx;
  }

  @Override
  public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
    if (body instanceof Mono) {
      return super.writeWith(Mono.<DataBuffer>from(body).doOnNext(this::count));
    }
    return super.writeWith(watchingCancel(Flux.<DataBuffer>from(body).doOnNext(this::count)));
  }

  /** Each flushed group is counted; the stream of groups is what a client that left cancels. */
  @Override
  public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
    return super.writeAndFlushWith(
        watchingCancel(
            Flux.from(body).map(group -> Flux.<DataBuffer>from(group).doOnNext(this::count))));
  }

  /** A stream cancelled by the server before it completed: the client left. */
  private <T> Flux<T> watchingCancel(Flux<T> body) {
    if (rx || !(handle instanceof RequestActivity)) {
      return body;
    }
    RequestActivity activity = (RequestActivity) handle;
    AtomicBoolean done = new AtomicBoolean();
    return body.doOnTerminate(() -> done.set(true))
        .doOnCancel(
            () -> {
              if (!done.get()) {
                activity.fail(EndReason.CLIENT_ABORTED);
              }
            });
  }

  private void count(DataBuffer buffer) {
    int bytes = buffer.readableByteCount();
    if (rx) {
      Glue.countRx(handle, bytes);
    } else {
      Glue.countTx(handle, bytes);
    }
  }
}
