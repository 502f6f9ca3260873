package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.Fuseable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a {@link CountingResponse} counts a body buffer as (RX, TX or both, into one request's
 * activity), and whether a body cancelled before it completed means the client left. One per
 * response, shared by every body written through it; it keeps no per-write state.
 */
final class ByteCounter {

  private final RequestActivity activity;
  private final boolean rx;
  private final boolean tx;

  ByteCounter(RequestActivity activity, boolean rx, boolean tx) {
    this.activity = activity;
    this.rx = rx;
    this.tx = tx;
  }

  /** The same counting, RX as well: for a gateway's decorator stacked on the tracking one. */
  ByteCounter withRx() {
    return new ByteCounter(activity, true, tx);
  }

  /** Whether this counts TX alone into {@code other}: the tracking filter's counting. */
  boolean countsTxAloneInto(RequestActivity other) {
    return activity == other && tx && !rx;
  }

  /** Counts a buffer handed on towards the server; a failure is logged once and swallowed. */
  void count(DataBuffer buffer) {
    int bytes = buffer.readableByteCount();
    if (bytes <= 0) {
      return;
    }
    // a typed call (RequestActivity is final), not one through the ActivityHandle interface
    try {
      if (rx) {
        activity.addRx(bytes);
      }
      if (tx) {
        activity.addTx(bytes);
      }
    } catch (RuntimeException e) {
      Glue.failed("Counting body bytes failed", e);
    }
  }

  /**
   * A flushed group, counted. A scalar group ({@code Mono.just(buffer)}, {@code Flux.just(buffer)},
   * what gateways write per upstream chunk and streaming encoders per element) holds its buffer
   * already, and is being handed to the server now: it is counted here and passed on as it is, so
   * the server sees the same group as without tracking and no operator is assembled or subscribed
   * per event. Reactor's own {@code Flux.from} reads a scalar group the same way. Any other group
   * is counted buffer by buffer as it emits them.
   */
  Publisher<? extends DataBuffer> group(Publisher<? extends DataBuffer> group) {
    if (group instanceof Fuseable.ScalarCallable) {
      Object buffer;
      try {
        buffer = ((Fuseable.ScalarCallable<?>) group).call();
      } catch (Exception e) {
        return group; // an error group: the server gets the error when it subscribes
      }
      if (buffer instanceof DataBuffer) {
        count((DataBuffer) buffer);
      }
      return group;
    }
    return group instanceof Mono
        ? CountingBody.single(Mono.from(group), this)
        : CountingBody.buffers(Flux.from(group), this, false);
  }

  /**
   * A body (or its stream of groups) was cancelled before it completed: when counting TX, the
   * server cancelled it because the client left. Reactor Netty then completes the write rather than
   * failing it, so this is where the abort is seen; recorded as {@link EndReason#CLIENT_ABORTED},
   * it wins over the completion when the request ends.
   */
  void cancelledEarly() {
    if (tx) {
      try {
        activity.fail(EndReason.CLIENT_ABORTED);
      } catch (RuntimeException e) {
        Glue.failed("Recording a client that left failed", e);
      }
    }
  }
}
