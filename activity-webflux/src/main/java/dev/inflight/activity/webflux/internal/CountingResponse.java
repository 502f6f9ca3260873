package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
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
 *
 * <p>Cost: one small operator per body (or per stream of flushed groups), none per scalar group
 * ({@code Mono.just(buffer)}, the usual server-sent event), which is counted as it is handed on and
 * passed through unchanged. An RX response put over the tracking filter's TX response of the same
 * request (what {@code UpstreamActivity} does) counts both in one pass and writes past it.
 */
public final class CountingResponse extends ServerHttpResponseDecorator {

  /** Where bodies are written: the delegate, or the one it writes to when this counts for both. */
  private final ServerHttpResponse target;

  private final ByteCounter counter;

  /**
   * Wraps a response.
   *
   * @param delegate the response
   * @param activity where to count
   * @param rx true to count as RX, false as TX
   */
  public CountingResponse(ServerHttpResponse delegate, RequestActivity activity, boolean rx) {
    super(delegate);
    if (rx
        && delegate instanceof CountingResponse
        && ((CountingResponse) delegate).counter.countsTxAloneInto(activity)) {
      // RX over the tracking filter's TX of the same request: one decorator counts both
      CountingResponse tracking = (CountingResponse) delegate;
      this.target = tracking.target;
      this.counter = tracking.counter.withRx();
    } else {
      this.target = delegate;
      this.counter = new ByteCounter(activity, rx, !rx);
    }
  }

  @Override
  public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
    if (body instanceof Mono) {
      return target.writeWith(CountingBody.single(Mono.from(body), counter));
    }
    return target.writeWith(CountingBody.buffers(Flux.from(body), counter, true));
  }

  /** Each flushed group is counted; the stream of groups is what a client that left cancels. */
  @Override
  public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
    return target.writeAndFlushWith(CountingBody.groups(Flux.from(body), counter));
  }
}
