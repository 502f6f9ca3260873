package dev.inflight.activity.jaxrs.internal;

import dev.inflight.activity.RequestActivity;

/**
 * Binds a request's activity to the thread that runs its resource method. Jakarta REST has no
 * portable way to inject a request property into a resource, but every implementation runs the
 * (post-matching) request filters and then the resource method on one thread, so the request
 * filter binds and the resource reads.
 */
public final class CurrentActivity {
  private static final ThreadLocal<RequestActivity> CURRENT = new ThreadLocal<>();

  private CurrentActivity() {}

  /**
   * Binds the activity of the request about to be dispatched on this thread.
   *
   * @param activity the activity
   */
  public static void bind(RequestActivity activity) {
    CURRENT.set(activity);
  }

  /**
   * Unbinds the activity if it is the one bound to this thread.
   *
   * @param activity the activity
   */
  public static void unbind(RequestActivity activity) {
    if (CURRENT.get() == activity) {
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
    RequestActivity a = CURRENT.get();
    return a != null && a.isOpen() ? a : RequestActivity.disabled();
  }
}
