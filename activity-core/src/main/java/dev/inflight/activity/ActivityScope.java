package dev.inflight.activity;

import org.jspecify.annotations.Nullable;

/**
 * The span of code during which a {@link RequestActivity} is the thread's current one, as returned
 * by {@link RequestActivity#makeCurrent()}. Closing it makes the previous one (usually none)
 * current again.
 *
 * <pre>{@code
 * try (ActivityScope scope = activity.makeCurrent()) {
 *   chain.doFilter(request, response);   // client hooks find it with RequestActivity.current()
 * }
 * }</pre>
 *
 * <p>Thread-safety guarantees:
 *
 * <ol>
 *   <li>A scope belongs to the thread that opened it; closing it on another thread, or twice, does
 *       nothing.
 *   <li>Scopes nest: an inner scope's close restores the outer one.
 *   <li>Opening and closing a scope for the disabled activity on a thread with no current activity
 *       allocates nothing.
 * </ol>
 */
public final class ActivityScope implements AutoCloseable {

  private static final ThreadLocal<RequestActivity> CURRENT = new ThreadLocal<>();

  /** The scope returned when there is nothing to restore: closing it does nothing. */
  private static final ActivityScope NOOP = new ActivityScope(null, null, null);

  private final @Nullable Thread owner;
  private final @Nullable RequestActivity activity;
  private final @Nullable RequestActivity previous;
  private boolean closed;

  private ActivityScope(
      @Nullable Thread owner,
      @Nullable RequestActivity activity,
      @Nullable RequestActivity previous) {
    this.owner = owner;
    this.activity = activity;
    this.previous = previous;
  }

  /** See {@link RequestActivity#makeCurrent()}. */
  static ActivityScope open(RequestActivity activity) {
    RequestActivity previous = CURRENT.get();
    if (!activity.isTracking()) {
      if (previous == null) {
        return NOOP; // nothing current, nothing to hide: no allocation
      }
      CURRENT.remove();
      return new ActivityScope(Thread.currentThread(), null, previous);
    }
    CURRENT.set(activity);
    return new ActivityScope(Thread.currentThread(), activity, previous);
  }

  /** See {@link RequestActivity#current()}. */
  static RequestActivity current() {
    RequestActivity a = CURRENT.get();
    return a != null ? a : RequestActivity.disabled();
  }

  /** Makes the activity that was current before this scope opened current again. */
  @Override
  public void close() {
    if (owner != Thread.currentThread() || closed) {
      return;
    }
    closed = true;
    if (CURRENT.get() != activity) {
      return; // an inner scope was left open; do not undo what it did not restore
    }
    RequestActivity p = previous;
    if (p == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(p);
    }
  }

  @Override
  public String toString() {
    return "ActivityScope{" + activity + "}";
  }
}
