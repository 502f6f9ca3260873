package dev.inflight.activity.jaxrs.internal;

import dev.inflight.activity.RequestActivity;
import org.jspecify.annotations.Nullable;

/**
 * Binds a request's exchange to the thread that runs its resource method. Jakarta REST has no
 * portable way to inject a request property into a resource, but every implementation runs the
 * (post-matching) request filters and then the resource method on one thread, so the request filter
 * binds and the resource reads.
 */
public final class CurrentActivity {
  private static final ThreadLocal<Exchange> CURRENT = new ThreadLocal<>();

  private CurrentActivity() {}

  /**
   * Binds the exchange of the request about to be dispatched on this thread.
   *
   * @param exchange the exchange
   */
  public static void bind(Exchange exchange) {
    CURRENT.set(exchange);
  }

  /**
   * Unbinds the exchange if it is the one bound to this thread.
   *
   * @param exchange the exchange
   */
  public static void unbind(Exchange exchange) {
    if (CURRENT.get() == exchange) {
      CURRENT.remove();
    }
  }

  /** Unbinds whatever is bound, without allocating. */
  public static void clear() {
    if (CURRENT.get() != null) {
      CURRENT.remove();
    }
  }

  /**
   * The activity bound to this thread, if it is still open.
   *
   * @return the activity, or {@link RequestActivity#disabled()}
   */
  public static RequestActivity get() {
    Exchange e = CURRENT.get();
    return e != null && e.activity().isOpen() ? e.activity() : RequestActivity.disabled();
  }

  /**
   * The exchange bound to this thread, if it belongs to the given activity.
   *
   * @param activity the activity
   * @return its exchange, or null if another (or no) request is bound here
   */
  public static @Nullable Exchange exchangeOf(RequestActivity activity) {
    Exchange e = CURRENT.get();
    return e != null && e.activity() == activity ? e : null;
  }
}
