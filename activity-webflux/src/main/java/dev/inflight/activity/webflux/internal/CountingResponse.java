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
 * The tracking filter's response, and a gateway's response that counts its upstream's buffers as
 * RX: each {@link DataBuffer} written through {@code writeWith} and {@code writeAndFlushWith} is
 * counted as it is handed on towards the server, as RX for a proxy that writes its upstream's
 * buffers straight into the response, and as TX where the server cannot report what it wrote. On
 * Reactor Netty the tracking filter counts TX as the connection writes it ({@link WrittenTx}), so
 * its response counts nothing itself. A single-buffer body stays a {@link Mono}, so the server
 * still sees (and may size) it as one.
 *
 * <p>The tracking filter's response also tells a client that left: Reactor Netty completes the
 * write of a stream whose connection closed, after cancelling the body. A streamed body cancelled
 * before it completed is recorded as {@link EndReason#CLIENT_ABORTED}, which wins over the
 * completion when the request ends.
 *
 * <p>Cost: one small operator per body (or per stream of flushed groups), none per scalar group
 * ({@code Mono.just(buffer)}, the usual server-sent event), which is counted as it is handed on and
 * passed through unchanged, and none for a single-buffer body when nothing is counted on hand-off.
 * An RX response put over the tracking filter's response of the same request (what {@code
 * UpstreamActivity} does) counts in one pass and writes past it.
 */
public final class CountingResponse extends ServerHttpResponseDecorator {

  /** Where bodies are written: the delegate, or the one it writes to when this counts for both. */
  private final ServerHttpResponse target;

  private final ByteCounter counter;

  /**
   * Wraps a response, counting TX as buffers are handed on (the tracking filter's response on a
   * server that cannot report what it wrote), or RX.
   *
   * @param delegate the response
   * @param activity where to count
   * @param rx true to count as RX, false as TX
   */
  public CountingResponse(ServerHttpResponse delegate, RequestActivity activity, boolean rx) {
    this(delegate, activity, rx, !rx);
  }

  /**
   * Wraps a response.
   *
   * @param delegate the response
   * @param activity where to count
   * @param rx true to count RX (a gateway's upstream), false for the tracking filter's response
   * @param txHandedOn for the tracking filter's response, whether TX is counted as buffers are
   *     handed on; false where the server counts what it writes (Reactor Netty)
   */
  public CountingResponse(
      ServerHttpResponse delegate, RequestActivity activity, boolean rx, boolean txHandedOn) {
    super(delegate);
    if (rx
        && delegate instanceof CountingResponse
        && ((CountingResponse) delegate).counter.isTrackingOf(activity)) {
      // RX over the tracking filter's response of the same request: one decorator does both
      CountingResponse tracking = (CountingResponse) delegate;
      this.target = tracking.target;
      this.counter = tracking.counter.withRx();
    } else {
      this.target = delegate;
      this.counter = new ByteCounter(activity, rx, !rx && txHandedOn, !rx);
    }
  }

  /** The counter, for {@link WrittenTx}: the tracking filter's keeps the request's body totals. */
  ByteCounter counter() {
    return counter;
  }

  @Override
  public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
    if (body instanceof Mono) {
      if (!counter.countsHandedOn()) {
        return target.writeWith(body); // one buffer: nothing to count here, nothing to watch
      }
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
