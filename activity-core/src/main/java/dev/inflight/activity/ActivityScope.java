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
 *       allocates nothing (a thread's first scope makes its slot, once).
 * </ol>
 */
public final class ActivityScope implements AutoCloseable {

  /**
   * Each thread's slot for its current activity: a one-element {@code Object[]} that stays in the
   * thread once made, so opening and closing a scope are plain reads and writes of the slot. (A
   * {@code ThreadLocal.remove()} per request clears a weak reference through the VM and a {@code
   * set()} after it makes a new map entry: together they were the largest part of tracking's own
   * cost per request.) The slot is a JDK type and holds nothing once the scope closes, so a pooled
   * thread keeps no object of the application's.
   */
  private static final ThreadLocal<Object[]> CURRENT = ThreadLocal.withInitial(() -> new Object[1]);

  /** The scope returned when there is nothing to restore: closing it does nothing. */
  private static final ActivityScope NOOP = new ActivityScope(null, null, null, null);

  private final @Nullable Thread owner;
  private final Object @Nullable [] slot;
  private final @Nullable RequestActivity activity;
  private final @Nullable RequestActivity previous;
  private boolean closed;

  private ActivityScope(
      @Nullable Thread owner,
      Object @Nullable [] slot,
      @Nullable RequestActivity activity,
      @Nullable RequestActivity previous) {
    this.owner = owner;
    this.slot = slot;
    this.activity = activity;
    this.previous = previous;
  }

  /** See {@link RequestActivity#makeCurrent()}. */
  static ActivityScope open(RequestActivity activity) {
    Object[] s = CURRENT.get();
    RequestActivity previous = (RequestActivity) s[0];
    if (!activity.isTracking()) {
      if (previous == null) {
        return NOOP; // nothing current, nothing to hide: no allocation
      }
      s[0] = null;
      return new ActivityScope(Thread.currentThread(), s, null, previous);
    }
    s[0] = activity;
    return new ActivityScope(Thread.currentThread(), s, activity, previous);
  }

  /** See {@link RequestActivity#current()}. */
  static RequestActivity current() {
    RequestActivity a = (RequestActivity) CURRENT.get()[0];
    return a != null ? a : RequestActivity.disabled();
  }

  /** Makes the activity that was current before this scope opened current again. */
  @Override
  public void close() {
    Object[] s = slot;
    if (s == null || owner != Thread.currentThread() || closed) {
      return;
    }
    closed = true;
    if (s[0] != activity) {
      return; // an inner scope was left open; do not undo what it did not restore
    }
    s[0] = previous;
  }

  @Override
  public String toString() {
    return "ActivityScope{" + activity + "}";
  }
}
