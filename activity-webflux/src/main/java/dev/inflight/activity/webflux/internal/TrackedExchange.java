package dev.inflight.activity.webflux.internal;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.EndReason;
import dev.inflight.activity.Failures;
import dev.inflight.activity.RequestActivity;
import java.lang.System.Logger.Level;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.springframework.http.HttpMethod;
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
 * through a {@link CountingResponse}, and ends it exactly once from the signal that ends the filter
 * chain: completion, cancellation (the client left) or an error, classified by core's {@link
 * Failures}.
 */
public final class TrackedExchange {

  private static final System.Logger LOG = System.getLogger(TrackedExchange.class.getName());

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
    try {
      String sessionId =
          sessionHeader == null ? null : exchange.getRequest().getHeaders().getFirst(sessionHeader);
      activity = tracker.beginRequest(sessionId);
      if (!activity.isTracking()) {
        return chain.filter(exchange); // the tracker was closed meanwhile
      }
      exchange.getAttributes().put(attribute, activity);
      // a HEAD response's body is dropped by the server, so it is not counted
      tracked =
          HttpMethod.HEAD.equals(exchange.getRequest().getMethod())
              ? exchange
              : exchange
                  .mutate()
                  .response(new CountingResponse(exchange.getResponse(), activity, false))
                  .build();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "activity tracking failed to start; request continues untracked", e);
      return chain.filter(exchange);
    }
    return Tracked.assemble(chain.filter(tracked), activity, contextKey);
  }

  private static void end(RequestActivity activity, EndReason reason) {
    try {
      activity.end(reason);
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

    Tracked(Mono<Void> chain, RequestActivity activity, Object contextKey) {
      super(chain);
      this.activity = activity;
      this.contextKey = contextKey;
    }

    /** Through Reactor's assembly hooks, as its own operators go. */
    static Mono<Void> assemble(Mono<Void> chain, RequestActivity activity, Object contextKey) {
      return onAssembly(new Tracked(chain, activity, contextKey));
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
      source.subscribe(
          new Ending(actual, actual.currentContext().put(contextKey, activity), activity));
    }
  }

  /** Ends the activity before passing on the signal that ends the chain, as the doOn hooks did. */
  private static final class Ending implements CoreSubscriber<Void>, Subscription {
    private final CoreSubscriber<? super Void> actual;
    private final Context context;
    private final RequestActivity activity;
    private @Nullable Subscription upstream;

    Ending(CoreSubscriber<? super Void> actual, Context context, RequestActivity activity) {
      this.actual = actual;
      this.context = context;
      this.activity = activity;
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
      end(activity, activity.isClientGone() ? EndReason.CLIENT_ABORTED : Failures.reasonFor(e));
      actual.onError(e);
    }

    @Override
    public void onComplete() {
      end(activity, EndReason.COMPLETED);
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
      end(activity, EndReason.CLIENT_ABORTED);
      Subscription s = upstream;
      if (s != null) {
        s.cancel();
      }
    }
  }
}
