package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.Failures;
import dev.inflight.activity.RequestActivity;
import java.lang.System.Logger.Level;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One tracked exchange: begins its {@link RequestActivity}, puts it where the application and the
 * client hooks find it (the exchange attribute and the Reactor context, never a thread), counts TX
 * as the connection writes it on Reactor Netty ({@link WrittenTx}) and as buffers are handed to the
 * server elsewhere (a {@link CountingResponse}), and ends it exactly once from the signal that ends
 * the filter chain: completion, cancellation (the client left) or an error, classified by core's
 * {@link Failures}.
 */
public final class TrackedExchange {

  private static final System.Logger LOG = System.getLogger(TrackedExchange.class.getName());

  /** Whether Reactor Netty is on the class path: TX is then counted as the connection writes. */
  private static final boolean REACTOR_NETTY =
      present("reactor.netty.Connection")
          && present("io.netty.channel.ChannelOutboundHandlerAdapter");

  private TrackedExchange() {}

  /**
   * Runs the rest of the chain for an exchange that is not tracked yet, with a tracker that is
   * enabled.
   *
   * @param tracker the tracker
   * @param sessionHeader the header carrying the session id, or null for none
   * @param attribute the exchange attribute to store the activity under
   * @param contextKey the Reactor context key to store the activity under
   * @param exchange the exchange
   * @param chain the rest of the chain
   * @return the chain's completion
   */
  public static Mono<Void> filter(
      ActivityTracker tracker,
      @Nullable String sessionHeader,
      String attribute,
      Object contextKey,
      ServerWebExchange exchange,
      WebFilterChain chain) {
    RequestActivity activity;
    ServerWebExchange tracked;
    WrittenTx written = null;
    ByteCounter counter = null;
    try {
      String sessionId =
          sessionHeader == null ? null : exchange.getRequest().getHeaders().getFirst(sessionHeader);
      activity = tracker.beginRequest(sessionId);
      if (!activity.isTracking()) {
        return chain.filter(exchange); // the tracker was closed meanwhile
      }
      exchange.getAttributes().put(attribute, activity);
      // a HEAD response's body is dropped by the server, so it is not counted
      if (HttpMethod.HEAD.equals(exchange.getRequest().getMethod())) {
        tracked = exchange;
      } else {
        written = REACTOR_NETTY ? writtenTx(exchange) : null;
        CountingResponse response =
            new CountingResponse(exchange.getResponse(), activity, false, written == null);
        counter = response.counter();
        if (written != null) {
          written.track(counter);
        }
        tracked = exchange.mutate().response(response).build();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "activity tracking failed to start; request continues untracked", e);
      return chain.filter(exchange);
    }
    return Tracked.assemble(
        chain.filter(tracked),
        activity,
        contextKey,
        written == null || counter == null ? null : new WrittenEnd(written, counter));
  }

  /**
   * On Reactor Netty, the handler that counts the request's TX as the connection writes it; null on
   * other servers (and on a mock), where TX is counted as buffers are handed to the server.
   */
  private static @Nullable WrittenTx writtenTx(ServerWebExchange exchange) {
    Object nativeResponse;
    try {
      nativeResponse = ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse());
    } catch (RuntimeException e) {
      return null; // a response with no server beneath it
    }
    try {
      return WrittenTx.of(nativeResponse);
    } catch (RuntimeException e) {
      Glue.failed("Counting TX as the connection writes failed; counted as handed on", e);
      return null;
    }
  }

  /**
   * Where a request whose TX the connection counts is ended: its channel's handler, its counter.
   */
  private static final class WrittenEnd {
    final WrittenTx handler;
    final ByteCounter counter;

    WrittenEnd(WrittenTx handler, ByteCounter counter) {
      this.handler = handler;
      this.counter = counter;
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, TrackedExchange.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static void end(
      RequestActivity activity, EndReason reason, @Nullable WrittenEnd written) {
    try {
      if (written != null) {
        written.handler.end(written.counter, reason); // once its writes in flight completed
      } else {
        activity.end(reason);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not end tracked request", e);
    }
  }

  /**
   * The chain's completion, which puts the activity into the Reactor context of everything under it
   * and ends the activity from the signal that ends the chain. One operator, in place of {@code
   * doOnSuccess}, {@code doOnError}, {@code doOnCancel} and {@code contextWrite}, each with its
   * lambda, per request.
   */
  private static final class Tracked extends MonoOperator<Void, Void> {
    private final RequestActivity activity;
    private final Object contextKey;
    private final @Nullable WrittenEnd written;

    Tracked(
        Mono<Void> chain,
        RequestActivity activity,
        Object contextKey,
        @Nullable WrittenEnd written) {
      super(chain);
      this.activity = activity;
      this.contextKey = contextKey;
      this.written = written;
    }

    /** Through Reactor's assembly hooks, as its own operators go. */
    static Mono<Void> assemble(
        Mono<Void> chain,
        RequestActivity activity,
        Object contextKey,
        @Nullable WrittenEnd written) {
      return onAssembly(new Tracked(chain, activity, contextKey, written));
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
      source.subscribe(
          new Ending(actual, actual.currentContext().put(contextKey, activity), activity, written));
    }
  }

  /** Ends the activity before passing on the signal that ends the chain, as the doOn hooks did. */
  private static final class Ending implements CoreSubscriber<Void>, Subscription {
    private final CoreSubscriber<? super Void> actual;
    private final Context context;
    private final RequestActivity activity;
    private final @Nullable WrittenEnd written;
    private @Nullable Subscription upstream;

    Ending(
        CoreSubscriber<? super Void> actual,
        Context context,
        RequestActivity activity,
        @Nullable WrittenEnd written) {
      this.actual = actual;
      this.context = context;
      this.activity = activity;
      this.written = written;
    }

    @Override
    public Context currentContext() {
      return context;
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (upstream != null) {
        s.cancel();
        Operators.reportSubscriptionSet();
        return;
      }
      upstream = s;
      actual.onSubscribe(this);
    }

    @Override
    public void onNext(Void nothing) {
      // never called: a Mono<Void> has no value to emit (and Reactive Streams forbids null)
    }

    @Override
    public void onError(Throwable e) {
      end(
          activity,
          activity.isClientGone() ? EndReason.CLIENT_ABORTED : Failures.reasonFor(e),
          written);
      actual.onError(e);
    }

    @Override
    public void onComplete() {
      end(activity, EndReason.COMPLETED, written);
      actual.onComplete();
    }

    @Override
    public void request(long n) {
      Subscription s = upstream;
      if (s != null) {
        s.request(n);
      }
    }

    @Override
    public void cancel() {
      end(activity, EndReason.CLIENT_ABORTED, written);
      Subscription s = upstream;
      if (s != null) {
        s.cancel();
      }
    }
  }
}
