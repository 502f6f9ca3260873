package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.EndReason;
import dev.inflight.activity.Failures;
import dev.inflight.activity.RequestActivity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;

/**
 * Counts TX on Reactor Netty as the connection writes each body buffer: a channel handler placed
 * just before Reactor Netty's reactive bridge, where the response's messages pass before the HTTP
 * codec frames them (an HTTP/1.1 connection's pipeline, or an HTTP/2 stream's own channel). A body
 * buffer is counted when the write of it succeeds, so what Reactor Netty discards (a body cancelled
 * because the client left, buffers queued behind a write that failed) and what the transport could
 * not write are never counted. A failed write records that the client left.
 *
 * <p>Only body bytes are counted: a {@link ByteBuf}, or the content of a {@link ByteBufHolder} (an
 * {@code HttpContent}, a full response's body); headers and framing are added further down.
 *
 * <p>Cost: no allocation per write. Reactor Netty's own write promise takes no listener, so the
 * write goes on with one promise per channel, {@link Relay}, and the write's size, owner and
 * original promise wait in a ring of arrays (grown when more writes are in flight than ever before)
 * until the transport completes it; writes on one channel complete in the order they were made.
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>{@link #write} and the relay's completions run on the channel's event loop, which owns the
 *       ring; nothing is locked.
 *   <li>{@link #of}, {@link #track} and {@link #end} may be called from any thread; the request
 *       being written is a volatile field. HTTP/1.1 answers a connection's requests one after
 *       another (Reactor Netty holds a pipelined request until the previous response is written),
 *       and each HTTP/2 stream has its own channel, so one request at a time is written through a
 *       handler.
 *   <li>Each write is counted into the request it was written for, even if another request is being
 *       tracked when it completes; bytes completing after their request ended are ignored by core.
 * </ol>
 */
final class WrittenTx extends ChannelOutboundHandlerAdapter {

  /** The handler's name in the pipeline. */
  static final String NAME = "inflight.writtenTx";

  private static final int INITIAL_CAPACITY = 16;

  private volatile @Nullable ByteCounter current;

  private final Relay relay;

  /** The ring of writes in flight; event loop only. */
  private @Nullable ByteCounter[] owners = new ByteCounter[INITIAL_CAPACITY];

  private int[] sizes = new int[INITIAL_CAPACITY];
  private @Nullable ChannelPromise[] promises = new ChannelPromise[INITIAL_CAPACITY];
  private int head;
  private int inFlight;

  /** A request that ended with writes in flight, and why: ended once they complete. */
  private @Nullable ByteCounter endsAfterWrites;

  private EndReason endReason = EndReason.COMPLETED;

  private WrittenTx(Channel channel) {
    this.relay = new Relay(channel, this);
  }

  /**
   * The handler of the channel under {@code nativeResponse}, installed the first time.
   *
   * @param nativeResponse the server's own response (Reactor Netty's {@code HttpServerResponse})
   * @return the handler, or null when the response is not Reactor Netty's or has no reactive bridge
   *     (TX is then counted as buffers are handed to the server)
   */
  static @Nullable WrittenTx of(Object nativeResponse) {
    if (!(nativeResponse instanceof Connection)) {
      return null;
    }
    Channel channel = ((Connection) nativeResponse).channel();
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandler existing = pipeline.get(NAME);
    WrittenTx handler;
    if (existing instanceof WrittenTx) {
      handler = (WrittenTx) existing;
    } else if (existing == null && pipeline.get(NettyPipeline.ReactiveBridge) != null) {
      handler = new WrittenTx(channel);
      pipeline.addBefore(NettyPipeline.ReactiveBridge, NAME, handler);
    } else {
      return null;
    }
    return handler;
  }

  /**
   * Counts what the channel writes from now on as the TX of {@code counter}'s request.
   *
   * @param counter the tracking filter's counter of the request
   */
  void track(ByteCounter counter) {
    current = counter;
  }

  /**
   * Ends {@code counter}'s request once the writes in flight for it complete, at once if there are
   * none. A connection that closes ends the response's write (Reactor Netty completes it) before
   * the transport fails the writes it still held, and drops the buffers it had not written yet: the
   * failures, or fewer bytes written than handed over, tell that the client left, and a completion
   * then ends as {@link EndReason#CLIENT_ABORTED}. New writes are no longer counted into it.
   *
   * @param counter the tracking filter's counter of the request that ended
   * @param reason why, as the filter chain ended
   */
  void end(ByteCounter counter, EndReason reason) {
    if (current == counter) {
      current = null;
    }
    EventLoop loop = relay.channel().eventLoop();
    if (!loop.inEventLoop()) {
      try {
        loop.execute(() -> end(counter, reason)); // the ring and the written total are the loop's
        return;
      } catch (RejectedExecutionException e) {
        endNow(counter, reason); // the server is stopping
        return;
      }
    }
    if (inFlight > 0 && owners[(head + inFlight - 1) & (sizes.length - 1)] == counter) {
      ByteCounter earlier = endsAfterWrites;
      if (earlier != null && earlier != counter) {
        endNow(earlier, endReason);
      }
      endsAfterWrites = counter;
      endReason = reason;
      return;
    }
    endNow(counter, reason);
  }

  private static void endNow(ByteCounter counter, EndReason reason) {
    try {
      counter
          .activity()
          .end(
              reason == EndReason.COMPLETED && counter.droppedBytes()
                  ? EndReason.CLIENT_ABORTED
                  : reason);
    } catch (RuntimeException e) {
      Glue.failed("Ending a tracked request failed", e);
    }
  }

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // the write's promise carries its outcome
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ByteCounter counter = current;
    int bytes;
    if (counter == null || (bytes = bodyBytes(msg)) <= 0) {
      ctx.write(msg, promise);
      return;
    }
    enqueue(counter, bytes, promise);
    ctx.write(msg, relay);
  }

  private static int bodyBytes(Object msg) {
    if (msg instanceof ByteBuf) {
      return ((ByteBuf) msg).readableBytes();
    }
    if (msg instanceof ByteBufHolder) {
      return ((ByteBufHolder) msg).content().readableBytes();
    }
    return 0;
  }

  private void enqueue(ByteCounter counter, int bytes, ChannelPromise promise) {
    if (inFlight == sizes.length) {
      grow();
    }
    int i = (head + inFlight) & (sizes.length - 1);
    owners[i] = counter;
    sizes[i] = bytes;
    promises[i] = promise;
    inFlight++;
  }

  /** Doubles the ring, keeping the order; only when more writes are in flight than ever before. */
  private void grow() {
    int n = sizes.length;
    @Nullable ByteCounter[] o = new ByteCounter[n * 2];
    int[] s = new int[n * 2];
    @Nullable ChannelPromise[] p = new ChannelPromise[n * 2];
    for (int k = 0; k < n; k++) {
      int i = (head + k) & (n - 1);
      o[k] = owners[i];
      s[k] = sizes[i];
      p[k] = promises[i];
    }
    owners = o;
    sizes = s;
    promises = p;
    head = 0;
  }

  /** The oldest write in flight completed: counted if it succeeded, then its promise completed. */
  void completed(@Nullable Throwable failure, Channel channel) {
    if (inFlight == 0) {
      return; // not one of ours: nothing to count or complete
    }
    int i = head;
    ByteCounter counter = owners[i];
    int bytes = sizes[i];
    ChannelPromise promise = promises[i];
    owners[i] = null;
    promises[i] = null;
    head = (i + 1) & (sizes.length - 1);
    inFlight--;
    if (counter == null || promise == null) {
      return;
    }
    if (failure == null) {
      counter.written(bytes);
      promise.trySuccess();
    } else {
      clientGone(counter.activity(), failure, channel);
      promise.tryFailure(failure);
    }
    ByteCounter ending = endsAfterWrites;
    if (ending != null && (inFlight == 0 || owners[head] != ending)) {
      endsAfterWrites = null; // its last write in flight completed
      endNow(ending, endReason);
    }
  }

  /**
   * A write towards the client failed: the client left when the channel (the connection, or the
   * HTTP/2 stream) is gone, or when the transport failed with an I/O error; anything else is an
   * error, by core's {@link Failures}.
   */
  private static void clientGone(RequestActivity activity, Throwable failure, Channel channel) {
    try {
      if (!channel.isActive()) {
        activity.fail(EndReason.CLIENT_ABORTED);
      } else {
        activity.clientWriteFailed(failure);
      }
    } catch (RuntimeException e) {
      Glue.failed("Recording a failed write to the client failed", e);
    }
  }

  /**
   * The promise every counted write of a channel goes on with. It never completes itself: each
   * completion the transport reports is passed to the handler, which completes the write's own
   * promise. Like Reactor Netty's own write promise, it takes no listener.
   */
  static final class Relay extends DefaultChannelPromise {
    private final WrittenTx handler;

    Relay(Channel channel, WrittenTx handler) {
      super(channel);
      this.handler = handler;
    }

    @Override
    public ChannelPromise setSuccess(@Nullable Void result) {
      handler.completed(null, channel());
      return this;
    }

    @Override
    public ChannelPromise setSuccess() {
      return setSuccess(null);
    }

    @Override
    public boolean trySuccess() {
      return trySuccess(null);
    }

    @Override
    public boolean trySuccess(@Nullable Void result) {
      handler.completed(null, channel());
      return true;
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
      handler.completed(cause, channel());
      return this;
    }

    @Override
    public boolean tryFailure(Throwable cause) {
      handler.completed(cause, channel());
      return true;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false; // a write once made is completed by the transport
    }

    @Override
    public boolean isCancellable() {
      return false;
    }

    @Override
    public ChannelPromise addListener(
        GenericFutureListener<? extends Future<? super Void>> listener) {
      throw new UnsupportedOperationException("a relayed write takes no listener; use unvoid()");
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final ChannelPromise addListeners(
        GenericFutureListener<? extends Future<? super Void>>... listeners) {
      throw new UnsupportedOperationException("a relayed write takes no listener; use unvoid()");
    }

    /** A promise of its own that also completes this one: for a handler that listens. */
    @Override
    public ChannelPromise unvoid() {
      Relay relay = this;
      return new DefaultChannelPromise(channel()) {
        @Override
        public ChannelPromise setSuccess(@Nullable Void result) {
          trySuccess(null);
          return this;
        }

        @Override
        public boolean trySuccess(@Nullable Void result) {
          boolean first = super.trySuccess(null);
          if (first) {
            relay.trySuccess(null);
          }
          return first;
        }

        @Override
        public ChannelPromise setFailure(Throwable cause) {
          tryFailure(cause);
          return this;
        }

        @Override
        public boolean tryFailure(Throwable cause) {
          boolean first = super.tryFailure(cause);
          if (first) {
            relay.tryFailure(cause);
          }
          return first;
        }
      };
    }
  }
}
