package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.internal.CountTarget;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.Fuseable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a {@link CountingResponse} counts a body buffer as when it is handed on towards the server
 * (RX, TX, both or neither, into one request's activity), and whether a body cancelled before it
 * completed means the client left (the tracking filter's response). One per response, shared by
 * every body written through it; it keeps no per-write state.
 *
 * <p>The tracking filter's counter also keeps two totals of the request's body bytes, for {@link
 * WrittenTx}: those handed to the server and those the connection wrote. A response whose writing
 * completed with fewer bytes written than handed over had buffers dropped by the server because the
 * connection (or HTTP/2 stream) went away: the client left. A gateway's counter made by {@link
 * #withRx} keeps them on the tracking counter it was made from.
 *
 * <p>Thread-safety: {@link #count} is called by one body's subscriber at a time (Reactive Streams
 * serialises {@code onNext}), so the handed-over total has a single writer (a release store, no
 * lock); the written total is the connection's event loop's alone.
 */
final class ByteCounter {

  private final RequestActivity activity;
  private final boolean rx;
  private final boolean tx;
  private final boolean tracking;

  /** The tracking counter of a tracker that counts events: handed-on buffers are read for them. */
  private final boolean events;

  /** Where the totals are kept: this counter, or the tracking counter this one was made from. */
  private final ByteCounter totals;

  /**
   * Where the last buffer counted, as {@link CountTarget#now} chose it: the request's row handle
   * while it is open, one object fewer to touch per buffer than through the request. Written (only
   * when it changes) by the body's subscriber and by the connection's event loop; a racing write
   * stores a handle that is checked before each use, so either value counts right.
   */
  private @Nullable ActivityHandle row;

  private static final VarHandle HANDED_OVER;

  static {
    try {
      HANDED_OVER =
          MethodHandles.lookup().findVarHandle(ByteCounter.class, "handedOver", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Body bytes handed to the server; one writer at a time (the body's subscriber), which publishes
   * with a release store: no atomic read-modify-write per buffer.
   */
  @SuppressWarnings("UnusedVariable") // through HANDED_OVER
  private long handedOver;

  /** Body bytes the connection wrote; the connection's event loop only. */
  private long written;

  /**
   * A counter.
   *
   * @param rx count handed-on buffers as RX
   * @param tx count handed-on buffers as TX (where the server cannot tell what it wrote)
   * @param tracking the tracking filter's response: a body cancelled early means the client left
   */
  ByteCounter(RequestActivity activity, boolean rx, boolean tx, boolean tracking) {
    this.activity = activity;
    this.rx = rx;
    this.tx = tx;
    this.tracking = tracking;
    this.events = tracking && activity.countsEvents();
    this.totals = this;
  }

  private ByteCounter(ByteCounter from) {
    this.activity = from.activity;
    this.rx = true;
    this.tx = from.tx;
    this.tracking = from.tracking;
    this.events = from.events;
    this.totals = from.totals;
  }

  /** The same counting, RX as well: for a gateway's decorator stacked on the tracking one. */
  ByteCounter withRx() {
    return new ByteCounter(this);
  }

  /** The request's activity. */
  RequestActivity activity() {
    return activity;
  }

  /** Counts bytes the connection wrote, on its event loop, as the request's TX. */
  void written(int bytes) {
    written += bytes;
    Glue.countTx(target(), bytes);
  }

  /** Where to count now (see {@link CountTarget}). */
  private ActivityHandle target() {
    ActivityHandle last = row;
    ActivityHandle h = CountTarget.now(activity, last);
    if (h != last) {
      row = h; // only on a change: no store per buffer
    }
    return h;
  }

  /**
   * Whether the server dropped body bytes it had been handed: more were handed over than the
   * connection wrote. Read on the connection's event loop once the writes in flight completed.
   */
  boolean droppedBytes() {
    return (long) HANDED_OVER.getAcquire(this) > written;
  }

  /** Whether this is the tracking filter's counter of {@code other}, counting no RX yet. */
  boolean isTrackingOf(RequestActivity other) {
    return activity == other && tracking && !rx;
  }

  /** Whether handed-on buffers are counted at all. */
  boolean countsHandedOn() {
    return rx || tx;
  }

  /** Counts a buffer handed on towards the server; a failure is logged once and swallowed. */
  void count(DataBuffer buffer) {
    int bytes = buffer.readableByteCount();
    if (bytes <= 0) {
      return;
    }
    if (tracking) {
      ByteCounter t = totals;
      HANDED_OVER.setRelease(t, (long) HANDED_OVER.get(t) + bytes); // one writer at a time
      if (events) {
        try {
          Glue.countTxEvents(target(), buffer); // read as handed on; its bytes count as written
        } catch (RuntimeException e) {
          Glue.failed("Counting sent events failed", e);
        }
      }
    }
    if (!rx && !tx) {
      return;
    }
    try {
      ActivityHandle h = target();
      if (rx) {
        Glue.addRx(h, buffer); // the bytes themselves, for a streaming row's scan
      }
      if (tx) {
        h.addTx(bytes);
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
   * A body (or its stream of groups) was cancelled before it completed: for the tracking filter's
   * response, the server cancelled it because the client left. Reactor Netty then completes the
   * write rather than failing it, so this is where the abort is seen; recorded as {@link
   * EndReason#CLIENT_ABORTED}, it wins over the completion when the request ends.
   */
  void cancelledEarly() {
    if (tracking) {
      try {
        activity.fail(EndReason.CLIENT_ABORTED);
      } catch (RuntimeException e) {
        Glue.failed("Recording a client that left failed", e);
      }
    }
  }
}
