package dev.inflight.activity.jaxrs.internal;

import dev.inflight.activity.RequestActivity;
import org.jspecify.annotations.Nullable;

/**
 * Makes a request's activity current (core's {@link RequestActivity#makeCurrent()}) on the thread
 * that runs its resource method. Jakarta REST has no portable way to inject a request property into
 * a resource, and no hook around the dispatch, but every implementation runs the (post-matching)
 * request filters and then the resource method on one thread: the request filter opens the scope,
 * the response filter closes it. Client-side hooks (OkHttp, HttpClient) then find the activity with
 * {@link RequestActivity#current()}.
 *
 * <p>The exchange itself is remembered per thread too, for the one thing only this adapter needs:
 * telling an SSE sink wrapped in the resource method which exchange it belongs to.
 */
public final class CurrentActivity {
  private static final ThreadLocal<Exchange> EXCHANGE = new ThreadLocal<>();

  private CurrentActivity() {}

  /**
   * Makes the exchange's activity current on this thread, for the dispatch about to run.
   *
   * @param exchange the exchange
   */
  public static void bind(Exchange exchange) {
    clear();
    exchange.scope(exchange.activity().makeCurrent());
    EXCHANGE.set(exchange);
  }

  /**
   * Ends the exchange's scope if it is the one bound to this thread.
   *
   * @param exchange the exchange
   */
  public static void unbind(Exchange exchange) {
    if (EXCHANGE.get() == exchange) {
      EXCHANGE.remove();
      exchange.closeScope();
    }
  }

  /** Unbinds whatever a previous dispatch on this thread left bound, without allocating. */
  public static void clear() {
    Exchange e = EXCHANGE.get();
    if (e != null) {
      EXCHANGE.remove();
      e.closeScope();
    }
  }

  /**
   * The activity current on this thread, if it is still open.
   *
   * @return the activity, or {@link RequestActivity#disabled()}
   */
  public static RequestActivity get() {
    RequestActivity a = RequestActivity.current();
    return a.isOpen() ? a : RequestActivity.disabled();
  }

  /**
   * The exchange bound to this thread, if it belongs to the given activity.
   *
   * @param activity the activity
   * @return its exchange, or null if another (or no) request is bound here
   */
  public static @Nullable Exchange exchangeOf(RequestActivity activity) {
    Exchange e = EXCHANGE.get();
    return e != null && e.activity() == activity ? e : null;
  }
}
