package dev.inflight.activity.webflux.internal;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The operators a {@link CountingResponse} puts on a body: one subscriber per body (or per stream
 * of flushed groups) that counts what passes and, where asked, tells a cancellation before the end
 * from one after it. It stands for a {@code doOnNext}, a {@code doOnTerminate} and a {@code
 * doOnCancel}, with their lambdas, in one object.
 */
final class CountingBody {

  private CountingBody() {}

  /**
   * A body of buffers, each counted as it is handed on.
   *
   * @param watch whether a cancellation before the end is reported to the counter
   */
  static Flux<DataBuffer> buffers(
      Flux<? extends DataBuffer> body, ByteCounter counter, boolean watch) {
    return BuffersFlux.assemble(body, counter, watch);
  }

  /** A single-buffer body, counted when it emits; it stays a {@link Mono}. */
  static Mono<DataBuffer> single(Mono<? extends DataBuffer> body, ByteCounter counter) {
    return BufferMono.assemble(body, counter);
  }

  /**
   * A stream of flushed groups, each counted as {@link ByteCounter#group} does; a cancellation of
   * the stream before its end is reported to the counter.
   */
  static Flux<Publisher<? extends DataBuffer>> groups(
      Flux<? extends Publisher<? extends DataBuffer>> body, ByteCounter counter) {
    return GroupsFlux.assemble(body, counter);
  }

  private static final class BuffersFlux extends FluxOperator<DataBuffer, DataBuffer> {
    private final ByteCounter counter;
    private final boolean watch;

    BuffersFlux(Flux<? extends DataBuffer> source, ByteCounter counter, boolean watch) {
      super(source);
      this.counter = counter;
      this.watch = watch;
    }

    /** Through Reactor's assembly hooks, as its own operators go. */
    static Flux<DataBuffer> assemble(
        Flux<? extends DataBuffer> source, ByteCounter counter, boolean watch) {
      return onAssembly(new BuffersFlux(source, counter, watch));
    }

    @Override
    public void subscribe(CoreSubscriber<? super DataBuffer> actual) {
      source.subscribe(new BufferSubscriber(actual, counter, watch));
    }
  }

  private static final class BufferMono extends MonoOperator<DataBuffer, DataBuffer> {
    private final ByteCounter counter;

    BufferMono(Mono<? extends DataBuffer> source, ByteCounter counter) {
      super(source);
      this.counter = counter;
    }

    static Mono<DataBuffer> assemble(Mono<? extends DataBuffer> source, ByteCounter counter) {
      return onAssembly(new BufferMono(source, counter));
    }

    @Override
    public void subscribe(CoreSubscriber<? super DataBuffer> actual) {
      source.subscribe(new BufferSubscriber(actual, counter, false));
    }
  }

  private static final class GroupsFlux
      extends FluxOperator<Publisher<? extends DataBuffer>, Publisher<? extends DataBuffer>> {
    private final ByteCounter counter;

    GroupsFlux(Flux<? extends Publisher<? extends DataBuffer>> source, ByteCounter counter) {
      super(source);
      this.counter = counter;
    }

    static Flux<Publisher<? extends DataBuffer>> assemble(
        Flux<? extends Publisher<? extends DataBuffer>> source, ByteCounter counter) {
      return onAssembly(new GroupsFlux(source, counter));
    }

    @Override
    public void subscribe(CoreSubscriber<? super Publisher<? extends DataBuffer>> actual) {
      source.subscribe(new GroupSubscriber(actual, counter));
    }
  }

  /**
   * Passes every signal on; counts in {@link #onNext}. A cancellation that comes before {@code
   * onComplete} or {@code onError} is reported to the counter when {@code watch} is set; the
   * terminal flag is volatile because the server may cancel from another thread than the one
   * completing the body.
   */
  private abstract static class CountingSubscriber<T> implements CoreSubscriber<T>, Subscription {
    final CoreSubscriber<? super T> actual;
    final ByteCounter counter;
    private final boolean watch;
    private @Nullable Subscription upstream;
    private volatile boolean done;

    CountingSubscriber(CoreSubscriber<? super T> actual, ByteCounter counter, boolean watch) {
      this.actual = actual;
      this.counter = counter;
      this.watch = watch;
    }

    @Override
    public final void onSubscribe(Subscription s) {
      if (upstream != null) {
        s.cancel();
        Operators.reportSubscriptionSet();
        return;
      }
      upstream = s;
      actual.onSubscribe(this);
    }

    @Override
    public final void onError(Throwable t) {
      done = true;
      actual.onError(t);
    }

    @Override
    public final void onComplete() {
      done = true;
      actual.onComplete();
    }

    @Override
    public final void request(long n) {
      Subscription s = upstream;
      if (s != null) {
        s.request(n);
      }
    }

    @Override
    public final void cancel() {
      if (watch && !done) {
        counter.cancelledEarly();
      }
      Subscription s = upstream;
      if (s != null) {
        s.cancel();
      }
    }

    @Override
    public final Context currentContext() {
      return actual.currentContext();
    }
  }

  private static final class BufferSubscriber extends CountingSubscriber<DataBuffer> {
    BufferSubscriber(
        CoreSubscriber<? super DataBuffer> actual, ByteCounter counter, boolean watch) {
      super(actual, counter, watch);
    }

    @Override
    public void onNext(DataBuffer buffer) {
      counter.count(buffer);
      actual.onNext(buffer);
    }
  }

  private static final class GroupSubscriber
      extends CountingSubscriber<Publisher<? extends DataBuffer>> {
    GroupSubscriber(
        CoreSubscriber<? super Publisher<? extends DataBuffer>> actual, ByteCounter counter) {
      super(actual, counter, true);
    }

    @Override
    public void onNext(Publisher<? extends DataBuffer> group) {
      actual.onNext(counter.group(group));
    }
  }
}
